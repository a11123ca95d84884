package server

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/internal/stubnode"
	"github.com/callboard/callboard/server/store"
	"github.com/callboard/callboard/server/store/sqlite"
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
	node := stubnode.New("fs1", fs1Snapshot(), agentEvent("agent1"))
	ts := startServer(t, Config{}, node)
	mod := ts.clientAs(t, store.RoleModerator)
	var snap struct{ Catalogue []catalogueWire }
	if code := ts.getJSON(t, "/api/v1/state", &snap); code != 200 || len(snap.Catalogue) != len(adapters.Catalogue()) {
		t.Fatalf("state: %d, catalogue %+v", code, snap.Catalogue)
	}
	ref := adapters.Ref{Node: "fs1", Call: "c1", Conference: "room", Member: "2", Agent: "agent1"}
	fill := strings.NewReplacer("{node}", ref.Node, "{call}", ref.Call, "{conf}", ref.Conference, "{member}", ref.Member, "{agent}", ref.Agent)
	for i, w := range snap.Catalogue {
		spec, ok := adapters.LookupAction(adapters.ActionKind(w.Name))
		if !ok {
			t.Fatalf("snapshot offers %q, which is not catalogued", w.Name)
		}
		args, body := adapters.Args{}, ""
		for _, p := range w.Params {
			args[p.Name] = catalogueArg(p.Kind)
			body = `{"` + p.Name + `":"` + args[p.Name] + `"}`
		}
		resp, data := mod.do(t, w.Method, fill.Replace(w.Path), body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s %s: %d %s", w.Method, w.Path, resp.StatusCode, data)
		}
		if calls := node.Calls(); len(calls) != i+1 || !reflect.DeepEqual(calls[i], spec.Build(ref, args)) {
			t.Fatalf("%s: node got %#v", w.Name, calls)
		}
	}
	for _, w := range snap.Catalogue {
		got := ts.audit(t, "?kind=action&action="+w.Name)
		if len(got) != 1 || got[0].Result != "ok" || got[0].Node != "fs1" || got[0].User != mod.user {
			t.Errorf("audit filter action=%s found %+v, want the one entry", w.Name, got)
		}
	}
}

func TestCatalogueRoleIsEnforcedAndAudited(t *testing.T) {
	ts := startServer(t, Config{}, stubnode.New("fs1", fs1Snapshot()))
	viewer := ts.clientAs(t, store.RoleViewer)
	resp, data := viewer.do(t, http.MethodPost, "/api/v1/nodes/fs1/conferences/room/members/1/play", `{"media":"welcome"}`)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("viewer play: %d %s", resp.StatusCode, data)
	}
	got := ts.audit(t, "?action=play-member")
	if len(got) != 1 || got[0].Result != "forbidden" || got[0].Detail != "role viewer" || got[0].Target != "member room/1" {
		t.Fatalf("audit %+v", got)
	}
}

func TestNodeWithUncataloguedActionIsRefused(t *testing.T) {
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	node := stubnode.New("fs1").WithActions(adapters.ActMute, "explode")
	_, err = New(Config{Store: st, Auth: AuthConfig{PasswordParams: cheapParams}}, []adapters.Node{node})
	if err == nil || !strings.Contains(err.Error(), `"explode"`) {
		t.Fatalf("New = %v, want an error naming the action", err)
	}
}
