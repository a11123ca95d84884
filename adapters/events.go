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
