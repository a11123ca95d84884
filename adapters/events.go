package adapters

import "time"

// Event is what an adapter emits. Every update carries the entity's full
// state (an upsert), so the consumer never merges partial fields.
type Event interface{ event() }

// StatusChanged reports a node's connection state.
type StatusChanged struct{ Status NodeStatus }

// Snapshot is an authoritative view of one node, emitted after every
// (re)connect. It replaces everything previously known about that node.
type Snapshot struct {
	Node        string
	Calls       []Call
	Conferences []Conference
	Members     []Member
	// Queues and agents (queue.go); empty on a node without queues.
	Queues       []Queue
	Agents       []Agent
	Tiers        []Tier
	QueueMembers []QueueMember
}

// CallUpdated creates or replaces a call.
type CallUpdated struct{ Call Call }

// CallEnded removes a call.
type CallEnded struct {
	Node, CallID string
	Cause        string // hangup cause, e.g. NORMAL_CLEARING
	At           time.Time
}

// ConferenceUpdated creates or replaces a conference (not its members).
type ConferenceUpdated struct{ Conference Conference }

// ConferenceEnded removes a conference and all its members.
type ConferenceEnded struct{ Node, Name string }

// MemberUpdated creates or replaces a member.
type MemberUpdated struct{ Member Member }

// Reasons a member left.
const (
	LeftHangup = "hangup"
	LeftKicked = "kicked"
	LeftLeft   = "left"
)

// MemberLeft removes a member.
type MemberLeft struct {
	Node, Conference, MemberID string
	Reason                     string
}

// CallPlaced says who placed a call by originate, and where it rings. The
// server emits it (adapters do not) after a node's Do returned the new call's
// id, so the live state can tell the placer how the call ends: a CallEnded
// for that id with a cause, before or after this event, is the PBX's verdict
// (USER_BUSY, NO_ANSWER, ...). It travels the same event path as the
// adapters' events, so history, alerts and NATS can observe it too.
type CallPlaced struct {
	Node, CallID string
	From, To     string
	By           string // the user ("alice") or API token ("token:crm") that placed it
	At           time.Time
}

// UtteranceAdded adds a transcript line (partial or final).
type UtteranceAdded struct{ Utterance Utterance }

func (StatusChanged) event()     {}
func (Snapshot) event()          {}
func (CallUpdated) event()       {}
func (CallEnded) event()         {}
func (ConferenceUpdated) event() {}
func (ConferenceEnded) event()   {}
func (MemberUpdated) event()     {}
func (MemberLeft) event()        {}
func (UtteranceAdded) event()    {}
func (CallPlaced) event()        {}
