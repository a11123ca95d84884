package server_test

import (
	"net/http"
	"testing"

	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/internal/stubnode"
)

// Hardening (issue 15, point 3): authenticated JSON is never cached.
func TestAPIAnswersNoStore(t *testing.T) {
	ts := servertest.Start(t, server.Config{}, stubnode.New("fs1", servertest.FS1Snapshot()))
	for _, path := range []string{"/api/v1/state", "/api/v1/auth/me", "/api/v1/users", "/api/v1/sessions",
		"/api/v1/tokens", "/api/v1/audit", "/api/v1/history/calls", "/api/v1/nope"} {
		resp, body := ts.Do(t, http.MethodGet, path, "")
		if got := resp.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("GET %s (%d): Cache-Control %q, want no-store (%.80s)", path, resp.StatusCode, got, body)
		}
	}
	resp := ts.Anonymous().TryLogin(t, "root", servertest.Password)
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("sign-in: Cache-Control %q, want no-store", got)
	}
}
