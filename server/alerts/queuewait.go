package alerts

import (
	"context"
	"fmt"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/bus"
	"github.com/callboard/callboard/server/store"
)

// MaxQueued bounds the waiting callers the queue_wait rules track (all
// nodes together). A caller who waits produces no events, so the rule runs
// on the engine's clock (Options.TickInterval): each tick costs at most
// rules x MaxQueued comparisons, with no per-caller timer. Callers beyond
// the bound are not tracked (logged once until the list has halved).
const MaxQueued = 10000

// queueTrack is a caller waiting in a queue (not yet answered).
type queueTrack struct {
	node, queue, call, caller string
	since                     time.Time
}

// trackQueue follows the bus's queue events: a caller is tracked from
// queue.member_joined (with the PBX's join time, also for callers found
// waiting after a reconnect or restart) until answered or gone.
func (s *Service) trackQueue(ev bus.Event) {
	q := ev.Queue
	key := ev.Node + "/" + q.MemberID
	switch ev.Name {
	case bus.QueueMemberJoined:
		if q.State == adapters.QueueMemberAnswered {
			return
		}
		if _, ok := s.queued[key]; !ok && len(s.queued) >= MaxQueued {
			if !s.queueFull {
				s.queueFull = true
				s.log.Warn("queue_wait: too many waiting callers, the newest are not tracked", "max", MaxQueued)
			}
			return
		}
		caller := q.CallerNumber
		if q.CallerName != "" && q.CallerName != q.CallerNumber {
			caller = q.CallerName + " <" + q.CallerNumber + ">"
		}
		s.queued[key] = queueTrack{node: ev.Node, queue: q.Queue, call: q.CallID, caller: clip(caller, 100), since: q.WaitingSince}
	case bus.QueueMemberAnswered, bus.QueueMemberLeft:
		if _, ok := s.queued[key]; ok {
			delete(s.queued, key)
			s.forget(key)
			s.queueFull = s.queueFull && len(s.queued) >= MaxQueued/2
		}
	}
}

// tickQueueWait fires r once for each tracked caller waiting longer than its
// threshold.
func (s *Service) tickQueueWait(ctx context.Context, r *compiled, now time.Time) {
	limit := time.Duration(r.Threshold) * time.Second
	for key, q := range s.queued {
		if q.since.IsZero() || now.Sub(q.since) < limit || !s.once(r, key) || s.firedBefore(ctx, r, q.node, q.call, q.since) {
			continue
		}
		who := "a caller"
		if q.caller != "" {
			who = "caller " + q.caller
		}
		s.fire(ctx, r, store.Alert{Node: q.node, CallID: q.call,
			Summary: fmt.Sprintf("%s has waited in queue %s on %s for more than %d s", who, q.queue, q.node, r.Threshold)})
	}
}
