package adapters

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The action catalogue: every action callboard can take, named once. The
// server registers one REST route per entry, checks the entry's role and
// parameters, builds the typed Action with the entry's Build, audits under
// the entry's Name, and sends the catalogue to browsers in the websocket
// snapshot (the UI's buttons and the audit screen's action filter come from
// it); docs/protocol.md's action table is generated from it
// (catalogue_doc.go).
//
// Adding an action means exactly:
//  1. one entry in catalogue below (with its ActionKind constant and typed
//     Action struct in actions.go);
//  2. one implementation per adapter (its Validate and Do, and the kind in
//     its Actions());
//  3. one UI label, "action.<name>" in ui/src/messages/en.ts.
//
// Then run `go generate ./adapters` to refresh docs/protocol.md (make test
// fails until the table matches).

// Target is what an action acts on. It decides the route's path parameters
// and which live entity must exist before the action reaches the PBX.
type Target string

const (
	TargetNode       Target = "node"
	TargetCall       Target = "call"
	TargetConference Target = "conference"
	TargetMember     Target = "member"
	TargetAgent      Target = "agent" // a queue agent (queue.go)
)

// Path is the REST path (Echo syntax) of the target an action's verb is
// appended to.
func (t Target) Path() string {
	const node = "/api/v1/nodes/:node"
	switch t {
	case TargetCall:
		return node + "/calls/:call"
	case TargetConference:
		return node + "/conferences/:conf"
	case TargetMember:
		return node + "/conferences/:conf/members/:member"
	case TargetAgent:
		return node + "/agents/:agent"
	}
	return node
}

// Describe names a target for people (audit entries, log lines), without
// the node: "member room/2", "conference room", "call c1".
func (t Target) Describe(r Ref) string {
	switch t {
	case TargetCall:
		return "call " + r.Call
	case TargetConference:
		return "conference " + r.Conference
	case TargetMember:
		return "member " + r.Conference + "/" + r.Member
	case TargetAgent:
		return "agent " + r.Agent
	}
	return "node " + r.Node
}

// Ref is an action's target as named by the route's path parameters
// (unescaped, untrusted until the node's Validate accepts them).
type Ref struct {
	Node       string // :node
	Call       string // :call
	Conference string // :conf
	Member     string // :member
	Agent      string // :agent
}

// Role is the least role of the user asking (server/store's roles by name).
type Role string

const (
	RoleViewer    Role = "viewer"
	RoleModerator Role = "moderator"
	RoleAdmin     Role = "admin"
)

// ParamKind says what a body parameter holds and how it is checked.
type ParamKind string

// ParamMedia is a name from the node's media allowlist. The catalogue checks
// its shape; the node's Validate checks that it is on the allowlist.
const ParamMedia ParamKind = "media"

// ParamAgentStatus is a queue agent status, one of AgentStatuses.
const ParamAgentStatus ParamKind = "agent-status"

// Param is one field of an action's JSON body.
type Param struct {
	Name     string    `json:"name"`
	Kind     ParamKind `json:"kind"`
	Optional bool      `json:"optional,omitempty"`
	Doc      string    `json:"-"`
}

// Args are an action's body parameters by name, checked by ActionSpec.Args.
type Args map[string]string

// ActionSpec is one catalogue entry.
type ActionSpec struct {
	Name   ActionKind // the action's one name: API, node.actions, audit, UI label key
	Target Target
	Method string // HTTP method of the route
	Verb   string // last path segment after the target's path
	Params []Param
	Role   Role // least role allowed to take it
	// Scope is an API token scope that may take it too; "" = sessions only.
	// CheckCatalogue accepts only the scopes in knownScopes, so a typo
	// cannot silently open or close an action to tokens.
	Scope string
	Doc   string // one line for docs/protocol.md
	// Build makes the typed Action from the route's target and the checked
	// body parameters; its Kind() is Name.
	Build func(Ref, Args) Action
}

// Path is the route in Echo syntax ("/api/v1/nodes/:node/calls/:call/hangup").
func (s ActionSpec) Path() string { return s.Target.Path() + "/" + s.Verb }

// DocPath is the route as docs and the browser write it
// ("/api/v1/nodes/{node}/calls/{call}/hangup").
func (s ActionSpec) DocPath() string {
	parts := strings.Split(s.Path(), "/")
	for i, p := range parts {
		if name, ok := strings.CutPrefix(p, ":"); ok {
			parts[i] = "{" + name + "}"
		}
	}
	return strings.Join(parts, "/")
}

var (
	mediaParam = Param{Name: "media", Kind: ParamMedia, Doc: "a name from the node's `media` list"}
	noArgs     []Param
	// agentStatusParam: the catalogue checks its shape, the node's Validate
	// that it is one of AgentStatuses (as media against the allowlist).
	agentStatusParam = Param{Name: "status", Kind: ParamAgentStatus,
		Doc: "one of `Available`, `Available (On Demand)`, `On Break`, `Logged Out`"}
)

// catalogue is the table. Keep entries grouped by target, in the order the
// UI shows them.
var catalogue = []ActionSpec{
	{Name: ActMute, Target: TargetMember, Method: http.MethodPost, Verb: "mute", Params: noArgs, Role: RoleModerator,
		Doc:   "mute the member's microphone",
		Build: func(r Ref, _ Args) Action { return MuteMember{Conference: r.Conference, Member: r.Member, Muted: true} }},
	{Name: ActUnmute, Target: TargetMember, Method: http.MethodPost, Verb: "unmute", Params: noArgs, Role: RoleModerator,
		Doc:   "unmute the member's microphone",
		Build: func(r Ref, _ Args) Action { return MuteMember{Conference: r.Conference, Member: r.Member} }},
	{Name: ActDeaf, Target: TargetMember, Method: http.MethodPost, Verb: "deaf", Params: noArgs, Role: RoleModerator,
		Doc:   "stop what the member hears",
		Build: func(r Ref, _ Args) Action { return DeafMember{Conference: r.Conference, Member: r.Member, Deaf: true} }},
	{Name: ActUndeaf, Target: TargetMember, Method: http.MethodPost, Verb: "undeaf", Params: noArgs, Role: RoleModerator,
		Doc:   "restore what the member hears",
		Build: func(r Ref, _ Args) Action { return DeafMember{Conference: r.Conference, Member: r.Member} }},
	{Name: ActKick, Target: TargetMember, Method: http.MethodPost, Verb: "kick", Params: noArgs, Role: RoleModerator,
		Doc:   "remove the member from the conference",
		Build: func(r Ref, _ Args) Action { return KickMember{Conference: r.Conference, Member: r.Member} }},
	{Name: ActPlayToMember, Target: TargetMember, Method: http.MethodPost, Verb: "play", Params: []Param{mediaParam}, Role: RoleModerator,
		Doc: "play an allowlisted prompt to the member",
		Build: func(r Ref, a Args) Action {
			return PlayToMember{Conference: r.Conference, Member: r.Member, Media: a["media"]}
		}},

	{Name: ActLock, Target: TargetConference, Method: http.MethodPost, Verb: "lock", Params: noArgs, Role: RoleModerator,
		Doc:   "lock the conference to new members",
		Build: func(r Ref, _ Args) Action { return LockConference{Conference: r.Conference, Locked: true} }},
	{Name: ActUnlock, Target: TargetConference, Method: http.MethodPost, Verb: "unlock", Params: noArgs, Role: RoleModerator,
		Doc:   "let new members join again",
		Build: func(r Ref, _ Args) Action { return LockConference{Conference: r.Conference} }},
	{Name: ActMOHStart, Target: TargetConference, Method: http.MethodPost, Verb: "moh-start", Params: noArgs, Role: RoleModerator,
		Doc:   "start music on hold (Asterisk nodes)",
		Build: func(r Ref, _ Args) Action { return MusicOnHold{Conference: r.Conference, On: true} }},
	{Name: ActMOHStop, Target: TargetConference, Method: http.MethodPost, Verb: "moh-stop", Params: noArgs, Role: RoleModerator,
		Doc:   "stop music on hold (Asterisk nodes)",
		Build: func(r Ref, _ Args) Action { return MusicOnHold{Conference: r.Conference} }},
	{Name: ActPlayToConference, Target: TargetConference, Method: http.MethodPost, Verb: "play", Params: []Param{mediaParam}, Role: RoleModerator,
		Doc:   "play an allowlisted prompt to every member",
		Build: func(r Ref, a Args) Action { return PlayToConference{Conference: r.Conference, Media: a["media"]} }},

	{Name: ActHangup, Target: TargetCall, Method: http.MethodPost, Verb: "hangup", Params: noArgs, Role: RoleModerator,
		Doc:   "hang up every leg of the call",
		Build: func(r Ref, _ Args) Action { return HangupCall{Call: r.Call} }},

	// Supervision and call control (issue 11).
	{Name: ActOriginate, Target: TargetNode, Method: http.MethodPost, Verb: "calls", Role: RoleModerator, Scope: ScopeOriginate,
		Params: []Param{
			{Name: "from", Kind: ParamEndpoint, Doc: "the endpoint that rings first (node's `dial.endpoints`)"},
			{Name: "to", Kind: ParamDestination, Doc: "endpoint or number it is connected to (`dial.endpoints` or `dial.numbers`)"},
			{Name: "caller_id_name", Kind: ParamText, Optional: true},
			{Name: "caller_id_number", Kind: ParamNumber, Optional: true},
			{Name: "timeout", Kind: ParamSeconds, Optional: true, Doc: "ring timeout in seconds"},
		},
		Doc: "click-to-call: ring `from`, then connect it to `to`; answers 202 with the new call's id",
		Build: func(_ Ref, a Args) Action {
			secs, _ := strconv.Atoi(a["timeout"]) // shape-checked: 1 to 3 digits
			return Originate{From: a["from"], To: a["to"], CallerIDName: a["caller_id_name"],
				CallerIDNumber: a["caller_id_number"], Timeout: time.Duration(secs) * time.Second}
		}},
	{Name: ActTransfer, Target: TargetCall, Method: http.MethodPost, Verb: "transfer", Role: RoleModerator,
		Params: []Param{
			{Name: "to", Kind: ParamDestination, Doc: "endpoint or number (`dial.endpoints` or `dial.numbers`)"},
			{Name: "leg", Kind: ParamLeg, Optional: true, Doc: "caller (default), callee or both"},
		},
		Doc:   "blind-transfer the call (or one leg) to `to`",
		Build: func(r Ref, a Args) Action { return TransferCall{Call: r.Call, To: a["to"], Leg: a["leg"]} }},
	{Name: ActHold, Target: TargetCall, Method: http.MethodPost, Verb: "hold", Params: noArgs, Role: RoleModerator,
		Doc:   "put the call on hold",
		Build: func(r Ref, _ Args) Action { return HoldCall{Call: r.Call, Held: true} }},
	{Name: ActUnhold, Target: TargetCall, Method: http.MethodPost, Verb: "unhold", Params: noArgs, Role: RoleModerator,
		Doc:   "take the call off hold",
		Build: func(r Ref, _ Args) Action { return HoldCall{Call: r.Call} }},
	{Name: ActListen, Target: TargetCall, Method: http.MethodPost, Verb: "listen", Params: []Param{phoneParam}, Role: RoleModerator,
		Doc:   "ring the supervisor's phone and let it hear the call silently (or switch its leg to listening)",
		Build: func(r Ref, a Args) Action { return Supervise{Call: r.Call, Phone: a["phone"], Mode: ModeListen} }},
	{Name: ActWhisper, Target: TargetCall, Method: http.MethodPost, Verb: "whisper", Params: []Param{phoneParam}, Role: RoleModerator,
		Doc:   "as listen, and the agent's leg hears the supervisor (switches a listening leg without hanging up)",
		Build: func(r Ref, a Args) Action { return Supervise{Call: r.Call, Phone: a["phone"], Mode: ModeWhisper} }},
	{Name: ActBarge, Target: TargetCall, Method: http.MethodPost, Verb: "barge", Params: []Param{phoneParam}, Role: RoleModerator,
		Doc:   "as listen, and both parties hear the supervisor (switches a listening leg without hanging up)",
		Build: func(r Ref, a Args) Action { return Supervise{Call: r.Call, Phone: a["phone"], Mode: ModeBarge} }},
	{Name: ActStopListening, Target: TargetCall, Method: http.MethodPost, Verb: "stop-listening", Params: []Param{phoneParam}, Role: RoleModerator,
		Doc:   "hang up the supervisor's leg on the call",
		Build: func(r Ref, a Args) Action { return StopListening{Call: r.Call, Phone: a["phone"]} }},
	// Queue agents (queue.go).
	{Name: ActSetAgentStatus, Target: TargetAgent, Method: http.MethodPost, Verb: "status", Params: []Param{agentStatusParam}, Role: RoleModerator,
		Doc:   "set a queue agent's status (sign in, break, sign out)",
		Build: func(r Ref, a Args) Action { return SetAgentStatus{Agent: r.Agent, Status: a["status"]} }},
}

// ScopeOriginate is the API token scope that may place calls (a CRM's
// click-to-call). knownScopes are the scopes an entry may name.
const ScopeOriginate = "calls:originate"

var knownScopes = []string{ScopeOriginate}

// phoneParam is the supervisor's phone; the server fills it from the user's
// "my phone" setting.
var phoneParam = Param{Name: "phone", Kind: ParamEndpoint, Doc: "the supervisor's phone (node's `dial.endpoints`)"}

// Catalogue returns every action, in catalogue order (a copy).
func Catalogue() []ActionSpec { return slices.Clone(catalogue) }

// LookupAction returns the catalogue entry of an action kind.
func LookupAction(k ActionKind) (ActionSpec, bool) {
	i := slices.IndexFunc(catalogue, func(s ActionSpec) bool { return s.Name == k })
	if i < 0 {
		return ActionSpec{}, false
	}
	return catalogue[i], true
}

// CheckCatalogue reports the first inconsistency in a catalogue: a name or
// route used twice, a missing field, or a Build whose Kind is not the name.
// The package's tests run it on the real table; it is exported so a test of
// a catalogue under construction can too.
func CheckCatalogue(cat []ActionSpec) error {
	names := map[ActionKind]bool{}
	routes := map[string]ActionKind{}
	for _, s := range cat {
		switch {
		case s.Name == "" || s.Verb == "" || s.Method == "" || s.Build == nil || s.Doc == "":
			return fmt.Errorf("action %q: name, verb, method, doc and build are required", s.Name)
		case s.Role != RoleViewer && s.Role != RoleModerator && s.Role != RoleAdmin:
			return fmt.Errorf("action %q: unknown role %q", s.Name, s.Role)
		case s.Scope != "" && !slices.Contains(knownScopes, s.Scope):
			return fmt.Errorf("action %q: unknown token scope %q", s.Name, s.Scope)
		case names[s.Name]:
			return fmt.Errorf("action %q listed twice", s.Name)
		}
		names[s.Name] = true
		route := s.Method + " " + s.Path()
		if other, dup := routes[route]; dup {
			return fmt.Errorf("actions %q and %q share the route %s", other, s.Name, route)
		}
		routes[route] = s.Name
		args := Args{}
		for _, p := range s.Params {
			args[p.Name] = "x"
		}
		if got := s.Build(Ref{Node: "n", Call: "c", Conference: "f", Member: "m", Agent: "a"}, args).Kind(); got != s.Name {
			return fmt.Errorf("action %q: Build makes a %q", s.Name, got)
		}
	}
	return nil
}
