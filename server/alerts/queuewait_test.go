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
