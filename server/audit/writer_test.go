package audit

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/callboard/callboard/server/store"
	"github.com/callboard/callboard/server/store/sqlite"
)

// blockingStore makes AppendAudit wait, to fill the audit queue.
type blockingStore struct {
	store.Store
	release chan struct{}
}

func (b *blockingStore) AppendAudit(ctx context.Context, e []store.AuditEntry) error {
	<-b.release
	return b.Store.AppendAudit(ctx, e)
}

func TestAuditNeverBlocks(t *testing.T) {
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	bs := &blockingStore{Store: st, release: make(chan struct{})}
	a := New(bs, slog.New(slog.NewTextHandler(io.Discard, nil)), 4)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.Run(ctx) }()
	start := time.Now()
	for range 100 {
		a.Record(store.AuditEntry{Kind: "action", At: time.Now()})
	}
	// The store blocks until released: a Record that waited would never
	// return, so the bound only detects a hang.
	if time.Since(start) > 10*time.Second || a.Dropped() == 0 {
		t.Fatalf("100 records took %v, dropped %d", time.Since(start), a.Dropped())
	}
	close(bs.release)
	cancel()
	<-done
	got, _ := st.QueryAudit(context.Background(), store.AuditFilter{})
	if len(got)+int(a.Dropped()) != 100 {
		t.Fatalf("written %d + dropped %d != 100", len(got), a.Dropped())
	}
}

// Ingest volume fills only its own queue: people's entries still get in.
func TestAuditIngestNeverCrowdsOutActions(t *testing.T) {
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	bs := &blockingStore{Store: st, release: make(chan struct{})}
	a := New(bs, slog.New(slog.NewTextHandler(io.Discard, nil)), 16)
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
