package server

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/store"
)

// auditLog writes audit entries off the request path: Record queues without
// blocking, one goroutine writes batches in a transaction each. A full queue
// drops the entry and counts it (an action is never held up by the audit).
// Machine traffic (transcript ingest) has its own smaller queue, so however
// much of it arrives, it can never crowd out people's actions and sign-ins.
type auditLog struct {
	st          store.Store
	log         *slog.Logger
	ch          chan store.AuditEntry // actions, sign-ins, administration
	bulk        chan store.AuditEntry // ingest
	syncs       chan chan struct{}
	dropped     atomic.Uint64
	bulkDropped atomic.Uint64
	lastLog     atomic.Int64 // unix seconds of the last drop warning
}

const auditBatch = 256

func newAuditLog(st store.Store, log *slog.Logger, buffer int) *auditLog {
	if buffer <= 0 {
		buffer = 4096
	}
	return &auditLog{st: st, log: log, ch: make(chan store.AuditEntry, buffer),
		bulk: make(chan store.AuditEntry, max(buffer/4, 1)), syncs: make(chan chan struct{})}
}

// Record queues an entry; it never blocks.
func (a *auditLog) Record(e store.AuditEntry) { a.enqueue(a.ch, &a.dropped, e) }

// RecordBulk queues an entry of machine traffic in the bulk queue; it never
// blocks and never takes room from Record's entries.
func (a *auditLog) RecordBulk(e store.AuditEntry) { a.enqueue(a.bulk, &a.bulkDropped, e) }

func (a *auditLog) enqueue(ch chan store.AuditEntry, dropped *atomic.Uint64, e store.AuditEntry) {
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
func (a *auditLog) Dropped() uint64 { return a.dropped.Load() }

// BulkDropped is the number of RecordBulk entries lost to a full queue.
func (a *auditLog) BulkDropped() uint64 { return a.bulkDropped.Load() }

// Sync waits until everything recorded before the call is written.
func (a *auditLog) Sync(ctx context.Context) {
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
func (a *auditLog) Run(ctx context.Context) {
	batch := make([]store.AuditEntry, 0, auditBatch)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case e := <-a.ch:
			batch = append(batch, e)
			if len(batch) >= auditBatch {
				batch = a.write(batch)
			}
		case e := <-a.bulk:
			batch = append(batch, e)
			if len(batch) >= auditBatch {
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

func (a *auditLog) drain(batch []store.AuditEntry) []store.AuditEntry {
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

func (a *auditLog) write(batch []store.AuditEntry) []store.AuditEntry {
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

// purgeAuditEvery trims the audit to AuditRetention now and then every
// AuditPurgeInterval until ctx ends.
func (s *Server) purgeAuditEvery(ctx context.Context) {
	t := time.NewTicker(s.cfg.AuditPurgeInterval)
	defer t.Stop()
	for {
		s.purgeAudit(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Server) purgeAudit(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	before := s.now().Add(-s.cfg.AuditRetention)
	n, err := s.store.PurgeAudit(ctx, before)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("purge audit", "before", before, "err", err)
		}
		return
	}
	if n > 0 {
		s.log.Info("audit purged", "entries", n, "before", before)
	}
}

// entry starts an audit entry for the request's principal (if any).
func (s *Server) entry(c echo.Context, kind string) store.AuditEntry {
	e := store.AuditEntry{At: s.now().UTC(), IP: c.RealIP(), Kind: kind, Action: kind, Result: "ok"}
	if p := principalOf(c); p != nil {
		e.User, e.Role = p.session.User, string(p.session.Role)
	}
	return e
}

// clip bounds what a client controls before it is stored.
func clip(v string, n int) string {
	if len(v) > n {
		return v[:n]
	}
	return v
}
