package freeswitch

import (
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/percipia/eslgo"
)

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

func newTestMapper() *mapper {
	return newMapper("fs1", effectiveRules(nil, DefaultSTTSubclasses), DefaultBotPromptVariable, quietLog)
}

// feed applies events in order and returns everything emitted; after is
// called after each event with its Event-Sequence.
func feed(p *mapper, evs []*eslgo.Event, after func(seq uint64)) []adapters.Event {
	var out []adapters.Event
	for _, ev := range evs {
		out = append(out, p.apply(ev)...)
		if after != nil {
			seq, _ := eventSeq(ev)
			after(seq)
		}
	}
	return out
}

const (
	aliceA = "b7c9c3d2-e6fc-4c8d-bdc7-9de40e2b9d08"
	aliceB = "d916f270-c9ed-473d-bb25-5c4691b3ae37"
	bobB   = "59d0baec-671e-49dc-a6b2-fd4861595aac"
	danA   = "63b7aba5-8391-4a0d-b51f-d36b0348ab2c"
	daveA  = "bb301191-738c-409e-b4cc-b1980b450266"
	erinA  = "12ad8333-67a7-4cfa-94b3-0f5ac9cdc112"
)

func TestTraceConferenceScenario(t *testing.T) {
	for _, file := range []string{"events-plain-subset.raw", "events-plain.raw"} {
		t.Run(file, func(t *testing.T) {
			p := newTestMapper()
			var atLock adapters.Snapshot
			out := feed(p, traceEvents(t, file), func(seq uint64) {
				if seq == 779 { // Action: lock
					atLock = p.m.snapshot()
				}
			})

			// Members 1-4 with their real caller ids; Dan's member is an
			// originated A leg whose caller id FreeSWITCH flipped.
			names := map[string]string{}
			var bobMuted, bobDeaf []bool
			var left []adapters.MemberLeft
			var locks []bool
			for _, e := range out {
				switch e := e.(type) {
				case adapters.MemberUpdated:
					names[e.Member.ID] = e.Member.CallerName + "/" + e.Member.CallerNumber
					if e.Member.ID == "2" {
						if n := len(bobMuted); n == 0 || bobMuted[n-1] != e.Member.Muted {
							bobMuted = append(bobMuted, e.Member.Muted)
						}
						if n := len(bobDeaf); n == 0 || bobDeaf[n-1] != e.Member.Deaf {
							bobDeaf = append(bobDeaf, e.Member.Deaf)
						}
					}
				case adapters.MemberLeft:
					left = append(left, e)
				case adapters.ConferenceUpdated:
					if n := len(locks); n == 0 || locks[n-1] != e.Conference.Locked {
						locks = append(locks, e.Conference.Locked)
					}
				}
			}
			want := map[string]string{"1": "Alice/5723", "2": "Bob/5724", "3": "Carol/5725", "4": "Dan/5727"}
			for id, w := range want {
				if names[id] != w {
					t.Errorf("member %s = %q, want %q", id, names[id], w)
				}
			}
			// mute, unmute, tmute, tmute, mute all, unmute all
			if w := []bool{false, true, false, true, false, true, false}; !slices.Equal(bobMuted, w) {
				t.Errorf("Bob muted transitions = %v, want %v", bobMuted, w)
			}
			if w := []bool{false, true, false}; !slices.Equal(bobDeaf, w) {
				t.Errorf("Bob deaf transitions = %v, want %v", bobDeaf, w)
			}
			if w := []bool{false, true, false}; !slices.Equal(locks, w) {
				t.Errorf("lock transitions = %v, want %v", locks, w)
			}
			wantLeft := []adapters.MemberLeft{
				{Node: "fs1", Conference: "room1001", MemberID: "3", Reason: adapters.LeftKicked},
				{Node: "fs1", Conference: "room1001", MemberID: "4", Reason: adapters.LeftHangup},
			}
			if len(left) < 2 || !slices.Equal(left[:2], wantLeft) {
				t.Errorf("first departures = %+v, want %+v", left, wantLeft)
			}

			// Mid-scenario state: four members, Alice's loopback legs form one
			// call that is in the conference.
			if len(atLock.Members) != 4 || len(atLock.Conferences) != 1 || !atLock.Conferences[0].Locked ||
				atLock.Conferences[0].MemberCount != 4 {
				t.Fatalf("state at lock: %d members, conferences %+v", len(atLock.Members), atLock.Conferences)
			}
			alice := findCall(atLock.Calls, aliceA)
			if alice == nil {
				t.Fatalf("no call %s at lock; calls %v", aliceA, callIDs(atLock.Calls))
			}
			if got := legUUIDs(alice); !slices.Equal(got, []string{aliceA, aliceB}) {
				t.Errorf("Alice's call legs = %v", got)
			}
			if alice.CallerName != "Alice" || alice.CallerNumber != "5723" || alice.Conference != "room1001" ||
				alice.State != adapters.CallActive || alice.AnsweredAt.IsZero() || alice.Direction != "outbound" {
				t.Errorf("Alice's call = %+v", *alice)
			}
			for _, mem := range atLock.Members {
				if mem.ID == "1" && mem.CallID != aliceA {
					t.Errorf("Alice's member call id = %s, want %s", mem.CallID, aliceA)
				}
			}
			erin := findCall(atLock.Calls, erinA)
			if erin == nil || len(erin.Legs) != 4 || erin.CallerName != "Erin" {
				t.Errorf("Erin's bridged call = %+v", erin)
			}
			if n := len(atLock.Calls); n != 6 {
				t.Errorf("calls at lock = %d (%v), want 6", n, callIDs(atLock.Calls))
			}

			// STT: the parked-channel sendevent (no Event-Name), the unknown
			// uuid and both Lua fires arrive; the one without Unique-ID has no call.
			var utts []adapters.Utterance
			for _, e := range out {
				if u, ok := e.(adapters.UtteranceAdded); ok {
					utts = append(utts, u.Utterance)
				}
			}
			if len(utts) != 4 {
				t.Fatalf("utterances = %d (%+v), want 4", len(utts), utts)
			}
			wantCalls := []string{daveA, "4b3ff427-2bee-489e-972f-b0863579354a", aliceA, daveA}
			for i, u := range utts {
				if u.Text != "안녕하세요" || u.StartMs != 41120 || u.EndMs != 52480 || u.Vendor != "mindslab" ||
					!u.Final || u.Speaker != adapters.SpeakerCaller || u.CallID != wantCalls[i] || u.At.IsZero() {
					t.Errorf("utterance %d = %+v (want call %s)", i, u, wantCalls[i])
				}
			}
			if want := time.UnixMicro(1795348882392451).UTC(); !utts[2].At.Equal(want) {
				t.Errorf("Lua utterance at %v, want %v", utts[2].At, want)
			}

			// After hupall everything is gone, each call ended exactly once.
			end := p.m.snapshot()
			if len(end.Calls)+len(end.Conferences)+len(end.Members) != 0 {
				t.Errorf("left over after hupall: %+v", end)
			}
			ended := map[string]int{}
			for _, e := range out {
				if c, ok := e.(adapters.CallEnded); ok {
					ended[c.CallID]++
				}
			}
			for id, n := range ended {
				if n != 1 {
					t.Errorf("call %s ended %d times", id, n)
				}
			}
			if ended[erinA] != 1 || ended[aliceA] != 1 {
				t.Errorf("ended calls %v", ended)
			}
		})
	}
}

func TestTraceKoreanCallerID(t *testing.T) {
	p := newTestMapper()
	var mid adapters.Snapshot
	feed(p, traceEvents(t, "events-plain-korean-cid.raw"), func(seq uint64) {
		if seq == 482 {
			mid = p.m.snapshot()
		}
	})
	if len(mid.Calls) != 1 || mid.Calls[0].CallerName != "홍길동" || len(mid.Calls[0].Legs) != 2 {
		t.Fatalf("calls = %+v", mid.Calls)
	}
	if len(mid.Members) != 1 || mid.Members[0].CallerName != "홍길동" || !mid.Members[0].Talking || !mid.Members[0].Floor {
		t.Fatalf("members = %+v", mid.Members)
	}
}

// The json capture delivers the payload as a body: eslgo cannot read it,
// which is why the adapter subscribes plain. Such events must be ignored.
func TestTraceJSONEventsAreIgnored(t *testing.T) {
	p := newTestMapper()
	ev := &eslgo.Event{Headers: map[string][]string{}, Body: []byte(`{"Event-Name":"CHANNEL_CREATE"}`)}
	if out := p.apply(ev); len(out) != 0 {
		t.Fatalf("emitted %+v", out)
	}
}

func findCall(calls []adapters.Call, id string) *adapters.Call {
	for i := range calls {
		if calls[i].ID == id {
			return &calls[i]
		}
	}
	return nil
}

func callIDs(calls []adapters.Call) []string {
	var ids []string
	for _, c := range calls {
		ids = append(ids, c.ID)
	}
	return ids
}

func legUUIDs(c *adapters.Call) []string {
	var u []string
	for _, l := range c.Legs {
		u = append(u, l.UUID)
	}
	return u
}
