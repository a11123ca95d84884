package bus

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/live"
)

// DefaultBuffer is a subscription's buffer when Subscribe is given 0.
const DefaultBuffer = 4096

// Tap turns applied adapter events into domain events and fans them out to
// subscriptions without ever blocking. Create with NewTap.
type Tap struct {
	now func() time.Time

	mu   sync.RWMutex // guards subs
	subs []*Subscription

	published atomic.Uint64

	// Owned by the live state's goroutine (Observe): what was last seen of
	// each entity, to name what changed.
	calls   map[string]*adapters.Call
	confs   map[string]*adapters.Conference
	members map[string]*adapters.Member
	nodes   map[string]string
	queued  map[string]*adapters.QueueMember // live.QueueMemberKey ->
	agents  map[string]*adapters.Agent       // live.AgentKey ->
}

var _ live.Observer = (*Tap)(nil)

// NewTap returns a Tap; now defaults to time.Now.
func NewTap(now func() time.Time) *Tap {
	if now == nil {
		now = time.Now
	}
	return &Tap{
		now:     now,
		calls:   make(map[string]*adapters.Call),
		confs:   make(map[string]*adapters.Conference),
		members: make(map[string]*adapters.Member),
		nodes:   make(map[string]string),
		queued:  make(map[string]*adapters.QueueMember),
		agents:  make(map[string]*adapters.Agent),
	}
}

// Subscription is one consumer's bounded buffer.
type Subscription struct {
	name    string
	ch      chan Event
	dropped atomic.Uint64
	tap     *Tap
	closed  atomic.Bool
}

// Subscribe adds a consumer with a buffer of size events (0: DefaultBuffer).
// Events published while the buffer is full are dropped and counted.
func (t *Tap) Subscribe(name string, size int) *Subscription {
	if size <= 0 {
		size = DefaultBuffer
	}
	s := &Subscription{name: name, ch: make(chan Event, size), tap: t}
	t.mu.Lock()
	t.subs = append(t.subs, s)
	t.mu.Unlock()
	return s
}

// Name is the name given to Subscribe.
func (s *Subscription) Name() string { return s.name }

// C is the subscription's channel. It is never closed (Close only stops
// delivery), so a consumer selects on it together with its context.
func (s *Subscription) C() <-chan Event { return s.ch }

// Dropped counts events lost because the buffer was full.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Len is the number of buffered events.
func (s *Subscription) Len() int { return len(s.ch) }

// Close stops delivery to s.
func (s *Subscription) Close() {
	if s.closed.Swap(true) {
		return
	}
	t := s.tap
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, x := range t.subs {
		if x == s {
			t.subs = append(t.subs[:i:i], t.subs[i+1:]...)
			return
		}
	}
}

// Subscriptions lists the current subscriptions (for metrics).
func (t *Tap) Subscriptions() []*Subscription {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return append([]*Subscription(nil), t.subs...)
}

// Published counts events handed to Publish or produced by Observe.
func (t *Tap) Published() uint64 { return t.published.Load() }

// Publish hands ev to every subscription without blocking. Safe from any
// goroutine. A zero At is set to now.
func (t *Tap) Publish(ev Event) {
	if ev.At.IsZero() {
		ev.At = t.now().UTC()
	}
	t.published.Add(1)
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, s := range t.subs {
		select {
		case s.ch <- ev:
		default:
			s.dropped.Add(1)
		}
	}
}

// PublishAction publishes an action and its verdict (the action handler's
// audit point calls it).
func (t *Tap) PublishAction(node string, a Action) {
	t.Publish(Event{Node: node, Kind: KindAction, Name: a.Name, Action: &a})
}
