// Hardening (issue 15, points 4 and 5): what a client sends is bounded in
// the log and in answers, a client's mistake is not logged as a server
// error, and identifiers are validated before an unsupported action is
// refused.
package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/internal/stubnode"
)

// longestLine is the length of the longest log line.
func longestLine(logs string) int {
	n := 0
	for l := range strings.SplitSeq(logs, "\n") {
		n = max(n, len(l))
	}
	return n
}

func TestLogLinesBoundedForUnauthenticatedPaths(t *testing.T) {
	ts := servertest.Start(t, server.Config{})
	long := "/api/v1/" + strings.Repeat("a", 200_000)
	resp, _ := ts.Anonymous().Do(t, http.MethodGet, long, "")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d", resp.StatusCode)
	}
	resp, _ = ts.Anonymous().Do(t, http.MethodGet, "/"+strings.Repeat("b", 200_000), "")
	_ = resp
	if n := longestLine(ts.Logs.String()); n > 2048 {
		t.Fatalf("a log line of %d bytes", n)
	}
}

func TestUnsupportedActionIsAClientMistake(t *testing.T) {
	node := stubnode.New("fs1", servertest.FS1Snapshot()).WithActions(adapters.ActMute)
	ts := servertest.Start(t, server.Config{}, node)
	resp, body := ts.Do(t, http.MethodPost, "/api/v1/nodes/fs1/conferences/room/lock", "")
	if resp.StatusCode != http.StatusNotImplemented {
		t.Fatalf("lock: %d %s", resp.StatusCode, body)
	}
	for l := range strings.SplitSeq(ts.Logs.String(), "\n") {
		if strings.Contains(l, "level=ERROR") {
			t.Errorf("a client mistake logged as a server error: %s", l)
		}
	}
}

func TestActionIdentifiersValidatedBeforeUnsupported(t *testing.T) {
	node := stubnode.New("fs1", servertest.FS1Snapshot()).WithActions(adapters.ActMute)
	ts := servertest.Start(t, server.Config{}, node)
	long := strings.Repeat("n", 10_000)
	for _, path := range []string{
		"/api/v1/nodes/fs1/conferences/" + long + "/lock",
		"/api/v1/nodes/fs1/conferences/bad%20name/lock",
		"/api/v1/nodes/fs1/calls/bad%0Aline/hangup",
	} {
		resp, body := ts.Do(t, http.MethodPost, path, "")
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("POST %.60s: %d %.200s, want 400", path, resp.StatusCode, body)
		}
		if len(body) > 1024 {
			t.Errorf("POST %.60s: a %d-byte answer echoes the identifier", path, len(body))
		}
	}
	if n := longestLine(ts.Logs.String()); n > 2048 {
		t.Fatalf("a log line of %d bytes", n)
	}
	if calls := node.Calls(); len(calls) != 0 {
		t.Fatalf("the node was asked: %v", calls)
	}
}
