package asterisk

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/CyCoreSystems/ari/v6"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/adaptertest"
)

// The traces under testdata/call-control are copied from the call-control
// captures of Asterisk 22.10.1 (events.jsonl and rest.jsonl per scenario).

// replay feeds a scenario's events through a fresh state and records the
// resulting domain events; each step's view is passed to check.
func replay(t *testing.T, scenario string, st *state, check func(ev ari.Event, v adaptertest.View)) *adaptertest.Recorder {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata/call-control", scenario, "events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rec := adaptertest.NewRecorder()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line struct{ Event json.RawMessage }
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		ev, err := ari.DecodeEvent(line.Event)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		for _, e := range st.apply(ev).events {
			rec.Emit(e)
		}
		if check != nil {
			check(ev, rec.View())
		}
	}
	return rec
}

// restSnapshot reads the GET /channels and /bridges replies at or after t.
func restSnapshot(t *testing.T, scenario string, at int) ([]ari.ChannelData, []ari.BridgeData) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata/call-control", scenario, "rest.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var chans []ari.ChannelData
	var bridges []ari.BridgeData
	var gotC, gotB bool
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct {
			T      int
			Method string
			Path   string
			Body   json.RawMessage
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if r.T < at || r.Method != "GET" {
			continue
		}
		switch {
		case r.Path == "/ari/channels" && !gotC:
			gotC = json.Unmarshal(r.Body, &chans) == nil
		case r.Path == "/ari/bridges" && !gotB:
			gotB = json.Unmarshal(r.Body, &bridges) == nil
		}
	}
	if !gotC || !gotB {
		t.Fatalf("%s: no GET /channels and /bridges after t=%d", scenario, at)
	}
	return chans, bridges
}

// TestDialIsOneCall: a Dial() through Local chains (a1, a2) is one call
// from the first channel to the end, with the dialled extension as callee,
// never a conference; and a snapshot taken mid-call groups it the same way.
func TestDialIsOneCall(t *testing.T) {
	for _, sc := range []string{"a1-dial-hangup-caller", "a2-dial-hangup-callee"} {
		t.Run(sc, func(t *testing.T) {
			st := newState("ast1")
			maxLegs := 0
			rec := replay(t, sc, st, func(_ ari.Event, v adaptertest.View) {
				if len(v.Conferences) != 0 {
					t.Fatalf("a Dial bridge became a conference: %+v", v.Conferences)
				}
				for _, c := range v.Calls {
					maxLegs = max(maxLegs, len(c.Legs))
				}
			})
			v := rec.View()
			ids := map[string]bool{}
			for _, e := range v.Events {
				switch e := e.(type) {
				case adapters.CallUpdated:
					ids[e.Call.ID] = true
					if e.Call.CallerName != "Pat Dialer" || e.Call.CallerNumber != "3100" || e.Call.CalleeNumber != "dial" {
						t.Errorf("call reads %q <%s> -> %q <%s>, want Pat Dialer <3100> -> the dialled extension dial",
							e.Call.CallerName, e.Call.CallerNumber, e.Call.CalleeName, e.Call.CalleeNumber)
					}
				case adapters.CallEnded:
					if !ids[e.CallID] {
						t.Errorf("end of %s, a call never shown", e.CallID)
					}
				}
			}
			if len(ids) != 1 || maxLegs != 4 || len(v.Calls) != 0 {
				t.Errorf("calls seen %v (want one), most legs %d (want 4), left %d (want 0)", ids, maxLegs, len(v.Calls))
			}

			// A callboard started mid-call: the snapshot names the same call.
			snapState := newState("ast1")
			chans, bridges := restSnapshot(t, sc, 1000)
			snap, _ := snapState.reset(chans, bridges, time.Now(), nil)
			if len(snap.Calls) != 1 || len(snap.Conferences) != 0 {
				t.Fatalf("snapshot: %d calls, %d conferences, want 1 and 0: %+v", len(snap.Calls), len(snap.Conferences), snap)
			}
			c := snap.Calls[0]
			if !ids[c.ID] || len(c.Legs) != 4 || c.CalleeNumber != "dial" || c.AnsweredAt.IsZero() || c.State != adapters.CallActive {
				t.Errorf("snapshot call %+v, want id in %v, 4 legs, callee dial, answered", c, ids)
			}
		})
	}
}

// TestFeatureHoldShows: b2's ChannelHold/ChannelUnhold (a DTMF feature on
// the dialling channel) hold and release the call.
func TestFeatureHoldShows(t *testing.T) {
	st := newState("ast1")
	var held, unheld bool
	replay(t, "b2-hold-bridge-feature", st, func(ev ari.Event, v adaptertest.View) {
		switch ev.(type) {
		case *ari.ChannelHold:
			held = len(v.Calls) == 1 && first(v).State == adapters.CallHeld
		case *ari.ChannelUnhold:
			unheld = len(v.Calls) == 1 && first(v).State == adapters.CallActive
		}
	})
	if !held || !unheld {
		t.Errorf("held shown %v, unheld shown %v", held, unheld)
	}
}

func first(v adaptertest.View) adapters.Call {
	for _, c := range v.Calls {
		return c
	}
	return adapters.Call{}
}

// TestConfBridgeIsAConference: g1's ConfBridge room is a conference whose
// members are three calls, each person once.
func TestConfBridgeIsAConference(t *testing.T) {
	st := newState("ast1")
	most := 0
	replay(t, "g1-confbridge", st, func(_ ari.Event, v adaptertest.View) {
		if c, ok := v.Conferences["conf3001"]; ok {
			most = max(most, c.MemberCount)
		}
		seen := map[string]bool{}
		for _, m := range v.Members {
			if seen[m.CallID] {
				t.Fatalf("call %s is two members at once: %+v", m.CallID, v.Members)
			}
			seen[m.CallID] = true
		}
		for _, c := range v.Calls {
			if c.CallerNumber != "" && c.CallerNumber == c.CalleeNumber {
				t.Fatalf("a caller calling themselves: %+v", c)
			}
		}
	})
	if most != 3 {
		t.Errorf("conf3001 had at most %d members, want 3", most)
	}
	chans, bridges := restSnapshot(t, "g1-confbridge", 4000)
	snap, _ := newState("ast1").reset(chans, bridges, time.Now(), nil)
	if len(snap.Conferences) != 1 || snap.Conferences[0].Name != "conf3001" || len(snap.Members) != 3 || len(snap.Calls) != 3 {
		t.Errorf("snapshot: %+v", snap)
	}
}

// TestLateEventDoesNotResurrect: c1 has a ChannelDialplan after the
// channel's ChannelDestroyed; nothing may be left afterwards.
func TestLateEventDoesNotResurrect(t *testing.T) {
	st := newState("ast1")
	v := replay(t, "c1-continue", st, nil).View()
	if len(v.Calls) != 0 || len(st.channels) != 0 {
		t.Errorf("after c1 %d calls and %d channels remain: %+v", len(v.Calls), len(st.channels), v.Calls)
	}
}

// TestOwnHoldIsRecorded: ARI answers POST /channels/{id}/hold with 204 and
// no event (b1); callboard records its own hold like its own mute.
func TestOwnHoldIsRecorded(t *testing.T) {
	st := newState("ast1")
	replay(t, "a1-dial-hangup-caller", st, func(ev ari.Event, v adaptertest.View) {
		if d, ok := ev.(*ari.Dial); !ok || d.Caller.ID != "" || d.Dialstatus != "ANSWER" || len(v.Calls) != 1 {
			return // wait for the answered call
		}
		if evs := st.markHold("1796055402.250", true); len(evs) != 1 || evs[0].(adapters.CallUpdated).Call.State != adapters.CallHeld {
			t.Fatalf("hold recorded as %+v", evs)
		}
		if evs := st.markHold("1796055402.250", false); len(evs) != 1 || evs[0].(adapters.CallUpdated).Call.State != adapters.CallActive {
			t.Fatalf("unhold recorded as %+v", evs)
		}
	})
}

// TestConferenceRuleIsPerNode: a node whose rule counts every mixing
// bridge (even Dial's unnamed basic one) as a conference shows a1's bridge
// as one; the default does not (TestDialIsOneCall).
func TestConferenceRuleIsPerNode(t *testing.T) {
	rule, err := ConferenceBridges{Classes: []string{"basic", "stasis", "base"}, Names: []string{"*"}}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	st := newState("ast1")
	st.rule = rule
	most := 0
	replay(t, "a1-dial-hangup-caller", st, func(_ ari.Event, v adaptertest.View) {
		most = max(most, len(v.Conferences))
	})
	if most != 1 {
		t.Errorf("conferences seen: %d, want the Dial bridge as one", most)
	}
	if _, err := (ConferenceBridges{Names: []string{"["}}).withDefaults(); err == nil {
		t.Error("a bad name pattern was accepted")
	}
}
