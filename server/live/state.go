package live

import (
	"context"
	"errors"
	"time"

	"github.com/callboard/callboard/adapters"
)

// Kind is an entity kind as named in the browser protocol.
type Kind string

const (
	KindNode       Kind = "node"
	KindCall       Kind = "call"
	KindConference Kind = "conference"
	KindMember     Kind = "member"
	KindUtterance  Kind = "utterance"
)

// Op is what happened to an entity.
type Op string

const (
	OpUpsert Op = "upsert"
	OpRemove Op = "remove"
)

// Change is one numbered change of the live state. Value is an immutable
// pointer (*NodeEntity, *adapters.Call, *adapters.Conference,
// *adapters.Member, *adapters.Utterance) for upserts and nil for removes.
type Change struct {
	Seq   uint64
	Op    Op
	Kind  Kind
	Key   string
	Value any
	Call  string // for utterances: the call's key ("node/callId"), which selects the browsers that get it
}

// Sink receives every change batch, in seq order, from the owner goroutine.
// Publish must not block and must not keep the slice (it is reused).
type Sink interface{ Publish(changes []Change) }

// Observer sees every applied event together with the changes it caused
// (possibly none), in order, from the owner goroutine: the history recorder
// needs what changes lack (a hangup cause, a kick, which calls a resync
// snapshot still has). Observe must not block and must not keep changes.
type Observer interface {
	Observe(ev adapters.Event, changes []Change)
}

// NodeInfo is the static description of a configured node.
type NodeInfo struct {
	ID      string
	Kind    adapters.Kind
	Actions []adapters.ActionKind
	Media   []string
}

// NodeEntity is the "node" entity of the protocol: the node's status plus
// what it can do.
type NodeEntity struct {
	adapters.NodeStatus
	Actions []adapters.ActionKind `json:"actions"`
	Media   []string              `json:"media"`
}

// DefaultMaxTranscriptBytes bounds one call's live transcript text: 2000
// lines of 4000 CJK characters would otherwise be 24 MB per call.
const DefaultMaxTranscriptBytes = 256 << 10

// Options tune a State. Zero values take the documented defaults.
type Options struct {
	Nodes       []NodeInfo
	Sink        Sink             // may be nil (tests, benchmarks)
	MaxLines    int              // transcript lines kept per call; default 2000
	MaxBytes    int              // transcript text bytes kept per call (oldest lines go first); default 256 KiB
	RetainCalls int              // ended calls whose transcript is kept; default 200
	RetainEnded time.Duration    // how long an ended call's transcript is kept; default 30 min
	Now         func() time.Time // default time.Now
	QueueSize   int              // buffered events before Emit blocks; default 1024
	Observer    Observer         // may be nil
	// Catalogue is the action catalogue every snapshot carries, so the
	// browser's buttons and audit filter come from the server's one table.
	Catalogue []adapters.ActionSpec
	// UtteranceIDPrefix is put before every utterance id this State assigns.
	// A per-process random prefix keeps ids unique across restarts, so
	// stored and live lines of one call can be merged by id.
	UtteranceIDPrefix string
}

// ErrStopped is returned by Query and Emit when the owner goroutine has stopped.
var ErrStopped = errors.New("live state stopped")

// State is the live state. Create with New, start with Run.
type State struct {
	opts    Options
	events  chan adapters.Event
	queries chan query
	done    chan struct{} // closed when Run returns

	// Owned by the Run goroutine (or by the caller of Apply when Run is not used).
	seq           uint64
	nodes         map[string]*NodeEntity
	calls         map[string]*adapters.Call
	conferences   map[string]*adapters.Conference
	members       map[string]*adapters.Member
	confMembers   map[string]map[string]struct{} // conference key -> member keys
	transcripts   map[string]*transcript         // call key -> transcript
	retained      []retainedCall                 // ended calls' transcripts, oldest first (may hold stale entries)
	retainedCount int                            // transcripts whose call is not live
	changes       []Change                       // scratch buffer of the event being applied
	origins       origins                        // calls placed by originate and their verdicts (originate.go)
	q             queueState                     // queues, agents, tiers, queue members (queue.go)
}

type query struct {
	fn   func(*View)
	done chan struct{}
}

// New returns a State holding every configured node in state "connecting".
func New(opts Options) *State {
	if opts.MaxLines <= 0 {
		opts.MaxLines = 2000
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxTranscriptBytes
	}
	if opts.RetainCalls <= 0 {
		opts.RetainCalls = 200
	}
	if opts.RetainEnded <= 0 {
		opts.RetainEnded = 30 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 1024
	}
	s := &State{
		opts:        opts,
		events:      make(chan adapters.Event, opts.QueueSize),
		queries:     make(chan query),
		done:        make(chan struct{}),
		nodes:       make(map[string]*NodeEntity),
		calls:       make(map[string]*adapters.Call),
		conferences: make(map[string]*adapters.Conference),
		members:     make(map[string]*adapters.Member),
		confMembers: make(map[string]map[string]struct{}),
		transcripts: make(map[string]*transcript),
		q:           newQueueState(),
	}
	now := opts.Now().UTC()
	for _, n := range opts.Nodes {
		s.nodes[n.ID] = &NodeEntity{
			NodeStatus: adapters.NodeStatus{Node: n.ID, Kind: n.Kind, State: adapters.StateConnecting, Since: now},
			Actions:    nonNil(n.Actions),
			Media:      nonNil(n.Media),
		}
	}
	return s
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// SetSink sets where changes go. Call it before Run.
func (s *State) SetSink(sink Sink) { s.opts.Sink = sink }

// Run applies events and answers queries until ctx ends. It returns nil.
func (s *State) Run(ctx context.Context) error {
	defer close(s.done)
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev := <-s.events:
			s.Apply(ev)
		case q := <-s.queries:
			// Apply what was queued before the query arrived, so a Query sees
			// every event whose Emit returned before Query was called.
			for n := len(s.events); n > 0; n-- {
				s.Apply(<-s.events)
			}
			q.fn(&View{s: s})
			close(q.done)
		}
	}
}

// Emit queues an event for the owner goroutine. It blocks while the queue is
// full (adapters may be blocked: their emit is allowed to block) and gives up
// when ctx ends (ctx.Err()) or the state stopped (ErrStopped); nil means
// queued.
func (s *State) Emit(ctx context.Context, ev adapters.Event) error {
	// A stopped state must refuse even when the queue has room.
	select {
	case <-s.done:
		return ErrStopped
	default:
	}
	select {
	case s.events <- ev:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return ErrStopped
	}
}

// Query runs fn inside the owner goroutine, between two events, so everything
// fn reads is consistent and fn is atomic with respect to change seq. fn sees
// every event whose Emit returned before Query was called. fn must
// be quick and must not call back into the State. The View is only valid
// during fn.
func (s *State) Query(ctx context.Context, fn func(*View)) error {
	q := query{fn: fn, done: make(chan struct{})}
	select {
	case s.queries <- q:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return ErrStopped
	}
	// Once accepted, fn runs to completion; wait for it unconditionally so the
	// caller never reads results fn is still writing.
	<-q.done
	return nil
}

// Apply applies one event synchronously. Run calls it; benchmarks and tests
// that do not start Run may call it directly (never both).
func (s *State) Apply(ev adapters.Event) {
	s.changes = s.changes[:0]
	switch e := ev.(type) {
	case adapters.StatusChanged:
		s.applyStatus(e.Status)
	case adapters.Snapshot:
		s.applySnapshot(e)
	case adapters.CallUpdated:
		s.upsertCall(e.Call)
	case adapters.CallEnded:
		k := key2(e.Node, e.CallID)
		answered := s.calls[k] != nil && !s.calls[k].AnsweredAt.IsZero()
		s.removeCall(k)
		s.originCallEnded(k, e, answered)
	case adapters.CallPlaced:
		s.placeCall(e)
	case adapters.ConferenceUpdated:
		s.upsertConference(e.Conference)
	case adapters.ConferenceEnded:
		s.removeConference(key2(e.Node, e.Name))
	case adapters.MemberUpdated:
		s.upsertMember(e.Member)
	case adapters.MemberLeft:
		s.removeMember(key3(e.Node, e.Conference, e.MemberID))
	case adapters.UtteranceAdded:
		s.addUtterance(e.Utterance)
	default:
		s.applyQueueEvent(ev)
	}
	s.expireTranscripts()
	s.sweepOrigins()
	if len(s.changes) > 0 && s.opts.Sink != nil {
		s.opts.Sink.Publish(s.changes)
	}
	if s.opts.Observer != nil {
		s.opts.Observer.Observe(ev, s.changes)
	}
}

// record numbers a change and queues it for the sink.
func (s *State) record(op Op, kind Kind, key string, value any, call string) {
	s.seq++
	s.changes = append(s.changes, Change{Seq: s.seq, Op: op, Kind: kind, Key: key, Value: value, Call: call})
}

func key2(a, b string) string    { return a + "/" + b }
func key3(a, b, c string) string { return a + "/" + b + "/" + c }

// CallKey, ConferenceKey and MemberKey build protocol keys.
func CallKey(node, callID string) string         { return key2(node, callID) }
func ConferenceKey(node, name string) string     { return key2(node, name) }
func MemberKey(node, conf, member string) string { return key3(node, conf, member) }
