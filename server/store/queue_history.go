package store

import (
	"context"
	"errors"
	"time"
)

// QueueCall is one queue call as kept in history (docs/history.md#queues):
// a caller who joined a queue and left it answered, abandoned or timed out.
type QueueCall struct {
	Node, Queue, MemberID    string
	CallID                   string
	CallerName, CallerNumber string
	Outcome                  string // adapters.QueueAnswered, QueueAbandoned, QueueTimedOut
	Cause                    string // the PBX's words
	AnsweredBy               string // the agent, when answered
	JoinedAt, LeftAt         time.Time
	Wait                     time.Duration // to the agent's answer, or to leaving
}

// Talk is how long an answered caller talked to the agent (0 otherwise).
func (c QueueCall) Talk() time.Duration {
	if c.Outcome != "answered" {
		return 0
	}
	if d := c.LeftAt.Sub(c.JoinedAt) - c.Wait; d > 0 {
		return d
	}
	return 0
}

// QueueCallFilter selects queue calls by when they joined; zero fields do
// not filter.
type QueueCallFilter struct {
	From, To time.Time // joined: inclusive from, exclusive to
	Node     string
	Queue    string
	Outcome  string
	Limit    int    // ListQueueCalls only
	Before   string // cursor from a previous page (ListQueueCalls only)
}

// QueueHistoryStore keeps queue calls. OpQueueCall writes them (through
// WriteHistory, in the history recorder's batches).
type QueueHistoryStore interface {
	// ListQueueCalls returns matching queue calls newest first and the cursor
	// of the next page ("" when there is none).
	ListQueueCalls(ctx context.Context, f QueueCallFilter) ([]QueueCall, string, error)
	// QueueCallsFor returns every matching queue call (for daily figures),
	// oldest first, at most max (more is ErrTooMany).
	QueueCallsFor(ctx context.Context, f QueueCallFilter, max int) ([]QueueCall, error)
}

// ErrTooMany is returned by QueueCallsFor when more than max calls match.
var ErrTooMany = errors.New("too many queue calls; narrow the range")
