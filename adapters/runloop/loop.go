package runloop

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/callboard/callboard/adapters"
)

// Connector dials a PBX once; it does not retry (the loop does).
type Connector interface {
	// Connect dials, authenticates and subscribes. Its error is a down
	// reason shown to users: it must not carry credentials.
	Connect(ctx context.Context) (Session, error)
}

// Session is one live connection to a PBX.
type Session interface {
	// Snapshot reads the PBX's authoritative view. The loop calls it after
	// Connect and again whenever Serve asks for a resync; the node accepts
	// actions once it returns.
	Snapshot(ctx context.Context) (adapters.Snapshot, error)
	// Serve emits incremental events, in order, from one goroutine, until the
	// connection fails (its error is the down reason, without credentials),
	// a resync is needed (an error from Resync) or ctx ends.
	Serve(ctx context.Context, emit func(adapters.Event)) error
	// Close releases the connection; called once, after the last Serve.
	Close()
}

// ErrResync marks a Serve error that asks for a fresh snapshot on the same
// connection (events may have been lost, the connection itself is fine).
var ErrResync = errors.New("resync needed")

type resyncError struct{ reason string }

func (e resyncError) Error() string        { return e.reason }
func (e resyncError) Is(target error) bool { return target == ErrResync }

// Resync returns the error Serve gives to ask for a fresh snapshot; reason is
// shown as the node's status meanwhile.
func Resync(reason string) error { return resyncError{reason: reason} }

// ReasonStopped is the reason of the final down status, when Run's ctx ends.
const ReasonStopped = "stopped"

// Config is one node's loop.
type Config struct {
	Node    string
	Kind    adapters.Kind
	Backoff Backoff
	Logger  *slog.Logger
	// OnDelay, if set, is told each backoff delay before it is waited:
	// tests and measurements read the real sequence from it.
	OnDelay func(attempt int, d time.Duration)
}

// Run connects, emits a Snapshot after every (re)connect and then Serve's
// events, and reconnects after the backoff until ctx ends; then it emits a
// final down status and returns nil. emit is called from this goroutine only.
func Run(ctx context.Context, cfg Config, c Connector, emit func(adapters.Event)) error {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	log = log.With("kind", string(cfg.Kind))
	st := status{node: cfg.Node, kind: cfg.Kind, emit: emit}
	st.set(adapters.StateConnecting, "")
	attempt := 0
	for ctx.Err() == nil {
		wasUp, err := once(ctx, c, &st, log, emit)
		if ctx.Err() != nil {
			break
		}
		if wasUp {
			attempt = 0 // the PBX was fine until now: start again from Min
		}
		if err == nil {
			err = errors.New("connection ended")
		}
		st.set(adapters.StateDown, err.Error())
		d := cfg.Backoff.Delay(attempt)
		if cfg.OnDelay != nil {
			cfg.OnDelay(attempt, d)
		}
		attempt++
		log.Warn("node down", "reason", err.Error(), "retry_in", d)
		if !sleep(ctx, d) {
			break
		}
	}
	st.set(adapters.StateDown, ReasonStopped)
	return nil
}

// once runs one connection: connect, then snapshot and serve, again after
// each resync. wasUp reports whether a snapshot was emitted.
func once(ctx context.Context, c Connector, st *status, log *slog.Logger, emit func(adapters.Event)) (wasUp bool, err error) {
	sess, err := c.Connect(ctx)
	if err != nil {
		return false, err
	}
	defer sess.Close()
	for {
		snap, err := sess.Snapshot(ctx)
		if err != nil {
			return wasUp, err
		}
		// up before the snapshot: a consumer that sees the snapshot already
		// knows the node is live.
		st.set(adapters.StateUp, "")
		emit(snap)
		log.Info("node up", "calls", len(snap.Calls), "conferences", len(snap.Conferences), "members", len(snap.Members), "resync", wasUp)
		wasUp = true
		err = sess.Serve(ctx, emit)
		if ctx.Err() != nil {
			return true, ctx.Err()
		}
		if errors.Is(err, ErrResync) {
			log.Info("node resyncing", "reason", err.Error())
			st.set(adapters.StateConnecting, err.Error())
			continue
		}
		return true, err
	}
}

// status emits a node's status when it changes, stamped in UTC.
type status struct {
	node string
	kind adapters.Kind
	emit func(adapters.Event)
	last adapters.NodeStatus
}

func (s *status) set(state, reason string) {
	if s.last.State == state && s.last.Reason == reason {
		return
	}
	s.last = adapters.NodeStatus{Node: s.node, Kind: s.kind, State: state, Reason: reason, Since: time.Now().UTC()}
	s.emit(adapters.StatusChanged{Status: s.last})
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
