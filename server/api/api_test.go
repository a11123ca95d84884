package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/internal/testutil"
	"github.com/callboard/callboard/server/api"
	"github.com/callboard/callboard/server/internal/stubnode"
	"github.com/callboard/callboard/server/internal/web"
)

func TestGetState(t *testing.T) {
	ts := startServer(t, Config{}, stubnode.New("fs1", fs1Snapshot()))
	var snap struct {
		Type  string `json:"type"`
		Seq   uint64 `json:"seq"`
		Nodes []struct {
			Node    string   `json:"node"`
			State   string   `json:"state"`
			Actions []string `json:"actions"`
			Media   []string `json:"media"`
		} `json:"nodes"`
		Calls       []adapters.Call       `json:"calls"`
		Conferences []adapters.Conference `json:"conferences"`
		Members     []adapters.Member     `json:"members"`
	}
	if code := ts.getJSON(t, "/api/v1/state", &snap); code != 200 {
		t.Fatalf("status %d", code)
	}
	if snap.Type != "snapshot" || snap.Seq == 0 || len(snap.Calls) != 1 || len(snap.Conferences) != 2 || len(snap.Members) != 3 {
		t.Fatalf("snapshot %+v", snap)
	}
	n := snap.Nodes
	if len(n) != 1 || n[0].Node != "fs1" || n[0].State != "up" || len(n[0].Actions) != 12 || n[0].Media[0] != "welcome" {
		t.Fatalf("nodes %+v", n)
	}
	// members sorted by key
	if snap.Members[0].Conference != "3000@default" || snap.Members[1].ID != "1" {
		t.Fatalf("members not sorted: %+v", snap.Members)
	}
}

func TestGetTranscript(t *testing.T) {
	node := stubnode.New("fs1", fs1Snapshot(),
		adapters.UtteranceAdded{Utterance: adapters.Utterance{Node: "fs1", CallID: "c1", Speaker: adapters.SpeakerBot, Text: "Welcome", Final: true, At: t0}})
	ts := startServer(t, Config{}, node)
	tests := []struct {
		path       string
		wantStatus int
		wantLines  int
	}{
		{"/api/v1/nodes/fs1/calls/c1/transcript", 200, 1},
		{"/api/v1/nodes/fs1/calls/nope/transcript", 404, 0},
		{"/api/v1/nodes/fs9/calls/c1/transcript", 404, 0},
	}
	for _, tc := range tests {
		resp, data := ts.do(t, http.MethodGet, tc.path, "")
		if resp.StatusCode != tc.wantStatus {
			t.Fatalf("%s: %d %s", tc.path, resp.StatusCode, data)
		}
		if tc.wantStatus != 200 {
			continue
		}
		var body struct {
			Call  string               `json:"call"`
			Lines []adapters.Utterance `json:"lines"`
		}
		if err := json.Unmarshal(data, &body); err != nil || body.Call != "fs1/c1" || len(body.Lines) != tc.wantLines || !strings.HasSuffix(body.Lines[0].ID, ".1") {
			t.Fatalf("%s: %s", tc.path, data)
		}
	}
}

func TestHealthz(t *testing.T) {
	node := stubnode.New("fs1", fs1Snapshot())
	ts := startServer(t, Config{}, node)
	var h api.HealthBody
	if code := ts.getJSON(t, "/healthz", &h); code != 200 || h.Status != "ok" || len(h.Nodes) != 1 || h.Nodes[0].State != "up" {
		t.Fatalf("healthz %d %+v", code, h)
	}
	node.Emit(adapters.StatusChanged{Status: adapters.NodeStatus{Node: "fs1", Kind: adapters.KindFreeSWITCH, State: adapters.StateDown,
		Reason: "connection refused", Since: t0}})
	var data []byte
	testutil.Eventually(t, "healthz to say degraded", func() bool {
		var resp *http.Response
		resp, data = ts.do(t, http.MethodGet, "/healthz", "")
		if resp.StatusCode != 200 {
			t.Fatalf("healthz %d", resp.StatusCode)
		}
		return strings.Contains(string(data), `"status":"degraded"`)
	})
	if !strings.Contains(string(data), `"reason":"connection refused"`) {
		t.Fatalf("degraded without reason: %s", data)
	}
}

func TestUnknownAPIPathIsJSON404(t *testing.T) {
	ts := startServer(t, Config{})
	for _, p := range []string{"/api/v1/nope", "/api/v2/state", "/api"} {
		resp, data := ts.do(t, http.MethodGet, p, "")
		var e web.ErrorBody
		if resp.StatusCode != 404 || json.Unmarshal(data, &e) != nil || e.Code != "not_found" {
			t.Fatalf("%s: %d %s", p, resp.StatusCode, data)
		}
	}
}

func TestNewRejectsBadNodeIDs(t *testing.T) {
	tests := [][]string{{"fs/1"}, {""}, {"fs1", "fs1"}}
	for _, ids := range tests {
		var nodes []adapters.Node
		for _, id := range ids {
			nodes = append(nodes, stubnode.New(id))
		}
		if _, err := New(Config{}, nodes); err == nil {
			t.Errorf("New accepted node ids %q", ids)
		}
	}
}
