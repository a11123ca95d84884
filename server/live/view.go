package live

import (
	"slices"
	"strings"

	"github.com/callboard/callboard/adapters"
)

// View reads the live state inside a Query. It must not escape the Query.
type View struct{ s *State }

// Snapshot is a consistent copy of the overview at Seq. Its JSON form is the
// protocol's snapshot message.
type Snapshot struct {
	Type        string                 `json:"type"` // always "snapshot"
	Seq         uint64                 `json:"seq"`
	Nodes       []*NodeEntity          `json:"nodes"`
	Calls       []*adapters.Call       `json:"calls"`
	Conferences []*adapters.Conference `json:"conferences"`
	Members     []*adapters.Member     `json:"members"`
	// Queues, agents, tiers and waiting callers (mod_callcenter).
	Queues       []*adapters.Queue       `json:"queues"`
	Agents       []*adapters.Agent       `json:"agents"`
	Tiers        []*adapters.Tier        `json:"tiers"`
	QueueMembers []*adapters.QueueMember `json:"queueMembers"`
	// Catalogue is every action callboard knows (docs/protocol.md); which of
	// them a node supports is its node entity's actions.
	Catalogue []adapters.ActionSpec `json:"catalogue"`
	// Originations are the calls placed from callboard lately and how they
	// went (originate.go): the placer's browser shows the PBX's verdict.
	Originations []*Origination `json:"originations"`
}

// Seq is the number of the last applied change.
func (v *View) Seq() uint64 { return v.s.seq }

// Snapshot copies the overview (pointers only; sort it outside the Query).
func (v *View) Snapshot() *Snapshot {
	s := v.s
	return &Snapshot{
		Type:         "snapshot",
		Seq:          s.seq,
		Nodes:        values(s.nodes),
		Calls:        values(s.calls),
		Conferences:  values(s.conferences),
		Members:      values(s.members),
		Queues:       values(s.q.queues),
		Agents:       values(s.q.agents),
		Tiers:        values(s.q.tiers),
		QueueMembers: values(s.q.members),
		Catalogue:    nonNil(s.opts.Catalogue),
		Originations: v.Originations(),
	}
}

func values[V any](m map[string]*V) []*V {
	out := make([]*V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// Sort orders every list by key so snapshots are deterministic.
func (snap *Snapshot) Sort() {
	slices.SortFunc(snap.Nodes, func(a, b *NodeEntity) int { return strings.Compare(a.Node, b.Node) })
	slices.SortFunc(snap.Calls, func(a, b *adapters.Call) int {
		return strings.Compare(key2(a.Node, a.ID), key2(b.Node, b.ID))
	})
	slices.SortFunc(snap.Conferences, func(a, b *adapters.Conference) int {
		return strings.Compare(key2(a.Node, a.Name), key2(b.Node, b.Name))
	})
	slices.SortFunc(snap.Originations, func(a, b *Origination) int { return a.At.Compare(b.At) })
	slices.SortFunc(snap.Members, func(a, b *adapters.Member) int {
		return strings.Compare(key3(a.Node, a.Conference, a.ID), key3(b.Node, b.Conference, b.ID))
	})
	snap.sortQueues()
}

// Transcript returns a copy of a call's lines (oldest first). ok is false when
// neither the call nor a transcript for it is known.
func (v *View) Transcript(callKey string) (lines []*adapters.Utterance, ok bool) {
	t := v.s.transcripts[callKey]
	if t == nil {
		_, live := v.s.calls[callKey]
		return []*adapters.Utterance{}, live
	}
	return append(make([]*adapters.Utterance, 0, len(t.lines)), t.lines...), true
}

// KnowsCall reports whether a call is live or its transcript is still kept
// (an ended call's, within the retention of ended transcripts).
func (v *View) KnowsCall(callKey string) bool {
	_, live := v.s.calls[callKey]
	_, kept := v.s.transcripts[callKey]
	return live || kept
}

// Node returns a node's entity.
func (v *View) Node(id string) (*NodeEntity, bool) {
	n, ok := v.s.nodes[id]
	return n, ok
}

// Nodes returns every node entity, sorted by id.
func (v *View) Nodes() []*NodeEntity {
	out := values(v.s.nodes)
	slices.SortFunc(out, func(a, b *NodeEntity) int { return strings.Compare(a.Node, b.Node) })
	return out
}

// HasCall, HasConference and HasMember test for live entities by key.
func (v *View) HasCall(key string) bool       { _, ok := v.s.calls[key]; return ok }
func (v *View) HasConference(key string) bool { _, ok := v.s.conferences[key]; return ok }
func (v *View) HasMember(key string) bool     { _, ok := v.s.members[key]; return ok }
