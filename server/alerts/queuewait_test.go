package alerts

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/internal/testutil"
	"github.com/callboard/callboard/server/bus"
	"github.com/callboard/callboard/server/live"
)

// clock is a settable time for the engine.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) set(t time.Time)         { c.ns.Store(t.UnixNano()) }
func newClock(t time.Time) *clock        { c := &clock{}; c.set(t); return c }
func (c *clock) advance(d time.Duration) { c.set(c.now().Add(d)) }

// firedLog collects notified alerts.
type firedLog struct {
	mu  sync.Mutex
	all []Fired
}

func (f *firedLog) add(x Fired) { f.mu.Lock(); f.all = append(f.all, x); f.mu.Unlock() }

func (f *firedLog) list() []Fired {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Fired(nil), f.all...)
}

func (f *firedLog) has(pred func(Fired) bool) bool {
	for _, x := range f.list() {
		if pred(x) {
			return true
		}
	}
	return false
}

// A caller who just waits produces no events: the queue_wait rule fires on
// the engine's clock from the queue.member_joined the bus names for the
// adapters' QueueMemberUpdated, once per caller; a caller answered in time
// never fires, and a caller found waiting by a snapshot (a reconnect or a
// restart) is tracked from the PBX's join time.
func TestQueueWaitFiresForACallerWhoJustWaits(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	clk := newClock(t0)
	db := openDB(t, t.TempDir())
	defer db.Close()
	tap := bus.NewTap(clk.now)
	st := live.New(live.Options{Nodes: []live.NodeInfo{{ID: "fs1", Kind: adapters.KindFreeSWITCH}}, Observer: tap, Now: clk.now})
	var got firedLog
	s, stop := start(t, db, tap, Options{Now: clk.now, TickInterval: 5 * time.Millisecond, Notify: got.add})
	defer stop()
	if err := s.Seed(context.Background(), nil, []SeedRule{
		{Name: "long wait", Kind: KindQueueWait, Severity: "warning", Threshold: 30},
		{Name: "marker", Kind: KindTranscript, Severity: "info", Pattern: "marker"},
	}); err != nil {
		t.Fatal(err)
	}
	// marker publishes a transcript line and waits for its alert: the
	// engine reads the bus in order, so every earlier event is then applied.
	markers := 0
	marker := func() {
		markers++
		utter(tap, adapters.SpeakerCaller, "marker")
		n := markers
		testutil.Eventually(t, "the marker alert", func() bool {
			c := 0
			for _, f := range got.list() {
				if f.Rule == "marker" {
					c++
				}
			}
			return c == n
		})
	}
	member := func(id, call string, joined time.Time) adapters.QueueMember {
		return adapters.QueueMember{Node: "fs1", Queue: "support@default", ID: id, CallID: call, CallerNumber: "100" + id,
			CallerName: "Caller " + id, State: adapters.QueueMemberWaiting, Position: 1, JoinedAt: joined}
	}
	st.Apply(adapters.StatusChanged{Status: adapters.NodeStatus{Node: "fs1", Kind: adapters.KindFreeSWITCH, State: adapters.StateUp, Since: t0}})
	m1 := member("m1", "c1", t0)
	m2 := member("m2", "c2", t0.Add(-20*time.Second)) // answered after 25 s: in time
	st.Apply(adapters.QueueMemberUpdated{Member: m1})
	st.Apply(adapters.QueueMemberUpdated{Member: m2})
	marker()
	clk.advance(5 * time.Second)
	m2.State, m2.Agent, m2.AnsweredAt, m2.Position = adapters.QueueMemberAnswered, "agent1", clk.now(), 0
	st.Apply(adapters.QueueMemberUpdated{Member: m2})
	marker()

	// m1 has waited 31 s with nothing happening: it fires, once.
	clk.advance(26 * time.Second)
	testutil.Eventually(t, "the queue_wait alert for m1", func() bool {
		return got.has(func(f Fired) bool { return f.Rule == "long wait" && f.CallID == "c1" })
	})
	// A reconnect's snapshot still has m1 and m2, and a caller who joined
	// while callboard was away: it fires from its join time, m1 not again.
	m3 := member("m3", "c3", clk.now().Add(-40*time.Second))
	st.Apply(adapters.Snapshot{Node: "fs1", QueueMembers: []adapters.QueueMember{m1, m2, m3}})
	testutil.Eventually(t, "the queue_wait alert for m3", func() bool {
		return got.has(func(f Fired) bool { return f.Rule == "long wait" && f.CallID == "c3" })
	})
	clk.advance(time.Minute) // well past every threshold
	st.Apply(adapters.QueueMemberLeft{Node: "fs1", Queue: "support@default", MemberID: "m1", CallID: "c1", Outcome: adapters.QueueAbandoned})
	marker()
	var waits []string
	for _, f := range got.list() {
		if f.Rule == "long wait" {
			waits = append(waits, f.CallID)
			if f.CallID == "c1" && (f.Node != "fs1" || !strings.Contains(f.Summary, "Caller m1 <100m1>") || !strings.Contains(f.Summary, "support@default")) {
				t.Errorf("summary %+v", f)
			}
		}
	}
	if strings.Join(waits, ",") != "c1,c3" {
		t.Fatalf("queue_wait alerts for %v, want c1,c3 once each", waits)
	}
}

// The once-per-call rules remember what fired in the database: a callboard
// restarted while a long call and a long wait go on does not alert about
// them again, while a call and a wait that begin after the restart still
// fire. (Without the check, the new process's empty memory fired all four.)
func TestOncePerCallRulesDoNotFireAgainAfterARestart(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	clk := newClock(t0)
	dir := t.TempDir()
	db := openDB(t, dir)
	defer db.Close()
	rules := []SeedRule{
		{Name: "long call", Kind: KindCallDuration, Severity: "warning", Threshold: 1},
		{Name: "long wait", Kind: KindQueueWait, Severity: "warning", Threshold: 30},
	}
	call := func(id string, created time.Time) adapters.Call {
		return adapters.Call{Node: "fs1", ID: id, State: adapters.CallActive, CreatedAt: created}
	}
	member := adapters.QueueMember{Node: "fs1", Queue: "support@default", ID: "m1", CallID: "q1", CallerNumber: "1001",
		State: adapters.QueueMemberWaiting, Position: 1, JoinedAt: t0}
	up := adapters.StatusChanged{Status: adapters.NodeStatus{Node: "fs1", Kind: adapters.KindFreeSWITCH, State: adapters.StateUp, Since: t0}}

	// One callboard sees the call c1 and the caller m1 go past their limits.
	// Each run seeds the same rules, as the server does at every start.
	run := func(events ...adapters.Event) (*firedLog, func()) {
		tap := bus.NewTap(clk.now)
		st := live.New(live.Options{Nodes: []live.NodeInfo{{ID: "fs1", Kind: adapters.KindFreeSWITCH}}, Observer: tap, Now: clk.now})
		got := &firedLog{}
		s, stop := start(t, db, tap, Options{Now: clk.now, TickInterval: 5 * time.Millisecond, Notify: got.add})
		if err := s.Seed(context.Background(), nil, rules); err != nil {
			t.Fatal(err)
		}
		st.Apply(up)
		for _, e := range events {
			st.Apply(e)
		}
		return got, stop
	}
	first, stop := run(adapters.CallUpdated{Call: call("c1", t0)}, adapters.QueueMemberUpdated{Member: member})
	clk.advance(2 * time.Minute)
	testutil.Eventually(t, "both alerts from the first callboard", func() bool {
		return first.has(func(f Fired) bool { return f.Rule == "long call" && f.CallID == "c1" }) &&
			first.has(func(f Fired) bool { return f.Rule == "long wait" && f.CallID == "q1" })
	})
	stop()

	// The restarted callboard's snapshot has both still going, and a new
	// call c2 and caller m2 that begin now.
	member2 := member
	member2.ID, member2.CallID, member2.JoinedAt = "m2", "q2", clk.now()
	second, stop2 := run(
		adapters.Snapshot{Node: "fs1", Calls: []adapters.Call{call("c1", t0), call("c2", clk.now())},
			QueueMembers: []adapters.QueueMember{member, member2}})
	defer stop2()
	clk.advance(2 * time.Minute)
	testutil.Eventually(t, "the alerts for the call and the wait that began after the restart", func() bool {
		return second.has(func(f Fired) bool { return f.Rule == "long call" && f.CallID == "c2" }) &&
			second.has(func(f Fired) bool { return f.Rule == "long wait" && f.CallID == "q2" })
	})
	for _, f := range second.list() {
		if f.CallID == "c1" || f.CallID == "q1" {
			t.Errorf("alerted again after the restart: %+v", f)
		}
	}
}
