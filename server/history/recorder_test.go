package history

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/live"
	"github.com/callboard/callboard/server/store"
	"github.com/callboard/callboard/server/store/sqlite"
)

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type rig struct {
	db    *sqlite.DB
	rec   *Recorder
	state *live.State
	clk   *clock
}

func newRig(t *testing.T, dir string, hs store.HistoryStore) *rig {
	t.Helper()
	db, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if hs == nil {
		hs = db
	}
	clk := &clock{t: t0}
	rec := New(Options{Store: hs, Now: clk.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	st := live.New(live.Options{Nodes: []live.NodeInfo{{ID: "fs1"}}, Observer: rec, Now: clk.Now, UtteranceIDPrefix: "p."})
	return &rig{db: db, rec: rec, state: st, clk: clk}
}

func (r *rig) apply(t *testing.T, evs ...adapters.Event) {
	t.Helper()
	for _, ev := range evs {
		r.state.Apply(ev)
	}
	if err := r.rec.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (r *rig) call(t *testing.T, id string) store.HistoryCall {
	t.Helper()
	c, err := r.db.GetCall(context.Background(), "fs1", id)
	if err != nil {
		t.Fatalf("call %s: %v", id, err)
	}
	return c
}

func call(id string, legs ...string) adapters.Call {
	c := adapters.Call{Node: "fs1", ID: id, CallerNumber: "100", CalleeNumber: "200", Direction: "inbound", State: adapters.CallActive, CreatedAt: t0}
	for _, l := range append([]string{id}, legs...) {
		c.Legs = append(c.Legs, adapters.Leg{UUID: l, State: adapters.CallActive, CreatedAt: t0})
	}
	return c
}

func line(callID, text string, final bool) adapters.Event {
	return adapters.UtteranceAdded{Utterance: adapters.Utterance{Node: "fs1", CallID: callID, Speaker: adapters.SpeakerCaller, Text: text, Final: final, At: t0}}
}

func TestEndResyncAndRestart(t *testing.T) {
	dir := t.TempDir()
	r := newRig(t, dir, nil)
	r.apply(t,
		adapters.CallUpdated{Call: call("a")}, adapters.CallUpdated{Call: call("b")},
		adapters.CallUpdated{Call: call("c")}, adapters.CallUpdated{Call: call("d")},
		line("a", "partial", false), line("a", "partial then final", true),
		adapters.CallEnded{Node: "fs1", CallID: "a", Cause: "NORMAL_CLEARING", At: t0.Add(time.Minute)},
	)
	if a := r.call(t, "a"); a.HangupCause != "NORMAL_CLEARING" || a.EndedWhileDisconnected || !a.EndedAt.Equal(t0.Add(time.Minute)) || !a.HasTranscript {
		t.Fatalf("a = %+v", a)
	}
	if lines, _ := r.db.CallTranscript(context.Background(), "fs1", "a"); len(lines) != 1 || lines[0].Text != "partial then final" || lines[0].ID != "p.1" {
		t.Fatalf("only the final line is stored, with its live id: %+v", lines)
	}
	// Reconnect: the PBX no longer has b.
	r.clk.Advance(2 * time.Minute)
	r.apply(t, adapters.Snapshot{Node: "fs1", Calls: []adapters.Call{call("c"), call("d")}})
	if b := r.call(t, "b"); !b.EndedWhileDisconnected || !b.EndedAt.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("b = %+v", b)
	}
	for _, id := range []string{"c", "d"} {
		if c := r.call(t, id); !c.EndedAt.IsZero() {
			t.Fatalf("%s closed though still on the PBX: %+v", id, c)
		}
	}

	// Restart: a new process (empty live state) learns from the snapshot
	// that d ended while callboard was down; c is still there.
	r2 := newRig(t, dir, nil)
	r2.clk.Advance(time.Hour)
	r2.apply(t, adapters.Snapshot{Node: "fs1", Calls: []adapters.Call{call("c")}})
	if d := r2.call(t, "d"); !d.EndedWhileDisconnected || d.EndedAt.IsZero() {
		t.Fatalf("phantom d after restart: %+v", d)
	}
	if c := r2.call(t, "c"); !c.EndedAt.IsZero() {
		t.Fatalf("c closed: %+v", c)
	}
}

func TestMergedCallFoldsIntoSurvivor(t *testing.T) {
	r := newRig(t, t.TempDir(), nil)
	// FreeSWITCH: B was its own call until a bridge linked it to A; the
	// adapter reports B ended with cause MERGED, then A with B's leg.
	r.apply(t,
		adapters.CallUpdated{Call: call("A")}, adapters.CallUpdated{Call: call("B")},
		line("B", "said on B before the merge", true),
		adapters.CallEnded{Node: "fs1", CallID: "B", Cause: "MERGED"},
		adapters.CallUpdated{Call: call("A", "B")},
	)
	if _, err := r.db.GetCall(context.Background(), "fs1", "B"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("merged call kept its own row: %v", err)
	}
	if a := r.call(t, "A"); !a.EndedAt.IsZero() || !a.HasTranscript {
		t.Fatalf("survivor %+v", a)
	}

	// No survivor ever shows up: after MergeWait the row is closed with the cause.
	r.apply(t, adapters.CallUpdated{Call: call("C")}, adapters.CallEnded{Node: "fs1", CallID: "C", Cause: "MERGED"})
	if c := r.call(t, "C"); !c.EndedAt.IsZero() {
		t.Fatalf("closed before MergeWait: %+v", c)
	}
	r.clk.Advance(time.Minute)
	r.apply(t)
	if c := r.call(t, "C"); c.EndedAt.IsZero() || c.HangupCause != "MERGED" {
		t.Fatalf("orphan merge %+v", c)
	}
}

func TestTimelineAttribution(t *testing.T) {
	r := newRig(t, t.TempDir(), nil)
	m := adapters.Member{Node: "fs1", Conference: "room", ID: "1", CallID: "a", CallerName: "Ann", JoinedAt: t0}
	muted := m
	muted.Muted = true
	deaf := muted
	deaf.Deaf = true
	r.apply(t, adapters.CallUpdated{Call: call("a")}, adapters.ConferenceUpdated{Conference: adapters.Conference{Node: "fs1", Name: "room", CreatedAt: t0}},
		adapters.MemberUpdated{Member: m})
	done := r.rec.Attribute("fs1", adapters.MuteMember{Conference: "room", Member: "1", Muted: true}, "alice")
	_ = done
	withdraw := r.rec.Attribute("fs1", adapters.DeafMember{Conference: "room", Member: "1", Deaf: true}, "mallory")
	withdraw() // that action failed; the deaf below came from the PBX itself
	r.rec.Attribute("fs1", adapters.LockConference{Conference: "room", Locked: true}, "bob")
	r.rec.Attribute("fs1", adapters.KickMember{Conference: "room", Member: "1"}, "carol")
	r.apply(t, adapters.MemberUpdated{Member: muted}, adapters.MemberUpdated{Member: deaf},
		adapters.ConferenceUpdated{Conference: adapters.Conference{Node: "fs1", Name: "room", Locked: true, CreatedAt: t0}},
		adapters.MemberLeft{Node: "fs1", Conference: "room", MemberID: "1", Reason: adapters.LeftHangup})
	tl, err := r.db.CallTimeline(context.Background(), "fs1", "a")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range tl {
		got = append(got, e.Kind+":"+e.By)
	}
	want := []string{"join:", "mute:alice", "deaf:", "lock:bob", "kick:carol"}
	if !slices.Equal(got, want) {
		t.Fatalf("timeline %v, want %v", got, want)
	}
}

// flakyStore fails every write while broken is set.
type flakyStore struct {
	store.HistoryStore
	broken atomic.Bool
	writes atomic.Int64
}

func (f *flakyStore) WriteHistory(ctx context.Context, ops []store.HistoryOp) error {
	f.writes.Add(1)
	if f.broken.Load() {
		return errors.New("disk I/O error")
	}
	return f.HistoryStore.WriteHistory(ctx, ops)
}

func TestDiskErrorsCountedAndRetried(t *testing.T) {
	dir := t.TempDir()
	db, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fs := &flakyStore{HistoryStore: db}
	fs.broken.Store(true)
	r := newRig(t, t.TempDir(), fs)
	r.state.Apply(adapters.CallUpdated{Call: call("a")})
	if err := r.rec.Flush(context.Background()); err == nil {
		t.Fatal("flush to a broken disk succeeded")
	}
	h := r.rec.Health()
	if h.WriteErrors != 1 || !h.Failing || h.LastError == "" {
		t.Fatalf("health %+v", h)
	}
	fs.broken.Store(false)
	r.state.Apply(adapters.CallUpdated{Call: call("b")})
	if err := r.rec.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if h := r.rec.Health(); h.Failing || h.WriteErrors != 1 || h.Dropped != 0 {
		t.Fatalf("health after recovery %+v", h)
	}
	for _, id := range []string{"a", "b"} { // the failed batch was retried
		if _, err := db.GetCall(context.Background(), "fs1", id); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
	}
	// Three failures in a row give the batch up (a poisoned batch must not
	// block history forever) and count what was lost.
	fs.broken.Store(true)
	r.state.Apply(adapters.CallUpdated{Call: call("c")})
	for range 3 {
		_ = r.rec.Flush(context.Background())
	}
	if h := r.rec.Health(); h.Dropped != 1 || h.WriteErrors != 4 {
		t.Fatalf("health after giving up %+v", h)
	}
}

func TestObserveNeverBlocksOnDisk(t *testing.T) {
	fs := &blockingStore{release: make(chan struct{})}
	r := newRig(t, t.TempDir(), fs)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.rec.Run(ctx) }()
	// The writer is stuck in the disk; the live path keeps applying.
	start := time.Now()
	for i := range 5000 {
		r.state.Apply(adapters.CallUpdated{Call: call(string(rune('a'+i%26)) + time.Duration(i).String())})
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("applying 5000 events with a stuck disk took %v", el)
	}
	close(fs.release)
	cancel()
	<-done
}

type blockingStore struct {
	store.HistoryStore
	release chan struct{}
}

func (b *blockingStore) WriteHistory(ctx context.Context, _ []store.HistoryOp) error {
	select {
	case <-b.release:
	case <-ctx.Done():
	}
	return nil
}

func (b *blockingStore) PurgeHistory(context.Context, time.Time) (int64, error) { return 0, nil }

func TestMergeTranscript(t *testing.T) {
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	stored := []adapters.Utterance{
		{ID: "old.1", Text: "before restart", Final: true, At: at(1)},
		{ID: "new.1", Text: "stored copy", Final: true, At: at(3)},
	}
	liveLines := []*adapters.Utterance{
		{ID: "new.1", Text: "live copy", Final: true, At: at(3)},
		{ID: "new.2", Text: "partial", At: at(4)},
	}
	got := MergeTranscript(stored, liveLines)
	var texts []string
	for _, u := range got {
		texts = append(texts, u.ID+"="+u.Text)
	}
	if want := []string{"old.1=before restart", "new.1=live copy", "new.2=partial"}; !slices.Equal(texts, want) {
		t.Fatalf("merged %v, want %v", texts, want)
	}
}

// countingStore blocks every write until release is closed and counts the
// writes that reached it.
type countingStore struct {
	store.HistoryStore
	release chan struct{}
	started chan struct{} // receives once per write that reached the disk
	writes  atomic.Int32
}

func (c *countingStore) WriteHistory(ctx context.Context, _ []store.HistoryOp) error {
	c.writes.Add(1)
	c.started <- struct{}{}
	select {
	case <-c.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestFlushHonoursCallerContext: a reader's Flush (the history GETs) never
// waits past its ctx behind a slow write, never fails the disk by giving up,
// and does not touch the disk when nothing is queued.
func TestFlushHonoursCallerContext(t *testing.T) {
	cs := &countingStore{release: make(chan struct{}), started: make(chan struct{}, 8)}
	r := newRig(t, t.TempDir(), cs)

	if err := r.rec.Flush(context.Background()); err != nil || cs.writes.Load() != 0 {
		t.Fatalf("flush of an empty queue: err %v, %d writes", err, cs.writes.Load())
	}

	r.state.Apply(adapters.CallUpdated{Call: call("a")})
	writerDone := make(chan error, 1)
	go func() { writerDone <- r.rec.Flush(context.Background()) }() // the slow writer (Run)
	<-cs.started

	// Nothing new queued: returns at once although the writer is stuck.
	if err := r.rec.Flush(context.Background()); err != nil {
		t.Fatalf("idle flush behind a stuck writer: %v", err)
	}
	// Something queued: waits for the writer, but only as long as ctx.
	r.state.Apply(adapters.CallUpdated{Call: call("b")})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := r.rec.Flush(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("flush behind a stuck writer: %v, want deadline exceeded", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("flush with a 50ms ctx took %v", el)
	}

	// The caller's own write: it stops waiting at its deadline, the write
	// goes on and succeeds once the disk answers, and nothing counts as failed.
	close(cs.release)
	if err := <-writerDone; err != nil {
		t.Fatal(err)
	}
	r.state.Apply(adapters.CallUpdated{Call: call("c")})
	cs.release = make(chan struct{})
	ctx2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if err := r.rec.Flush(ctx2); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("flush of a stuck write: %v, want deadline exceeded", err)
	}
	<-cs.started
	close(cs.release)
	r.state.Apply(adapters.CallUpdated{Call: call("d")})
	if err := r.rec.Flush(context.Background()); err != nil { // waits for the background write
		t.Fatal(err)
	}
	if h := r.rec.Health(); h.Failing || h.WriteErrors != 0 || h.Dropped != 0 {
		t.Fatalf("a reader giving up counted as a disk failure: %+v", h)
	}
}
