package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/internal/testutil"
	"github.com/callboard/callboard/server/internal/stubnode"
)

// Anonymous /healthz shows states, never a node's reason (PBX addresses);
// a signed-in session sees the reason.
func TestHealthzDetailNeedsSession(t *testing.T) {
	node := stubnode.New("fs1", fs1Snapshot())
	ts := startServer(t, Config{}, node)
	const reason = "dial tcp 10.20.30.40:8021: connection refused"
	node.Emit(adapters.StatusChanged{Status: adapters.NodeStatus{Node: "fs1", Kind: adapters.KindFreeSWITCH, State: adapters.StateDown, Reason: reason, Since: t0}})
	testutil.Eventually(t, "node down", func() bool { return ts.nodeState(t, "fs1") == adapters.StateDown })

	resp, data := ts.anonymous().do(t, http.MethodGet, "/healthz", "")
	body := string(data)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"status":"degraded"`) || !strings.Contains(body, `"state":"down"`) ||
		!strings.Contains(body, `"node":"fs1"`) || !strings.Contains(body, `"kind":"freeswitch"`) {
		t.Fatalf("anonymous healthz: %d %s", resp.StatusCode, body)
	}
	if strings.Contains(body, "10.20.30.40") || strings.Contains(body, "reason") {
		t.Fatalf("anonymous healthz leaks the node's reason: %s", body)
	}
	for _, c := range []*testClient{ts.client, ts.clientAs(t, "viewer")} {
		_, data := c.do(t, http.MethodGet, "/healthz", "")
		if !strings.Contains(string(data), reason) {
			t.Fatalf("signed-in healthz lacks the reason: %s", data)
		}
	}
	// A stale or forged cookie is anonymous.
	forged := ts.anonymous()
	forged.cookie = "cbs_forged"
	if _, data := forged.do(t, http.MethodGet, "/healthz", ""); strings.Contains(string(data), "10.20.30.40") {
		t.Fatalf("forged cookie sees the reason: %s", data)
	}
}
