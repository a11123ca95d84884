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

	// Queue events are defined now and emitted once the queue adapters
	// exist: a caller joined a queue (WaitingSince set) and left it
	// (answered or abandoned).
	QueueMemberJoined = "member_joined"
	QueueMemberLeft   = "member_left"
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
	Action     *Action              `json:"action,omitempty"`
	Cause      string               `json:"cause,omitempty"`
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

// Queue is a waiting caller of a call-center queue.
type Queue struct {
	Queue        string    `json:"queue"`
	CallID       string    `json:"callId"`
	CallerNumber string    `json:"callerNumber,omitempty"`
	CallerName   string    `json:"callerName,omitempty"`
	WaitingSince time.Time `json:"waitingSince"`
	Outcome      string    `json:"outcome,omitempty"` // member_left: answered, abandoned, timeout
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
	}
	return ""
}
