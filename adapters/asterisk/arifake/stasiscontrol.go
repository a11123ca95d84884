package arifake

import (
	"fmt"
	"net/http"
	"strings"
)

// pendingDial is a channel made by POST /channels/create, waiting for /dial.
type pendingDial struct{ endpoint string }

// controlStasis answers the requests that need the channel in a Stasis
// application (find_control in res_ari: 404 "Channel not found", 409
// "Channel not in Stasis application"): continue, redirect, hold, dial.
func (s *Server) controlStasis(w http.ResponseWriter, method, id, op string, params map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[id]
	if !ok {
		writeMessage(w, http.StatusNotFound, "Channel not found")
		return
	}
	if !ch.stasis {
		writeMessage(w, http.StatusConflict, "Channel not in Stasis application")
		return
	}
	switch {
	case op == "hold" && (method == "POST" || method == "DELETE"):
		// b1: 204 and no event, also for a second DELETE.
		ch.held = method == "POST"
		w.WriteHeader(http.StatusNoContent)
	case op == "continue" && method == "POST":
		if params["label"] != "" {
			writeMessage(w, http.StatusNotFound, "Requested label can not be found")
			return
		}
		w.WriteHeader(http.StatusNoContent)
		// c1: (ChannelLeftBridge,) StasisEnd, then the dialplan.
		if b := s.bridges[ch.bridge]; b != nil {
			s.leaveLocked(b, ch)
		}
		ch.stasis = false
		s.emitLocked("StasisEnd", map[string]any{"channel": ch.Channel})
		context := params["context"]
		if context == "" {
			context = ch.Dialplan.Context
		}
		s.runExtenLocked(ch, context, params["extension"])
	case op == "redirect" && method == "POST":
		s.redirectLocked(w, ch, params["endpoint"])
	case op == "dial" && method == "POST":
		if ch.pending == nil || ch.State != "Down" {
			writeMessage(w, http.StatusConflict, "Channel is not in the 'Down' state")
			return
		}
		endpoint := ch.pending.endpoint
		ch.pending = nil
		w.WriteHeader(http.StatusNoContent)
		// i1: Dial "" then Up and ANSWER; a refused endpoint ends with
		// HangupRequest, StasisEnd and ChannelDestroyed (no final Dial).
		dialstring := strings.SplitN(endpoint, "/", 2)[1]
		s.emitLocked("Dial", map[string]any{"peer": ch.Channel, "forward": "", "dialstring": dialstring, "dialstatus": ""})
		if r, refused := s.refused[endpoint]; refused {
			s.hangupOneLocked(ch, r.Cause, r.CauseTxt, 32)
			return
		}
		ch.State = "Up"
		s.emitLocked("ChannelStateChange", map[string]any{"channel": ch.Channel})
		s.emitLocked("Dial", map[string]any{"peer": ch.Channel, "forward": "", "dialstring": "", "dialstatus": "ANSWER"})
	default:
		writeMessage(w, http.StatusNotFound, "Resource not found")
	}
}

// redirectLocked follows c2: errors as captured; on a Local channel 204 and
// nothing happens ("Unsupported transfer requested"). Another technology
// (not captured: there was no chan_pjsip) is modelled as a transfer that
// works: the channel leaves and is hung up.
func (s *Server) redirectLocked(w http.ResponseWriter, ch *channel, endpoint string) {
	tech, res, hasSlash := strings.Cut(endpoint, "/")
	chanTech, _, _ := strings.Cut(ch.Name, "/")
	switch {
	case endpoint == "":
		writeMessage(w, http.StatusBadRequest, "Required parameter 'endpoint' not provided.")
	case !hasSlash:
		writeMessage(w, http.StatusUnprocessableEntity, fmt.Sprintf("Endpoint parameter '%s' does not contain tech/resource", endpoint))
	case res == "":
		writeMessage(w, http.StatusUnprocessableEntity, fmt.Sprintf("No resource provided in endpoint parameter '%s'", endpoint))
	case tech != chanTech:
		writeMessage(w, http.StatusUnprocessableEntity, fmt.Sprintf("Endpoint technology '%s' does not match channel technology '%s'", tech, chanTech))
	case chanTech == "Local":
		w.WriteHeader(http.StatusNoContent)
		s.log.Info("arifake: Unsupported transfer requested", "channel", ch.Name)
	default:
		w.WriteHeader(http.StatusNoContent)
		s.hangupOneLocked(ch, 16, "Normal Clearing", 0)
	}
}

// snoop is POST /channels/{id}/snoop (d1). Like res_ari it looks the
// channel up by name, not through Stasis: any channel may be snooped.
func (s *Server) snoop(w http.ResponseWriter, id string, params map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	target, ok := s.channels[id]
	if !ok {
		writeMessage(w, http.StatusNotFound, "Provided channel was not found")
		return
	}
	spy, whisper := params["spy"], params["whisper"]
	if spy == "" {
		spy = "none"
	}
	if whisper == "" {
		whisper = "none"
	}
	valid := func(d string) bool { return d == "none" || validDirection(d) }
	switch {
	case !valid(spy):
		writeMessage(w, http.StatusBadRequest, "Invalid direction specified for spy")
		return
	case !valid(whisper):
		writeMessage(w, http.StatusBadRequest, "Invalid direction specified for whisper")
		return
	case spy == "none" && whisper == "none":
		writeMessage(w, http.StatusBadRequest, "Direction must be specified for at least spy or whisper")
		return
	case params["app"] == "":
		writeMessage(w, http.StatusBadRequest, "Application name is required")
		return
	}
	snoopID := params["snoopId"]
	if _, dup := s.channels[snoopID]; dup {
		writeMessage(w, http.StatusInternalServerError, "Snoop channel could not be created")
		return
	}
	s.snoopSeq++
	ch := s.newChannelLocked("Snoop/"+target.ID+"-"+fmt.Sprintf("%08x", s.snoopSeq+11), "Up", "default", "s")
	if snoopID != "" {
		delete(s.channels, ch.ID)
		s.order[len(s.order)-1] = snoopID
		ch.ID = snoopID
		s.channels[snoopID] = ch
	}
	ch.snooped, ch.whisper = target.ID, whisper
	if ch.vars == nil {
		ch.vars = map[string]string{}
	}
	ch.vars[varSpy] = spy // what the fake's RTP plays while bridged with externalMedia (media.go)
	ch.stasis = false
	writeJSON(w, http.StatusOK, ch.Channel)
	// d1: ChannelCreated, ChannelDialplan Stasis(app), StasisStart after the reply.
	s.emitLocked("ChannelCreated", map[string]any{"channel": ch.Channel})
	ch.Dialplan.AppName, ch.Dialplan.AppData = "Stasis", params["app"]
	s.emitLocked("ChannelDialplan", map[string]any{"channel": ch.Channel, "dialplan_app": "Stasis", "dialplan_app_data": params["app"]})
	s.enterStasisLocked(ch, params["app"], params["appArgs"])
	// d1: when the snooped channel goes, its snoops go too.
	target.snoops = append(target.snoops, ch.ID)
}

// Snoop is what the fake knows of a snoop channel: its target and whisper
// direction; ok is false when id is not a live snoop channel.
func (s *Server) Snoop(id string) (target, whisper string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, found := s.channels[id]
	if !found || ch.snooped == "" {
		return "", "", false
	}
	return ch.snooped, ch.whisper, true
}

// Held says whether callboard's POST /hold holds the channel.
func (s *Server) Held(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[id]
	return ok && ch.held
}

// ChannelsNamed counts live channels whose name starts with prefix.
func (s *Server) ChannelsNamed(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, ch := range s.channels {
		if strings.HasPrefix(ch.Name, prefix) {
			n++
		}
	}
	return n
}
