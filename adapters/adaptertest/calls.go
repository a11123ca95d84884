package adaptertest

import (
	"context"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
)

// Party is one end of a call.
type Party struct{ Name, Number string }

// CallPBX drives the shapes of ordinary calls that a real PBX produces and
// that every adapter must read the same way. A fake's PBX implements it next
// to PBX; the suite fails (not skips) a harness whose PBX does not.
type CallPBX interface {
	// Dial places an answered two-party call from caller to callee the way the
	// PBX's dialplan does it (FreeSWITCH: an A-leg bridged to a B-leg;
	// Asterisk: Dial() through a Local channel chain into a basic bridge) and
	// returns the call id the adapter must report for it.
	Dial(t testing.TB, caller, callee Party) string
	// PhoneHold puts a call on hold or takes it off, from the phone's side (a
	// re-INVITE, a DTMF feature), not through callboard.
	PhoneHold(t testing.TB, callID string, held bool)
	// BotEvent makes the call's bot report its own reply as a custom event
	// (FreeSWITCH CUSTOM subclass with a JSON body naming the speaker;
	// Asterisk ChannelUserevent), matched by a transcript rule the harness
	// configured.
	BotEvent(t testing.TB, callID, text string)
}

// callCases are the ordinary-call scenarios, run by Run.
func callCases(t *testing.T, newHarness Factory) {
	t.Run("TwoPartyCallIsOneCall", func(t *testing.T) { twoPartyCallIsOneCall(t, newHarness(t)) })
	t.Run("RestartMidCallKeepsIDsAndAnswerTimes", func(t *testing.T) { restartMidCall(t, newHarness(t)) })
	t.Run("PhoneHoldShows", func(t *testing.T) { phoneHoldShows(t, newHarness(t)) })
	t.Run("BotEventIsTheBots", func(t *testing.T) { botEventIsTheBots(t, newHarness(t)) })
	t.Run("BurstLeavesNoPhantoms", func(t *testing.T) { burstLeavesNoPhantoms(t, newHarness(t)) })
}

func callPBX(t *testing.T, h Harness) CallPBX {
	t.Helper()
	p, ok := h.PBX.(CallPBX)
	if !ok {
		t.Fatalf("the fake's PBX (%T) does not implement adaptertest.CallPBX", h.PBX)
	}
	return p
}

// callIDsSeen lists every call id the node ever reported as a call.
func callIDsSeen(v View) map[string]bool {
	ids := map[string]bool{}
	for _, e := range v.Events {
		switch e := e.(type) {
		case adapters.CallUpdated:
			ids[e.Call.ID] = true
		case adapters.Snapshot:
			for _, c := range e.Calls {
				ids[c.ID] = true
			}
		}
	}
	return ids
}

func twoPartyCallIsOneCall(t *testing.T, h Harness) {
	p := callPBX(t, h)
	rec := start(t, h)
	id := p.Dial(t, Party{"Alice Moreau", "5723"}, Party{"Bob Tanaka", "5724"})
	v := rec.Wait(t, "the dialled call answered", func(v View) bool {
		c, ok := v.Calls[id]
		return ok && c.State == adapters.CallActive && !c.AnsweredAt.IsZero()
	})
	c := v.Calls[id]
	if len(v.Calls) != 1 || len(v.Conferences) != 0 {
		t.Errorf("a two-party call shows as %d calls and %d conferences, want 1 and 0: %+v %+v", len(v.Calls), len(v.Conferences), v.Calls, v.Conferences)
	}
	if c.CallerName != "Alice Moreau" || c.CallerNumber != "5723" {
		t.Errorf("caller = %q <%s>, want Alice Moreau <5723>", c.CallerName, c.CallerNumber)
	}
	if c.CalleeNumber != "5724" {
		t.Errorf("callee number = %q, want 5724 (what was dialled)", c.CalleeNumber)
	}
	if len(c.Legs) < 2 {
		t.Errorf("call has %d legs, want both parties: %+v", len(c.Legs), c.Legs)
	}
	h.PBX.Hangup(t, id)
	v = rec.Wait(t, "the call ended", func(v View) bool { return len(v.Calls) == 0 })
	if ids := callIDsSeen(v); len(ids) != 1 || !ids[id] {
		t.Errorf("call ids reported over the call's life = %v, want only %s", ids, id)
	}
	for _, e := range v.Events {
		if u, ok := e.(adapters.CallUpdated); ok && u.Call.ID == id && u.Call.CalleeNumber != "" && u.Call.CalleeNumber != "5724" {
			t.Errorf("callee changed during the call to %q <%s>", u.Call.CalleeName, u.Call.CalleeNumber)
		}
	}
}

func restartMidCall(t *testing.T, h Harness) {
	p := callPBX(t, h)
	if h.Restart == nil {
		t.Fatal("harness has no Restart")
	}
	d1 := p.Dial(t, Party{"Carol Lee", "5725"}, Party{"Dan Ortiz", "5726"})
	d2 := p.Dial(t, Party{"이서연", "01055554444"}, Party{"Erin Wu", "5727"})
	alone := h.PBX.Call(t, "Frank Moss", "5728")

	first := runUntil(t, h.Node)
	before := first.Wait(t, "three calls", func(v View) bool {
		return len(v.Calls) == 3 && answered(v, d1, d2, alone)
	})
	first.stop(t)

	second := runUntil(t, h.Restart(t))
	after := second.Wait(t, "the same three calls after a restart", func(v View) bool {
		return v.Snapshots >= 1 && answered(v, d1, d2, alone)
	})
	if len(after.Calls) != 3 {
		t.Errorf("after a restart the node shows %d calls, want the same 3: %v", len(after.Calls), keys(after.Calls))
	}
	for _, id := range []string{d1, d2, alone} {
		b, a := before.Calls[id], after.Calls[id]
		if h.ExactAnswerTimes && !a.AnsweredAt.Equal(b.AnsweredAt) {
			t.Errorf("call %s answered at %v before the restart, %v after", id, b.AnsweredAt, a.AnsweredAt)
		}
		if a.CallerNumber != b.CallerNumber || a.CalleeNumber != b.CalleeNumber || len(a.Legs) != len(b.Legs) {
			t.Errorf("call %s changed across a restart:\n before %+v\n after  %+v", id, b, a)
		}
	}
}

func answered(v View, ids ...string) bool {
	for _, id := range ids {
		c, ok := v.Calls[id]
		if !ok || c.AnsweredAt.IsZero() {
			return false
		}
	}
	return true
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func phoneHoldShows(t *testing.T, h Harness) {
	p := callPBX(t, h)
	rec := start(t, h)
	id := p.Dial(t, Party{"Gina Park", "5730"}, Party{"Hugo Lind", "5731"})
	rec.Wait(t, "call answered", func(v View) bool { return v.Calls[id].State == adapters.CallActive })
	p.PhoneHold(t, id, true)
	rec.Wait(t, "call held", func(v View) bool { return v.Calls[id].State == adapters.CallHeld })
	p.PhoneHold(t, id, false)
	rec.Wait(t, "call active again", func(v View) bool { return v.Calls[id].State == adapters.CallActive })
}

func botEventIsTheBots(t *testing.T, h Harness) {
	p := callPBX(t, h)
	rec := start(t, h)
	id := h.PBX.Call(t, "김민지", "01098765432")
	rec.Wait(t, "call up", func(v View) bool { _, ok := v.Calls[id]; return ok })
	p.BotEvent(t, id, "네, 어느 날짜로 바꿔 드릴까요?")
	v := rec.Wait(t, "the bot's line", func(v View) bool { return len(v.Utterances) > 0 })
	u := v.Utterances[0]
	if u.Speaker != adapters.SpeakerBot || u.Text != "네, 어느 날짜로 바꿔 드릴까요?" || u.CallID != id {
		t.Errorf("bot event became %+v, want the bot's line on call %s", u, id)
	}
}

// burstLeavesNoPhantoms places many calls, puts some into one conference and
// hangs everything up at once: the view must end equal to the PBX's (empty).
func burstLeavesNoPhantoms(t *testing.T, h Harness) {
	p := callPBX(t, h)
	rec := start(t, h)
	const n = 60
	ids := make([]string, 0, n)
	for i := range n {
		if i%2 == 0 {
			ids = append(ids, p.Dial(t, Party{"Burst Caller", "6" + pad(i)}, Party{"Burst Callee", "7" + pad(i)}))
		} else {
			id := h.PBX.Call(t, "Burst Member", "8"+pad(i))
			h.PBX.Join(t, "burst-room", id)
			ids = append(ids, id)
		}
	}
	rec.Wait(t, "every burst call live", func(v View) bool { return len(v.Calls) == n })
	for _, id := range ids {
		h.PBX.Hangup(t, id)
	}
	rec.Wait(t, "nothing left after the burst", func(v View) bool {
		conf, ok := v.Conferences["burst-room"]
		return len(v.Calls) == 0 && len(v.Members) == 0 && (!ok || conf.MemberCount == 0)
	})
}

func pad(i int) string {
	const digits = "0123456789"
	return string([]byte{digits[i/100%10], digits[i/10%10], digits[i%10]})
}

// running is a node run by runUntil, stoppable before the test ends.
type running struct {
	*Recorder
	cancel context.CancelFunc
	done   chan struct{}
}

func runUntil(t *testing.T, n adapters.Node) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{Recorder: NewRecorder(), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		_ = n.Run(ctx, r.Emit)
	}()
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case <-r.done:
	case <-time.After(WaitTimeout):
		t.Error("Run did not return after its context ended")
	}
}
