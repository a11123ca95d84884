package freeswitch

import (
	"slices"
	"time"

	"github.com/callboard/callboard/adapters"
)

// model is one node's view of its PBX: legs grouped into calls, conferences
// and their members. It is owned by the session goroutine; every change
// returns the domain events (full-state upserts) to emit.
type model struct {
	node string

	legs    map[string]*leg  // by channel uuid
	calls   map[string]*call // by call id (uuid of its first leg)
	pending map[string]string
	// pending maps a uuid that a known leg referred to (other loopback leg,
	// bridge peer) but that has not appeared yet, to the call it will join.

	confs   map[string]*conference // by name
	members map[memberKey]*adapters.Member
	leaving map[memberKey]string // reason announced by kick-member / hup-member

	goneLegs    map[string]bool // hung-up channel uuids: uuids are never reused
	goneOrder   []string
	goneMembers map[memberKey]uint64 // member removed at this Event-Sequence
	goneConfs   map[string]uint64    // conference destroyed at this Event-Sequence

	listeners map[string]*listenLeg // supervisor legs by uuid (listeners.go)
}

type memberKey struct{ conf, id string }

type leg struct {
	adapters.Leg
	callerName, callerNumber string
	calleeName, calleeNumber string
	answeredAt               time.Time
	callID                   string
	conference               string // conference this channel is a member of
	joined                   int    // join order, breaks CreatedAt ties
}

type call struct {
	id        string
	legs      []string // uuids
	createdAt time.Time
	last      adapters.Call // last emitted view
	emitted   bool
}

type conference struct {
	adapters.Conference
	last    adapters.Conference
	emitted bool
}

// goneLimit bounds the leg tombstones; older ones are forgotten first.
const goneLimit = 4096

func newModel(node string) *model {
	return &model{
		node:        node,
		legs:        map[string]*leg{},
		calls:       map[string]*call{},
		pending:     map[string]string{},
		confs:       map[string]*conference{},
		members:     map[memberKey]*adapters.Member{},
		leaving:     map[memberKey]string{},
		goneLegs:    map[string]bool{},
		goneMembers: map[memberKey]uint64{},
		goneConfs:   map[string]uint64{},
		listeners:   map[string]*listenLeg{},
	}
}

func (m *model) markLegGone(uuid string) {
	if m.goneLegs[uuid] {
		return
	}
	m.goneLegs[uuid] = true
	m.goneOrder = append(m.goneOrder, uuid)
	if len(m.goneOrder) > goneLimit {
		delete(m.goneLegs, m.goneOrder[0])
		m.goneOrder = m.goneOrder[1:]
	}
}

// callOf is the call id a channel belongs to, or the uuid itself when the
// channel is unknown (transcripts for it still land somewhere addressable).
func (m *model) callOf(uuid string) string {
	if l := m.legs[uuid]; l != nil {
		return l.callID
	}
	return uuid
}

// attachLeg puts a new leg into the call it belongs to, creating the call.
func (m *model) attachLeg(l *leg, refs []string) {
	callID := m.pending[l.UUID]
	delete(m.pending, l.UUID)
	if _, ok := m.calls[callID]; !ok {
		callID = ""
	}
	if callID == "" {
		for _, r := range refs {
			if other := m.legs[r]; other != nil && other.callID != "" {
				callID = other.callID
				break
			}
		}
	}
	c := m.calls[callID]
	if c == nil {
		c = &call{id: l.UUID, createdAt: l.CreatedAt}
		m.calls[c.id] = c
	}
	l.callID = c.id
	c.legs = append(c.legs, l.UUID)
	if !l.CreatedAt.IsZero() && (c.createdAt.IsZero() || l.CreatedAt.Before(c.createdAt)) {
		c.createdAt = l.CreatedAt
	}
}

// link records that leg l is connected to the channels in refs: known ones in
// another call are merged into one call, unknown ones will join l's call.
func (m *model) link(l *leg, refs []string) []adapters.Event {
	var out []adapters.Event
	for _, r := range refs {
		if r == l.UUID || m.goneLegs[r] {
			continue
		}
		other := m.legs[r]
		if other == nil || other.callID == "" {
			m.pending[r] = l.callID
			continue
		}
		if other.callID != l.callID {
			out = append(out, m.mergeCalls(l.callID, other.callID)...)
		}
	}
	return out
}

// mergeCalls folds the younger of two calls into the older one, which keeps
// its id. The younger one is reported ended with cause "MERGED".
func (m *model) mergeCalls(a, b string) []adapters.Event {
	ca, cb := m.calls[a], m.calls[b]
	if ca == nil || cb == nil {
		return nil
	}
	keep, drop := ca, cb
	if cb.createdAt.Before(ca.createdAt) || (cb.createdAt.Equal(ca.createdAt) && cb.id < ca.id) {
		keep, drop = cb, ca
	}
	for _, u := range drop.legs {
		m.legs[u].callID = keep.id
	}
	keep.legs = append(keep.legs, drop.legs...)
	if drop.createdAt.Before(keep.createdAt) {
		keep.createdAt = drop.createdAt
	}
	for u, id := range m.pending {
		if id == drop.id {
			m.pending[u] = keep.id
		}
	}
	delete(m.calls, drop.id)
	var out []adapters.Event
	if drop.emitted {
		out = append(out, adapters.CallEnded{Node: m.node, CallID: drop.id, Cause: "MERGED", At: time.Now().UTC()})
	}
	for _, mem := range m.members {
		if mem.CallID == drop.id {
			mem.CallID = keep.id
			out = append(out, adapters.MemberUpdated{Member: *mem})
		}
	}
	return out
}

// orderedLegs is a call's legs, oldest first.
func (m *model) orderedLegs(c *call) []*leg {
	ls := make([]*leg, 0, len(c.legs))
	for _, u := range c.legs {
		if l := m.legs[u]; l != nil {
			ls = append(ls, l)
		}
	}
	slices.SortStableFunc(ls, func(a, b *leg) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 && !a.CreatedAt.IsZero() && !b.CreatedAt.IsZero() {
			return c
		}
		return a.joined - b.joined
	})
	return ls
}

// callView builds the domain value of a call from its legs. Parties and
// direction come from the oldest leg that has them.
func (m *model) callView(c *call) adapters.Call {
	v := adapters.Call{Node: m.node, ID: c.id, CreatedAt: c.createdAt, Legs: []adapters.Leg{}}
	var states []string
	for _, l := range m.orderedLegs(c) {
		v.Legs = append(v.Legs, l.Leg)
		states = append(states, l.State)
		if v.CallerNumber == "" && v.CallerName == "" {
			v.CallerNumber, v.CallerName = l.callerNumber, l.callerName
		}
		if v.CalleeNumber == "" && v.CalleeName == "" {
			v.CalleeNumber, v.CalleeName = l.calleeNumber, l.calleeName
		}
		if v.Direction == "" {
			v.Direction = l.Direction
		}
		if !l.answeredAt.IsZero() && (v.AnsweredAt.IsZero() || l.answeredAt.Before(v.AnsweredAt)) {
			v.AnsweredAt = l.answeredAt
		}
		if v.Conference == "" {
			v.Conference = l.conference
		}
	}
	v.State = callState(states)
	v.Listeners = m.listenersOf(c.id)
	return v
}

// callState: held if any leg is held, else active if any is answered, else
// ringing if any rings, else hangup.
func callState(legStates []string) string {
	for _, want := range []string{adapters.CallHeld, adapters.CallActive, adapters.CallRinging} {
		if slices.Contains(legStates, want) {
			return want
		}
	}
	return adapters.CallHangup
}

// touchCall emits the call's view if it changed since last emitted.
func (m *model) touchCall(id string) []adapters.Event {
	c := m.calls[id]
	if c == nil {
		return nil
	}
	v := m.callView(c)
	if c.emitted && callEqual(c.last, v) {
		return nil
	}
	c.last, c.emitted = v, true
	return []adapters.Event{adapters.CallUpdated{Call: v}}
}

func callEqual(a, b adapters.Call) bool {
	return slices.Equal(a.Legs, b.Legs) && a.CallerNumber == b.CallerNumber && a.CallerName == b.CallerName &&
		a.CalleeNumber == b.CalleeNumber && a.CalleeName == b.CalleeName && a.Direction == b.Direction &&
		a.State == b.State && a.CreatedAt.Equal(b.CreatedAt) && a.AnsweredAt.Equal(b.AnsweredAt) &&
		a.Conference == b.Conference && a.ID == b.ID && slices.Equal(a.Listeners, b.Listeners)
}

// removeLeg drops a hung-up channel; the call ends with its last leg.
func (m *model) removeLeg(uuid, cause string, at time.Time) []adapters.Event {
	m.markLegGone(uuid)
	delete(m.pending, uuid)
	l := m.legs[uuid]
	if l == nil {
		return nil
	}
	delete(m.legs, uuid)
	c := m.calls[l.callID]
	if c == nil {
		return nil
	}
	c.legs = slices.DeleteFunc(c.legs, func(u string) bool { return u == uuid })
	if len(c.legs) > 0 {
		return m.touchCall(c.id)
	}
	delete(m.calls, c.id)
	for u, ll := range m.listeners {
		if ll.call == c.id {
			delete(m.listeners, u) // its eavesdrop ends with the call; the leg's hangup follows
		}
	}
	for u, id := range m.pending {
		if id == c.id {
			delete(m.pending, u)
		}
	}
	if !c.emitted {
		return nil
	}
	return []adapters.Event{adapters.CallEnded{Node: m.node, CallID: c.id, Cause: cause, At: at}}
}

// touchConference emits the conference if it changed since last emitted.
func (m *model) touchConference(name string) []adapters.Event {
	c := m.confs[name]
	if c == nil {
		return nil
	}
	if c.emitted && c.last == c.Conference {
		return nil
	}
	c.last, c.emitted = c.Conference, true
	return []adapters.Event{adapters.ConferenceUpdated{Conference: c.Conference}}
}

// snapshot is the model as an authoritative adapters.Snapshot, and marks
// everything in it as emitted.
func (m *model) snapshot() adapters.Snapshot {
	s := adapters.Snapshot{Node: m.node, Calls: []adapters.Call{}, Conferences: []adapters.Conference{}, Members: []adapters.Member{}}
	for _, c := range m.calls {
		v := m.callView(c)
		c.last, c.emitted = v, true
		s.Calls = append(s.Calls, v)
	}
	for _, c := range m.confs {
		c.last, c.emitted = c.Conference, true
		s.Conferences = append(s.Conferences, c.Conference)
	}
	for _, mem := range m.members {
		s.Members = append(s.Members, *mem)
	}
	slices.SortFunc(s.Calls, func(a, b adapters.Call) int { return a.CreatedAt.Compare(b.CreatedAt) })
	slices.SortFunc(s.Conferences, func(a, b adapters.Conference) int { return cmpString(a.Name, b.Name) })
	slices.SortFunc(s.Members, func(a, b adapters.Member) int {
		if c := cmpString(a.Conference, b.Conference); c != 0 {
			return c
		}
		if c := len(a.ID) - len(b.ID); c != 0 { // numeric ids: shorter is smaller
			return c
		}
		return cmpString(a.ID, b.ID)
	})
	return s
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// callLegs is call id -> leg uuids, for HangupCall.
func (m *model) callLegs() map[string][]string {
	out := make(map[string][]string, len(m.calls))
	for id, c := range m.calls {
		out[id] = slices.Clone(c.legs)
	}
	return out
}
