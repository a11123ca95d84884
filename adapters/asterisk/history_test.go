package asterisk_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/callboard/callboard/internal/testutil"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/asterisk"
	"github.com/callboard/callboard/adapters/asterisk/arifake"
	"github.com/callboard/callboard/server/history"
	"github.com/callboard/callboard/server/live"
	"github.com/callboard/callboard/server/store"
	"github.com/callboard/callboard/server/store/sqlite"
)

// process is one callboard process as far as history goes: an Asterisk
// node over real sockets, the live state and the history recorder writing
// to the SQLite store in dir.
type process struct {
	state  *live.State
	rec    *history.Recorder
	cancel context.CancelFunc
	done   []chan struct{}
}

func startProcess(t *testing.T, fake *arifake.Server, db *sqlite.DB) *process {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	node, err := asterisk.New(asterisk.Config{
		ID: "ast1", URL: fake.URL(), Username: "dash", Password: "dashpass", Application: "callboard",
		SubscribeAll: true, Logger: quiet, RESTTimeout: 2 * time.Second,
		HeartbeatInterval: 100 * time.Millisecond, HeartbeatTimeout: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := history.New(history.Options{Store: db, Logger: quiet, FlushInterval: 10 * time.Millisecond})
	st := live.New(live.Options{Nodes: []live.NodeInfo{{ID: "ast1", Kind: adapters.KindAsterisk}}, Observer: rec})
	ctx, cancel := context.WithCancel(context.Background())
	p := &process{state: st, rec: rec, cancel: cancel}
	run := func(f func()) {
		d := make(chan struct{})
		p.done = append(p.done, d)
		go func() { defer close(d); f() }()
	}
	run(func() { _ = st.Run(ctx) })
	run(func() { rec.Run(ctx) })
	run(func() { _ = node.Run(ctx, func(e adapters.Event) { _ = st.Emit(ctx, e) }) })
	t.Cleanup(p.stop)
	return p
}

func (p *process) stop() {
	p.cancel()
	for _, d := range p.done {
		<-d
	}
	_ = p.rec.Flush(context.Background())
}

// liveCalls is the live view's calls of node ast1 (ids).
func (p *process) liveCalls(t *testing.T) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	err := p.state.Query(context.Background(), func(v *live.View) {
		for _, c := range v.Snapshot().Calls {
			ids[c.ID] = true
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testutil.Eventually(t, what, cond)
}

func rows(t *testing.T, db *sqlite.DB) map[string]store.HistoryCall {
	t.Helper()
	calls, _, err := db.ListCalls(context.Background(), store.CallFilter{Node: "ast1", Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.HistoryCall{}
	for _, c := range calls {
		if _, dup := out[c.ID]; dup {
			t.Fatalf("two rows for call %s", c.ID)
		}
		out[c.ID] = c
	}
	return out
}

func dialFive(fake *arifake.Server) []arifake.DialCall {
	var calls []arifake.DialCall
	for i := range 5 {
		calls = append(calls, fake.Dial(arifake.Party{Name: fmt.Sprintf("Caller %d", i), Number: fmt.Sprintf("51%02d", i)},
			arifake.Party{Name: fmt.Sprintf("Callee %d", i), Number: fmt.Sprintf("52%02d", i)}))
	}
	return calls
}

// TestHistoryHoldsTheLiveCalls (issue 10 point 7): five two-party Dial
// calls (four Local channels each) are five history
// rows, the live view's calls, and every row ends when its call ends.
func TestHistoryHoldsTheLiveCalls(t *testing.T) {
	fake := newFake(t)
	db := openDB(t)
	p := startProcess(t, fake, db)
	calls := dialFive(fake)
	waitFor(t, "5 live calls", func() bool { return len(p.liveCalls(t)) == 5 })
	live := p.liveCalls(t)
	waitFor(t, "5 open rows", func() bool { return len(rows(t, db)) == 5 })
	for id, r := range rows(t, db) {
		// The callee's name comes from its connected-line answer (the fake
		// sends the dialled endpoint's caller id as a SIP phone would).
		if !live[id] || !r.EndedAt.IsZero() || r.CalleeNumber == r.CallerNumber || r.CalleeName == "" || r.CalleeName == r.CallerName {
			t.Errorf("row %s = %+v, want an open row of a live call", id, r)
		}
	}
	for _, c := range calls {
		if err := fake.Hangup(c.Dialer); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "no live calls", func() bool { return len(p.liveCalls(t)) == 0 })
	waitFor(t, "every row ended", func() bool { return allEnded(rows(t, db)) == 5 })
	for id, r := range rows(t, db) {
		if r.EndedWhileDisconnected || r.HangupCause != "NORMAL_CLEARING" {
			t.Errorf("row %s ended as %+v, want a normal end seen live", id, r)
		}
	}
}

// TestHistoryAcrossRestart: callboard restarted mid-call keeps one row per
// call (same ids), closes the calls that ended while it was down, and
// ends the others when they end.
func TestHistoryAcrossRestart(t *testing.T) {
	fake := newFake(t)
	db := openDB(t)
	first := startProcess(t, fake, db)
	calls := dialFive(fake)
	waitFor(t, "5 live calls", func() bool { return len(first.liveCalls(t)) == 5 })
	waitFor(t, "5 open rows", func() bool { return len(rows(t, db)) == 5 })
	first.stop()

	// Two calls end while callboard is down.
	for _, c := range calls[:2] {
		if err := fake.Hangup(c.Far); err != nil {
			t.Fatal(err)
		}
	}
	second := startProcess(t, fake, db)
	waitFor(t, "3 live calls after the restart", func() bool { return len(second.liveCalls(t)) == 3 })
	waitFor(t, "2 rows closed as ended while disconnected", func() bool { return allEnded(rows(t, db)) == 2 })
	got := rows(t, db)
	if len(got) != 5 {
		t.Fatalf("%d rows after a restart, want the same 5: %+v", len(got), got)
	}
	for _, c := range calls[:2] {
		if r := got[c.Origin]; !r.EndedWhileDisconnected {
			t.Errorf("row %s = %+v, want ended while disconnected", c.Origin, r)
		}
	}
	for _, c := range calls[2:] {
		if !second.liveCalls(t)[c.Origin] {
			t.Errorf("call %s has another id after the restart", c.Origin)
		}
		if err := fake.Hangup(c.Origin); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "every row ended", func() bool { return allEnded(rows(t, db)) == 5 })
	if n := len(rows(t, db)); n != 5 {
		t.Errorf("%d rows, want 5", n)
	}
}

func allEnded(rows map[string]store.HistoryCall) int {
	n := 0
	for _, r := range rows {
		if !r.EndedAt.IsZero() {
			n++
		}
	}
	return n
}

func newFake(t *testing.T) *arifake.Server {
	t.Helper()
	fake, err := arifake.New(arifake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fake.Close() })
	return fake
}

func openDB(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}
