package history

import (
	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/store"
)

// observeQueueLeft queues one queue-call row per caller who left a queue.
// It is recorded even when the live state never saw the member (a caller
// who joined and left while callboard was reconnecting still counts).
func (r *Recorder) observeQueueLeft(e adapters.QueueMemberLeft) {
	if e.Node == "" || e.MemberID == "" || e.JoinedAt.IsZero() {
		return
	}
	now := r.opts.Now().UTC()
	left := atOr(e.LeftAt, now)
	c := store.QueueCall{Node: e.Node, Queue: e.Queue, MemberID: e.MemberID, CallID: e.CallID,
		CallerName: e.CallerName, CallerNumber: e.CallerNumber, Outcome: e.Outcome, Cause: e.Cause,
		AnsweredBy: e.AnsweredBy, JoinedAt: e.JoinedAt.UTC(), LeftAt: left, Wait: max(e.Wait, 0)}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.queue(store.HistoryOp{Kind: store.OpQueueCall, Node: e.Node, CallID: e.CallID, At: now, Queue: c})
}
