package arifake

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Call control (issue 11) in the shapes of the call-control captures of
// Asterisk 22.10.1 (testdata/call-control: i1 originate, c1 continue, c2
// redirect, b1 hold, d1 snoop). The fake's dialplan is small: an extension
// of digits (an optional leading '+') dials PJSIP/<extension> and bridges it
// with the channel that ran it; an extension named in MissingExtensions
// (default "nosuchexten", as in c1) does not exist; any other extension
// answers and keeps the channel up (like the captures' talk and talk2).

// Refusal is how the fake PBX fails a dialled endpoint: with Status set the
// originate request itself fails (i1: 500 {"error":"Allocation failed"} for
// a technology that cannot allocate); otherwise the channel is created, its
// Dial ends with Dialstatus and it is destroyed with Cause/CauseTxt.
type Refusal struct {
	Status     int
	Error      string
	Dialstatus string // BUSY, NOANSWER, CHANUNAVAIL, ...
	Cause      int
	CauseTxt   string
}

// MissingExtensions makes the fake dialplan hang up channels sent to these
// extensions (in any context).
func (s *Server) MissingExtensions(names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range names {
		s.missingExten[n] = true
	}
}

// RefuseEndpoint makes every later dial of endpoint ("PJSIP/1003") fail as r
// says.
func (s *Server) RefuseEndpoint(endpoint string, r Refusal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refused == nil {
		s.refused = map[string]Refusal{}
	}
	s.refused[endpoint] = r
}

// callControl answers the call-control requests; false leaves the request
// to the other routes.
func (s *Server) callControl(w http.ResponseWriter, method string, p []string, params map[string]string, body map[string]any) bool {
	switch {
	case method == "POST" && len(p) == 1 && p[0] == "channels":
		s.originate(w, params, body, false)
	case method == "POST" && len(p) == 2 && p[0] == "channels" && p[1] == "create":
		s.originate(w, params, body, true)
	case method == "POST" && len(p) == 1 && p[0] == "bridges":
		s.createBridgeREST(w, params)
	case method == "POST" && len(p) == 3 && p[0] == "channels" && p[2] == "snoop":
		s.snoop(w, p[1], params)
	case len(p) == 3 && p[0] == "channels" && (p[2] == "continue" || p[2] == "redirect" || p[2] == "hold" || p[2] == "dial"):
		s.controlStasis(w, method, p[1], p[2], params)
	default:
		return false
	}
	return true
}

// validEndpoint is i1's check: Tech/resource, both non-empty.
func validEndpoint(e string) bool {
	tech, res, ok := strings.Cut(e, "/")
	return ok && tech != "" && res != ""
}

// originate is POST /channels (create=false: dial now, then run the
// extension or enter the app) and POST /channels/create (enter the app at
// once, still Down; /dial rings it).
func (s *Server) originate(w http.ResponseWriter, params map[string]string, body map[string]any, create bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	endpoint := params["endpoint"]
	switch {
	case endpoint == "":
		writeMessage(w, http.StatusBadRequest, "Endpoint must be specified")
		return
	case !validEndpoint(endpoint):
		writeMessage(w, http.StatusBadRequest, "Invalid endpoint specified")
		return
	case !create && params["app"] == "" && params["extension"] == "":
		writeMessage(w, http.StatusBadRequest, "Application or extension must be specified")
		return
	}
	tech, _, _ := strings.Cut(endpoint, "/")
	refusal, refused := s.refused[endpoint]
	if tech != "PJSIP" && tech != "Local" {
		refusal, refused = Refusal{Status: http.StatusInternalServerError, Error: "Allocation failed"}, true
	}
	if refused && refusal.Status != 0 {
		writeJSON(w, refusal.Status, map[string]string{"error": refusal.Error})
		return
	}
	id := params["channelId"]
	if _, dup := s.channels[id]; dup && id != "" {
		writeMessage(w, http.StatusConflict, "Channel with given unique ID already exists")
		return
	}
	ch := s.newChannelLocked(fmt.Sprintf("%s-%08x", endpoint, s.seq+1), "Down", params["context"], params["extension"])
	if id != "" {
		delete(s.channels, ch.ID)
		s.order[len(s.order)-1] = id
		ch.ID = id
		s.channels[id] = ch
	}
	if ch.Dialplan.Context == "" {
		ch.Dialplan.Context = "default"
	}
	ch.stasis = false
	ch.Caller = callerOf(params, body)
	ch.vars = variablesOf(body)
	writeJSON(w, http.StatusOK, ch.Channel)
	s.emitLocked("ChannelCreated", map[string]any{"channel": ch.Channel})
	app := params["app"]
	if create {
		// i1: StasisStart comes at once, before any dial.
		s.enterStasisLocked(ch, app, params["appArgs"])
		ch.pending = &pendingDial{endpoint: endpoint}
		return
	}
	s.dialOutLocked(ch, endpoint, app, params["appArgs"], params["context"], params["extension"])
}

// dialOutLocked is ARI's own dial of an originated channel: Dial events
// with no caller, then either the refusal or the answer, then the app or
// the extension.
func (s *Server) dialOutLocked(ch *channel, endpoint, app, appArgs, context, exten string) {
	dialstring := strings.SplitN(endpoint, "/", 2)[1]
	s.emitLocked("Dial", map[string]any{"peer": ch.Channel, "forward": "", "dialstring": dialstring, "dialstatus": ""})
	if r, refused := s.refused[endpoint]; refused {
		s.emitLocked("Dial", map[string]any{"peer": ch.Channel, "forward": "", "dialstring": "", "dialstatus": r.Dialstatus})
		s.hangupOneLocked(ch, r.Cause, r.CauseTxt, 0)
		return
	}
	ch.State = "Up"
	s.emitLocked("ChannelStateChange", map[string]any{"channel": ch.Channel})
	s.emitLocked("Dial", map[string]any{"peer": ch.Channel, "forward": "", "dialstring": "", "dialstatus": "ANSWER"})
	if app != "" { // i1: app wins over extension
		s.enterStasisLocked(ch, app, appArgs)
		return
	}
	if context == "" {
		context = "default"
	}
	s.runExtenLocked(ch, context, exten)
}

func (s *Server) enterStasisLocked(ch *channel, app, appArgs string) {
	args := []string{}
	if appArgs != "" {
		args = strings.Split(appArgs, ",")
	}
	ch.stasis = true
	ch.Dialplan.AppName, ch.Dialplan.AppData = "Stasis", strings.Join(append([]string{app}, args...), ",")
	s.emitLocked("StasisStart", map[string]any{"args": args, "channel": ch.Channel})
}

// runExtenLocked runs the fake dialplan: digits dial PJSIP/<exten> and
// bridge it with ch; anything else does not exist and ch is hung up, with
// ChannelDestroyed before the ChannelDialplan as c1 shows.
func (s *Server) runExtenLocked(ch *channel, context, exten string) {
	ch.Dialplan = Dialplan{Context: context, Exten: exten, Priority: 1}
	if !isNumber(exten) && !s.missingExten[exten] {
		ch.Dialplan.AppName = "Answer"
		s.emitLocked("ChannelDialplan", map[string]any{"channel": ch.Channel, "dialplan_app": "Answer", "dialplan_app_data": ""})
		if ch.State != "Up" {
			ch.State = "Up"
			s.emitLocked("ChannelStateChange", map[string]any{"channel": ch.Channel})
		}
		return
	}
	if !isNumber(exten) {
		ch.Dialplan.AppName = "Hangup"
		s.hangupOneLocked(ch, 16, "Normal Clearing", 0)
		s.emitLocked("ChannelDialplan", map[string]any{"channel": ch.Channel, "dialplan_app": "Hangup", "dialplan_app_data": ""})
		return
	}
	target := "PJSIP/" + exten
	ch.Dialplan.AppName, ch.Dialplan.AppData = "Dial", target+",30"
	s.emitLocked("ChannelDialplan", map[string]any{"channel": ch.Channel, "dialplan_app": "Dial", "dialplan_app_data": target + ",30"})
	callee := s.newChannelLocked(fmt.Sprintf("%s-%08x", target, s.seq+1), "Down", context, exten)
	callee.stasis = false
	callee.Caller, callee.Connected = ch.Caller, ch.Caller
	s.emitLocked("ChannelCreated", map[string]any{"channel": callee.Channel})
	callee.Dialplan.AppName, callee.Dialplan.AppData = "AppDial", "(Outgoing Line)"
	s.emitLocked("ChannelDialplan", map[string]any{"channel": callee.Channel, "dialplan_app": "AppDial", "dialplan_app_data": "(Outgoing Line)"})
	s.emitLocked("Dial", map[string]any{"caller": ch.Channel, "peer": callee.Channel, "forward": "", "dialstring": exten, "dialstatus": ""})
	if r, refused := s.refused[target]; refused {
		s.emitLocked("Dial", map[string]any{"caller": ch.Channel, "peer": callee.Channel, "forward": "", "dialstring": "", "dialstatus": r.Dialstatus})
		s.hangupOneLocked(callee, r.Cause, r.CauseTxt, 0)
		return
	}
	callee.State = "Up"
	s.emitLocked("ChannelStateChange", map[string]any{"channel": callee.Channel})
	s.emitLocked("Dial", map[string]any{"caller": ch.Channel, "peer": callee.Channel, "forward": "", "dialstring": "", "dialstatus": "ANSWER"})
	if ch.State != "Up" {
		ch.State = "Up"
		s.emitLocked("ChannelStateChange", map[string]any{"channel": ch.Channel})
	}
	b := s.newBridgeLocked(Bridge{Technology: "simple_bridge", BridgeType: "mixing", BridgeClass: "basic", VideoMode: "none"})
	b.autoDestroy = true
	s.enterLocked(b, callee)
	s.enterLocked(b, ch)
	chain := append(append([]string{}, ch.chain...), callee.ID)
	if len(ch.chain) == 0 {
		chain = []string{ch.ID, callee.ID}
	}
	for _, id := range chain {
		if c := s.channels[id]; c != nil {
			c.chain = chain
		}
	}
}

func isNumber(s string) bool {
	s = strings.TrimPrefix(s, "+")
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// callerOf reads the caller id: JSON variables CALLERID(name)/(num) win (i1
// "Body Name"), else callerId "Name" <number>.
func callerOf(params map[string]string, body map[string]any) Party {
	var p Party
	if cid := params["callerId"]; cid != "" {
		if i := strings.LastIndexByte(cid, '<'); i >= 0 && strings.HasSuffix(cid, ">") {
			p.Number = cid[i+1 : len(cid)-1]
			p.Name = strings.Trim(strings.TrimSpace(cid[:i]), `"`)
		} else {
			p.Number = cid
		}
	}
	vars := variablesOf(body)
	if v, ok := vars["CALLERID(name)"]; ok {
		p.Name = v
	}
	if v, ok := vars["CALLERID(num)"]; ok {
		p.Number = v
	}
	return p
}

func variablesOf(body map[string]any) map[string]string {
	out := map[string]string{}
	vars, _ := body["variables"].(map[string]any)
	for k, v := range vars {
		out[k] = fmt.Sprint(v)
	}
	return out
}

// createBridgeREST is POST /bridges?type=mixing[&name=][&bridgeId=] (d1).
func (s *Server) createBridgeREST(w http.ResponseWriter, params map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := params["bridgeId"]
	if id == "" {
		id = newUUID()
	}
	if _, dup := s.bridges[id]; dup {
		writeMessage(w, http.StatusConflict, "Bridge with id '"+id+"' already exists")
		return
	}
	b := &bridge{Bridge: Bridge{
		ID: id, Technology: "simple_bridge", BridgeType: "mixing", BridgeClass: "stasis",
		Creator: "Stasis", Name: params["name"], Channels: []string{}, Creationtime: stamp(time.Now()), VideoMode: "talker",
	}}
	s.bridges[id] = b
	s.border = append(s.border, id)
	writeJSON(w, http.StatusOK, b.snapshot())
	s.emitLocked("BridgeCreated", map[string]any{"bridge": b.snapshot()})
}
