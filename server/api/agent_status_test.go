package api_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/internal/stubnode"
	"github.com/callboard/callboard/server/store"
)

// catalogueArg is a valid value of a catalogue parameter kind, for tests
// that drive every action.
func catalogueArg(kind string) string {
	if kind == string(adapters.ParamAgentStatus) {
		return adapters.AgentOnBreak
	}
	return "welcome"
}

// TestAgentStatusReachesTheNode: a moderator's break reaches the node as
// exactly SetAgentStatus{agent1, On Break}, is audited, and nothing else
// does: malformed or unknown statuses, unknown agents and viewers are refused.
func TestAgentStatusReachesTheNode(t *testing.T) {
	node := stubnode.New("fs1", servertest.FS1Snapshot(), agentEvent("agent1"))
	ts := servertest.Start(t, server.Config{}, node)
	mod := ts.ClientAs(t, store.RoleModerator)
	const path = "/api/v1/nodes/fs1/agents/agent1/status"
	resp, data := mod.Do(t, http.MethodPost, path, `{"status":"On Break"}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("break: %d %s", resp.StatusCode, data)
	}
	want := []adapters.Action{adapters.SetAgentStatus{Agent: "agent1", Status: adapters.AgentOnBreak}}
	if got := node.Calls(); !reflect.DeepEqual(got, want) {
		t.Fatalf("node got %#v, want %#v", got, want)
	}
	if got := ts.Audit(t, "?action=agent-status"); len(got) != 1 || got[0].Result != "ok" || got[0].Target != "agent agent1" {
		t.Fatalf("audit %+v", got)
	}
	for _, c := range []struct {
		path, body string
		code       int
	}{
		{path, `{"status":"on break; uuid_kill x"}`, http.StatusBadRequest}, // shape
		{path, `{"status":"Bogus"}`, http.StatusBadRequest},                 // not a status (node's Validate)
		{path, `{}`, http.StatusBadRequest},
		{path, `{"status":"On Break","extra":"x"}`, http.StatusBadRequest},
		{"/api/v1/nodes/fs1/agents/nobody/status", `{"status":"On Break"}`, http.StatusNotFound},
		{"/api/v1/nodes/fs2/agents/agent1/status", `{"status":"On Break"}`, http.StatusNotFound},
	} {
		if resp, data := mod.Do(t, http.MethodPost, c.path, c.body); resp.StatusCode != c.code {
			t.Errorf("%s %s: %d %s, want %d", c.path, c.body, resp.StatusCode, data, c.code)
		}
	}
	viewer := ts.ClientAs(t, store.RoleViewer)
	if resp, _ := viewer.Do(t, http.MethodPost, path, `{"status":"Available"}`); resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer: %d, want 403", resp.StatusCode)
	}
	if got := node.Calls(); len(got) != 1 {
		t.Fatalf("refused requests reached the node: %#v", got)
	}
}

// TestStateCarriesQueues: /api/v1/state (the websocket snapshot's shape)
// lists the node's agents.
func TestStateCarriesQueues(t *testing.T) {
	ts := servertest.Start(t, server.Config{}, stubnode.New("fs1", servertest.FS1Snapshot(), agentEvent("agent1")))
	var snap struct {
		Agents       []adapters.Agent       `json:"agents"`
		Queues       []adapters.Queue       `json:"queues"`
		QueueMembers []adapters.QueueMember `json:"queueMembers"`
	}
	if code := ts.GetJSON(t, "/api/v1/state", &snap); code != 200 || len(snap.Agents) != 1 || snap.Agents[0].Name != "agent1" ||
		snap.Queues == nil || snap.QueueMembers == nil {
		t.Fatalf("state %d %+v", code, snap)
	}
}
