package session_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/internal/stubnode"
	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/session"
	"github.com/callboard/callboard/server/store"
)

func TestCSRF(t *testing.T) {
	node := stubnode.New("fs1", servertest.FS1Snapshot())
	ts := servertest.Start(t, server.Config{}, node)
	mod := ts.ClientAs(t, store.RoleModerator)
	other := ts.ClientAs(t, store.RoleModerator)
	for _, tc := range []struct{ name, token string }{
		{"missing", ""},
		{"wrong", "x" + mod.CSRF[1:]},
		{"another session's", other.CSRF},
	} {
		c := *mod
		c.CSRF = tc.token
		for _, p := range []string{"/api/v1/nodes/fs1/calls/c1/hangup", "/api/v1/auth/logout"} {
			resp, data := c.Do(t, http.MethodPost, p, "")
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
	if resp, _ := mod.Do(t, http.MethodGet, "/api/v1/auth/me", ""); resp.StatusCode != 200 {
		t.Fatalf("me: %d", resp.StatusCode)
	}
	// sign-in from a foreign Origin is refused (login CSRF)
	anon := ts.Anonymous()
	anon.Headers.Set("Origin", "https://evil.example")
	resp, data := anon.Do(t, http.MethodPost, "/api/v1/auth/login", `{"username":"root","password":"`+servertest.Password+`"}`)
	if resp.StatusCode != 403 || !strings.Contains(string(data), `"csrf"`) {
		t.Fatalf("foreign-origin login: %d %s", resp.StatusCode, data)
	}
}

func TestWebsocketAuth(t *testing.T) {
	ts := servertest.Start(t, server.Config{AllowedOrigins: []string{"https://ops.example"}}, stubnode.New("fs1", servertest.FS1Snapshot()))
	viewer := ts.ClientAs(t, store.RoleViewer)
	if _, resp, err := ts.DialWS(t, ts.Anonymous(), ts.Base); err == nil || resp == nil || resp.StatusCode != 401 {
		t.Fatalf("no session: %v %v", err, resp)
	}
	bad := *viewer
	bad.Cookie = "cbs_forged"
	if _, resp, err := ts.DialWS(t, &bad, ts.Base); err == nil || resp == nil || resp.StatusCode != 401 {
		t.Fatalf("forged cookie: %v", err)
	}
	if _, resp, err := ts.DialWS(t, viewer, "https://evil.example"); err == nil || resp == nil || resp.StatusCode != 403 {
		t.Fatalf("foreign origin: %v", err)
	}
	conn, _, err := ts.DialWS(t, viewer, "https://ops.example")
	if err != nil {
		t.Fatalf("allowed origin: %v", err)
	}
	servertest.ExpectSnapshot(t, conn)
}

func TestSessionEndClosesWebsocket(t *testing.T) {
	ts := servertest.Start(t, server.Config{}, stubnode.New("fs1", servertest.FS1Snapshot()))
	ends := []struct {
		name string
		end  func(t *testing.T, c *servertest.Client)
	}{
		{"revoked by admin", func(t *testing.T, c *servertest.Client) {
			if resp, data := ts.Do(t, http.MethodDelete, "/api/v1/sessions/"+ts.SessionID(t, c.User), ""); resp.StatusCode != 204 {
				t.Fatalf("revoke: %d %s", resp.StatusCode, data)
			}
		}},
		{"sign-out", func(t *testing.T, c *servertest.Client) {
			resp, _ := c.Do(t, http.MethodPost, "/api/v1/auth/logout", "")
			if resp.StatusCode != 204 {
				t.Fatalf("logout: %d", resp.StatusCode)
			}
			for _, ck := range resp.Cookies() {
				if ck.Name == session.CookieName && (ck.Value != "" || ck.MaxAge >= 0) {
					t.Fatalf("cookie not cleared: %+v", ck)
				}
			}
		}},
		{"user deleted", func(t *testing.T, c *servertest.Client) {
			if resp, data := ts.Do(t, http.MethodDelete, "/api/v1/users/"+c.User, ""); resp.StatusCode != 204 {
				t.Fatalf("delete user: %d %s", resp.StatusCode, data)
			}
		}},
		{"absolute expiry", func(t *testing.T, c *servertest.Client) {
			ts.Clock.Advance(12*time.Hour + time.Second)
			ts.CheckSessions(context.Background())
		}},
	}
	for _, tc := range ends {
		t.Run(tc.name, func(t *testing.T) {
			c := ts.ClientAs(t, store.RoleViewer)
			conn, _, err := ts.DialWS(t, c, ts.Base)
			if err != nil {
				t.Fatal(err)
			}
			servertest.ExpectSnapshot(t, conn)
			tc.end(t, c)
			servertest.ExpectClosed(t, conn, session.CloseSessionEnded)
			if resp, _ := c.Do(t, http.MethodGet, "/api/v1/state", ""); resp.StatusCode != 401 {
				t.Fatalf("ended session still works: %d", resp.StatusCode)
			}
			if _, resp, err := ts.DialWS(t, c, ts.Base); err == nil || resp.StatusCode != 401 {
				t.Fatalf("ended session reconnected: %v", err)
			}
		})
		ts.Client = ts.Login(t, "root") // the clock may have moved past root's session
	}
}

func TestIdleExpiry(t *testing.T) {
	ts := servertest.Start(t, server.Config{}, stubnode.New("fs1", servertest.FS1Snapshot()))
	idle := ts.ClientAs(t, store.RoleViewer)
	active := ts.ClientAs(t, store.RoleViewer)
	watching := ts.ClientAs(t, store.RoleViewer)
	conn, _, err := ts.DialWS(t, watching, ts.Base)
	if err != nil {
		t.Fatal(err)
	}
	servertest.ExpectSnapshot(t, conn)
	for range 3 { // 3 x 20 min: idle for 60 > 30 min; active and watching keep going
		ts.Clock.Advance(20 * time.Minute)
		if resp, _ := active.Do(t, http.MethodGet, "/api/v1/state", ""); resp.StatusCode != 200 {
			t.Fatalf("active session: %d", resp.StatusCode)
		}
		ts.CheckSessions(context.Background())
	}
	if resp, _ := idle.Do(t, http.MethodGet, "/api/v1/state", ""); resp.StatusCode != 401 {
		t.Fatalf("idle session: %d, want 401", resp.StatusCode)
	}
	if resp, _ := watching.Do(t, http.MethodGet, "/api/v1/state", ""); resp.StatusCode != 200 {
		t.Fatalf("a session with an open websocket is active: %d", resp.StatusCode)
	}
}
