package eslfake

import (
	"errors"
	"fmt"
	"time"
)

// Queue control for tests and the demo: callers join, agents are offered a
// caller and answer or not, callers hang up. Each step fires the
// callcenter::info events mod_callcenter fires for it, in its order and
// header shapes (testdata/callcenter.events-cc-only.raw).

// ErrNoSuchQueueMember is returned for an unknown member id or agent.
var ErrNoSuchQueueMember = errors.New("no such queue member or agent")

const ccSubclass = "callcenter::info"

// ccEvent fires one callcenter::info event: the core block, the channel's
// data when the real event carries it, then the CC-* pairs. Caller holds s.mu.
func (s *Server) ccEvent(fn string, line int, ch *channel, kv ...string) {
	e := s.newEvent("CUSTOM", ccSubclass, "mod_callcenter.c", fn, line)
	if ch != nil {
		e.addAll(ch.channelHeaders())
		e.addAll(ch.varHeaders())
	}
	for i := 0; i+1 < len(kv); i += 2 {
		e.add(kv[i], kv[i+1])
	}
	s.fire(e)
}

func epoch() int64 { return time.Now().Unix() }

// AddQueue loads a queue (and with it mod_callcenter).
func (s *Server) AddQueue(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cc == nil {
		s.cc = &ccState{}
	}
	if s.cc.queue(name) == nil {
		s.cc.queues = append(s.cc.queues, &ccQueue{name: name})
	}
}

// AddAgent adds an agent (Logged Out, Waiting, as agents start) and puts it
// in each queue as a tier at level 1, next position.
func (s *Server) AddAgent(name string, queues ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cc == nil {
		s.cc = &ccState{}
	}
	if s.cc.agent(name) == nil {
		s.cc.agents = append(s.cc.agents, &ccAgent{name: name, status: "Logged Out", state: "Waiting", maxNoAnswer: 3,
			lastStatusChange: epoch()})
	}
	for _, q := range queues {
		pos := 1
		for _, t := range s.cc.tiers {
			if t.queue == q {
				pos++
			}
		}
		if s.cc.tier(q, name) == nil {
			s.cc.tiers = append(s.cc.tiers, &ccTier{queue: q, agent: name, state: "Ready", level: 1, position: pos})
		}
	}
}

// SetAgentStatus is `callcenter_config agent set status` from inside.
func (s *Server) SetAgentStatus(agent, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cc == nil || s.cc.agent(agent) == nil {
		return fmt.Errorf("set status of %s: %w", agent, ErrNoSuchQueueMember)
	}
	s.ccSetStatus(s.cc.agent(agent), status)
	return nil
}

// AgentStatus returns an agent's status ("" when unknown).
func (s *Server) AgentStatus(agent string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cc == nil || s.cc.agent(agent) == nil {
		return ""
	}
	return s.cc.agent(agent).status
}

func (s *Server) ccSetStatus(a *ccAgent, status string) {
	a.status, a.lastStatusChange = status, epoch()
	s.ccEvent("cc_agent_update", 1043, nil, "CC-Agent", a.name, "CC-Action", "agent-status-change", "CC-Agent-Status", status)
}

func (s *Server) ccSetState(a *ccAgent, state string) {
	a.state = state
	s.ccEvent("cc_agent_update", 1067, nil, "CC-Agent", a.name, "CC-Action", "agent-state-change", "CC-Agent-State", state)
}

func (s *Server) ccMembersCount(queue string) {
	n := 0
	for _, m := range s.cc.members {
		if m.queue == queue && m.state != "Abandoned" {
			n++
		}
	}
	s.ccEvent("cc_queue_count", 878, nil, "CC-Queue", queue, "CC-Action", "members-count", "CC-Count", fmt.Sprint(n), "CC-Selection", "Single-Queue")
}

// QueueJoin puts a channel (the caller's leg, answered) into a queue the way
// the dialplan's `callcenter <queue>` does and returns the member id.
func (s *Server) QueueJoin(queue, uuid string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.lookup(uuid)
	if err != nil {
		return "", fmt.Errorf("queue join: %w", err)
	}
	if s.cc == nil || s.cc.queue(queue) == nil {
		return "", fmt.Errorf("queue join %s: %w", queue, ErrNoSuchQueueMember)
	}
	ch.app, ch.appData = "callcenter", queue
	s.fire(withTail(s.channelEvent(ch, "CHANNEL_EXECUTE", "switch_core_session.c", "switch_core_session_exec", 2944, true),
		tail{header{"Application", "callcenter"}, header{"Application-Data", queue}, header{"Application-UUID", newUUID()}}))
	m := &ccMember{queue: queue, uuid: newUUID(), session: uuid, cidNumber: ch.caller.Number, cidName: ch.caller.Name,
		joined: epoch(), state: "Waiting"}
	s.cc.members = append(s.cc.members, m)
	s.ccEvent("callcenter_function", 3113, ch, "CC-Queue", queue, "CC-Action", "member-queue-start", "CC-Member-UUID", m.uuid,
		"CC-Member-Session-UUID", uuid, "CC-Member-CID-Name", m.cidName, "CC-Member-CID-Number", m.cidNumber)
	s.ccMembersCount(queue)
	return m.uuid, nil
}

// ccPair returns a waiting member and an agent, or an error.
func (s *Server) ccPair(memberID, agent string) (*ccMember, *ccAgent, error) {
	if s.cc == nil {
		return nil, nil, ErrNoSuchQueueMember
	}
	m, a := s.cc.member(memberID), s.cc.agent(agent)
	if m == nil || a == nil || m.state == "Abandoned" {
		return nil, nil, fmt.Errorf("member %s, agent %s: %w", memberID, agent, ErrNoSuchQueueMember)
	}
	return m, a, nil
}

// QueueOffer rings an agent for a waiting caller (agent Receiving).
func (s *Server) QueueOffer(memberID, agent string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, a, err := s.ccPair(memberID, agent)
	if err != nil {
		return fmt.Errorf("offer: %w", err)
	}
	m.state, m.agent, m.agentCalled = "Trying", agent, fmt.Sprint(epoch())
	a.lastOffered = epoch()
	s.ccSetState(a, "Receiving")
	s.ccEvent("outbound_agent_thread_run", 1717, nil, "CC-Queue", m.queue, "CC-Action", "agent-offering", "CC-Agent", agent,
		"CC-Agent-Type", "callback", "CC-Agent-System", "single_box", "CC-Member-UUID", m.uuid,
		"CC-Member-Session-UUID", m.session, "CC-Member-CID-Name", m.cidName, "CC-Member-CID-Number", m.cidNumber)
	return nil
}

// QueueNoAnswer is the offered agent not answering (leg_timeout): the
// caller waits again; at max-no-answer the agent is put On Break.
func (s *Server) QueueNoAnswer(memberID, agent string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, a, err := s.ccPair(memberID, agent)
	if err != nil {
		return fmt.Errorf("no answer: %w", err)
	}
	called := m.agentCalled
	m.state, m.agent, m.agentCalled = "Waiting", "", ""
	a.noAnswer++
	if t := s.cc.tier(m.queue, agent); t != nil {
		t.state = "No Answer"
	}
	if a.noAnswer >= a.maxNoAnswer {
		s.ccEvent("outbound_agent_thread_run", 2176, nil, "CC-Agent", agent, "CC-Action", "agent-max-no-answer",
			"CC-Agent-No-Answer-Count", fmt.Sprint(a.noAnswer), "CC-Agent-No-Answer-Status", "On Break",
			"CC-Member-UUID", m.uuid, "CC-Member-Session-UUID", m.session)
		s.ccSetStatus(a, "On Break")
	}
	s.ccEvent("outbound_agent_thread_run", 2200, nil, "CC-Queue", m.queue, "CC-Action", "bridge-agent-fail",
		"CC-Hangup-Cause", "ALLOTTED_TIMEOUT", "CC-Agent", agent, "CC-Agent-System", "single_box",
		"CC-Agent-Called-Time", called, "CC-Agent-Aborted-Time", fmt.Sprint(epoch()), "CC-Member-UUID", m.uuid,
		"CC-Member-Session-UUID", m.session, "CC-Member-CID-Name", m.cidName, "CC-Member-CID-Number", m.cidNumber,
		"CC-Member-Joined-Time", fmt.Sprint(m.joined))
	s.ccSetState(a, "Waiting")
	return nil
}

// QueueAnswer is the offered agent answering: the agent leg (carrying the
// caller's cid, as mod_callcenter's originate does) is bridged to the
// caller's; it returns the agent leg's uuid.
func (s *Server) QueueAnswer(memberID, agent string) (string, error) {
	s.mu.Lock()
	m, _, err := s.ccPair(memberID, agent)
	if err != nil {
		s.mu.Unlock()
		return "", fmt.Errorf("answer: %w", err)
	}
	member := s.channels[m.session]
	if member != nil {
		// From here the caller talks to the agent: the callee FreeSWITCH
		// reports for the caller's leg once bridged.
		member.callee = Party{Name: agent, Number: agent}
	}
	s.mu.Unlock()
	if member == nil {
		return "", fmt.Errorf("answer: caller's channel: %w", ErrNoSuchChannel)
	}
	leg := s.AddChannel(ChannelSpec{Name: "null/" + agent, Direction: "outbound", Caller: member.caller,
		Callee: Party{Name: agent, Number: agent}, Destination: agent, OtherLeg: m.session})
	_ = s.Answer(leg)
	_ = s.Bridge(m.session, leg)
	s.mu.Lock()
	defer s.mu.Unlock()
	m, a, err := s.ccPair(memberID, agent)
	if err != nil || s.channels[leg] == nil { // hung up meanwhile
		return leg, fmt.Errorf("answer: %w", ErrNoSuchQueueMember)
	}
	now := epoch()
	if m.agentCalled == "" {
		m.agentCalled = fmt.Sprint(now)
	}
	m.state, m.agent, m.bridge, m.agentLegUID = "Answered", agent, now, leg
	a.uuid, a.lastBridgeStart, a.noAnswer = leg, now, 0
	a.answered++
	s.cc.queue(m.queue).answered++
	if t := s.cc.tier(m.queue, agent); t != nil {
		t.state = "Active Inbound"
	}
	s.ccEvent("outbound_agent_thread_run", 1934, s.channels[leg], "CC-Queue", m.queue, "CC-Action", "bridge-agent-start",
		"CC-Agent", agent, "CC-Agent-System", "single_box", "CC-Agent-UUID", leg, "CC-Agent-Called-Time", m.agentCalled,
		"CC-Agent-Answered-Time", fmt.Sprint(now), "CC-Member-Joined-Time", fmt.Sprint(m.joined), "CC-Member-UUID", m.uuid,
		"CC-Member-Session-UUID", m.session, "CC-Member-CID-Name", m.cidName, "CC-Member-CID-Number", m.cidNumber)
	s.ccMembersCount(m.queue)
	s.ccSetState(a, "In a queue call")
	return leg, nil
}

// ccHangup ends the queue call of a channel hanging up: the caller's leg
// (abandoned while waiting, or the end of an answered call) or an agent's
// leg. Called by hangupLocked after CHANNEL_HANGUP, with s.mu held.
func (s *Server) ccHangup(ch *channel) {
	if s.cc == nil {
		return
	}
	for _, m := range s.cc.members {
		if m.state == "Abandoned" || (m.session != ch.uuid && m.agentLegUID != ch.uuid) {
			continue
		}
		member := s.channels[m.session]
		if m.state == "Answered" {
			s.ccEndAnswered(m, member)
			return
		}
		if m.session != ch.uuid {
			continue
		}
		if a := s.cc.agent(m.agent); a != nil && m.state == "Trying" {
			s.ccSetState(a, "Waiting")
		}
		now := epoch()
		m.state, m.session, m.abandon, m.agent = "Abandoned", "", now, ""
		s.cc.queue(m.queue).abandoned++
		s.ccEvent("callcenter_function", 3274, ch, "CC-Queue", m.queue, "CC-Action", "member-queue-end",
			"CC-Member-Leaving-Time", fmt.Sprint(now), "CC-Member-Joined-Time", fmt.Sprint(m.joined), "CC-Cause", "Cancel",
			"CC-Cancel-Reason", "BREAK_OUT", "CC-Member-UUID", m.uuid, "CC-Member-Session-UUID", ch.uuid,
			"CC-Member-CID-Name", m.cidName, "CC-Member-CID-Number", m.cidNumber)
		s.ccMembersCount(m.queue)
		return
	}
}

// ccEndAnswered: bridge-agent-end on the agent leg, member-queue-end
// Terminated on the caller's, the agent Waiting again; the row goes.
func (s *Server) ccEndAnswered(m *ccMember, member *channel) {
	now := epoch()
	a := s.cc.agent(m.agent)
	agentLeg := s.channels[m.agentLegUID]
	if agentLeg == nil {
		agentLeg = member
	}
	answered := fmt.Sprint(m.bridge)
	s.ccEvent("outbound_agent_thread_run", 2062, agentLeg, "CC-Queue", m.queue, "CC-Action", "bridge-agent-end",
		"CC-Hangup-Cause", "SUCCESS", "CC-Agent", m.agent, "CC-Agent-System", "single_box", "CC-Agent-UUID", m.agentLegUID,
		"CC-Agent-Bridged", "true", "CC-Agent-Called-Time", m.agentCalled, "CC-Agent-Answered-Time", answered,
		"CC-Member-Joined-Time", fmt.Sprint(m.joined), "CC-Bridge-Terminated-Time", fmt.Sprint(now), "CC-Member-UUID", m.uuid,
		"CC-Member-Session-UUID", m.session, "CC-Member-CID-Name", m.cidName, "CC-Member-CID-Number", m.cidNumber)
	if member == nil {
		member = agentLeg
	}
	s.ccEvent("callcenter_function", 3274, member, "CC-Queue", m.queue, "CC-Action", "member-queue-end",
		"CC-Hangup-Cause", "SUCCESS", "CC-Cause", "Terminated", "CC-Agent", m.agent, "CC-Agent-System", "single_box",
		"CC-Agent-UUID", m.agentLegUID, "CC-Agent-Called-Time", m.agentCalled, "CC-Agent-Answered-Time", answered,
		"CC-Member-Leaving-Time", fmt.Sprint(now), "CC-Member-Joined-Time", fmt.Sprint(m.joined), "CC-Member-UUID", m.uuid,
		"CC-Member-Session-UUID", m.session, "CC-Member-CID-Name", m.cidName, "CC-Member-CID-Number", m.cidNumber)
	if t := s.cc.tier(m.queue, m.agent); t != nil {
		t.state = "Ready"
	}
	for i, x := range s.cc.members {
		if x == m {
			s.cc.members = append(s.cc.members[:i], s.cc.members[i+1:]...)
			break
		}
	}
	if a != nil {
		a.uuid, a.lastBridgeEnd = "", now
		a.talkTime += now - m.bridge
		s.ccSetState(a, "Waiting")
	}
}

// QueueMembers lists the member ids of a queue's callers still in it
// (waiting, offered or answered), in join order.
func (s *Server) QueueMembers(queue string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	if s.cc == nil {
		return nil
	}
	for _, m := range s.cc.members {
		if m.queue == queue && m.state != "Abandoned" {
			out = append(out, m.uuid)
		}
	}
	return out
}
