package adapters

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func TestCatalogueIsConsistent(t *testing.T) {
	if err := CheckCatalogue(catalogue); err != nil {
		t.Fatal(err)
	}
	for _, s := range catalogue {
		if got, ok := LookupAction(s.Name); !ok || got.Name != s.Name {
			t.Errorf("LookupAction(%q) = %v, %v", s.Name, got.Name, ok)
		}
	}
	if _, ok := LookupAction("explode"); ok {
		t.Error("LookupAction found an action that is not catalogued")
	}
}

func TestCheckCatalogueCatchesMistakes(t *testing.T) {
	mute, _ := LookupAction(ActMute)
	wrongBuild := mute
	wrongBuild.Name = ActUnmute
	sameRoute := mute
	sameRoute.Name = "mute-again"
	noRole := mute
	noRole.Role = ""
	badScope := mute
	badScope.Scope = "calls:originat"
	for name, cat := range map[string][]ActionSpec{
		"build makes another kind": {wrongBuild},
		"name twice":               {mute, mute},
		"route twice":              {mute, sameRoute},
		"no role":                  {noRole},
		"unknown scope":            {badScope},
	} {
		if err := CheckCatalogue(cat); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParseArgs(t *testing.T) {
	play, _ := LookupAction(ActPlayToMember)
	mute, _ := LookupAction(ActMute)
	if a, err := play.ParseArgs([]byte(`{"media":"welcome"}`)); err != nil || a["media"] != "welcome" {
		t.Fatalf("good body: %v %v", a, err)
	}
	if a, err := mute.ParseArgs([]byte(`anything`)); err != nil || len(a) != 0 {
		t.Fatalf("an action without parameters ignores its body: %v %v", a, err)
	}
	for _, body := range []string{``, `{"media":`, `[]`, `null`, `{}`, `{"media":""}`, `{"media":7}`,
		`{"media":"welcome","extra":1}`, `{"media":"../../etc/passwd"}`, `{"media":"` + strings.Repeat("x", 300) + `"}`} {
		if _, err := play.ParseArgs([]byte(body)); !errors.Is(err, ErrInvalid) {
			t.Errorf("body %.40q: err %v, want ErrInvalid", body, err)
		} else if !strings.Contains(err.Error(), "media") {
			t.Errorf("body %.40q: error %q does not name the field", body, err)
		}
	}
}

func TestCatalogueWireForm(t *testing.T) {
	data, err := json.Marshal(Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(data, &got); err != nil || len(got) != len(catalogue) {
		t.Fatalf("%s (%v)", data, err)
	}
	var hangup, originate map[string]any
	for _, a := range got {
		switch a["name"] {
		case "hangup":
			hangup = a
		case "originate":
			originate = a
		}
	}
	if originate["path"] != "/api/v1/nodes/{node}/calls" || originate["target"] != "node" || originate["scope"] != "calls:originate" {
		t.Errorf("originate on the wire: %v", originate)
	}
	if hangup["name"] != "hangup" || hangup["path"] != "/api/v1/nodes/{node}/calls/{call}/hangup" ||
		hangup["target"] != "call" || hangup["role"] != "moderator" || hangup["method"] != "POST" {
		t.Errorf("hangup on the wire: %v", hangup)
	}
	if _, leaked := hangup["Build"]; leaked {
		t.Error("Build is on the wire")
	}
}

// TestProtocolDocMatchesCatalogue keeps docs/protocol.md's action table
// generated: `go generate ./adapters` rewrites it.
func TestProtocolDocMatchesCatalogue(t *testing.T) {
	const path = "../docs/protocol.md"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	before, rest, ok1 := strings.Cut(doc, DocTableBegin+"\n")
	table, after, ok2 := strings.Cut(rest, DocTableEnd)
	if !ok1 || !ok2 {
		t.Fatalf("%s lacks the markers %q and %q", path, DocTableBegin, DocTableEnd)
	}
	want := CatalogueMarkdown()
	if table == want {
		return
	}
	if os.Getenv("CALLBOARD_UPDATE_DOCS") == "1" {
		if err := os.WriteFile(path, []byte(before+DocTableBegin+"\n"+want+DocTableEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s's action table differs from the catalogue; run `go generate ./adapters`.\nwant:\n%s", path, want)
}

// TestEveryActionHasAUILabel: the third and last place an action is named
// is its label in the UI's reference messages.
func TestEveryActionHasAUILabel(t *testing.T) {
	data, err := os.ReadFile("../ui/src/messages/en.ts")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range catalogue {
		has := strings.Contains(string(data), "'action."+string(s.Name)+"':")
		if !has {
			t.Errorf("ui/src/messages/en.ts has no label 'action.%s'", s.Name)
		}
	}
}

func TestSupervisionArgs(t *testing.T) {
	orig, _ := LookupAction(ActOriginate)
	args, err := orig.ParseArgs([]byte(`{"from":"1001","to":"+821012345678","caller_id_name":"홍길동 상담원","timeout":"30"}`))
	if err != nil {
		t.Fatal(err)
	}
	a := orig.Build(Ref{Node: "fs1"}, args).(Originate)
	if a.From != "1001" || a.To != "+821012345678" || a.CallerIDName != "홍길동 상담원" || a.Timeout != 30*time.Second {
		t.Errorf("built %+v", a)
	}
	for _, body := range []string{`{"from":"1000 &hupall","to":"1002"}`, `{"from":"1001","to":"1002\n"}`,
		`{"from":"1001","to":"{x}"}`, `{"from":"1001","to":"1,2"}`, `{"from":"1001","to":"1002","timeout":"0"}`,
		`{"from":"1001","to":"1002","timeout":"5s"}`, `{"from":"1001"}`} {
		if _, err := orig.ParseArgs([]byte(body)); !errors.Is(err, ErrInvalid) {
			t.Errorf("originate body %s: %v, want ErrInvalid", body, err)
		}
	}
	xfer, _ := LookupAction(ActTransfer)
	if _, err := xfer.ParseArgs([]byte(`{"to":"1002","leg":"sideways"}`)); !errors.Is(err, ErrInvalid) {
		t.Errorf("transfer leg sideways: %v", err)
	}
	for kind, mode := range map[ActionKind]string{ActListen: ModeListen, ActWhisper: ModeWhisper, ActBarge: ModeBarge} {
		spec, _ := LookupAction(kind)
		args, err := spec.ParseArgs([]byte(`{"phone":"1001"}`))
		if err != nil {
			t.Fatal(err)
		}
		if s := spec.Build(Ref{Call: "c"}, args).(Supervise); s.Mode != mode || s.Phone != "1001" || s.Call != "c" {
			t.Errorf("%s built %+v", kind, s)
		}
	}
}

// TestAgentStatusParam: the catalogue lets through the shape of every
// mod_callcenter status and nothing that could break out of the quotes the
// FreeSWITCH adapter puts around it; the node's Validate checks the list.
func TestAgentStatusParam(t *testing.T) {
	spec := ActionSpec{Name: ActSetAgentStatus, Target: TargetAgent, Verb: "status", Params: []Param{agentStatusParam}}
	for _, s := range AgentStatuses {
		if a, err := spec.ParseArgs([]byte(`{"status":"` + s + `"}`)); err != nil || a["status"] != s || !ValidAgentStatus(s) {
			t.Errorf("%q: %v %v", s, a, err)
		}
	}
	for _, body := range []string{`{"status":"On Break'"}`, `{"status":"a;b"}`, `{"status":"x\nhupall"}`, `{"status":" On"}`, `{"status":""}`} {
		if _, err := spec.ParseArgs([]byte(body)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s accepted: %v", body, err)
		}
	}
	if ValidAgentStatus("on break") || ValidAgentStatus("Bogus") {
		t.Error("ValidAgentStatus accepts a status mod_callcenter refuses")
	}
	if got := spec.Path(); got != "/api/v1/nodes/:node/agents/:agent/status" {
		t.Errorf("path %s", got)
	}
	if got := TargetAgent.Describe(Ref{Agent: "agent1"}); got != "agent agent1" {
		t.Errorf("describe %s", got)
	}
}
