package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/internal/stubnode"
)

func TestGetState(t *testing.T) {
	ts := servertest.Start(t, server.Config{}, stubnode.New("fs1", servertest.FS1Snapshot()))
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
	if code := ts.GetJSON(t, "/api/v1/state", &snap); code != 200 {
		t.Fatalf("status %d", code)
	}
	if snap.Type != "snapshot" || snap.Seq == 0 || len(snap.Calls) != 1 || len(snap.Conferences) != 2 || len(snap.Members) != 3 {
		t.Fatalf("snapshot %+v", snap)
	}
	n := snap.Nodes
	if len(n) != 1 || n[0].Node != "fs1" || n[0].State != "up" || len(n[0].Actions) != 13 || n[0].Media[0] != "welcome" {
		t.Fatalf("nodes %+v", n)
	}
	// members sorted by key
	if snap.Members[0].Conference != "3000@default" || snap.Members[1].ID != "1" {
		t.Fatalf("members not sorted: %+v", snap.Members)
	}
}

func TestGetTranscript(t *testing.T) {
	node := stubnode.New("fs1", servertest.FS1Snapshot(),
		adapters.UtteranceAdded{Utterance: adapters.Utterance{Node: "fs1", CallID: "c1", Speaker: adapters.SpeakerBot, Text: "Welcome", Final: true, At: servertest.T0}})
	ts := servertest.Start(t, server.Config{}, node)
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
		resp, data := ts.Do(t, http.MethodGet, tc.path, "")
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
