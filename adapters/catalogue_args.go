package adapters

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// maxArgLen bounds one body parameter: names and numbers, never prose.
const maxArgLen = 256

// MediaNamePattern is the shape of a media name: what an allowlist may
// configure and what a browser may send.
var MediaNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// paramShapes are the catalogue's own checks per parameter kind, made before
// the node's Validate sees the value (which checks it against the node's
// configuration, e.g. the media allowlist).
var paramShapes = map[ParamKind]*regexp.Regexp{
	ParamMedia:       MediaNamePattern,
	ParamEndpoint:    EndpointShape,
	ParamDestination: DestinationShape,
	ParamNumber:      NumberShape,
	ParamSeconds:     regexp.MustCompile(`^[1-9][0-9]{0,2}$`),
	ParamLeg:         regexp.MustCompile(`^(caller|callee|both)$`),
	// ParamText has no shape here: the node decides what its PBX can carry
	// (dialplan.CheckCallerIDName).
	// Words, spaces and parentheses, as in "Available (On Demand)".
	ParamAgentStatus: regexp.MustCompile(`^[A-Za-z][A-Za-z ()]{0,31}$`),
}

// Parameter kinds of the supervision actions. Their shapes are the widest a
// node may accept; each node's dial rules (adapters/dialplan) then narrow
// them to the endpoints and numbers that node may ring or dial.
const (
	ParamEndpoint    ParamKind = "endpoint"    // an extension or user name: 1001, agent-7
	ParamDestination ParamKind = "destination" // an endpoint or a number
	ParamNumber      ParamKind = "number"      // digits, optional leading '+'
	ParamText        ParamKind = "text"        // free text for people (caller id name)
	ParamSeconds     ParamKind = "seconds"     // 1..999
	ParamLeg         ParamKind = "leg"         // caller, callee or both
)

// Shapes of endpoints, destinations and numbers: ASCII only, no separator
// any PBX command line or URL would interpret.
var (
	EndpointShape    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	NumberShape      = regexp.MustCompile(`^\+?[0-9]{1,20}$`)
	DestinationShape = regexp.MustCompile(`^\+?[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
)

// ParseArgs checks an action's JSON body against the entry's parameters: an
// object with string fields, none unknown, every required one present and
// well shaped. An action without parameters ignores its body. Errors wrap
// ErrInvalid and say what the body should be.
func (s ActionSpec) ParseArgs(body []byte) (Args, error) {
	args := Args{}
	if len(s.Params) == 0 {
		return args, nil
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return nil, fmt.Errorf("body must be %s: %w", s.bodyShape(), ErrInvalid)
	}
	for name := range raw {
		if s.param(name) == nil {
			return nil, fmt.Errorf("unknown field %q; body must be %s: %w", name, s.bodyShape(), ErrInvalid)
		}
	}
	for _, p := range s.Params {
		v, ok := raw[p.Name]
		if !ok || string(v) == "null" {
			if p.Optional {
				continue
			}
			return nil, fmt.Errorf("%q missing; body must be %s: %w", p.Name, s.bodyShape(), ErrInvalid)
		}
		var str string
		if err := json.Unmarshal(v, &str); err != nil {
			return nil, fmt.Errorf("%q must be a string: %w", p.Name, ErrInvalid)
		}
		if str == "" || len(str) > maxArgLen || !utf8.ValidString(str) {
			return nil, fmt.Errorf("%q must be 1..%d bytes of text: %w", p.Name, maxArgLen, ErrInvalid)
		}
		if re := paramShapes[p.Kind]; re != nil && !re.MatchString(str) {
			return nil, fmt.Errorf("%q is not a valid %s name: %w", p.Name, p.Kind, ErrInvalid)
		}
		args[p.Name] = str
	}
	return args, nil
}

func (s ActionSpec) param(name string) *Param {
	for i := range s.Params {
		if s.Params[i].Name == name {
			return &s.Params[i]
		}
	}
	return nil
}

// bodyShape is the body as docs write it: {"media":"<media>"}.
func (s ActionSpec) bodyShape() string {
	if len(s.Params) == 0 {
		return ""
	}
	fields := make([]string, len(s.Params))
	for i, p := range s.Params {
		fields[i] = fmt.Sprintf("%q:\"<%s>\"", p.Name, p.Kind)
		if p.Optional {
			fields[i] += "?"
		}
	}
	return "{" + strings.Join(fields, ",") + "}"
}

// actionWire is an entry as browsers receive it in the snapshot's
// "catalogue" (docs/protocol.md).
type actionWire struct {
	Name   ActionKind `json:"name"`
	Target Target     `json:"target"`
	Method string     `json:"method"`
	Path   string     `json:"path"`
	Params []Param    `json:"params"`
	Role   Role       `json:"role"`
	Scope  string     `json:"scope,omitempty"`
}

// MarshalJSON writes the entry's wire form (Build and Doc stay on the server).
func (s ActionSpec) MarshalJSON() ([]byte, error) {
	params := s.Params
	if params == nil {
		params = []Param{}
	}
	return json.Marshal(actionWire{Name: s.Name, Target: s.Target, Method: s.Method, Path: s.DocPath(),
		Params: params, Role: s.Role, Scope: s.Scope})
}
