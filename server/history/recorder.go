package history

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callboard/callboard/server/store"
)

// Options tune a Recorder. Zero values take the documented defaults.
type Options struct {
	Store             store.HistoryStore // required
	Logger            *slog.Logger       // default slog.Default()
	FlushInterval     time.Duration      // batch period; default 100ms
	BatchSize         int                // queued ops that trigger an early flush; default 512
	MaxPending        int                // queued ops kept while the disk fails; beyond, dropped; default 200000
	Retention         time.Duration      // history kept; default 30 days
	PurgeInterval     time.Duration      // default 1h
	AttributionWindow time.Duration      // how long an announced action waits for its event; default 15s
	MergeWait         time.Duration      // how long a merged call waits for its survivor; default 10s
	Now               func() time.Time   // default time.Now
}

// Health is the writer's state for /healthz.
type Health struct {
	WriteErrors uint64 `json:"writeErrors"`
	Dropped     uint64 `json:"dropped"`             // ops given up after failures or a full queue
	Failing     bool   `json:"failing"`             // the last write failed
	LastError   string `json:"lastError,omitempty"` // the last write error
}

// Recorder records history. Create with New, feed it as the live state's
// Observer, run it with Run.
type Recorder struct {
	opts Options
	log  *slog.Logger
	kick chan struct{}

	mu       sync.Mutex // guards the queue and the caches below; held briefly
	pending  []store.HistoryOp
	calls    map[string][]string     // open call key -> its leg uuids
	members  map[string]memberState  // member key -> last seen flags
	confs    map[string]bool         // conference key -> locked
	merged   map[string]pendingMerge // "node/leg uuid" -> the merged call waiting for its survivor
	intents  map[intentKey]intent    // announced actions
	retry    []store.HistoryOp       // a failed batch, written first next time (writeSem)
	retrying atomic.Bool             // retry is not empty; read without writeSem
	attempts int                     // failed attempts of retry (writeSem)
	// writeSem (one slot) lets one writer at a time in (Run and Flush); a
	// channel rather than a mutex so a caller can stop waiting when its ctx ends.
	writeSem chan struct{}
	errs     atomic.Uint64          // write errors
	dropped  atomic.Uint64          // ops dropped
	failing  atomic.Bool            // last write failed
	lastErr  atomic.Pointer[string] // last write error text
}

type memberState struct {
	muted, deaf        bool
	callID, callerName string
}

type pendingMerge struct {
	node, call string
	at         time.Time
}

// New returns a Recorder writing to opts.Store.
func New(opts Options) *Recorder {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = 100 * time.Millisecond
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 512
	}
	if opts.MaxPending <= 0 {
		opts.MaxPending = 200000
	}
	if opts.Retention <= 0 {
		opts.Retention = 30 * 24 * time.Hour
	}
	if opts.PurgeInterval <= 0 {
		opts.PurgeInterval = time.Hour
	}
	if opts.AttributionWindow <= 0 {
		opts.AttributionWindow = 15 * time.Second
	}
	if opts.MergeWait <= 0 {
		opts.MergeWait = 10 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Recorder{
		opts:     opts,
		log:      opts.Logger,
		kick:     make(chan struct{}, 1),
		writeSem: make(chan struct{}, 1),
		calls:    make(map[string][]string),
		members:  make(map[string]memberState),
		confs:    make(map[string]bool),
		merged:   make(map[string]pendingMerge),
		intents:  make(map[intentKey]intent),
	}
}

// Health reports write errors for /healthz.
func (r *Recorder) Health() Health {
	h := Health{WriteErrors: r.errs.Load(), Dropped: r.dropped.Load(), Failing: r.failing.Load()}
	if p := r.lastErr.Load(); p != nil {
		h.LastError = *p
	}
	return h
}

// queue appends ops; callers hold r.mu. A queue over MaxPending (the disk
// has been failing for a long time) drops the new ops and counts them.
func (r *Recorder) queue(ops ...store.HistoryOp) {
	if len(r.pending)+len(ops) > r.opts.MaxPending {
		r.dropped.Add(uint64(len(ops)))
		return
	}
	r.pending = append(r.pending, ops...)
	if len(r.pending) >= r.opts.BatchSize {
		select {
		case r.kick <- struct{}{}:
		default:
		}
	}
}

// Run writes batches until ctx ends, purges old history periodically, and
// writes what is still queued before it returns.
func (r *Recorder) Run(ctx context.Context) {
	tick := time.NewTicker(r.opts.FlushInterval)
	defer tick.Stop()
	purge := time.NewTicker(r.opts.PurgeInterval)
	defer purge.Stop()
	r.purge()
	for {
		select {
		case <-ctx.Done():
			if err := r.Flush(context.Background()); err != nil {
				r.log.Error("history: final flush failed", "err", err)
			}
			return
		case <-tick.C:
		case <-r.kick:
		case <-purge.C:
			r.purge()
			continue
		}
		_ = r.Flush(ctx)
	}
}

// Flush writes everything queued so far, in one transaction. On failure the
// batch is kept and retried (three attempts) before it is dropped.
//
// Flush returns at once when nothing is queued, and returns ctx's error when
// ctx ends while it waits for another writer or for the disk. A write that
// has started is not abandoned with the caller: it finishes (bounded at 10 s)
// in the background, so a reader giving up never counts as a disk failure.
func (r *Recorder) Flush(ctx context.Context) error {
	r.mu.Lock()
	r.expire()
	idle := len(r.pending) == 0
	r.mu.Unlock()
	if idle && !r.retrying.Load() {
		return nil
	}
	select {
	case r.writeSem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("history flush: waiting for the writer: %w", ctx.Err())
	}
	if ctx.Done() == nil { // cannot be cancelled: write on this goroutine
		defer func() { <-r.writeSem }()
		return r.write(ctx)
	}
	done := make(chan error, 1)
	go func() {
		defer func() { <-r.writeSem }()
		done <- r.write(ctx)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("history flush: waiting for the disk: %w", ctx.Err())
	}
}

// write writes the queue and any retried batch; callers hold writeSem.
func (r *Recorder) write(ctx context.Context) error {
	r.mu.Lock()
	batch := r.pending
	r.pending = nil
	r.mu.Unlock()
	if len(r.retry) > 0 {
		batch = append(r.retry, batch...)
		r.retry = nil
		r.retrying.Store(false)
	}
	if len(batch) == 0 {
		return nil
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := r.opts.Store.WriteHistory(wctx, batch)
	if err == nil {
		r.attempts = 0
		if r.failing.Swap(false) {
			r.log.Info("history: writes recovered")
		}
		return nil
	}
	n := r.errs.Add(1)
	msg := err.Error()
	r.lastErr.Store(&msg)
	r.failing.Store(true)
	r.attempts++
	if r.attempts >= 3 {
		r.dropped.Add(uint64(len(batch)))
		r.attempts = 0
		r.log.Error("history: write failed, batch dropped", "ops", len(batch), "errors_total", n, "err", err)
	} else {
		r.retry = batch
		r.retrying.Store(true)
		r.log.Error("history: write failed, will retry", "ops", len(batch), "errors_total", n, "err", err)
	}
	return fmt.Errorf("history flush: write %d ops: %w", len(batch), err)
}

func (r *Recorder) purge() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, err := r.opts.Store.PurgeHistory(ctx, r.opts.Now().Add(-r.opts.Retention))
	if err != nil {
		r.log.Error("history: purge failed", "err", err)
		return
	}
	if n > 0 {
		r.log.Info("history: purged old calls", "calls", n, "retention", r.opts.Retention)
	}
}

// expire drops announced actions that never showed up and closes merged
// calls whose survivor never appeared. Callers hold r.mu.
func (r *Recorder) expire() {
	now := r.opts.Now()
	for k, in := range r.intents {
		if now.Sub(in.at) > r.opts.AttributionWindow {
			delete(r.intents, k)
		}
	}
	closed := map[string]bool{}
	for k, m := range r.merged {
		if now.Sub(m.at) <= r.opts.MergeWait {
			continue
		}
		delete(r.merged, k)
		if ck := m.node + "/" + m.call; !closed[ck] {
			closed[ck] = true
			r.queue(store.HistoryOp{Kind: store.OpCallEnd, Node: m.node, CallID: m.call, At: m.at, Cause: causeMerged})
		}
	}
}
