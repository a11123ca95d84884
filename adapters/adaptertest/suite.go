package adaptertest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
)

// PBX drives an adapter's fake in domain terms. Ids are the ones the adapter
// reports (Call.ID, Member.ID).
type PBX interface {
	// Call places a new answered call from a caller and returns its call id.
	Call(t testing.TB, name, number string) string
	// Hangup ends a call.
	Hangup(t testing.TB, callID string)
	// Join puts a call into a conference (creating it) and returns the member id.
	Join(t testing.TB, conf, callID string) string
	// Talk starts or stops a member talking.
	Talk(t testing.TB, conf, memberID string, talking bool)
	// Say makes the caller say a final transcript line.
	Say(t testing.TB, callID, text string)
	// BotSay makes the call's bot play a prompt with this text.
	BotSay(t testing.TB, callID, text string)
	// ExpectAction fails the test unless the fake received a, in its native
	// form (an exact ESL command line, an exact ARI method and path).
	ExpectAction(t testing.TB, a adapters.Action)
	// Offline cuts every connection to the adapter and runs change while it
	// is disconnected, so the events of change are lost to the adapter.
	Offline(t testing.TB, change func())
}

// Harness is one adapter wired to a fresh fake.
type Harness struct {
	Node  adapters.Node
	PBX   PBX
	Media string // a media name in the node's allowlist
	// Restart returns a second node with the same config against the same
	// fake: a callboard restarted while calls are up.
	Restart func(t *testing.T) adapters.Node
	// ExactAnswerTimes: the PBX's snapshot tells when a call was answered, so
	// a restart must recover the very same time (FreeSWITCH does; ARI's
	// channel model has no answer time).
	ExactAnswerTimes bool
}

// Factory returns a fresh harness; the node is not running yet.
type Factory func(t *testing.T) Harness

// Run runs every conformance scenario against harnesses from newHarness.
func Run(t *testing.T, newHarness Factory) {
	t.Run("SnapshotOnConnect", func(t *testing.T) { snapshotOnConnect(t, newHarness(t)) })
	t.Run("JoinTalkMuteKickLeave", func(t *testing.T) { joinTalkMuteKickLeave(t, newHarness(t)) })
	t.Run("Transcript", func(t *testing.T) { transcript(t, newHarness(t)) })
	t.Run("ActionsReachPBX", func(t *testing.T) { actionsReachPBX(t, newHarness(t)) })
	t.Run("InvalidIdentifiersRejected", func(t *testing.T) { invalidIdentifiers(t, newHarness(t)) })
	t.Run("ResyncAfterLostEvents", func(t *testing.T) { resyncAfterLostEvents(t, newHarness(t)) })
	callCases(t, newHarness)
	superviseCases(t, newHarness)
	queueCases(t, newHarness)
}

// start runs the node until the test ends and waits for its first snapshot.
func start(t *testing.T, h Harness) *Recorder {
	t.Helper()
	rec := NewRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = h.Node.Run(ctx, rec.Emit)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(WaitTimeout):
			t.Error("Run did not return after its context ended")
		}
	})
	rec.Wait(t, "first snapshot", func(v View) bool { return v.Snapshots >= 1 && v.Status.State == adapters.StateUp })
	return rec
}

func do(t *testing.T, h Harness, a adapters.Action) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), WaitTimeout)
	defer cancel()
	reply, err := h.Node.Do(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", a.Kind(), err)
	}
	return reply
}

func memberWhere(conf, id string, cond func(adapters.Member) bool) func(View) bool {
	return func(v View) bool {
		m, ok := v.Member(conf, id)
		return ok && cond(m)
	}
}

func snapshotOnConnect(t *testing.T, h Harness) {
	alone := h.PBX.Call(t, "Alice Moreau", "5723")
	inConf := h.PBX.Call(t, "홍길동", "01012345678")
	member := h.PBX.Join(t, "snap-room", inConf)

	rec := start(t, h)
	v := rec.Wait(t, "calls and member in the first snapshot", func(v View) bool {
		_, a := v.Calls[alone]
		_, b := v.Calls[inConf]
		_, ok := v.Member("snap-room", member)
		return a && b && ok
	})
	// A member found by the snapshot must report talking like any other
	// (ARI only sends talking events once callboard has set TALK_DETECT).
	h.PBX.Talk(t, "snap-room", member, true)
	rec.Wait(t, "snapshot member talking", memberWhere("snap-room", member, func(m adapters.Member) bool { return m.Talking }))
	if c := v.Calls[alone]; c.CallerNumber != "5723" || c.CallerName != "Alice Moreau" || c.Node != h.Node.ID() {
		t.Errorf("call from snapshot = %+v", c)
	}
	if m, _ := v.Member("snap-room", member); m.CallerName != "홍길동" || m.Muted || m.Deaf {
		t.Errorf("member from snapshot = %+v", m)
	}
	if conf, ok := v.Conferences["snap-room"]; !ok || conf.MemberCount != 1 {
		t.Errorf("conference from snapshot = %+v (present %v)", conf, ok)
	}
}

func joinTalkMuteKickLeave(t *testing.T, h Harness) {
	rec := start(t, h)
	c1 := h.PBX.Call(t, "Bob Tanaka", "5724")
	c2 := h.PBX.Call(t, "김민지", "01098765432")
	m1 := h.PBX.Join(t, "room-a", c1)
	m2 := h.PBX.Join(t, "room-a", c2)
	rec.Wait(t, "two members joined", func(v View) bool {
		_, a := v.Member("room-a", m1)
		_, b := v.Member("room-a", m2)
		return a && b && v.Conferences["room-a"].MemberCount == 2
	})

	h.PBX.Talk(t, "room-a", m1, true)
	rec.Wait(t, "member talking", memberWhere("room-a", m1, func(m adapters.Member) bool { return m.Talking }))
	h.PBX.Talk(t, "room-a", m1, false)
	rec.Wait(t, "member stopped talking", memberWhere("room-a", m1, func(m adapters.Member) bool { return !m.Talking }))

	do(t, h, adapters.MuteMember{Conference: "room-a", Member: m1, Muted: true})
	rec.Wait(t, "member muted", memberWhere("room-a", m1, func(m adapters.Member) bool { return m.Muted }))
	do(t, h, adapters.MuteMember{Conference: "room-a", Member: m1, Muted: false})
	rec.Wait(t, "member unmuted", memberWhere("room-a", m1, func(m adapters.Member) bool { return !m.Muted }))
	do(t, h, adapters.DeafMember{Conference: "room-a", Member: m2, Deaf: true})
	rec.Wait(t, "member deaf", memberWhere("room-a", m2, func(m adapters.Member) bool { return m.Deaf }))

	do(t, h, adapters.KickMember{Conference: "room-a", Member: m1})
	rec.Wait(t, "kicked member gone", func(v View) bool {
		_, ok := v.Member("room-a", m1)
		return !ok
	})

	h.PBX.Hangup(t, c2)
	// FreeSWITCH destroys an empty conference; an ARI bridge outlives its
	// members. Either way nobody may be left in it.
	rec.Wait(t, "last member left and its call ended", func(v View) bool {
		_, m := v.Member("room-a", m2)
		_, c := v.Calls[c2]
		conf, ok := v.Conferences["room-a"]
		return !m && !c && (!ok || conf.MemberCount == 0)
	})
}

func transcript(t *testing.T, h Harness) {
	rec := start(t, h)
	call := h.PBX.Call(t, "이서연", "01055554444")
	rec.Wait(t, "call up", func(v View) bool { _, ok := v.Calls[call]; return ok })
	h.PBX.Say(t, call, "안녕하세요, 예약을 변경하고 싶어요")
	h.PBX.BotSay(t, call, "Sure, which date would you like?")
	v := rec.Wait(t, "caller and bot lines", func(v View) bool {
		var caller, bot bool
		for _, u := range v.Utterances {
			caller = caller || (u.Speaker == adapters.SpeakerCaller && u.Final && u.Text == "안녕하세요, 예약을 변경하고 싶어요")
			bot = bot || (u.Speaker == adapters.SpeakerBot && u.Text == "Sure, which date would you like?")
		}
		return caller && bot
	})
	for _, u := range v.Utterances {
		if u.CallID != call || u.Node != h.Node.ID() || u.At.IsZero() {
			t.Errorf("utterance not tied to its call and node, or without time: %+v", u)
		}
	}
}

func actionsReachPBX(t *testing.T, h Harness) {
	rec := start(t, h)
	c1 := h.PBX.Call(t, "Carol", "5725")
	c2 := h.PBX.Call(t, "Dan", "5727")
	m1 := h.PBX.Join(t, "room-b", c1)
	rec.Wait(t, "member joined", func(v View) bool { _, ok := v.Member("room-b", m1); return ok })

	supported := h.Node.Actions()
	actions := []adapters.Action{
		adapters.MuteMember{Conference: "room-b", Member: m1, Muted: true},
		adapters.MuteMember{Conference: "room-b", Member: m1},
		adapters.DeafMember{Conference: "room-b", Member: m1, Deaf: true},
		adapters.DeafMember{Conference: "room-b", Member: m1},
		adapters.PlayToMember{Conference: "room-b", Member: m1, Media: h.Media},
		adapters.PlayToConference{Conference: "room-b", Media: h.Media},
		adapters.LockConference{Conference: "room-b", Locked: true},
		adapters.LockConference{Conference: "room-b"},
		adapters.MusicOnHold{Conference: "room-b", On: true},
		adapters.MusicOnHold{Conference: "room-b"},
		adapters.KickMember{Conference: "room-b", Member: m1},
		adapters.HangupCall{Call: c2},
	}
	for _, a := range actions {
		if !slices.Contains(supported, a.Kind()) {
			if err := h.Node.Validate(a); !errors.Is(err, adapters.ErrUnsupported) {
				t.Errorf("%s is not in Actions() but Validate = %v, want ErrUnsupported", a.Kind(), err)
			}
			continue
		}
		do(t, h, a)
		h.PBX.ExpectAction(t, a)
	}
}

func invalidIdentifiers(t *testing.T, h Harness) {
	bad := []string{"", "a b", "a\nb", "a\r\nhupall", "x;y", "x&y", "x|y", "../x", "a/b", "a?b", "a%2Fb",
		"r\u043eom", "１２", string(make([]byte, 300))}
	for _, s := range bad {
		for _, a := range []adapters.Action{
			adapters.MuteMember{Conference: s, Member: "1", Muted: true},
			adapters.MuteMember{Conference: "room", Member: s, Muted: true},
			adapters.KickMember{Conference: s, Member: "1"},
			adapters.PlayToConference{Conference: "room", Media: s},
			adapters.HangupCall{Call: s},
		} {
			err := h.Node.Validate(a)
			if !errors.Is(err, adapters.ErrInvalid) && !errors.Is(err, adapters.ErrUnsupported) {
				t.Errorf("Validate(%#v) = %v, want ErrInvalid", a, err)
			}
			if _, err := h.Node.Do(context.Background(), a); err == nil {
				t.Errorf("Do(%#v) succeeded", a)
			}
		}
	}
}

func resyncAfterLostEvents(t *testing.T, h Harness) {
	rec := start(t, h)
	gone := h.PBX.Call(t, "Erin", "5900")
	stays := h.PBX.Call(t, "Frank", "5901")
	rec.Wait(t, "both calls", func(v View) bool {
		_, a := v.Calls[gone]
		_, b := v.Calls[stays]
		return a && b
	})
	snaps := rec.View().Snapshots
	var fresh string
	h.PBX.Offline(t, func() {
		h.PBX.Hangup(t, gone)
		fresh = h.PBX.Call(t, "Greg", "5726")
	})
	v := rec.Wait(t, "a new snapshot equal to the PBX's view", func(v View) bool {
		_, g := v.Calls[gone]
		_, s := v.Calls[stays]
		_, f := v.Calls[fresh]
		return v.Snapshots > snaps && v.Status.State == adapters.StateUp && !g && s && f
	})
	var sawDown bool
	for _, e := range v.Events {
		if s, ok := e.(adapters.StatusChanged); ok && s.Status.State != adapters.StateUp {
			sawDown = true
		}
	}
	if !sawDown {
		t.Error("the node never reported itself down while disconnected")
	}
}
