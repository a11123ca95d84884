package store

import (
	"context"
	"errors"
	"time"

	"github.com/callboard/callboard/adapters"
)

// HistoryCall is one call as kept in history (docs/history.md). EndedAt is
// zero while the call is open.
type HistoryCall struct {
	Node, ID                 string
	CallerNumber, CallerName string
	CalleeNumber, CalleeName string
	Direction                string
	Conference               string
	StartedAt                time.Time
	AnsweredAt               time.Time // zero: never answered
	EndedAt                  time.Time // zero: still open
	HangupCause              string
	EndedWhileDisconnected   bool
	HasTranscript            bool // read side only
}

// Timeline entry kinds.
const (
	TimelineJoin   = "join"
	TimelineLeave  = "leave"
	TimelineKick   = "kick"
	TimelineMute   = "mute"
	TimelineUnmute = "unmute"
	TimelineDeaf   = "deaf"
	TimelineUndeaf = "undeaf"
	TimelineLock   = "lock"
	TimelineUnlock = "unlock"
	TimelineAlert  = "alert" // an alert fired about the call: Member is the severity, By the rule, Detail the summary
)

// TimelineEntry is one conference event. Member and CallID are empty for
// lock/unlock. By is the callboard user when the event was their action.
type TimelineEntry struct {
	At         time.Time
	Node       string
	Conference string
	Kind       string
	Member     string
	CallID     string
	CallerName string
	By         string
	Detail     string
}

// HistoryOpKind says what a HistoryOp does.
type HistoryOpKind int

const (
	// OpCallUpsert creates or updates a call row from Call (the row is
	// reopened if it was closed: the call is live again).
	OpCallUpsert HistoryOpKind = iota + 1
	// OpCallEnd closes the open row Node/CallID at At with Cause.
	OpCallEnd
	// OpCallsResync closes, at At and marked ended while disconnected, every
	// open row of Node whose id is not in Keep.
	OpCallsResync
	// OpCallMerge folds call CallID into call Into (lines, timeline, earliest
	// start) and deletes the row CallID: a merged call is not a hang-up.
	OpCallMerge
	// OpLine stores a final transcript line (idempotent on its id).
	OpLine
	// OpTimeline appends a conference timeline entry (a join is idempotent on
	// member and join time, so a resync after a restart does not repeat it).
	OpTimeline
	// OpQueueCall stores QueueCall (idempotent on node and member id).
	OpQueueCall
	// OpCallFailed records a call placed from callboard that failed before it
	// was ever live (Call holds its from/to, At the placing, Ended and Cause
	// the PBX's verdict): a closed row, written only if the call has none.
	OpCallFailed
)

// HistoryOp is one history write; a batch is applied in order, atomically.
type HistoryOp struct {
	Kind     HistoryOpKind
	Node     string
	CallID   string
	At       time.Time
	Call     adapters.Call      // OpCallUpsert, OpCallFailed
	Cause    string             // OpCallEnd, OpCallFailed
	Ended    time.Time          // OpCallFailed
	Keep     []string           // OpCallsResync
	Into     string             // OpCallMerge
	Line     adapters.Utterance // OpLine
	Timeline TimelineEntry      // OpTimeline
	Queue    QueueCall          // OpQueueCall
}

// ErrBadCursor is returned for a malformed paging cursor.
var ErrBadCursor = errors.New("malformed cursor")

// CallFilter selects history calls; zero fields do not filter.
type CallFilter struct {
	From, To      time.Time // call start: inclusive from, exclusive to
	Number        string    // substring of caller/callee number or name
	Node          string
	HasTranscript bool
	Text          string // full-text over transcript lines
	Limit         int
	Before        string // cursor from a previous page
}

// HistoryStore keeps call history, conference timelines and final
// transcript lines. Every method is safe for concurrent use.
type HistoryStore interface {
	WriteHistory(ctx context.Context, ops []HistoryOp) error
	// ListCalls returns matching calls newest first and the cursor of the
	// next page ("" when there is none).
	ListCalls(ctx context.Context, f CallFilter) ([]HistoryCall, string, error)
	GetCall(ctx context.Context, node, id string) (HistoryCall, error) // ErrNotFound
	// CallTranscript returns the call's stored lines, oldest first.
	CallTranscript(ctx context.Context, node, id string) ([]adapters.Utterance, error)
	// CallTimeline returns the timeline of the conferences the call was in,
	// while it was there, oldest first.
	CallTimeline(ctx context.Context, node, id string) ([]TimelineEntry, error)
	// PurgeHistory deletes ended calls, lines and timeline entries older than
	// before; it returns the number of calls deleted.
	PurgeHistory(ctx context.Context, before time.Time) (int64, error)
}
