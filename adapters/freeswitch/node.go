package freeswitch

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/runloop"
	"github.com/callboard/callboard/adapters/sipaudio"
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
	// onDelay, if set by a test, sees each reconnect delay.
	onDelay func(attempt int, d time.Duration)

	mu       sync.Mutex
	link     *link               // current connection, nil while down
	callLegs map[string][]string // call id -> leg uuids, for HangupCall
	// callListeners is call id -> its supervisor legs, for mode switches.
	callListeners map[string][]adapters.Listener

	audioMu sync.Mutex
	audioEP *sipaudio.Endpoint // on-demand audio (audio.go), started on first use
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
		return nil, fmt.Errorf("freeswitch node %q: %w", cfg.ID, err)
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
	n.callListeners = nil
	if legs != nil {
		n.callListeners = map[string][]adapters.Listener{}
	}
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
			n.callListeners[e.Call.ID] = e.Call.Listeners
		case adapters.CallEnded:
			delete(n.callLegs, e.CallID)
			delete(n.callListeners, e.CallID)
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
// the shared run loop's backoff until ctx ends. It returns nil when ctx ends.
func (n *Node) Run(ctx context.Context, emit func(adapters.Event)) error {
	if !n.running.CompareAndSwap(false, true) {
		return fmt.Errorf("node %s: Run is already running", n.cfg.ID)
	}
	defer n.running.Store(false)
	defer n.closeAudio()
	return runloop.Run(ctx, runloop.Config{
		Node:    n.cfg.ID,
		Kind:    adapters.KindFreeSWITCH,
		Backoff: runloop.Backoff{Min: n.cfg.BackoffMin, Max: n.cfg.BackoffMax},
		Logger:  n.log,
		OnDelay: n.onDelay,
	}, connector{n}, emit)
}
