// Tests of routes.go: who may call each route, and the API's JSON 404.
package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/internal/stubnode"
	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/store"
)

var roles = []store.Role{"", store.RoleViewer, store.RoleModerator, store.RoleAdmin}

func TestEveryRouteEveryRole(t *testing.T) {
	ts := servertest.Start(t, server.Config{}, stubnode.New("fs1", servertest.FS1Snapshot()))
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
		{"POST", "/api/v1/users", `{"name":"new-%d","role":"viewer","password":"` + servertest.Password + `"}`, [4]int{401, 403, 403, 201}},
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
			c := ts.ClientAs(t, role)
			body := rt.body
			if strings.Contains(body, "%d") {
				n++
				body = fmt.Sprintf(body, n)
			}
			resp, data := c.Do(t, rt.method, rt.path, body)
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

func TestUnknownAPIPathIsJSON404(t *testing.T) {
	ts := servertest.Start(t, server.Config{})
	for _, p := range []string{"/api/v1/nope", "/api/v2/state", "/api"} {
		resp, data := ts.Do(t, http.MethodGet, p, "")
		var e web.ErrorBody
		if resp.StatusCode != 404 || json.Unmarshal(data, &e) != nil || e.Code != "not_found" {
			t.Fatalf("%s: %d %s", p, resp.StatusCode, data)
		}
	}
}
