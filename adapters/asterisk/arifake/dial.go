package arifake

import (
	"fmt"
	"strings"
	"time"
)

// DialCall is the four channels and the bridge of a two-party Dial call,
// shaped like the a1-dial-hangup-caller capture of Asterisk 22.10.1:
// an originated Local pair whose ";2" half runs Dial(Local/<callee>@...),
// which creates a second Local pair; the dialled ";1" and the dialling ";2"
// meet in an unnamed "basic" bridge.
type DialCall struct {
	Origin   string // Local/<callee>@from-internal-…;1: the caller's side (the call id)
	Dialer   string // its ";2": runs Dial, presses features (hold)
	Dialled  string // Local/<callee>@dash-talk-…;1: app AppDial, the dialled side
	Far      string // its ";2"
	BridgeID string // the basic bridge
}

// Dial places an answered two-party call from caller to callee. Hanging up
// any of its channels hangs up all four and destroys the bridge, as Asterisk
// does.
func (s *Server) Dial(caller, callee Party) DialCall { return s.dial(caller, callee, false) }

// DialStasis is Dial with the originated ";1" half in the Stasis
// application, as when callboard's application originated the caller side
// (c4, k1: "the ;1 leg enters Stasis when the Dial is answered"): the shape
// in which ARI can hold it (b1) and move it with continue (c1).
func (s *Server) DialStasis(caller, callee Party) DialCall { return s.dial(caller, callee, true) }

func (s *Server) dial(caller, callee Party, stasis bool) DialCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.localSeq++
	tag := fmt.Sprintf("%08x", s.localSeq)
	ext := callee.Number
	origin := s.newChannelLocked(fmt.Sprintf("Local/%s@from-internal-%s;1", ext, tag), "Down", "from-internal", ext)
	dialer := s.newChannelLocked(fmt.Sprintf("Local/%s@from-internal-%s;2", ext, tag), "Ring", "from-internal", ext)
	origin.stasis, dialer.stasis = false, false
	s.emitLocked("ChannelCreated", map[string]any{"channel": origin.Channel})
	s.emitLocked("ChannelCreated", map[string]any{"channel": dialer.Channel})
	origin.Dialplan.AppName, origin.Dialplan.AppData = "AppDial2", "(Outgoing Line)"
	s.emitLocked("ChannelDialplan", map[string]any{"channel": origin.Channel, "dialplan_app": "AppDial2", "dialplan_app_data": "(Outgoing Line)"})
	origin.Caller, origin.Connected = caller, caller
	dialer.Caller, dialer.Connected = caller, caller
	s.emitLocked("ChannelCallerId", map[string]any{"channel": origin.Channel, "caller_presentation": 0, "caller_presentation_txt": "Presentation Allowed, Not Screened"})
	s.emitLocked("ChannelConnectedLine", map[string]any{"channel": origin.Channel})
	s.emitLocked("ChannelCallerId", map[string]any{"channel": dialer.Channel, "caller_presentation": 0, "caller_presentation_txt": "Presentation Allowed, Not Screened"})
	s.emitLocked("ChannelConnectedLine", map[string]any{"channel": dialer.Channel})
	// ARI's own dial of the originated channel: no caller.
	s.emitLocked("Dial", map[string]any{"peer": origin.Channel, "forward": "", "dialstring": ext + "@from-internal", "dialstatus": ""})
	target := "Local/" + ext + "@dash-talk"
	dialer.Dialplan.AppName, dialer.Dialplan.AppData = "Dial", target+",20"
	s.emitLocked("ChannelDialplan", map[string]any{"channel": dialer.Channel, "dialplan_app": "Dial", "dialplan_app_data": target + ",20"})

	s.localSeq++
	tag2 := fmt.Sprintf("%08x", s.localSeq)
	dialled := s.newChannelLocked(fmt.Sprintf("Local/%s@dash-talk-%s;1", ext, tag2), "Down", "dash-talk", ext)
	far := s.newChannelLocked(fmt.Sprintf("Local/%s@dash-talk-%s;2", ext, tag2), "Ring", "dash-talk", ext)
	dialled.stasis, far.stasis = false, false
	s.emitLocked("ChannelCreated", map[string]any{"channel": dialled.Channel})
	s.emitLocked("ChannelCreated", map[string]any{"channel": far.Channel})
	// The dialled side's caller number is the caller's extension (a1).
	dialled.Caller, dialled.Connected = Party{caller.Name, ext}, caller
	dialled.Dialplan.AppName, dialled.Dialplan.AppData = "AppDial", "(Outgoing Line)"
	s.emitLocked("ChannelDialplan", map[string]any{"channel": dialled.Channel, "dialplan_app": "AppDial", "dialplan_app_data": "(Outgoing Line)"})
	s.emitLocked("ChannelCallerId", map[string]any{"channel": dialled.Channel, "caller_presentation": 0, "caller_presentation_txt": "Presentation Allowed, Not Screened"})
	s.emitLocked("ChannelConnectedLine", map[string]any{"channel": dialled.Channel})
	far.Caller, far.Connected = caller, Party{caller.Name, ext}
	s.emitLocked("ChannelCallerId", map[string]any{"channel": far.Channel, "caller_presentation": 0, "caller_presentation_txt": "Presentation Allowed, Not Screened"})
	s.emitLocked("ChannelConnectedLine", map[string]any{"channel": far.Channel})
	s.emitLocked("Dial", map[string]any{"caller": dialer.Channel, "peer": dialled.Channel, "forward": "", "dialstring": ext + "@dash-talk", "dialstatus": ""})
	far.State, dialled.State = "Up", "Up"
	s.emitLocked("ChannelStateChange", map[string]any{"channel": far.Channel})
	s.emitLocked("ChannelStateChange", map[string]any{"channel": dialled.Channel})
	s.emitLocked("Dial", map[string]any{"caller": dialer.Channel, "peer": dialled.Channel, "forward": "", "dialstring": "", "dialstatus": "ANSWER"})
	dialer.State = "Up"
	s.emitLocked("ChannelStateChange", map[string]any{"channel": dialer.Channel})
	b := s.newBridgeLocked(Bridge{Technology: "simple_bridge", BridgeType: "mixing", BridgeClass: "basic", VideoMode: "none"})
	s.enterLocked(b, dialled)
	s.enterLocked(b, dialer)
	origin.State = "Up"
	if stasis {
		// Before the state change that makes the call active, so that a
		// test waiting for an answered call may act on it at once (real
		// Asterisk sends StasisStart right after the Dial's ANSWER).
		s.enterStasisLocked(origin, s.appLocked(), "")
	}
	s.emitLocked("ChannelStateChange", map[string]any{"channel": origin.Channel})
	s.emitLocked("Dial", map[string]any{"peer": origin.Channel, "forward": "", "dialstring": ext + "@from-internal", "dialstatus": "ANSWER"})
	// A SIP callee would update the caller side's connected line with its
	// own identity once it answered; callboard must not take it as the callee.
	dialer.Connected = callee
	s.emitLocked("ChannelConnectedLine", map[string]any{"channel": dialer.Channel})

	chain := []string{origin.ID, dialer.ID, dialled.ID, far.ID}
	for _, id := range chain {
		s.channels[id].chain = chain
	}
	b.autoDestroy = true
	return DialCall{Origin: origin.ID, Dialer: dialer.ID, Dialled: dialled.ID, Far: far.ID, BridgeID: b.ID}
}

// Originate creates a Local pair whose ";1" half enters the Stasis
// application (POST /channels?endpoint=Local/…&app=…, as in b1) and answers.
// It returns the ";1" channel id; hanging up either half ends both.
func (s *Server) Originate(caller Party, args ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.localSeq++
	tag := fmt.Sprintf("%08x", s.localSeq)
	one := s.newChannelLocked(fmt.Sprintf("Local/talk@dash-talk-%s;1", tag), "Down", "dash-talk", "talk")
	two := s.newChannelLocked(fmt.Sprintf("Local/talk@dash-talk-%s;2", tag), "Ring", "dash-talk", "talk")
	two.stasis = false
	s.emitLocked("ChannelCreated", map[string]any{"channel": one.Channel})
	s.emitLocked("ChannelCreated", map[string]any{"channel": two.Channel})
	one.Caller, two.Caller = caller, caller
	s.emitLocked("ChannelCallerId", map[string]any{"channel": one.Channel, "caller_presentation": 0, "caller_presentation_txt": "Presentation Allowed, Not Screened"})
	s.emitLocked("ChannelCallerId", map[string]any{"channel": two.Channel, "caller_presentation": 0, "caller_presentation_txt": "Presentation Allowed, Not Screened"})
	s.emitLocked("Dial", map[string]any{"peer": one.Channel, "forward": "", "dialstring": "talk@dash-talk", "dialstatus": ""})
	two.State = "Up"
	s.emitLocked("ChannelStateChange", map[string]any{"channel": two.Channel})
	one.State = "Up"
	s.emitLocked("ChannelStateChange", map[string]any{"channel": one.Channel})
	s.emitLocked("Dial", map[string]any{"peer": one.Channel, "forward": "", "dialstring": "talk@dash-talk", "dialstatus": "ANSWER"})
	one.Dialplan.AppName, one.Dialplan.AppData = "Stasis", strings.Join(append([]string{s.appLocked()}, args...), ",")
	if args == nil {
		args = []string{}
	}
	s.emitLocked("StasisStart", map[string]any{"args": args, "channel": one.Channel})
	chain := []string{one.ID, two.ID}
	one.chain, two.chain = chain, chain
	return one.ID
}

// Hold sends ChannelHold (with musicclass) or ChannelUnhold for a channel,
// as Asterisk does for holds made by a phone or a bridge feature (b2).
func (s *Server) Hold(channelID string, held bool, musicclass string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.lookup(channelID)
	if err != nil {
		return err
	}
	if held {
		s.emitLocked("ChannelHold", map[string]any{"channel": ch.Channel, "musicclass": musicclass})
	} else {
		s.emitLocked("ChannelUnhold", map[string]any{"channel": ch.Channel})
	}
	return nil
}

// newChannelLocked registers a channel (no event) in Stasis by default.
func (s *Server) newChannelLocked(name, state, context, exten string) *channel {
	id := fmt.Sprintf("%d.%d", s.epoch, s.seq)
	s.seq++
	ch := &channel{
		Channel: Channel{
			ID: id, Name: name, State: state,
			Dialplan:     Dialplan{Context: context, Exten: exten, Priority: 1},
			Creationtime: stamp(time.Now()), Language: "en",
		},
		stasis: true, vars: map[string]string{}, muted: map[string]bool{},
	}
	s.channels[id] = ch
	s.order = append(s.order, id)
	return ch
}

func (s *Server) newBridgeLocked(spec Bridge) *bridge {
	spec.ID, spec.Channels, spec.Creationtime = newUUID(), []string{}, stamp(time.Now())
	b := &bridge{Bridge: spec}
	s.bridges[b.ID] = b
	s.border = append(s.border, b.ID)
	s.emitLocked("BridgeCreated", map[string]any{"bridge": b.snapshot()})
	return b
}

// appLocked is the Stasis application of the first subscriber.
func (s *Server) appLocked() string {
	for c := range s.conns {
		return c.apps[0]
	}
	return "callboard"
}
