package api_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/internal/stubnode"
	"github.com/callboard/callboard/server/store"
)

// catalogueWire is the snapshot's "catalogue" as the UI reads it.
type catalogueWire struct {
	Name   string `json:"name"`
	Target string `json:"target"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Params []struct {
		Name, Kind string
	} `json:"params"`
	Role string `json:"role"`
}

// TestEveryCatalogueActionIsRoutedAndAudited drives every action the UI is
// offered (the snapshot's catalogue) through its own path and body, and then
// finds each one with the audit screen's exact action filter: the audit
// stores the catalogue's name, never the URL's last segment.
func TestEveryCatalogueActionIsRoutedAndAudited(t *testing.T) {
	node := stubnode.New("fs1", servertest.FS1Snapshot(), agentEvent("agent1")).WithActions(stubnode.AllActions()...)
	ts := servertest.Start(t, server.Config{}, node)
	mod := ts.ClientAs(t, store.RoleModerator)
	var snap struct{ Catalogue []catalogueWire }
	if code := ts.GetJSON(t, "/api/v1/state", &snap); code != 200 || len(snap.Catalogue) != len(adapters.Catalogue()) {
		t.Fatalf("state: %d, catalogue %+v", code, snap.Catalogue)
	}
	// listen, whisper, barge and stop-listening ring the user's own phone.
	if resp, data := mod.Do(t, http.MethodPut, "/api/v1/me/phone", `{"phone":"1001"}`); resp.StatusCode != 200 {
		t.Fatalf("set phone: %d %s", resp.StatusCode, data)
	}
	ref := adapters.Ref{Node: "fs1", Call: "c1", Conference: "room", Member: "2", Agent: "agent1"}
	fill := strings.NewReplacer("{node}", ref.Node, "{call}", ref.Call, "{conf}", ref.Conference, "{member}", ref.Member, "{agent}", ref.Agent)
	for i, w := range snap.Catalogue {
		spec, ok := adapters.LookupAction(adapters.ActionKind(w.Name))
		if !ok {
			t.Fatalf("snapshot offers %q, which is not catalogued", w.Name)
		}
		args, body := adapters.Args{}, map[string]string{}
		for _, p := range spec.Params {
			if v := sampleArg(p); v != "" {
				args[p.Name], body[p.Name] = v, v
			}
		}
		delete(body, "phone") // the server fills it from the user's setting
		raw, _ := json.Marshal(body)
		want := http.StatusOK
		if spec.Name == adapters.ActOriginate {
			want = http.StatusAccepted
		}
		resp, data := mod.Do(t, w.Method, fill.Replace(w.Path), string(raw))
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d %s", w.Method, w.Path, resp.StatusCode, data)
		}
		if calls := node.Calls(); len(calls) != i+1 || !reflect.DeepEqual(calls[i], spec.Build(ref, args)) {
			t.Fatalf("%s: node got %#v", w.Name, calls)
		}
	}
	for _, w := range snap.Catalogue {
		got := ts.Audit(t, "?kind=action&action="+w.Name)
		if len(got) != 1 || got[0].Result != "ok" || got[0].Node != "fs1" || got[0].User != mod.User {
			t.Errorf("audit filter action=%s found %+v, want the one entry", w.Name, got)
		}
	}
}

// sampleArg is a valid value of a required parameter ("" for an optional one).
func sampleArg(p adapters.Param) string {
	if p.Optional {
		return ""
	}
	switch p.Kind {
	case adapters.ParamMedia:
		return "welcome"
	case adapters.ParamEndpoint:
		if p.Name == "phone" {
			return "1001"
		}
		return "1002"
	case adapters.ParamDestination:
		return "15550100"
	case adapters.ParamAgentStatus:
		return "On Break"
	}
	return "x"
}

func TestCatalogueRoleIsEnforcedAndAudited(t *testing.T) {
	ts := servertest.Start(t, server.Config{}, stubnode.New("fs1", servertest.FS1Snapshot()))
	viewer := ts.ClientAs(t, store.RoleViewer)
	resp, data := viewer.Do(t, http.MethodPost, "/api/v1/nodes/fs1/conferences/room/members/1/play", `{"media":"welcome"}`)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("viewer play: %d %s", resp.StatusCode, data)
	}
	got := ts.Audit(t, "?action=play-member")
	if len(got) != 1 || got[0].Result != "forbidden" || got[0].Detail != "role viewer" || got[0].Target != "member room/1" {
		t.Fatalf("audit %+v", got)
	}
}

// agentEvent is a signed-in queue agent of node fs1, so agent actions have a
// live target.
func agentEvent(name string) adapters.Event {
	return adapters.AgentUpdated{Agent: adapters.Agent{Node: "fs1", Name: name, Status: adapters.AgentAvailable,
		State: adapters.AgentWaiting, StatusSince: servertest.T0, StateSince: servertest.T0}}
}
