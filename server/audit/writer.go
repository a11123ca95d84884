package audit

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/callboard/callboard/server/store"
)

// Writer writes audit entries off the request path: Record queues without
// blocking, one goroutine writes batches in a transaction each. A full queue
// drops the entry and counts it (an action is never held up by the audit).
// Machine traffic (transcript ingest) has its own smaller queue, so however
// much of it arrives, it can never crowd out people's actions and sign-ins.
type Writer struct {
	st          store.Store
	log         *slog.Logger
	ch          chan store.AuditEntry // actions, sign-ins, administration
	bulk        chan store.AuditEntry // ingest
	syncs       chan chan struct{}
	dropped     atomic.Uint64
	bulkDropped atomic.Uint64
	lastLog     atomic.Int64 // unix seconds of the last drop warning
}

const batchSize = 256

// New returns a Writer to st queueing up to buffer entries (default 4096;
// machine traffic gets a quarter of that). Start it with Run.
func New(st store.Store, log *slog.Logger, buffer int) *Writer {
	if buffer <= 0 {
		buffer = 4096
	}
	return &Writer{st: st, log: log, ch: make(chan store.AuditEntry, buffer),
		bulk: make(chan store.AuditEntry, max(buffer/4, 1)), syncs: make(chan chan struct{})}
}

// Record queues an entry; it never blocks.
func (a *Writer) Record(e store.AuditEntry) { a.enqueue(a.ch, &a.dropped, e) }

// RecordBulk queues an entry of machine traffic in the bulk queue; it never
// blocks and never takes room from Record's entries.
func (a *Writer) RecordBulk(e store.AuditEntry) { a.enqueue(a.bulk, &a.bulkDropped, e) }

func (a *Writer) enqueue(ch chan store.AuditEntry, dropped *atomic.Uint64, e store.AuditEntry) {
	select {
	case ch <- e:
	default:
		dropped.Add(1)
		now := time.Now().Unix()
		if last := a.lastLog.Load(); now-last >= 10 && a.lastLog.CompareAndSwap(last, now) {
			a.log.Error("audit queue full: entries dropped", "dropped_total", a.dropped.Load(), "bulk_dropped_total", a.bulkDropped.Load())
		}
	}
}

// Dropped is the number of Record entries lost to a full queue.
func (a *Writer) Dropped() uint64 { return a.dropped.Load() }

// BulkDropped is the number of RecordBulk entries lost to a full queue.
func (a *Writer) BulkDropped() uint64 { return a.bulkDropped.Load() }

// Sync waits until everything recorded before the call is written.
func (a *Writer) Sync(ctx context.Context) {
	done := make(chan struct{})
	select {
	case a.syncs <- done:
	case <-ctx.Done():
		return
	}
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// Run writes batches until ctx ends, then writes what is still queued.
func (a *Writer) Run(ctx context.Context) {
	batch := make([]store.AuditEntry, 0, batchSize)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case e := <-a.ch:
			batch = append(batch, e)
			if len(batch) >= batchSize {
				batch = a.write(batch)
			}
		case e := <-a.bulk:
			batch = append(batch, e)
			if len(batch) >= batchSize {
				batch = a.write(batch)
			}
		case <-tick.C:
			batch = a.write(batch)
		case done := <-a.syncs:
			batch = a.write(a.drain(batch))
			close(done)
		case <-ctx.Done():
			a.write(a.drain(batch))
			return
		}
	}
}

func (a *Writer) drain(batch []store.AuditEntry) []store.AuditEntry {
	for {
		select {
		case e := <-a.ch:
			batch = append(batch, e)
		case e := <-a.bulk:
			batch = append(batch, e)
		default:
			return batch
		}
	}
}

func (a *Writer) write(batch []store.AuditEntry) []store.AuditEntry {
	if len(batch) == 0 {
		return batch
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.st.AppendAudit(ctx, batch); err != nil {
		a.log.Error("write audit entries", "entries", len(batch), "err", err)
	}
	return batch[:0]
}

// PurgeEvery trims the audit to retention now and then every interval
// until ctx ends.
func (a *Writer) PurgeEvery(ctx context.Context, retention, interval time.Duration, now func() time.Time) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		a.purge(ctx, now().Add(-retention))
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (a *Writer) purge(ctx context.Context, before time.Time) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	n, err := a.st.PurgeAudit(ctx, before)
	if err != nil {
		if ctx.Err() == nil {
			a.log.Warn("purge audit", "before", before, "err", err)
		}
		return
	}
	if n > 0 {
		a.log.Info("audit purged", "entries", n, "before", before)
	}
}
