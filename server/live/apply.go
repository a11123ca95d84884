package live

import (
	"slices"
	"strings"

	"github.com/callboard/callboard/adapters"
)

func (s *State) applyStatus(st adapters.NodeStatus) {
	st.Since = st.Since.UTC()
	old := s.nodes[st.Node]
	n := &NodeEntity{NodeStatus: st, Actions: []adapters.ActionKind{}, Media: []string{}}
	if old != nil {
		n.Actions, n.Media = old.Actions, old.Media
		if old.Kind != "" && n.Kind == "" {
			n.Kind = old.Kind
		}
		if old.NodeStatus == n.NodeStatus {
			return
		}
	}
	s.nodes[st.Node] = n
	s.record(OpUpsert, KindNode, st.Node, n, "")
}

// applySnapshot replaces everything known about one node: removes what the
// snapshot no longer has, upserts what is new or changed, leaves the rest.
func (s *State) applySnapshot(snap adapters.Snapshot) {
	prefix := snap.Node + "/"
	keepCalls := make(map[string]struct{}, len(snap.Calls))
	for _, c := range snap.Calls {
		keepCalls[key2(snap.Node, c.ID)] = struct{}{}
	}
	keepConfs := make(map[string]struct{}, len(snap.Conferences))
	for _, c := range snap.Conferences {
		keepConfs[key2(snap.Node, c.Name)] = struct{}{}
	}
	keepMembers := make(map[string]struct{}, len(snap.Members))
	for _, m := range snap.Members {
		keepMembers[key3(snap.Node, m.Conference, m.ID)] = struct{}{}
	}
	for _, k := range staleKeys(s.members, prefix, keepMembers) {
		s.removeMember(k)
	}
	for _, k := range staleKeys(s.conferences, prefix, keepConfs) {
		s.removeConference(k)
	}
	for _, k := range staleKeys(s.calls, prefix, keepCalls) {
		s.removeCall(k)
	}
	for _, c := range snap.Calls {
		c.Node = snap.Node
		s.upsertCall(c)
	}
	for _, c := range snap.Conferences {
		c.Node = snap.Node
		s.upsertConference(c)
	}
	for _, m := range snap.Members {
		m.Node = snap.Node
		s.upsertMember(m)
	}
	s.applyQueueSnapshot(snap)
}

// staleKeys lists, sorted, the keys of m under prefix that keep lacks.
func staleKeys[V any](m map[string]V, prefix string, keep map[string]struct{}) []string {
	var out []string
	for k := range m {
		if _, ok := keep[k]; !ok && strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func (s *State) upsertCall(c adapters.Call) {
	c.Legs = slices.Clone(c.Legs) // the stored value must not share memory with the adapter
	for i := range c.Legs {
		c.Legs[i].CreatedAt = c.Legs[i].CreatedAt.UTC()
	}
	c.Listeners = slices.Clone(c.Listeners)
	for i := range c.Listeners {
		c.Listeners[i].Since = c.Listeners[i].Since.UTC()
	}
	c.CreatedAt, c.AnsweredAt = c.CreatedAt.UTC(), c.AnsweredAt.UTC()
	k := key2(c.Node, c.ID)
	s.originCallSeen(k, &c)
	if old := s.calls[k]; old != nil && callEqual(old, &c) {
		return
	}
	s.calls[k] = &c
	if t := s.transcripts[k]; t != nil && !t.live {
		t.live = true
		s.retainedCount--
	}
	s.record(OpUpsert, KindCall, k, &c, "")
}

func callEqual(a, b *adapters.Call) bool {
	return a.Node == b.Node && a.ID == b.ID && slices.Equal(a.Legs, b.Legs) &&
		a.CallerNumber == b.CallerNumber && a.CallerName == b.CallerName &&
		a.CalleeNumber == b.CalleeNumber && a.CalleeName == b.CalleeName &&
		a.Direction == b.Direction && a.State == b.State && a.CreatedAt.Equal(b.CreatedAt) &&
		a.AnsweredAt.Equal(b.AnsweredAt) && a.Conference == b.Conference && slices.Equal(a.Listeners, b.Listeners)
}

func (s *State) removeCall(k string) {
	if _, ok := s.calls[k]; !ok {
		return
	}
	delete(s.calls, k)
	s.retainTranscript(k)
	s.record(OpRemove, KindCall, k, nil, "")
}

func (s *State) upsertConference(c adapters.Conference) {
	c.CreatedAt = c.CreatedAt.UTC()
	k := key2(c.Node, c.Name)
	if old := s.conferences[k]; old != nil && *old == c {
		return
	}
	s.conferences[k] = &c
	s.record(OpUpsert, KindConference, k, &c, "")
}

// removeConference removes a conference and, first, each of its members.
func (s *State) removeConference(k string) {
	if set := s.confMembers[k]; len(set) > 0 {
		keys := make([]string, 0, len(set))
		for mk := range set {
			keys = append(keys, mk)
		}
		slices.Sort(keys)
		for _, mk := range keys {
			s.removeMember(mk)
		}
	}
	delete(s.confMembers, k)
	if _, ok := s.conferences[k]; !ok {
		return
	}
	delete(s.conferences, k)
	s.record(OpRemove, KindConference, k, nil, "")
}

func (s *State) upsertMember(m adapters.Member) {
	m.JoinedAt = m.JoinedAt.UTC()
	k := key3(m.Node, m.Conference, m.ID)
	if old := s.members[k]; old != nil && *old == m {
		return
	}
	s.members[k] = &m
	ck := key2(m.Node, m.Conference)
	set := s.confMembers[ck]
	if set == nil {
		set = make(map[string]struct{})
		s.confMembers[ck] = set
	}
	set[k] = struct{}{}
	s.record(OpUpsert, KindMember, k, &m, "")
}

func (s *State) removeMember(k string) {
	m, ok := s.members[k]
	if !ok {
		return
	}
	delete(s.members, k)
	ck := key2(m.Node, m.Conference)
	if set := s.confMembers[ck]; set != nil {
		delete(set, k)
		if len(set) == 0 {
			delete(s.confMembers, ck)
		}
	}
	s.record(OpRemove, KindMember, k, nil, "")
}
