package server

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/callboard/callboard/internal/testutil"
	"github.com/callboard/callboard/server/store"
	"github.com/callboard/callboard/server/store/sqlite"
)

// Ingest volume fills only its own queue: people's entries still get in.
func TestAuditIngestNeverCrowdsOutActions(t *testing.T) {
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	bs := &blockingStore{Store: st, release: make(chan struct{})}
	a := newAuditLog(bs, slog.New(slog.NewTextHandler(io.Discard, nil)), 16)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.Run(ctx) }()
	for range 1000 {
		a.RecordBulk(store.AuditEntry{Kind: "ingest", At: time.Now()})
	}
	for range 10 {
		a.Record(store.AuditEntry{Kind: "action", At: time.Now()})
	}
	if a.Dropped() != 0 || a.BulkDropped() == 0 {
		t.Fatalf("dropped %d actions and %d ingest entries; want 0 and some", a.Dropped(), a.BulkDropped())
	}
	close(bs.release)
	cancel()
	<-done
	got, err := st.QueryAudit(context.Background(), store.AuditFilter{Kind: "action"})
	if err != nil || len(got) != 10 {
		t.Fatalf("%d action entries written (%v), want 10", len(got), err)
	}
}

func TestAuditPurgedBeyondRetention(t *testing.T) {
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	now := time.Now().UTC()
	old := []store.AuditEntry{
		{At: now.Add(-400 * 24 * time.Hour), Kind: "action", Detail: "very old"},
		{At: now.Add(-11 * 24 * time.Hour), Kind: "action", Detail: "old"},
		{At: now.Add(-9 * 24 * time.Hour), Kind: "action", Detail: "recent"},
	}
	if err := st.AppendAudit(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, Config{Store: st, AuditRetention: 10 * 24 * time.Hour})
	testutil.Eventually(t, "old audit entries purged", func() bool {
		for _, e := range ts.audit(t, "?kind=action") {
			if e.Detail == "old" || e.Detail == "very old" {
				return false
			}
		}
		return true
	})
	var recent int
	for _, e := range ts.audit(t, "?kind=action") {
		if e.Detail == "recent" {
			recent++
		}
	}
	if recent != 1 {
		t.Fatalf("entry within the retention purged too")
	}
}
