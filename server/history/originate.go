package history

import (
	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/live"
	"github.com/callboard/callboard/server/store"
)

// observeOrigination writes a call placed from callboard (the live state's
// "origination", fed by CallPlaced and the call's CallEnded) that failed
// before the PBX ever showed it live: USER_BUSY, NO_ANSWER, a missing
// extension. Such a call has no call row (no CallUpdated ever came), yet
// history must say that it was tried and why it failed. A placed call that
// was live has its row from the call path; OpCallFailed leaves that row
// alone, whichever of CallPlaced and CallEnded came first.
func (r *Recorder) observeOrigination(ch *live.Change) {
	o, ok := ch.Value.(*live.Origination)
	if ch.Op != live.OpUpsert || !ok || o.State != live.OriginFailed {
		return
	}
	r.queue(store.HistoryOp{
		Kind: store.OpCallFailed, Node: o.Node, CallID: o.CallID, At: o.At, Ended: o.EndedAt, Cause: o.Cause,
		Call: adapters.Call{Node: o.Node, ID: o.CallID, CallerNumber: o.From, CalleeNumber: o.To, Direction: "outbound"},
	})
}
