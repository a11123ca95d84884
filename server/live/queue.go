package live

import (
	"slices"
	"strings"

	"github.com/callboard/callboard/adapters"
)

// Queue kinds of the browser protocol (docs/protocol.md). Keys:
// queue "node/name", agent "node/name", tier "node/queue/agent",
// queueMember "node/id" (the queue's own member id, unique on a node).
const (
	KindQueue       Kind = "queue"
	KindAgent       Kind = "agent"
	KindTier        Kind = "tier"
	KindQueueMember Kind = "queueMember"
)

// QueueKey, AgentKey, TierKey and QueueMemberKey build protocol keys.
func QueueKey(node, name string) string           { return key2(node, name) }
func AgentKey(node, name string) string           { return key2(node, name) }
func TierKey(node, queue, agent string) string    { return key3(node, queue, agent) }
func QueueMemberKey(node, memberID string) string { return key2(node, memberID) }

// queueState holds the queue entities (stored values are immutable
// pointers, as everywhere in the live state).
type queueState struct {
	queues  map[string]*adapters.Queue
	agents  map[string]*adapters.Agent
	tiers   map[string]*adapters.Tier
	members map[string]*adapters.QueueMember
}

func newQueueState() queueState {
	return queueState{
		queues:  make(map[string]*adapters.Queue),
		agents:  make(map[string]*adapters.Agent),
		tiers:   make(map[string]*adapters.Tier),
		members: make(map[string]*adapters.QueueMember),
	}
}

// applyQueueEvent applies the queue events; it ignores every other event.
func (s *State) applyQueueEvent(ev adapters.Event) {
	switch e := ev.(type) {
	case adapters.QueueUpdated:
		s.upsertQueue(e.Queue)
	case adapters.AgentUpdated:
		s.upsertAgent(e.Agent)
	case adapters.TierUpdated:
		s.upsertTier(e.Tier)
	case adapters.QueueMemberUpdated:
		s.upsertQueueMember(e.Member)
	case adapters.QueueMemberLeft:
		removeEntity(s, s.q.members, KindQueueMember, QueueMemberKey(e.Node, e.MemberID))
	}
}

// applyQueueSnapshot replaces the node's queues, agents, tiers and members:
// what the snapshot lacks is removed (members first, queues last), the rest
// upserted (unchanged values send nothing).
func (s *State) applyQueueSnapshot(snap adapters.Snapshot) {
	prefix := snap.Node + "/"
	keep := make(map[string]struct{}, len(snap.QueueMembers))
	for _, m := range snap.QueueMembers {
		keep[QueueMemberKey(snap.Node, m.ID)] = struct{}{}
	}
	for _, k := range staleKeys(s.q.members, prefix, keep) {
		removeEntity(s, s.q.members, KindQueueMember, k)
	}
	clear(keep)
	for _, t := range snap.Tiers {
		keep[TierKey(snap.Node, t.Queue, t.Agent)] = struct{}{}
	}
	for _, k := range staleKeys(s.q.tiers, prefix, keep) {
		removeEntity(s, s.q.tiers, KindTier, k)
	}
	clear(keep)
	for _, a := range snap.Agents {
		keep[AgentKey(snap.Node, a.Name)] = struct{}{}
	}
	for _, k := range staleKeys(s.q.agents, prefix, keep) {
		removeEntity(s, s.q.agents, KindAgent, k)
	}
	clear(keep)
	for _, q := range snap.Queues {
		keep[QueueKey(snap.Node, q.Name)] = struct{}{}
	}
	for _, k := range staleKeys(s.q.queues, prefix, keep) {
		removeEntity(s, s.q.queues, KindQueue, k)
	}
	for _, q := range snap.Queues {
		q.Node = snap.Node
		s.upsertQueue(q)
	}
	for _, a := range snap.Agents {
		a.Node = snap.Node
		s.upsertAgent(a)
	}
	for _, t := range snap.Tiers {
		t.Node = snap.Node
		s.upsertTier(t)
	}
	for _, m := range snap.QueueMembers {
		m.Node = snap.Node
		s.upsertQueueMember(m)
	}
}

func (s *State) upsertQueue(q adapters.Queue) {
	upsertEntity(s, s.q.queues, KindQueue, QueueKey(q.Node, q.Name), q)
}

func (s *State) upsertAgent(a adapters.Agent) {
	a.StatusSince, a.StateSince = a.StatusSince.UTC(), a.StateSince.UTC()
	upsertEntity(s, s.q.agents, KindAgent, AgentKey(a.Node, a.Name), a)
}

func (s *State) upsertTier(t adapters.Tier) {
	upsertEntity(s, s.q.tiers, KindTier, TierKey(t.Node, t.Queue, t.Agent), t)
}

func (s *State) upsertQueueMember(m adapters.QueueMember) {
	m.JoinedAt, m.AnsweredAt = m.JoinedAt.UTC(), m.AnsweredAt.UTC()
	upsertEntity(s, s.q.members, KindQueueMember, QueueMemberKey(m.Node, m.ID), m)
}

// upsertEntity stores a new pointer and records an upsert, unless the value
// is unchanged (the PBX repeats state: an unchanged agent costs nothing).
func upsertEntity[V comparable](s *State, m map[string]*V, kind Kind, k string, v V) {
	if old := m[k]; old != nil && *old == v {
		return
	}
	m[k] = &v
	s.record(OpUpsert, kind, k, &v, "")
}

// removeEntity removes k from m and records the remove, if it was there.
func removeEntity[V any](s *State, m map[string]*V, kind Kind, k string) {
	if _, ok := m[k]; !ok {
		return
	}
	delete(m, k)
	s.record(OpRemove, kind, k, nil, "")
}

// HasAgent tests for a live queue agent by key.
func (v *View) HasAgent(key string) bool { _, ok := v.s.q.agents[key]; return ok }

// QueueMember returns a live queue member by key.
func (v *View) QueueMember(key string) (*adapters.QueueMember, bool) {
	m, ok := v.s.q.members[key]
	return m, ok
}

// sortQueues orders the queue lists by key.
func (snap *Snapshot) sortQueues() {
	slices.SortFunc(snap.Queues, func(a, b *adapters.Queue) int {
		return strings.Compare(QueueKey(a.Node, a.Name), QueueKey(b.Node, b.Name))
	})
	slices.SortFunc(snap.Agents, func(a, b *adapters.Agent) int {
		return strings.Compare(AgentKey(a.Node, a.Name), AgentKey(b.Node, b.Name))
	})
	slices.SortFunc(snap.Tiers, func(a, b *adapters.Tier) int {
		return strings.Compare(TierKey(a.Node, a.Queue, a.Agent), TierKey(b.Node, b.Queue, b.Agent))
	})
	slices.SortFunc(snap.QueueMembers, func(a, b *adapters.QueueMember) int {
		return strings.Compare(QueueMemberKey(a.Node, a.ID), QueueMemberKey(b.Node, b.ID))
	})
}
