package bus

import (
	"strings"
	"time"

	"github.com/callboard/callboard/adapters"
)

// Kinds of domain events (the <kind> segment of a NATS subject).
const (
	KindNode       = "node"
	KindCall       = "call"
	KindConference = "conference"
	KindMember     = "member"
	KindUtterance  = "utterance"
	KindQueue      = "queue"
	KindAgent      = "agent"
	KindAction     = "action"
)

// Event names (the <event> segment). Actions use the catalogue name instead.
const (
	NodeUp         = "up"
	NodeDown       = "down"
	NodeConnecting = "connecting"

	CallCreated  = "created"
	CallAnswered = "answered"
	CallHeld     = "held"
	CallResumed  = "resumed"
	CallEnded    = "ended"

	ConferenceCreated  = "created"
	ConferenceLocked   = "locked"
	ConferenceUnlocked = "unlocked"
	ConferenceEnded    = "ended"

	MemberJoined   = "joined"
	MemberLeft     = "left"
	MemberMuted    = "muted"
	MemberUnmuted  = "unmuted"
	MemberDeaf     = "deaf"
	MemberUndeaf   = "undeaf"
	UtteranceFinal = "final"

	// Queue events (queue.go): a caller joined a queue (first seen, with
	// WaitingSince), an agent answered it, it left (Outcome: answered,
	// abandoned, timeout; or none with Cause "resync" when a snapshot after
	// a reconnect no longer has it).
	QueueMemberJoined   = "member_joined"
	QueueMemberAnswered = "member_answered"
	QueueMemberLeft     = "member_left"

	// Agent events: its status (what it wants: Available, On Break, ...) or
	// its state (what it does: Waiting, Receiving, In a queue call, ...)
	// changed; Event.From is the previous value.
	AgentStatusChanged = "status_changed"
	AgentStateChanged  = "state_changed"
)

// Event is one domain event. Exactly one of the entity pointers is set,
// matching Kind (Cause goes with call.ended and member.left). Pointers are
// shared and immutable: a consumer must not modify them.
type Event struct {
	// Seq is assigned by each publisher (per publisher, from 1, no gaps in
	// what it sent); it is 0 inside the process.
	Seq  uint64    `json:"seq"`
	Node string    `json:"node"`
	Kind string    `json:"kind"`
	Name string    `json:"event"`
	At   time.Time `json:"at"`

	Status     *adapters.NodeStatus `json:"status,omitempty"`
	Call       *adapters.Call       `json:"call,omitempty"`
	Conference *adapters.Conference `json:"conference,omitempty"`
	Member     *adapters.Member     `json:"member,omitempty"`
	Utterance  *adapters.Utterance  `json:"utterance,omitempty"`
	Queue      *Queue               `json:"queue,omitempty"`
	Agent      *adapters.Agent      `json:"agent,omitempty"`
	Action     *Action              `json:"action,omitempty"`
	Cause      string               `json:"cause,omitempty"`
	// From is the previous value of what an agent event says changed.
	From string `json:"from,omitempty"`
}

// Action is an action taken through the REST API and its verdict.
type Action struct {
	Name       string  `json:"name"`   // catalogue name, e.g. mute
	Target     string  `json:"target"` // e.g. member fs1/room/3
	User       string  `json:"user"`
	Result     string  `json:"result"` // ok, or the verdict code: refused, invalid, forbidden, ...
	Detail     string  `json:"detail,omitempty"`
	DurationMs float64 `json:"durationMs"`
}

// Queue is a caller of a call-center queue (a queue member).
type Queue struct {
	Queue        string    `json:"queue"`
	MemberID     string    `json:"memberId"` // the queue's own member id
	CallID       string    `json:"callId"`
	CallerNumber string    `json:"callerNumber,omitempty"`
	CallerName   string    `json:"callerName,omitempty"`
	State        string    `json:"state,omitempty"` // Waiting, Trying, Answered (member_left: empty)
	WaitingSince time.Time `json:"waitingSince"`
	Agent        string    `json:"agent,omitempty"`      // member_answered, member_left answered
	AnsweredAt   time.Time `json:"answeredAt,omitzero"`  // member_answered
	Outcome      string    `json:"outcome,omitempty"`    // member_left: answered, abandoned, timeout
	WaitSeconds  float64   `json:"waitSeconds,omitzero"` // member_answered, member_left: join to answer or leave
}

// Subject is the NATS subject prefix.<node>.<kind>.<event>; characters NATS
// treats specially in a token ('.', '*', '>', whitespace) become '_'.
func (e *Event) Subject(prefix string) string {
	return prefix + "." + token(e.Node) + "." + token(e.Kind) + "." + token(e.Name)
}

func token(s string) string {
	if s == "" {
		return "_"
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case '.', '*', '>', ' ', '\t', '\r', '\n':
			return '_'
		}
		return r
	}, s)
}

// CallKey is the live key of the event's call ("node/id"), or "".
func (e *Event) CallKey() string {
	switch {
	case e.Call != nil:
		return e.Call.Node + "/" + e.Call.ID
	case e.Utterance != nil:
		return e.Utterance.Node + "/" + e.Utterance.CallID
	case e.Member != nil && e.Member.CallID != "":
		return e.Member.Node + "/" + e.Member.CallID
	case e.Queue != nil && e.Queue.CallID != "":
		return e.Node + "/" + e.Queue.CallID
	case e.Agent != nil && e.Agent.CallID != "":
		return e.Node + "/" + e.Agent.CallID
	}
	return ""
}
