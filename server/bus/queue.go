package bus

import (
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/live"
)

// Queue and agent events (issue 13/14). The adapters emit full states
// (QueueMemberUpdated, AgentUpdated) and one QueueMemberLeft with the
// outcome; the live state drops repeats, so each change seen here is a real
// one. What it means is named by comparing with what the Tap saw last:
//
//   - a queue member seen for the first time: queue.member_joined (also after
//     a reconnect or a restart, with the PBX's join time, so a consumer and
//     the alert engine's queue_wait clock see callers who were already
//     waiting); if it is already answered, queue.member_answered follows;
//   - a member whose state becomes Answered: queue.member_answered;
//   - a member removed: queue.member_left with the adapter's outcome, cause
//     and wait, or, gone from a snapshot, cause "resync";
//   - an agent whose status or state changed: agent.status_changed,
//     agent.state_changed (From: the previous value). The first sight of an
//     agent publishes nothing: there is no change to name, and after a
//     restart 500 agents would each announce themselves.
//
// Queue counters and tiers are not published (the board has them).

func (t *Tap) observeQueueMember(ev adapters.Event, ch *live.Change, at time.Time) {
	if ch.Op == live.OpRemove {
		prev, ok := t.queued[ch.Key]
		if !ok {
			return
		}
		delete(t.queued, ch.Key)
		q := queueOf(prev)
		q.State = ""
		cause := "resync"
		if e, ok := ev.(adapters.QueueMemberLeft); ok {
			q.Outcome, cause, q.Agent = e.Outcome, e.Cause, e.AnsweredBy
			q.WaitSeconds = e.Wait.Seconds()
			if e.Outcome != adapters.QueueAnswered {
				q.Agent = ""
			}
		} else if !prev.JoinedAt.IsZero() {
			q.WaitSeconds = at.Sub(prev.JoinedAt).Seconds()
		}
		t.Publish(Event{Node: prev.Node, Kind: KindQueue, Name: QueueMemberLeft, At: at, Queue: q, Cause: cause})
		return
	}
	m, ok := ch.Value.(*adapters.QueueMember)
	if !ok {
		return
	}
	prev, seen := t.queued[ch.Key]
	t.queued[ch.Key] = m
	if !seen {
		t.Publish(Event{Node: m.Node, Kind: KindQueue, Name: QueueMemberJoined, At: at, Queue: queueOf(m)})
	}
	if m.State == adapters.QueueMemberAnswered && (!seen || prev.State != adapters.QueueMemberAnswered) {
		q := queueOf(m)
		if !m.AnsweredAt.IsZero() && !m.JoinedAt.IsZero() {
			q.WaitSeconds = m.AnsweredAt.Sub(m.JoinedAt).Seconds()
		}
		t.Publish(Event{Node: m.Node, Kind: KindQueue, Name: QueueMemberAnswered, At: at, Queue: q})
	}
}

func queueOf(m *adapters.QueueMember) *Queue {
	return &Queue{Queue: m.Queue, MemberID: m.ID, CallID: m.CallID, CallerNumber: m.CallerNumber, CallerName: m.CallerName,
		State: m.State, WaitingSince: m.JoinedAt, Agent: m.Agent, AnsweredAt: m.AnsweredAt}
}

func (t *Tap) observeAgent(ch *live.Change, at time.Time) {
	if ch.Op == live.OpRemove {
		delete(t.agents, ch.Key)
		return
	}
	a, ok := ch.Value.(*adapters.Agent)
	if !ok {
		return
	}
	prev, seen := t.agents[ch.Key]
	t.agents[ch.Key] = a
	if !seen {
		return
	}
	if prev.Status != a.Status {
		t.Publish(Event{Node: a.Node, Kind: KindAgent, Name: AgentStatusChanged, At: at, Agent: a, From: prev.Status})
	}
	if prev.State != a.State {
		t.Publish(Event{Node: a.Node, Kind: KindAgent, Name: AgentStateChanged, At: at, Agent: a, From: prev.State})
	}
}
