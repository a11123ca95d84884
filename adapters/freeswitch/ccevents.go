package freeswitch

import (
	"strconv"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/percipia/eslgo"
)

// ccSubclass is mod_callcenter's event subclass; its kind is in CC-Action.
const ccSubclass = "callcenter::info"

// applyCC maps one callcenter::info event (CC-Action values as captured
// from FreeSWITCH 1.10.12) to model changes and the events to emit.
// Ignored on purpose: members-count (its CC-Count is mod_callcenter's own
// tally, which in the capture stayed 1 while a caller was answered and
// another waited; the board counts members itself), agent-contact-change (a
// dial string, not for the board), and the *-get echoes of read-only API
// calls.
func (m *ccModel) applyCC(ev *eslgo.Event, now time.Time) []adapters.Event {
	at := eventTime(ev, now)
	agent, queue, memberID := header(ev, "CC-Agent"), header(ev, "CC-Queue"), header(ev, "CC-Member-UUID")
	switch header(ev, "CC-Action") {
	case "agent-status-change":
		a := m.agent(agent)
		a.Status, a.StatusSince = header(ev, "CC-Agent-Status"), at
		return []adapters.Event{adapters.AgentUpdated{Agent: *a}}
	case "agent-state-change":
		a := m.agent(agent)
		a.State, a.StateSince = header(ev, "CC-Agent-State"), at
		if a.State != adapters.AgentReceiving && a.State != adapters.AgentInQueueCall {
			a.CallID, a.Member, a.Queue = "", "", ""
		}
		return []adapters.Event{adapters.AgentUpdated{Agent: *a}}
	case "agent-max-no-answer":
		a := m.agent(agent)
		a.NoAnswerCount, _ = strconv.Atoi(header(ev, "CC-Agent-No-Answer-Count"))
		return []adapters.Event{adapters.AgentUpdated{Agent: *a}}
	case "member-queue-start", "member-queue-resume":
		mem := m.members[memberID]
		if mem == nil || header(ev, "CC-Action") == "member-queue-resume" {
			if mem == nil {
				// member-queue-start has no joined time; mod_callcenter
				// stamps joined_epoch in whole seconds at the same moment.
				mem = m.addMember(&adapters.QueueMember{Node: m.node, Queue: queue, ID: memberID, JoinedAt: at.Truncate(time.Second)})
			}
			mem.State, mem.Agent, mem.AnsweredAt, mem.AgentCall = adapters.QueueMemberWaiting, "", time.Time{}, ""
		}
		// A start for a member the snapshot already lists is one replayed
		// from before the listing: the listing's state is newer.
		m.memberFromEvent(mem, ev)
		return m.memberChanged(mem, m.queueEvent(queue))
	case "agent-offering":
		mem := m.member(ev, queue, memberID, at)
		mem.State, mem.Agent = adapters.QueueMemberTrying, agent
		a := m.agent(agent)
		a.Member, a.Queue = memberID, queue
		return m.memberChanged(mem, adapters.AgentUpdated{Agent: *a})
	case "bridge-agent-start":
		mem := m.member(ev, queue, memberID, at)
		mem.State, mem.Agent, mem.AgentCall = adapters.QueueMemberAnswered, agent, header(ev, "CC-Agent-UUID")
		mem.AnsweredAt = epochTime(header(ev, "CC-Agent-Answered-Time"))
		a := m.agent(agent)
		a.Member, a.Queue, a.CallID = memberID, queue, header(ev, "CC-Agent-UUID")
		a.CallsAnswered++
		out := []adapters.Event{adapters.AgentUpdated{Agent: *a}}
		if q := m.queues[queue]; q != nil {
			q.CallsAnswered++
			out = append(out, adapters.QueueUpdated{Queue: *q})
		}
		out = append(out, m.tierState(queue, agent, "Active Inbound")...)
		return m.memberChanged(mem, out...)
	case "bridge-agent-end":
		return m.tierState(queue, agent, "Ready")
	case "bridge-agent-fail":
		var out []adapters.Event
		if mem := m.members[memberID]; mem != nil && mem.Agent == agent {
			mem.State, mem.Agent = adapters.QueueMemberWaiting, ""
			out = m.memberChanged(mem)
		}
		if a := m.agents[agent]; a != nil && a.Member == memberID {
			a.Member, a.Queue, a.CallID = "", "", ""
			out = append(out, adapters.AgentUpdated{Agent: *a})
		}
		return append(out, m.tierState(queue, agent, "No Answer")...)
	case "member-queue-end":
		return m.memberEnded(ev, queue, memberID, at)
	}
	return nil
}

// agent returns the named agent, creating it when an event names one the
// snapshot did not list (added since with `callcenter_config agent add`).
func (m *ccModel) agent(name string) *adapters.Agent {
	a := m.agents[name]
	if a == nil {
		a = &adapters.Agent{Node: m.node, Name: name, Status: adapters.AgentLoggedOut, State: adapters.AgentWaiting}
		m.agents[name] = a
	}
	return a
}

// member returns the event's member, creating it when the snapshot missed
// it (it joined while the listing ran).
func (m *ccModel) member(ev *eslgo.Event, queue, id string, at time.Time) *ccMember {
	mem := m.members[id]
	if mem == nil {
		mem = m.addMember(&adapters.QueueMember{Node: m.node, Queue: queue, ID: id, State: adapters.QueueMemberWaiting,
			JoinedAt: at.Truncate(time.Second)})
	}
	m.memberFromEvent(mem, ev)
	return mem
}

func (m *ccModel) memberFromEvent(mem *ccMember, ev *eslgo.Event) {
	if v := header(ev, "CC-Member-Session-UUID"); v != "" {
		mem.CallID = v
	}
	if v := header(ev, "CC-Member-CID-Name"); v != "" {
		mem.CallerName = v
	}
	if v := header(ev, "CC-Member-CID-Number"); v != "" {
		mem.CallerNumber = v
	}
	if t := epochTime(header(ev, "CC-Member-Joined-Time")); !t.IsZero() {
		mem.JoinedAt = t
	}
}

// memberChanged renumbers mem's queue and returns extra, then mem's update,
// then the updates of every other member whose position moved.
func (m *ccModel) memberChanged(mem *ccMember, extra ...adapters.Event) []adapters.Event {
	out := append(extra, adapters.QueueMemberUpdated{Member: mem.QueueMember})
	for _, o := range m.renumber(mem.Queue) {
		if o == mem {
			out[len(extra)] = adapters.QueueMemberUpdated{Member: mem.QueueMember}
			continue
		}
		out = append(out, adapters.QueueMemberUpdated{Member: o.QueueMember})
	}
	return out
}

func (m *ccModel) queueEvent(name string) adapters.Event {
	q := m.queues[name]
	if q == nil { // a queue loaded after the snapshot
		q = &adapters.Queue{Node: m.node, Name: name}
		m.queues[name] = q
	}
	return adapters.QueueUpdated{Queue: *q}
}

// tierState sets a known tier's state the way mod_callcenter does on a
// bridge start, end or failure (as its tier list shows afterwards).
func (m *ccModel) tierState(queue, agent, state string) []adapters.Event {
	t := m.tiers[tierKey(queue, agent)]
	if t == nil || t.State == state {
		return nil
	}
	t.State = state
	return []adapters.Event{adapters.TierUpdated{Tier: *t}}
}

// memberEnded removes a member. CC-Cause Terminated is a call an agent
// answered; Cancel is a caller who hung up (BREAK_OUT) or one the queue gave
// up on (NO_AGENT_TIMEOUT, TIMEOUT), both counted abandoned by the PBX.
func (m *ccModel) memberEnded(ev *eslgo.Event, queue, id string, at time.Time) []adapters.Event {
	mem := m.member(ev, queue, id, at)
	delete(m.members, id)
	left := adapters.QueueMemberLeft{Node: m.node, Queue: queue, MemberID: id, CallID: mem.CallID,
		CallerName: mem.CallerName, CallerNumber: mem.CallerNumber, JoinedAt: mem.JoinedAt, LeftAt: at}
	if t := epochTime(header(ev, "CC-Member-Leaving-Time")); !t.IsZero() {
		left.LeftAt = t
	}
	var out []adapters.Event
	switch cause := header(ev, "CC-Cause"); cause {
	case "Terminated":
		left.Outcome, left.Cause, left.AnsweredBy = adapters.QueueAnswered, cause, header(ev, "CC-Agent")
		answered := epochTime(header(ev, "CC-Agent-Answered-Time"))
		if answered.IsZero() {
			answered = mem.AnsweredAt
		}
		left.Wait = answered.Sub(left.JoinedAt)
	default:
		left.Cause = header(ev, "CC-Cancel-Reason")
		left.Outcome = adapters.QueueAbandoned
		if left.Cause == "NO_AGENT_TIMEOUT" || left.Cause == "TIMEOUT" {
			left.Outcome = adapters.QueueTimedOut
		}
		left.Wait = left.LeftAt.Sub(left.JoinedAt)
		if q := m.queues[queue]; q != nil {
			q.CallsAbandoned++
			out = append(out, adapters.QueueUpdated{Queue: *q})
		}
	}
	if left.Wait < 0 {
		left.Wait = 0
	}
	out = append(out, left)
	for _, o := range m.renumber(queue) {
		out = append(out, adapters.QueueMemberUpdated{Member: o.QueueMember})
	}
	return out
}
