package freeswitch

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callboard/callboard/adapters"
)

// Node is one FreeSWITCH box. It implements adapters.Node.
type Node struct {
	cfg   Config
	log   *slog.Logger
	media []string
	hold  time.Duration // reorder window
	// maxBacklog bounds the events a session buffers while emit blocks.
	maxBacklog int
	maxDumps   int                       // uuid_dump round trips per snapshot (dump.go)
	rules      []adapters.TranscriptRule // effectiveRules of the config
	running    atomic.Bool

	mu       sync.Mutex
	link     *link               // current connection, nil while down
	callLegs map[string][]string // call id -> leg uuids, for HangupCall
}

var _ adapters.Node = (*Node)(nil)

// reorderHold is how long an event waits for a smaller Event-Sequence that
// is still inside eslgo's goroutines. Their reordering spans microseconds to
// a few milliseconds; gaps from the filtered subscription are normal.
const reorderHold = 25 * time.Millisecond

// New validates cfg (errors name the field) and returns the node.
func New(cfg Config) (*Node, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	media := make([]string, 0, len(cfg.Media))
	for name := range cfg.Media {
		media = append(media, name)
	}
	slices.Sort(media)
	cfg.STTSubclasses = slices.Clone(cfg.STTSubclasses)
	rules := effectiveRules(cfg.Transcripts, cfg.STTSubclasses)
	if err := validateRules(rules); err != nil {
		return nil, err
	}
	return &Node{
		rules: rules,
		cfg:   cfg,
		log:   cfg.Logger.With("node", cfg.ID),
		media: media,
		hold:  reorderHold,

		maxBacklog: defaultMaxBacklog,
		maxDumps:   defaultMaxDumps,
	}, nil
}

func (n *Node) ID() string                     { return n.cfg.ID }
func (n *Node) Kind() adapters.Kind            { return adapters.KindFreeSWITCH }
func (n *Node) Actions() []adapters.ActionKind { return slices.Clone(supportedActions) }
func (n *Node) Media() []string                { return slices.Clone(n.media) }

func (n *Node) currentLink() *link {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.link
}

func (n *Node) setLink(l *link, legs map[string][]string) {
	n.mu.Lock()
	n.link, n.callLegs = l, legs
	n.mu.Unlock()
}

func (n *Node) legsOf(callID string) []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.callLegs[callID])
}

// trackCalls keeps the call -> legs index used by HangupCall current.
func (n *Node) trackCalls(evs []adapters.Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.callLegs == nil {
		return
	}
	for _, e := range evs {
		switch e := e.(type) {
		case adapters.CallUpdated:
			uuids := make([]string, len(e.Call.Legs))
			for i, l := range e.Call.Legs {
				uuids[i] = l.UUID
			}
			n.callLegs[e.Call.ID] = uuids
		case adapters.CallEnded:
			delete(n.callLegs, e.CallID)
		}
	}
}

// redact removes the password from a text bound for a log or an error.
func (n *Node) redact(s string) string {
	if n.cfg.Password == "" {
		return s
	}
	return strings.ReplaceAll(s, n.cfg.Password, "***")
}

// Run connects, keeps the node's state flowing to emit and reconnects with
// backoff and jitter until ctx ends. It returns nil when ctx ends.
func (n *Node) Run(ctx context.Context, emit func(adapters.Event)) error {
	if !n.running.CompareAndSwap(false, true) {
		return fmt.Errorf("node %s: Run is already running", n.cfg.ID)
	}
	defer n.running.Store(false)
	last := adapters.NodeStatus{}
	status := func(state, reason string) {
		if state == last.State && reason == last.Reason {
			return
		}
		last = adapters.NodeStatus{Node: n.cfg.ID, Kind: adapters.KindFreeSWITCH, State: state, Reason: reason, Since: time.Now().UTC()}
		emit(adapters.StatusChanged{Status: last})
	}
	status(adapters.StateConnecting, "")
	attempt := 0
	for {
		wasUp, err := n.session(ctx, emit, func() { status(adapters.StateUp, "") })
		if ctx.Err() != nil {
			return nil
		}
		if wasUp {
			attempt = 0
		}
		reason := n.redact(err.Error())
		status(adapters.StateDown, reason)
		delay := backoff(n.cfg.BackoffMin, n.cfg.BackoffMax, attempt)
		attempt++
		n.log.Warn("freeswitch node down", "reason", reason, "retry_in", delay)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// backoff is the delay before reconnect attempt number attempt (0-based):
// exponential from lo to hi, with "equal jitter" (half fixed, half random) so
// many dashboards do not reconnect in lockstep.
func backoff(lo, hi time.Duration, attempt int) time.Duration {
	d := lo
	for i := 0; i < attempt && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half)
}
