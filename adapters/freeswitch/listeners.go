package freeswitch

import (
	"slices"
	"strings"

	"github.com/percipia/eslgo"

	"github.com/callboard/callboard/adapters"
)

// Supervisor legs (listen, whisper, barge). callboard originates the
// supervisor's phone with these channel variables next to eavesdrop's own:
// every event of that leg carries them (variable_callboard_listen_*), so the
// leg is recognised from the event path alone and shown as a listener of the
// call it eavesdrops on, never as a call of its own. FreeSWITCH announces no
// eavesdropper next to its target (call-control capture: MEDIA_BUG_START
// names only the target), which is why the leg names its call itself.
const (
	varListenCall  = "callboard_listen_call"
	varListenPhone = "callboard_listen_phone"
	varListenMode  = "callboard_listen_mode"
)

// listenLeg is one supervisor leg.
type listenLeg struct {
	adapters.Listener
	call string // the call listened to
}

// Mode digits: the eavesdropper's received DTMF switches the audio mix
// (switch_ivr_async.c in 1.10.12, as the eavesdrop capture's notes read it:
// 0 = none mixed in (listen), 2 = mixed into what the target hears
// (whisper), 3 = both directions (barge); 1 = the far party only, unused).
// A mode change produces no event but that DTMF event on the eavesdropper,
// so the DTMF event is what moves the listener's mode.
var modeDigits = map[string]string{
	adapters.ModeListen:  "0",
	adapters.ModeWhisper: "2",
	adapters.ModeBarge:   "3",
}

func modeOfDigit(d string) (string, bool) {
	for mode, digit := range modeDigits {
		if digit == d {
			return mode, true
		}
	}
	return "", false
}

// listenerEvent handles an event of a supervisor leg; ok is false when the
// event is not one.
func (p *mapper) listenerEvent(ev *eslgo.Event) (out []adapters.Event, ok bool) {
	m := p.m
	uuid := header(ev, "Unique-ID")
	ll := m.listeners[uuid]
	if ll == nil {
		target := header(ev, "variable_"+varListenCall)
		if !uuidPattern.MatchString(uuid) || !uuidPattern.MatchString(target) || m.goneLegs[uuid] {
			return nil, false
		}
		mode := header(ev, "variable_"+varListenMode)
		if _, known := modeDigits[mode]; !known {
			mode = adapters.ModeListen
		}
		ll = &listenLeg{call: m.callOf(target), Listener: adapters.Listener{
			Phone: header(ev, "variable_"+varListenPhone), Mode: mode, Leg: uuid, Since: eventTime(ev, p.now()),
		}}
		m.listeners[uuid] = ll
		return m.touchCall(ll.call), true
	}
	switch eventName(ev) {
	case "CHANNEL_HANGUP_COMPLETE", "CHANNEL_DESTROY":
		delete(m.listeners, uuid)
		m.markLegGone(uuid)
		return m.touchCall(ll.call), true
	case "DTMF":
		if mode, known := modeOfDigit(strings.TrimSpace(header(ev, "DTMF-Digit"))); known && mode != ll.Mode {
			ll.Mode = mode
			return m.touchCall(ll.call), true
		}
	}
	return nil, true
}

// listenersOf is a call's listeners, oldest first.
func (m *model) listenersOf(callID string) []adapters.Listener {
	var out []adapters.Listener
	for _, ll := range m.listeners {
		if ll.call == callID {
			out = append(out, ll.Listener)
		}
	}
	slices.SortFunc(out, func(a, b adapters.Listener) int {
		if c := a.Since.Compare(b.Since); c != 0 {
			return c
		}
		return strings.Compare(a.Leg, b.Leg)
	})
	return out
}

// originateFailure maps a BACKGROUND_JOB of callboard's own originate that
// failed before any channel existed (USER_NOT_REGISTERED, SUBSCRIBER_ABSENT,
// USER_BUSY, DESTINATION_OUT_OF_ORDER: the originate capture) to the end of
// the call id Do returned, with the PBX's reason as the cause. The job's
// command argument holds origination_uuid, so no state is needed.
func (p *mapper) originateFailure(ev *eslgo.Event) []adapters.Event {
	if header(ev, "Job-Command") != "originate" {
		return nil
	}
	body := strings.TrimSpace(string(ev.Body))
	reason, failed := strings.CutPrefix(body, "-ERR")
	if !failed {
		return nil
	}
	id := originationUUID(header(ev, "Job-Command-Arg"))
	if id == "" || p.m.legs[id] != nil || p.m.listeners[id] != nil {
		return nil // a leg that exists ends through its own hangup events
	}
	p.m.markLegGone(id)
	return []adapters.Event{adapters.CallEnded{Node: p.m.node, CallID: id, Cause: strings.TrimSpace(reason), At: eventTime(ev, p.now())}}
}

// originationUUID reads origination_uuid from an originate's {...} block.
func originationUUID(arg string) string {
	const key = "origination_uuid="
	i := strings.Index(arg, key)
	if i < 0 {
		return ""
	}
	v := arg[i+len(key):]
	if end := strings.IndexAny(v, ",}"); end >= 0 {
		v = v[:end]
	}
	if !uuidPattern.MatchString(v) {
		return ""
	}
	return v
}

// listenerOf finds the supervisor leg of phone on call in the node's index.
func (n *Node) listenerOf(call, phone string) (adapters.Listener, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, l := range n.callListeners[call] {
		if l.Phone == phone {
			return l, true
		}
	}
	return adapters.Listener{}, false
}
