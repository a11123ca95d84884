package asterisk

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/CyCoreSystems/ari/v6"

	"github.com/callboard/callboard/adapters"
)

// Listen, whisper and barge on Asterisk (d1 capture): a snoop channel on the
// agent's channel and the supervisor's phone in one mixing bridge of
// callboard's own. The snoop's whisper direction is the mode:
//
//	listen   spy=both whisper=none   the supervisor hears both, nobody hears them
//	whisper  spy=both whisper=out    audio written to the agent's channel: only the agent hears (coach)
//	barge    spy=both whisper=both   also mixed into what the agent's channel sends: both parties hear
//
// A snoop's directions are fixed at creation, so a mode switch puts a new
// snoop into the same bridge and hangs up the old one: the supervisor's
// channel, and the phone call, stay. Barge is a whisper in both directions
// rather than the supervisor joining the call's bridge, because a Dial's
// bridge is not in Stasis and ARI cannot add a channel to it (g1: 409
// "Bridge not in Stasis application"). Snoop works on any channel, in
// Stasis or not (res_ari finds it by name: its 404 says "Provided channel
// was not found", not "Channel not found").
//
// The supervisor's channel is made with /channels/create + /dial (i1): it
// is in Stasis at once, so it joins the bridge before it rings. Its id, the
// snoop's and the bridge's are callboard's own (cb-sup-, cb-snoop-,
// cb-spy-), so their events are recognised by id alone and never make a
// call; the listener is reported on the supervised call instead.

var whisperOf = map[string]string{
	adapters.ModeListen:  "none",
	adapters.ModeWhisper: "out",
	adapters.ModeBarge:   "both",
}

// supervision is one supervisor's phone on a call.
type supervision struct {
	id, call, phone, mode string
	snoop, bridge         string
	since                 time.Time
	live                  bool // set up completely: shown as a listener
}

// supervisionID says whether a channel id is one of callboard's supervision
// channels (the supervisor's phone or a snoop).
func supervisionID(id string) bool {
	return strings.HasPrefix(id, prefixSup) || strings.HasPrefix(id, prefixSnoop)
}

func supervisionBridge(id string) bool { return strings.HasPrefix(id, prefixBridge) }

// supervise connects a.Phone to a.Call in a.Mode, or switches the mode of
// the phone already there.
func (n *Node) supervise(ctx context.Context, a adapters.Supervise) (string, error) {
	what := fmt.Sprintf("%s on call %s from %s", a.Mode, a.Call, a.Phone)
	phone, err := n.cfg.Dial.Endpoint("phone", a.Phone)
	if err != nil {
		return "", err
	}
	target, err := n.state.agentChannel(a.Call)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	if sup, ok := n.state.supervisionOf(a.Call, a.Phone); ok {
		return n.switchMode(ctx, what, sup, target, a.Mode)
	}
	sup := &supervision{id: prefixSup + newUUID(), call: a.Call, phone: a.Phone, mode: a.Mode,
		snoop: prefixSnoop + newUUID(), bridge: prefixBridge + newUUID(), since: time.Now()}
	n.state.addSupervision(sup)
	var made []func()
	fail := func(err error) (string, error) {
		n.state.dropSupervision(sup.id)
		for i := len(made) - 1; i >= 0; i-- {
			made[i]()
		}
		return "", err
	}
	if err := n.snoop(ctx, what, target, sup.snoop, a.Mode); err != nil {
		return fail(err)
	}
	made = append(made, func() { n.cleanup(context.WithoutCancel(ctx), []string{sup.snoop}, nil) })
	q := url.Values{"type": {"mixing"}, "bridgeId": {sup.bridge}}
	if err := n.ariCall(ctx, what, "POST", "/bridges", q, nil, nil); err != nil {
		return fail(err)
	}
	made = append(made, func() { n.cleanup(context.WithoutCancel(ctx), nil, []string{sup.bridge}) })
	q = url.Values{"endpoint": {phone.DialString}, "app": {n.cfg.Application}, "appArgs": {"callboard-supervisor"}, "channelId": {sup.id}}
	if err := n.ariCall(ctx, what, "POST", "/channels/create", q, nil, nil); err != nil {
		return fail(err)
	}
	made = append(made, func() { n.cleanup(context.WithoutCancel(ctx), []string{sup.id}, nil) })
	q = url.Values{"channel": {sup.snoop + "," + sup.id}}
	if err := n.ariCall(ctx, what, "POST", "/bridges/"+sup.bridge+"/addChannel", q, nil, nil); err != nil {
		return fail(err)
	}
	q = url.Values{"timeout": {"30"}}
	if err := n.ariCall(ctx, what, "POST", "/channels/"+sup.id+"/dial", q, nil, nil); err != nil {
		return fail(err)
	}
	n.pushOwn(n.state.publishSupervision(sup.id))
	n.log.Info("asterisk supervision", "call", a.Call, "phone", a.Phone, "mode", a.Mode, "leg", sup.id)
	return sup.id, nil
}

// snoop creates a snoop channel on target in mode's directions.
func (n *Node) snoop(ctx context.Context, what, target, id, mode string) error {
	q := url.Values{"spy": {"both"}, "whisper": {whisperOf[mode]}, "app": {n.cfg.Application},
		"appArgs": {"callboard-snoop"}, "snoopId": {id}}
	return n.ariCall(ctx, what, "POST", "/channels/"+target+"/snoop", q, nil, nil)
}

// switchMode replaces the snoop and keeps the supervisor's channel.
func (n *Node) switchMode(ctx context.Context, what string, sup supervision, target, mode string) (string, error) {
	if sup.mode == mode {
		return sup.id, nil
	}
	snoop := prefixSnoop + newUUID()
	if err := n.snoop(ctx, what, target, snoop, mode); err != nil {
		return "", err
	}
	q := url.Values{"channel": {snoop}}
	if err := n.ariCall(ctx, what, "POST", "/bridges/"+sup.bridge+"/addChannel", q, nil, nil); err != nil {
		n.cleanup(context.WithoutCancel(ctx), []string{snoop}, nil)
		return "", err
	}
	// The new snoop is current before the old one goes, so the old one's
	// ChannelDestroyed is not taken for the end of the supervision.
	evs := n.state.switchSupervision(sup.id, mode, snoop)
	err := n.ariCall(ctx, what+": hang up the previous snoop", "DELETE", "/channels/"+sup.snoop, nil, nil, nil)
	n.pushOwn(evs)
	if err != nil && ariStatus(err) != 404 {
		return "", fmt.Errorf("%s: switched, but the previous snoop still mixes in: %w", what, err)
	}
	return sup.id, nil
}

// stopListening hangs up the supervisor's phone, its snoop and bridge.
func (n *Node) stopListening(ctx context.Context, a adapters.StopListening) (string, error) {
	what := fmt.Sprintf("stop listening to call %s from %s", a.Call, a.Phone)
	sup, ok := n.state.supervisionOf(a.Call, a.Phone)
	if !ok {
		return "", fmt.Errorf("%s: %s is not listening: %w", what, a.Phone, adapters.ErrNotFound)
	}
	if err := n.ariCall(ctx, what, "DELETE", "/channels/"+sup.id, nil, nil, nil); err != nil && ariStatus(err) != 404 {
		return "", err
	}
	n.pushOwn(n.state.dropSupervision(sup.id))
	n.cleanup(ctx, []string{sup.snoop}, []string{sup.bridge})
	return sup.id, nil
}

// cleanup hangs up channels and destroys bridges left by a supervision;
// what is already gone (404) is fine.
func (n *Node) cleanup(ctx context.Context, channels, bridges []string) {
	for _, id := range channels {
		if err := n.ariCall(ctx, "hang up "+id, "DELETE", "/channels/"+id, nil, nil, nil); err != nil && ariStatus(err) != 404 {
			n.log.Warn("asterisk supervision cleanup", "channel", id, "err", err)
		}
	}
	for _, id := range bridges {
		if err := n.ariCall(ctx, "destroy bridge "+id, "DELETE", "/bridges/"+id, nil, nil, nil); err != nil && ariStatus(err) != 404 {
			n.log.Warn("asterisk supervision cleanup", "bridge", id, "err", err)
		}
	}
}

// agentChannel is the channel a supervisor listens to: the call's callee.
func (s *state) agentChannel(callID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ci := s.calls[callID]
	if ci == nil || !ci.published {
		return "", fmt.Errorf("call %s: %w", callID, adapters.ErrNotFound)
	}
	c := s.calleeOf(ci)
	if c == nil {
		return "", fmt.Errorf("call %s has no channel left: %w", callID, adapters.ErrNotFound)
	}
	if err := validID(c.id); err != nil {
		return "", fmt.Errorf("agent channel of call %s: %w", callID, err)
	}
	return c.id, nil
}

func (s *state) supervisionOf(call, phone string) (supervision, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sup := range s.sups {
		if sup.call == call && sup.phone == phone {
			return *sup, true
		}
	}
	return supervision{}, false
}

func (s *state) addSupervision(sup *supervision) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sups[sup.id] = sup
}

func (s *state) publishSupervision(id string) []adapters.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	sup := s.sups[id]
	if sup == nil { // its phone already hung up or did not answer
		return nil
	}
	sup.live = true
	return s.changedCall(sup.call, nil)
}

func (s *state) switchSupervision(id, mode, snoop string) []adapters.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	sup := s.sups[id]
	if sup == nil {
		return nil
	}
	sup.mode, sup.snoop = mode, snoop
	return s.changedCall(sup.call, nil)
}

func (s *state) dropSupervision(id string) []adapters.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	sup := s.sups[id]
	if sup == nil {
		return nil
	}
	delete(s.sups, id)
	return s.changedCall(sup.call, nil)
}

// listenersOf is a call's listeners, oldest first.
func (s *state) listenersOf(call string) []adapters.Listener {
	var out []adapters.Listener
	for _, sup := range s.sups {
		if sup.call == call && sup.live {
			out = append(out, adapters.Listener{Phone: sup.phone, Mode: sup.mode, Leg: sup.id, Since: sup.since})
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

// supervisionEnded handles the end of a supervision channel (s.mu held):
// the phone hung up or never answered, or the current snoop went with the
// snooped channel. The listener goes and what is left is cleaned up.
func (s *state) supervisionEnded(e *ari.ChannelDestroyed) effects {
	var fx effects
	id := e.Channel.ID
	for _, sup := range s.sups {
		if sup.id != id && sup.snoop != id {
			continue
		}
		delete(s.sups, sup.id)
		fx.events = s.changedCall(sup.call, nil)
		if sup.id == id {
			fx.hangup = []string{sup.snoop}
		} else {
			fx.hangup = []string{sup.id}
		}
		fx.dropBridges = []string{sup.bridge}
		break
	}
	return fx
}

// keepSupervisions drops the supervisions whose phone the PBX no longer
// lists (s.mu held; a resync).
func (s *state) keepSupervisions(listed map[string]bool) {
	for id, sup := range s.sups {
		if !listed[id] && sup.live {
			delete(s.sups, id)
		}
	}
}

// withoutSupervision drops callboard's supervision channels and bridges
// from a snapshot and forgets supervisions whose phone is gone (s.mu held).
func (s *state) withoutSupervision(chans []ari.ChannelData, bridges []ari.BridgeData) ([]ari.ChannelData, []ari.BridgeData) {
	listed := map[string]bool{}
	keptC := chans[:0:0]
	for _, c := range chans {
		listed[c.ID] = true
		if !supervisionID(c.ID) {
			keptC = append(keptC, c)
		}
	}
	s.keepSupervisions(listed)
	for id := range s.originated {
		if !listed[id] {
			delete(s.originated, id)
		}
	}
	keptB := bridges[:0:0]
	for _, b := range bridges {
		if !supervisionBridge(b.ID) {
			keptB = append(keptB, b)
		}
	}
	return keptC, keptB
}
