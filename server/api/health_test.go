package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/internal/testutil"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/api"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/internal/stubnode"
)

// Anonymous /healthz shows states, never a node's reason (PBX addresses);
// a signed-in session sees the reason.
func TestHealthzDetailNeedsSession(t *testing.T) {
	node := stubnode.New("fs1", servertest.FS1Snapshot())
	ts := servertest.Start(t, server.Config{}, node)
	const reason = "dial tcp 10.20.30.40:8021: connection refused"
	node.Emit(adapters.StatusChanged{Status: adapters.NodeStatus{Node: "fs1", Kind: adapters.KindFreeSWITCH, State: adapters.StateDown, Reason: reason, Since: servertest.T0}})
	testutil.Eventually(t, "node down", func() bool { return ts.NodeState(t, "fs1") == adapters.StateDown })

	resp, data := ts.Anonymous().Do(t, http.MethodGet, "/healthz", "")
	body := string(data)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"status":"degraded"`) || !strings.Contains(body, `"state":"down"`) ||
		!strings.Contains(body, `"node":"fs1"`) || !strings.Contains(body, `"kind":"freeswitch"`) {
		t.Fatalf("anonymous healthz: %d %s", resp.StatusCode, body)
	}
	if strings.Contains(body, "10.20.30.40") || strings.Contains(body, "reason") {
		t.Fatalf("anonymous healthz leaks the node's reason: %s", body)
	}
	for _, c := range []*servertest.Client{ts.Client, ts.ClientAs(t, "viewer")} {
		_, data := c.Do(t, http.MethodGet, "/healthz", "")
		if !strings.Contains(string(data), reason) {
			t.Fatalf("signed-in healthz lacks the reason: %s", data)
		}
	}
	// A stale or forged cookie is anonymous.
	forged := ts.Anonymous()
	forged.Cookie = "cbs_forged"
	if _, data := forged.Do(t, http.MethodGet, "/healthz", ""); strings.Contains(string(data), "10.20.30.40") {
		t.Fatalf("forged cookie sees the reason: %s", data)
	}
}

func TestHealthz(t *testing.T) {
	node := stubnode.New("fs1", servertest.FS1Snapshot())
	ts := servertest.Start(t, server.Config{}, node)
	var h api.HealthBody
	if code := ts.GetJSON(t, "/healthz", &h); code != 200 || h.Status != "ok" || len(h.Nodes) != 1 || h.Nodes[0].State != "up" {
		t.Fatalf("healthz %d %+v", code, h)
	}
	node.Emit(adapters.StatusChanged{Status: adapters.NodeStatus{Node: "fs1", Kind: adapters.KindFreeSWITCH, State: adapters.StateDown,
		Reason: "connection refused", Since: servertest.T0}})
	var data []byte
	testutil.Eventually(t, "healthz to say degraded", func() bool {
		var resp *http.Response
		resp, data = ts.Do(t, http.MethodGet, "/healthz", "")
		if resp.StatusCode != 200 {
			t.Fatalf("healthz %d", resp.StatusCode)
		}
		return strings.Contains(string(data), `"status":"degraded"`)
	})
	if !strings.Contains(string(data), `"reason":"connection refused"`) {
		t.Fatalf("degraded without reason: %s", data)
	}
}
