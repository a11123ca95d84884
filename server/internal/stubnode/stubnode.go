package stubnode

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sync"

	"github.com/callboard/callboard/adapters"
)

var idPattern = regexp.MustCompile(`^[A-Za-z0-9._@-]{1,64}$`)

// Node is a stub PBX node. Its zero value is not usable; call New.
type Node struct {
	id      string
	media   []string
	actions []adapters.ActionKind
	initial []adapters.Event
	events  chan adapters.Event

	mu      sync.Mutex
	calls   []adapters.Action
	reply   string
	err     error
	members map[string]adapters.Member // conference/id -> last known member
}

// Supervision actions (issue 11): Validate and Do know them; a node offers
// them only when asked (WithActions(stubnode.AllActions()...)), so the
// default action list stays the one existing tests count.
func AllActions() []adapters.ActionKind {
	var out []adapters.ActionKind
	for _, s := range adapters.Catalogue() {
		out = append(out, s.Name)
	}
	return out
}

// New returns a node that supports every pre-issue-11 action, allows media "welcome" and
// emits initial (after a StatusChanged up) when Run starts.
func New(id string, initial ...adapters.Event) *Node {
	n := &Node{
		id:    id,
		media: []string{"welcome"},
		actions: []adapters.ActionKind{adapters.ActMute, adapters.ActUnmute, adapters.ActDeaf, adapters.ActUndeaf,
			adapters.ActKick, adapters.ActPlayToMember, adapters.ActPlayToConference, adapters.ActLock,
			adapters.ActUnlock, adapters.ActMOHStart, adapters.ActMOHStop, adapters.ActHangup,
			adapters.ActSetAgentStatus},
		initial: initial,
		events:  make(chan adapters.Event, 64),
		reply:   "+OK",
		members: make(map[string]adapters.Member),
	}
	for _, ev := range initial {
		if s, ok := ev.(adapters.Snapshot); ok {
			for _, m := range s.Members {
				n.members[m.Conference+"/"+m.ID] = m
			}
		}
	}
	return n
}

// WithActions restricts the supported actions.
func (n *Node) WithActions(a ...adapters.ActionKind) *Node { n.actions = a; return n }

func (n *Node) ID() string                     { return n.id }
func (n *Node) Kind() adapters.Kind            { return adapters.KindFreeSWITCH }
func (n *Node) Actions() []adapters.ActionKind { return n.actions }
func (n *Node) Media() []string                { return n.media }

// Run emits the initial events, then whatever Emit or Do queue, until ctx ends.
func (n *Node) Run(ctx context.Context, emit func(adapters.Event)) error {
	emit(adapters.StatusChanged{Status: adapters.NodeStatus{Node: n.id, Kind: adapters.KindFreeSWITCH, State: adapters.StateUp}})
	for _, ev := range n.initial {
		emit(ev)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev := <-n.events:
			emit(ev)
		}
	}
}

// Emit queues an event; Run's goroutine delivers it (emit is single-goroutine).
func (n *Node) Emit(ev adapters.Event) { n.events <- ev }

// SetResult sets what the next Do calls return.
func (n *Node) SetResult(reply string, err error) {
	n.mu.Lock()
	n.reply, n.err = reply, err
	n.mu.Unlock()
}

// Calls returns the actions Do was called with.
func (n *Node) Calls() []adapters.Action {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.calls)
}

// Validate checks identifiers against a strict pattern and media against the allowlist.
func (n *Node) Validate(a adapters.Action) error {
	var ids []string
	media := ""
	switch a := a.(type) {
	case adapters.MuteMember:
		ids = []string{a.Conference, a.Member}
	case adapters.DeafMember:
		ids = []string{a.Conference, a.Member}
	case adapters.KickMember:
		ids = []string{a.Conference, a.Member}
	case adapters.PlayToMember:
		ids, media = []string{a.Conference, a.Member}, a.Media
		if media == "" {
			return fmt.Errorf("media missing: %w", adapters.ErrInvalid)
		}
	case adapters.PlayToConference:
		ids, media = []string{a.Conference}, a.Media
		if media == "" {
			return fmt.Errorf("media missing: %w", adapters.ErrInvalid)
		}
	case adapters.LockConference:
		ids = []string{a.Conference}
	case adapters.MusicOnHold:
		ids = []string{a.Conference}
	case adapters.HangupCall:
		ids = []string{a.Call}
	case adapters.Originate:
		ids = []string{a.From, a.To}
	case adapters.TransferCall:
		ids = []string{a.Call, a.To}
	case adapters.HoldCall:
		ids = []string{a.Call}
	case adapters.Supervise:
		ids = []string{a.Call, a.Phone}
	case adapters.StopListening:
		ids = []string{a.Call, a.Phone}
	case adapters.SetAgentStatus:
		ids = []string{a.Agent}
		if !adapters.ValidAgentStatus(a.Status) {
			return fmt.Errorf("agent status %q: %w", a.Status, adapters.ErrInvalid)
		}
	default:
		return fmt.Errorf("action %T: %w", a, adapters.ErrUnsupported)
	}
	for _, id := range ids {
		if !idPattern.MatchString(id) {
			return fmt.Errorf("malformed identifier %q: %w", id, adapters.ErrInvalid)
		}
	}
	// Identifiers first, as the real adapters do: a malformed one is 400.
	if !slices.Contains(n.actions, a.Kind()) {
		return fmt.Errorf("%s: %w", a.Kind(), adapters.ErrUnsupported)
	}
	if media != "" && !slices.Contains(n.media, media) {
		return fmt.Errorf("unknown media %q: %w", media, adapters.ErrInvalid)
	}
	return nil
}

// Do records the action and returns the configured verdict. A successful
// MuteMember emits the member with the new flag.
func (n *Node) Do(ctx context.Context, a adapters.Action) (string, error) {
	if err := n.Validate(a); err != nil {
		return "", err
	}
	n.mu.Lock()
	n.calls = append(n.calls, a)
	reply, err := n.reply, n.err
	if _, ok := a.(adapters.Originate); ok && reply == "+OK" {
		reply = fmt.Sprintf("%s-call-%d", n.id, len(n.calls)) // the new call's id, as a real node answers
	}
	var ev adapters.Event
	if m, ok := a.(adapters.MuteMember); ok && err == nil {
		if mem, known := n.members[m.Conference+"/"+m.Member]; known {
			mem.Muted = m.Muted
			n.members[m.Conference+"/"+m.Member] = mem
			ev = adapters.MemberUpdated{Member: mem}
		}
	}
	n.mu.Unlock()
	if err != nil {
		return "", err
	}
	if ev != nil {
		select {
		case n.events <- ev:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	return reply, nil
}
