package live

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
)

// recorder is a Sink that keeps copies of every change.
type recorder struct{ changes []Change }

func (r *recorder) Publish(cs []Change) { r.changes = append(r.changes, cs...) }

// ops renders changes as "op kind key" strings for compact comparisons.
func (r *recorder) ops() []string {
	out := make([]string, len(r.changes))
	for i, c := range r.changes {
		out[i] = fmt.Sprintf("%s %s %s", c.Op, c.Kind, c.Key)
	}
	return out
}

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func call(node, id, state string) adapters.Call {
	return adapters.Call{Node: node, ID: id, State: state, CreatedAt: t0,
		Legs: []adapters.Leg{{UUID: id, Name: "sofia/internal/1000", State: state, CreatedAt: t0}}}
}

func member(node, conf, id string, muted bool) adapters.Member {
	return adapters.Member{Node: node, Conference: conf, ID: id, CallID: "c" + id, Muted: muted, JoinedAt: t0}
}

func TestApplyProducesOps(t *testing.T) {
	conf := adapters.Conference{Node: "fs1", Name: "room", MemberCount: 2, CreatedAt: t0}
	tests := []struct {
		name   string
		events []adapters.Event
		want   []string
	}{
		{"call upsert then identical upsert is a no-op",
			[]adapters.Event{adapters.CallUpdated{Call: call("fs1", "a", "ringing")}, adapters.CallUpdated{Call: call("fs1", "a", "ringing")}},
			[]string{"upsert call fs1/a"}},
		{"call changes then ends",
			[]adapters.Event{adapters.CallUpdated{Call: call("fs1", "a", "ringing")}, adapters.CallUpdated{Call: call("fs1", "a", "active")},
				adapters.CallEnded{Node: "fs1", CallID: "a"}, adapters.CallEnded{Node: "fs1", CallID: "a"}},
			[]string{"upsert call fs1/a", "upsert call fs1/a", "remove call fs1/a"}},
		{"conference end removes members first",
			[]adapters.Event{adapters.ConferenceUpdated{Conference: conf}, adapters.MemberUpdated{Member: member("fs1", "room", "2", false)},
				adapters.MemberUpdated{Member: member("fs1", "room", "1", false)}, adapters.ConferenceEnded{Node: "fs1", Name: "room"}},
			[]string{"upsert conference fs1/room", "upsert member fs1/room/2", "upsert member fs1/room/1",
				"remove member fs1/room/1", "remove member fs1/room/2", "remove conference fs1/room"}},
		{"member left and unknown member left",
			[]adapters.Event{adapters.MemberUpdated{Member: member("fs1", "room", "1", false)}, adapters.MemberUpdated{Member: member("fs1", "room", "1", true)},
				adapters.MemberLeft{Node: "fs1", Conference: "room", MemberID: "1"}, adapters.MemberLeft{Node: "fs1", Conference: "room", MemberID: "9"}},
			[]string{"upsert member fs1/room/1", "upsert member fs1/room/1", "remove member fs1/room/1"}},
		{"status change keeps actions, same status is a no-op",
			[]adapters.Event{adapters.StatusChanged{Status: adapters.NodeStatus{Node: "fs1", Kind: adapters.KindFreeSWITCH, State: "up", Since: t0}},
				adapters.StatusChanged{Status: adapters.NodeStatus{Node: "fs1", Kind: adapters.KindFreeSWITCH, State: "up", Since: t0}}},
			[]string{"upsert node fs1"}},
		{"snapshot replaces only its node",
			[]adapters.Event{
				adapters.CallUpdated{Call: call("fs1", "gone", "active")}, adapters.CallUpdated{Call: call("fs1", "same", "active")},
				adapters.CallUpdated{Call: call("fs1", "changed", "ringing")}, adapters.CallUpdated{Call: call("fs2", "other", "active")},
				adapters.ConferenceUpdated{Conference: conf}, adapters.MemberUpdated{Member: member("fs1", "room", "1", false)},
				adapters.Snapshot{Node: "fs1", Calls: []adapters.Call{call("fs1", "same", "active"), call("fs1", "changed", "active"), call("fs1", "new", "ringing")}},
			},
			[]string{"upsert call fs1/gone", "upsert call fs1/same", "upsert call fs1/changed", "upsert call fs2/other",
				"upsert conference fs1/room", "upsert member fs1/room/1",
				"remove member fs1/room/1", "remove conference fs1/room", "remove call fs1/gone",
				"upsert call fs1/changed", "upsert call fs1/new"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			s := New(Options{Sink: rec, Nodes: []NodeInfo{{ID: "fs1", Kind: adapters.KindFreeSWITCH, Actions: []adapters.ActionKind{adapters.ActMute}}}})
			for _, ev := range tc.events {
				s.Apply(ev)
			}
			if got := rec.ops(); !slices.Equal(got, tc.want) {
				t.Fatalf("ops\n got %q\nwant %q", got, tc.want)
			}
			for i, c := range rec.changes {
				if c.Seq != uint64(i+1) {
					t.Fatalf("change %d has seq %d, want %d", i, c.Seq, i+1)
				}
				if (c.Op == OpUpsert) != (c.Value != nil) {
					t.Fatalf("change %d: op %s with value %v", i, c.Op, c.Value)
				}
			}
			if n, _ := (&View{s: s}).Node("fs1"); len(n.Actions) != 1 {
				t.Fatalf("node fs1 lost its actions: %+v", n)
			}
		})
	}
}

func TestTimesAreStoredInUTC(t *testing.T) {
	s := New(Options{})
	loc := time.FixedZone("X", 3600)
	c := call("fs1", "a", "active")
	c.CreatedAt = t0.In(loc)
	c.Legs[0].CreatedAt = t0.In(loc)
	s.Apply(adapters.CallUpdated{Call: c})
	got := s.calls["fs1/a"]
	if got.CreatedAt.Location() != time.UTC || got.Legs[0].CreatedAt.Location() != time.UTC {
		t.Fatalf("times not UTC: %v %v", got.CreatedAt, got.Legs[0].CreatedAt)
	}
	c.Legs[0].Name = "mutated by adapter"
	if got.Legs[0].Name == "mutated by adapter" {
		t.Fatal("stored call shares its legs with the event")
	}
}

func TestQueryIsOrderedAfterEmittedEvents(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s := New(Options{})
	runDone := make(chan error, 1)
	go func() { runDone <- s.Run(ctx) }()
	for i := range 100 {
		s.Emit(ctx, adapters.CallUpdated{Call: call("fs1", fmt.Sprint(i), "active")})
	}
	// Emit queues; keep querying until the owner goroutine has applied all.
	var snap *Snapshot
	for snap == nil || snap.Seq < 100 {
		if err := s.Query(ctx, func(v *View) { snap = v.Snapshot() }); err != nil {
			t.Fatal(err)
		}
	}
	snap.Sort()
	if len(snap.Calls) != 100 || snap.Calls[0].ID != "0" || snap.Calls[1].ID != "1" {
		t.Fatalf("snapshot has %d calls, first %q", len(snap.Calls), snap.Calls[0].ID)
	}
	cancel()
	if err := <-runDone; err != nil {
		t.Fatal(err)
	}
	if err := s.Query(context.Background(), func(*View) {}); err != ErrStopped {
		t.Fatalf("query after stop: %v, want ErrStopped", err)
	}
}
