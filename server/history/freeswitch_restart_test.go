package history_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/callboard/callboard/internal/testutil"

	"github.com/callboard/callboard/adapters/freeswitch"
	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
	"github.com/callboard/callboard/server/history"
	"github.com/callboard/callboard/server/live"
	"github.com/callboard/callboard/server/store"
	"github.com/callboard/callboard/server/store/sqlite"
)

// callboard is one run of the dashboard's history path: a FreeSWITCH node
// over a real ESL socket, the live state, the recorder and the SQLite file.
type callboard struct {
	db     *sqlite.DB
	rec    *history.Recorder
	cancel context.CancelFunc
	done   chan struct{} // the node's Run returned
	wrote  chan struct{} // the recorder's Run returned (after its final flush)
}

func startCallboard(t *testing.T, dir, addr string) *callboard {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	rec := history.New(history.Options{Store: db, Logger: quiet, FlushInterval: 10 * time.Millisecond})
	state := live.New(live.Options{Nodes: []live.NodeInfo{{ID: "fs1"}}, Observer: rec})
	node, err := freeswitch.New(freeswitch.Config{ID: "fs1", Address: addr, Password: "pw", Logger: quiet,
		CommandTimeout: 2 * time.Second, BackoffMin: 50 * time.Millisecond, BackoffMax: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cb := &callboard{db: db, rec: rec, cancel: cancel, done: make(chan struct{}), wrote: make(chan struct{})}
	go func() { defer close(cb.wrote); rec.Run(ctx) }()
	go func() {
		defer close(cb.done)
		// Run calls emit from its own goroutine only: the single writer.
		_ = node.Run(ctx, state.Apply)
	}()
	return cb
}

// stop ends the run the way a process exit does, after the recorder wrote
// what it had (a graceful shutdown).
func (cb *callboard) stop(t *testing.T) {
	t.Helper()
	cb.cancel()
	<-cb.done
	<-cb.wrote
	if err := cb.db.Close(); err != nil {
		t.Fatal(err)
	}
}

// waitRows polls the stored history (the recorder writes in batches) until
// ok holds.
func waitRows(t *testing.T, db *sqlite.DB, what string, ok func([]store.HistoryCall) bool) []store.HistoryCall {
	t.Helper()
	var rows []store.HistoryCall
	testutil.EventuallyNoError(t, what, func() error {
		var err error
		rows, _, err = db.ListCalls(context.Background(), store.CallFilter{Node: "fs1", Limit: 100})
		if err != nil {
			return err
		}
		if !ok(rows) {
			return fmt.Errorf("history rows %+v", rows)
		}
		return nil
	})
	return rows
}

func ids(rows []store.HistoryCall) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	slices.Sort(out)
	return out
}

// TestFreeSWITCHHistoryAcrossRestart: two-party calls (A leg bridged to a B
// leg) and a single-leg call are up when callboard restarts; one call ends
// while callboard is down. History holds one row per call (never one per
// leg), keeps each row open across the restart under the same id with the
// same answer time, closes the one that ended unseen as "ended while
// disconnected", and ends every other row when its call hangs up.
func TestFreeSWITCHHistoryAcrossRestart(t *testing.T) {
	fake := eslfake.New(eslfake.Options{Password: "pw"})
	if err := fake.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	dir := t.TempDir()

	d1, _ := fake.Dial(eslfake.Party{Name: "Carol Lee", Number: "5725"}, eslfake.Party{Name: "Dan Ortiz", Number: "5726"})
	d2, _ := fake.Dial(eslfake.Party{Name: "이서연", Number: "01055554444"}, eslfake.Party{Name: "Erin Wu", Number: "5727"})
	gone, _ := fake.Dial(eslfake.Party{Name: "Gina Park", Number: "5730"}, eslfake.Party{Name: "Hugo Lind", Number: "5731"})
	alone := fake.AddChannel(eslfake.ChannelSpec{Caller: eslfake.Party{Name: "Frank Moss", Number: "5728"}, Destination: "3000"})
	if err := fake.Answer(alone); err != nil {
		t.Fatal(err)
	}
	all := []string{d1, d2, gone, alone}
	slices.Sort(all)

	first := startCallboard(t, dir, fake.Addr())
	before := waitRows(t, first.db, "four open calls", func(rows []store.HistoryCall) bool {
		return slices.Equal(ids(rows), all) && !slices.ContainsFunc(rows, func(r store.HistoryCall) bool { return r.AnsweredAt.IsZero() })
	})
	first.stop(t)

	if err := fake.Hangup(gone, "NORMAL_CLEARING"); err != nil { // while callboard is down
		t.Fatal(err)
	}
	second := startCallboard(t, dir, fake.Addr())
	t.Cleanup(func() { second.stop(t) })
	waitRows(t, second.db, "the call that ended unseen closed", func(rows []store.HistoryCall) bool {
		i := slices.IndexFunc(rows, func(r store.HistoryCall) bool { return r.ID == gone })
		return i >= 0 && !rows[i].EndedAt.IsZero()
	})
	for _, id := range []string{d1, d2, alone} {
		if err := fake.Hangup(id, "NORMAL_CLEARING"); err != nil {
			t.Fatal(err)
		}
	}
	after := waitRows(t, second.db, "every call ended", func(rows []store.HistoryCall) bool {
		return !slices.ContainsFunc(rows, func(r store.HistoryCall) bool { return r.EndedAt.IsZero() })
	})

	if !slices.Equal(ids(after), all) {
		t.Fatalf("history rows %v, want one per call %v", ids(after), all)
	}
	answered := map[string]time.Time{}
	for _, r := range before {
		answered[r.ID] = r.AnsweredAt
	}
	for _, r := range after {
		if !r.AnsweredAt.Equal(answered[r.ID]) {
			t.Errorf("call %s answered at %v before the restart, %v after", r.ID, answered[r.ID], r.AnsweredAt)
		}
		switch {
		case r.ID == gone && !r.EndedWhileDisconnected:
			t.Errorf("call %s ended while callboard was down but is not marked so: %+v", r.ID, r)
		case r.ID != gone && (r.EndedWhileDisconnected || r.HangupCause != "NORMAL_CLEARING"):
			t.Errorf("call %s ended in view but reads %+v", r.ID, r)
		}
	}
	if r := after[slices.IndexFunc(after, func(r store.HistoryCall) bool { return r.ID == d1 })]; r.CallerNumber != "5725" || r.CalleeNumber != "5726" {
		t.Errorf("two-party call row = %+v, want 5725 -> 5726", r)
	}
}
