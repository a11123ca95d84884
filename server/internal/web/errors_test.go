package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/internal/stubnode"
	"github.com/callboard/callboard/server/internal/web"
)

// A node's raw error (addresses) stays in the log; the client gets a
// general reason. The PBX's refusal reaches the moderator verbatim.
func TestNodeErrorsToClients(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		status    int
		wantError string
		inLog     string
	}{
		{"unreachable", fmt.Errorf("dial tcp 10.9.8.7:8021: connection refused: %w", adapters.ErrUnavailable),
			502, "node fs1 is unavailable", "10.9.8.7:8021"},
		{"timeout", fmt.Errorf("api 10.9.8.7: %w: %w", adapters.ErrUnavailable, context.DeadlineExceeded),
			502, "node fs1 did not answer in time", "10.9.8.7"},
		{"bare timeout", fmt.Errorf("read from 10.9.8.7: %w", context.DeadlineExceeded),
			502, "node fs1 did not answer in time", "10.9.8.7"},
		{"refused", fmt.Errorf("-ERR Conference room is locked: %w", adapters.ErrRefused),
			409, "Conference room is locked", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			node := stubnode.New("fs1", servertest.FS1Snapshot())
			node.SetResult("", tc.err)
			ts := servertest.Start(t, server.Config{}, node)
			resp, data := ts.Do(t, http.MethodPost, "/api/v1/nodes/fs1/calls/c1/hangup", "")
			var e web.ErrorBody
			if err := json.Unmarshal(data, &e); err != nil || resp.StatusCode != tc.status || !strings.Contains(e.Error, tc.wantError) {
				t.Fatalf("%d %s, want %d with %q", resp.StatusCode, data, tc.status, tc.wantError)
			}
			if tc.inLog != "" {
				if strings.Contains(string(data), tc.inLog) {
					t.Fatalf("reply leaks %q: %s", tc.inLog, data)
				}
				if !strings.Contains(ts.Logs.String(), tc.inLog) {
					t.Fatalf("log lacks the detail %q", tc.inLog)
				}
			}
		})
	}
}
