package asterisk

import (
	"fmt"
	"strings"

	"github.com/CyCoreSystems/ari/v6"

	"github.com/callboard/callboard/adapters"
)

// State kept for callboard's own originates (supervise.go).
//
// An originated channel is shown as a call from its first event: Asterisk
// may create and destroy it without any Dial or StasisStart (i1: a missing
// extension ends with ChannelCreated and ChannelDestroyed cause 0), and the
// returned id must then still end with the PBX's reason. The reason is the
// ChannelDestroyed cause, or the last Dial status (BUSY, NOANSWER,
// CHANUNAVAIL, ...: a1-a4) when the cause is only "Normal Clearing" or
// "Unknown", as for the calling side of a failed Dial.

// ownCall says whether id is a channel callboard originated.
func ownCall(id string) bool { return strings.HasPrefix(id, prefixCall) }

func (s *state) markOriginated(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.originated[id] = ""
}

func (s *state) unmarkOriginated(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.originated, id)
}

// noteDial records a failing Dial status of an originated channel, whether
// it was dialled (ARI's own dial, no caller) or dialled its destination.
func (s *state) noteDial(e *ari.Dial) {
	switch e.Dialstatus {
	case "", "ANSWER", "RINGING", "PROGRESS", "PROCEEDING":
		return
	}
	for _, id := range []string{e.Peer.ID, e.Caller.ID} {
		if _, ok := s.originated[id]; ok {
			s.originated[id] = e.Dialstatus
		}
	}
}

// endCause is the cause a destroyed channel ends its call with.
func (s *state) endCause(e *ari.ChannelDestroyed) string {
	cause := hangupCause(e.CauseTxt, e.Cause)
	status, ok := s.originated[e.Channel.ID]
	if !ok {
		return cause
	}
	delete(s.originated, e.Channel.ID)
	if status != "" && (e.Cause == 0 || e.Cause == 16) {
		return status
	}
	return cause
}

// controllable picks the channel of a call that call-control requests act
// on: the callee's (the channel a Dial dialled) or else the caller's (the
// call's oldest), which must be in callboard's Stasis application: hold,
// continue and redirect answer 409 for any other (b1, c1).
func (s *state) controllable(callID string, callee bool, app string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ci := s.calls[callID]
	if ci == nil || !ci.published {
		return "", fmt.Errorf("call %s: %w", callID, adapters.ErrNotFound)
	}
	want := s.calleeOf(ci)
	if !callee {
		want = nil
		if r := s.channels[ci.root.id]; r != nil && r.inApp(app) {
			want = r
		}
		for _, l := range ci.legs {
			if c := s.channels[l]; want == nil && c != nil && c.inApp(app) && c != s.calleeOf(ci) {
				want = c
			}
		}
	}
	if want == nil || !want.inApp(app) {
		side := map[bool]string{true: "callee", false: "caller"}[callee]
		return "", fmt.Errorf("the %s side of call %s has no channel in Stasis application %s; ARI can hold or move only channels of its own application (Asterisk answers 409 Channel not in Stasis application): %w",
			side, callID, app, adapters.ErrUnsupported)
	}
	// Ids from ARI events go into a URL path too: checked like the user's.
	if err := validID(want.id); err != nil {
		return "", fmt.Errorf("channel of call %s: %w", callID, err)
	}
	return want.id, nil
}

// calleeOf is the call's agent side: the channel a Dial dialled (app
// AppDial, a1), else the newest channel that is neither the root nor the
// far half of a Local pair, else the root.
func (s *state) calleeOf(ci *callInfo) *chanInfo {
	var newest *chanInfo
	for _, l := range ci.legs {
		c := s.channels[l]
		if c == nil {
			continue
		}
		if c.appName == "AppDial" {
			return c
		}
		if c.id != ci.root.id && localHalf(c) != ";2" {
			newest = c
		}
	}
	if newest == nil {
		newest = s.channels[ci.root.id]
	}
	return newest
}
