// Hardening (issue 15, point 6): JSON bodies are parsed strictly on every
// route through the one decoder (server/internal/web): duplicate and
// case-variant keys, data after the object, a wrong Content-Type and invalid
// UTF-8 are refused, never guessed at.
package server_test

import (
	"net/http"
	"testing"

	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/internal/stubnode"
)

func TestStrictJSONBodies(t *testing.T) {
	node := stubnode.New("fs1", servertest.FS1Snapshot())
	ts := servertest.Start(t, server.Config{}, node)
	const play = "/api/v1/nodes/fs1/conferences/room/members/1/play"
	tests := []struct {
		name, path, body, ctype string
		want                    int
		method                  string // POST when empty
	}{
		{"duplicate key", "/api/v1/users", `{"name":"a","name":"admin2","role":"viewer","password":"long enough pw 1"}`, "", 400, ""},
		{"case-variant key", "/api/v1/users", `{"name":"bob","Role":"admin","role":"viewer","password":"long enough pw 1"}`, "", 400, ""},
		{"case-variant key alone", "/api/v1/users", `{"name":"bob","Role":"admin","password":"long enough pw 1"}`, "", 400, ""},
		{"trailing object", "/api/v1/users", `{"name":"bob","role":"viewer","password":"long enough pw 1"}{"role":"admin"}`, "", 400, ""},
		{"nested duplicate", "/api/v1/tokens", `{"name":"t","scopes":["ingest:utterances"],"x":{"a":1,"a":2}}`, "", 400, ""},
		{"play as text/plain", play, `{"media":"welcome"}`, "text/plain", 415, ""},
		{"play duplicate key", play, `{"media":"nope","media":"welcome"}`, "", 400, ""},
		{"play trailing object", play, `{"media":"welcome"}{"media":"welcome"}`, "", 400, ""},
		{"play invalid UTF-8", play, "{\"media\":\"welcome\xff\"}", "", 400, ""},
		{"login invalid UTF-8 password", "/api/v1/auth/login", "{\"username\":\"root\",\"password\":\"correct horse battery staple\xff\"}", "", 400, ""},
		{"login case-variant key", "/api/v1/auth/login", `{"username":"root","Password":"x","password":"correct horse battery staple"}`, "", 400, ""},
		// Bodies of routes added after the hardening: My phone and the alerts screen.
		{"phone case-variant key", "/api/v1/me/phone", `{"Phone":"1001"}`, "", 400, http.MethodPut},
		{"phone duplicate key", "/api/v1/me/phone", `{"phone":"1001","phone":"1002"}`, "", 400, http.MethodPut},
		{"phone trailing object", "/api/v1/me/phone", `{"phone":"1001"}{"phone":"1002"}`, "", 400, http.MethodPut},
		{"phone as text/plain", "/api/v1/me/phone", `{"phone":"1001"}`, "text/plain", 415, http.MethodPut},
		{"alert rule case-variant key", "/api/v1/alerts/rules", `{"Name":"x","name":"y","kind":"node_down","severity":"info","enabled":true,"destinations":[]}`, "", 400, ""},
		{"alert destination trailing object", "/api/v1/alerts/destinations", `{"name":"d","kind":"webhook","url":"https://example.com/h"}{}`, "", 400, ""},
		{"alert rule as text/plain", "/api/v1/alerts/rules", `{"name":"y","kind":"node_down","severity":"info","enabled":true,"destinations":[]}`, "text/plain", 415, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := *ts.Client
			c.Headers = http.Header{}
			if tc.ctype != "" {
				c.Headers.Set("Content-Type", tc.ctype)
			}
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			resp, body := c.Do(t, method, tc.path, tc.body)
			if resp.StatusCode != tc.want {
				t.Fatalf("%s: %d %s, want %d", tc.name, resp.StatusCode, body, tc.want)
			}
		})
	}
	// The good bodies still pass.
	if resp, body := ts.Do(t, http.MethodPost, play, `{"media":"welcome"}`); resp.StatusCode != 200 {
		t.Fatalf("play: %d %s", resp.StatusCode, body)
	}
	if resp, body := ts.Do(t, http.MethodPost, "/api/v1/users", `{"name":"bob","role":"viewer","password":"long enough pw 1"}`); resp.StatusCode != 201 && resp.StatusCode != 200 {
		t.Fatalf("create user: %d %s", resp.StatusCode, body)
	}
	if resp, body := ts.Do(t, http.MethodPut, "/api/v1/me/phone", `{"phone":"1001"}`); resp.StatusCode != 200 {
		t.Fatalf("set phone: %d %s", resp.StatusCode, body)
	}
	if resp, body := ts.Do(t, http.MethodPost, "/api/v1/alerts/rules", `{"name":"down","kind":"node_down","severity":"info","enabled":true,"destinations":[]}`); resp.StatusCode != 201 && resp.StatusCode != 200 {
		t.Fatalf("create rule: %d %s", resp.StatusCode, body)
	}
}
