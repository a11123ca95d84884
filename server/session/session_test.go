package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/callboard/callboard/server/internal/stubnode"
	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/session"
	"github.com/callboard/callboard/server/store"
)

var roles = []store.Role{"", store.RoleViewer, store.RoleModerator, store.RoleAdmin}

// clientAs signs in a fresh user of role (anonymous for "").
func (ts *testServer) clientAs(t *testing.T, role store.Role) *testClient {
	t.Helper()
	if role == "" {
		return ts.anonymous()
	}
	ts.users++
	name := fmt.Sprintf("%s-%d", role, ts.users)
	ts.addUser(t, name, role)
	c := ts.login(t, name)
	c.user = name
	return c
}

func TestEveryRouteEveryRole(t *testing.T) {
	ts := startServer(t, Config{}, stubnode.New("fs1", fs1Snapshot()))
	const m = "/api/v1/nodes/fs1/conferences/room/members/2"
	n := 0
	routes := []struct {
		method, path, body string
		want               [4]int // none, viewer, moderator, admin
	}{
		{"GET", "/healthz", "", [4]int{200, 200, 200, 200}},
		{"GET", "/", "", [4]int{200, 200, 200, 200}},
		{"GET", "/api/v1/auth/me", "", [4]int{401, 200, 200, 200}},
		{"POST", "/api/v1/auth/logout", "", [4]int{401, 204, 204, 204}},
		{"GET", "/api/v1/state", "", [4]int{401, 200, 200, 200}},
		{"GET", "/api/v1/nodes/fs1/calls/c1/transcript", "", [4]int{401, 200, 200, 200}},
		{"POST", m + "/mute", "", [4]int{401, 403, 200, 200}},
		{"POST", m + "/unmute", "", [4]int{401, 403, 200, 200}},
		{"POST", m + "/deaf", "", [4]int{401, 403, 200, 200}},
		{"POST", m + "/undeaf", "", [4]int{401, 403, 200, 200}},
		{"POST", m + "/kick", "", [4]int{401, 403, 200, 200}},
		{"POST", m + "/play", `{"media":"welcome"}`, [4]int{401, 403, 200, 200}},
		{"POST", "/api/v1/nodes/fs1/conferences/room/lock", "", [4]int{401, 403, 200, 200}},
		{"POST", "/api/v1/nodes/fs1/conferences/room/unlock", "", [4]int{401, 403, 200, 200}},
		{"POST", "/api/v1/nodes/fs1/conferences/room/moh-start", "", [4]int{401, 403, 200, 200}},
		{"POST", "/api/v1/nodes/fs1/conferences/room/moh-stop", "", [4]int{401, 403, 200, 200}},
		{"POST", "/api/v1/nodes/fs1/conferences/room/play", `{"media":"welcome"}`, [4]int{401, 403, 200, 200}},
		{"POST", "/api/v1/nodes/fs1/calls/c1/hangup", "", [4]int{401, 403, 200, 200}},
		{"GET", "/api/v1/users", "", [4]int{401, 403, 403, 200}},
		{"POST", "/api/v1/users", `{"name":"new-%d","role":"viewer","password":"` + testPassword + `"}`, [4]int{401, 403, 403, 201}},
		{"DELETE", "/api/v1/users/nobody", "", [4]int{401, 403, 403, 404}},
		{"GET", "/api/v1/sessions", "", [4]int{401, 403, 403, 200}},
		{"DELETE", "/api/v1/sessions/nope", "", [4]int{401, 403, 403, 404}},
		{"GET", "/api/v1/tokens", "", [4]int{401, 403, 403, 200}},
		{"POST", "/api/v1/tokens", `{"name":"stt","scopes":["ingest:utterances"]}`, [4]int{401, 403, 403, 201}},
		{"DELETE", "/api/v1/tokens/nope", "", [4]int{401, 403, 403, 404}},
		{"GET", "/api/v1/audit", "", [4]int{401, 403, 403, 200}},
		{"GET", "/api/v1/audit.csv", "", [4]int{401, 403, 403, 200}},
		{"POST", "/api/v1/nodes/fs1/calls/c1/utterances", `{"speaker":"bot","text":"hi","final":true}`, [4]int{401, 401, 401, 401}},
		{"GET", "/ws", "", [4]int{401, 400, 400, 400}}, // a session gets as far as the (missing) websocket handshake
		{"GET", "/api/v1/nope", "", [4]int{401, 404, 404, 404}},
	}
	for _, rt := range routes {
		for i, role := range roles {
			c := ts.clientAs(t, role)
			body := rt.body
			if strings.Contains(body, "%d") {
				n++
				body = fmt.Sprintf(body, n)
			}
			resp, data := c.do(t, rt.method, rt.path, body)
			if resp.StatusCode != rt.want[i] {
				t.Errorf("%s %s as %q: %d %s, want %d", rt.method, rt.path, role, resp.StatusCode, data, rt.want[i])
			}
			var eb web.ErrorBody
			switch resp.StatusCode {
			case 401:
				if json.Unmarshal(data, &eb) != nil || eb.Code != "unauthorized" {
					t.Errorf("%s %s as %q: 401 body %s", rt.method, rt.path, role, data)
				}
			case 403:
				if json.Unmarshal(data, &eb) != nil || eb.Code != "forbidden" {
					t.Errorf("%s %s as %q: 403 body %s", rt.method, rt.path, role, data)
				}
			}
		}
	}
}

func TestCSRF(t *testing.T) {
	node := stubnode.New("fs1", fs1Snapshot())
	ts := startServer(t, Config{}, node)
	mod := ts.clientAs(t, store.RoleModerator)
	other := ts.clientAs(t, store.RoleModerator)
	for _, tc := range []struct{ name, token string }{
		{"missing", ""},
		{"wrong", "x" + mod.csrf[1:]},
		{"another session's", other.csrf},
	} {
		c := *mod
		c.csrf = tc.token
		for _, p := range []string{"/api/v1/nodes/fs1/calls/c1/hangup", "/api/v1/auth/logout"} {
			resp, data := c.do(t, http.MethodPost, p, "")
			var eb web.ErrorBody
			if resp.StatusCode != 403 || json.Unmarshal(data, &eb) != nil || eb.Code != "csrf" {
				t.Fatalf("%s token on %s: %d %s", tc.name, p, resp.StatusCode, data)
			}
		}
	}
	if calls := node.Calls(); len(calls) != 0 {
		t.Fatalf("node got %v despite CSRF failures", calls)
	}
	// the session survived the refused logout
	if resp, _ := mod.do(t, http.MethodGet, "/api/v1/auth/me", ""); resp.StatusCode != 200 {
		t.Fatalf("me: %d", resp.StatusCode)
	}
	// sign-in from a foreign Origin is refused (login CSRF)
	anon := ts.anonymous()
	anon.headers.Set("Origin", "https://evil.example")
	resp, data := anon.do(t, http.MethodPost, "/api/v1/auth/login", `{"username":"root","password":"`+testPassword+`"}`)
	if resp.StatusCode != 403 || !strings.Contains(string(data), `"csrf"`) {
		t.Fatalf("foreign-origin login: %d %s", resp.StatusCode, data)
	}
}

// dialWS opens /ws as c with the given Origin.
func (ts *testServer) dialWS(t *testing.T, c *testClient, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	hdr := http.Header{"Origin": {origin}}
	if c.cookie != "" {
		hdr.Set("Cookie", session.CookieName+"="+c.cookie)
	}
	conn, resp, err := websocket.DefaultDialer.Dial("ws://"+ts.Addr()+"/ws", hdr)
	if err == nil {
		t.Cleanup(func() { _ = conn.Close() })
	}
	return conn, resp, err
}

// expectSnapshot reads the first message.
func expectSnapshot(t *testing.T, conn *websocket.Conn) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var m struct{ Type string }
	if err := conn.ReadJSON(&m); err != nil || m.Type != "snapshot" {
		t.Fatalf("first message %+v %v", m, err)
	}
}

// expectClosed reads until the server closes with code.
func expectClosed(t *testing.T, conn *websocket.Conn, code int) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, _, err := conn.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != code || ce.Text != "session ended" {
			t.Fatalf("websocket ended with %v, want close %d \"session ended\"", err, code)
		}
		return
	}
}

func TestWebsocketAuth(t *testing.T) {
	ts := startServer(t, Config{AllowedOrigins: []string{"https://ops.example"}}, stubnode.New("fs1", fs1Snapshot()))
	viewer := ts.clientAs(t, store.RoleViewer)
	if _, resp, err := ts.dialWS(t, ts.anonymous(), ts.base); err == nil || resp == nil || resp.StatusCode != 401 {
		t.Fatalf("no session: %v %v", err, resp)
	}
	bad := *viewer
	bad.cookie = "cbs_forged"
	if _, resp, err := ts.dialWS(t, &bad, ts.base); err == nil || resp == nil || resp.StatusCode != 401 {
		t.Fatalf("forged cookie: %v", err)
	}
	if _, resp, err := ts.dialWS(t, viewer, "https://evil.example"); err == nil || resp == nil || resp.StatusCode != 403 {
		t.Fatalf("foreign origin: %v", err)
	}
	conn, _, err := ts.dialWS(t, viewer, "https://ops.example")
	if err != nil {
		t.Fatalf("allowed origin: %v", err)
	}
	expectSnapshot(t, conn)
}

// sessionID finds a user's session id through the admin API.
func (ts *testServer) sessionID(t *testing.T, user string) string {
	t.Helper()
	var body struct {
		Sessions []struct {
			ID, User string
			Current  bool
		}
	}
	if code := ts.getJSON(t, "/api/v1/sessions", &body); code != 200 {
		t.Fatalf("sessions: %d", code)
	}
	for _, s := range body.Sessions {
		if s.User == user {
			return s.ID
		}
	}
	t.Fatalf("no session of %s in %+v", user, body.Sessions)
	return ""
}

func TestSessionEndClosesWebsocket(t *testing.T) {
	ts := startServer(t, Config{}, stubnode.New("fs1", fs1Snapshot()))
	ends := []struct {
		name string
		end  func(t *testing.T, c *testClient)
	}{
		{"revoked by admin", func(t *testing.T, c *testClient) {
			if resp, data := ts.do(t, http.MethodDelete, "/api/v1/sessions/"+ts.sessionID(t, c.user), ""); resp.StatusCode != 204 {
				t.Fatalf("revoke: %d %s", resp.StatusCode, data)
			}
		}},
		{"sign-out", func(t *testing.T, c *testClient) {
			resp, _ := c.do(t, http.MethodPost, "/api/v1/auth/logout", "")
			if resp.StatusCode != 204 {
				t.Fatalf("logout: %d", resp.StatusCode)
			}
			for _, ck := range resp.Cookies() {
				if ck.Name == session.CookieName && (ck.Value != "" || ck.MaxAge >= 0) {
					t.Fatalf("cookie not cleared: %+v", ck)
				}
			}
		}},
		{"user deleted", func(t *testing.T, c *testClient) {
			if resp, data := ts.do(t, http.MethodDelete, "/api/v1/users/"+c.user, ""); resp.StatusCode != 204 {
				t.Fatalf("delete user: %d %s", resp.StatusCode, data)
			}
		}},
		{"absolute expiry", func(t *testing.T, c *testClient) {
			ts.clock.Advance(12*time.Hour + time.Second)
			ts.sessions.Check(context.Background())
		}},
	}
	for _, tc := range ends {
		t.Run(tc.name, func(t *testing.T) {
			c := ts.clientAs(t, store.RoleViewer)
			conn, _, err := ts.dialWS(t, c, ts.base)
			if err != nil {
				t.Fatal(err)
			}
			expectSnapshot(t, conn)
			tc.end(t, c)
			expectClosed(t, conn, session.CloseSessionEnded)
			if resp, _ := c.do(t, http.MethodGet, "/api/v1/state", ""); resp.StatusCode != 401 {
				t.Fatalf("ended session still works: %d", resp.StatusCode)
			}
			if _, resp, err := ts.dialWS(t, c, ts.base); err == nil || resp.StatusCode != 401 {
				t.Fatalf("ended session reconnected: %v", err)
			}
		})
		ts.client = ts.login(t, "root") // the clock may have moved past root's session
	}
}

func TestIdleExpiry(t *testing.T) {
	ts := startServer(t, Config{}, stubnode.New("fs1", fs1Snapshot()))
	idle := ts.clientAs(t, store.RoleViewer)
	active := ts.clientAs(t, store.RoleViewer)
	watching := ts.clientAs(t, store.RoleViewer)
	conn, _, err := ts.dialWS(t, watching, ts.base)
	if err != nil {
		t.Fatal(err)
	}
	expectSnapshot(t, conn)
	for range 3 { // 3 x 20 min: idle for 60 > 30 min; active and watching keep going
		ts.clock.Advance(20 * time.Minute)
		if resp, _ := active.do(t, http.MethodGet, "/api/v1/state", ""); resp.StatusCode != 200 {
			t.Fatalf("active session: %d", resp.StatusCode)
		}
		ts.sessions.Check(context.Background())
	}
	if resp, _ := idle.do(t, http.MethodGet, "/api/v1/state", ""); resp.StatusCode != 401 {
		t.Fatalf("idle session: %d, want 401", resp.StatusCode)
	}
	if resp, _ := watching.do(t, http.MethodGet, "/api/v1/state", ""); resp.StatusCode != 200 {
		t.Fatalf("a session with an open websocket is active: %d", resp.StatusCode)
	}
}
