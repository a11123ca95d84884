package eslfake

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// mod_callcenter's state and its `callcenter_config` API, with replies in
// the byte shapes captured from FreeSWITCH 1.10.12 (testdata/
// callcenter.commands.jsonl). The module is "loaded" once a queue is added
// (AddQueue); before that the command is not found, as on a FreeSWITCH
// without mod_callcenter.

type ccQueue struct {
	name                string
	answered, abandoned int
}

type ccAgent struct {
	name, status, state string
	uuid                string // agent leg while offered/bridged
	maxNoAnswer         int
	noAnswer, answered  int
	talkTime            int64
	lastBridgeStart     int64 // epochs (s)
	lastBridgeEnd       int64
	lastOffered         int64
	lastStatusChange    int64
}

type ccTier struct {
	queue, agent, state string
	level, position     int
}

type ccMember struct {
	queue, uuid, session     string
	cidNumber, cidName       string
	joined, bridge, abandon  int64 // epochs (s)
	agent, state             string
	agentCalled, agentLegUID string
}

type ccState struct {
	queues  []*ccQueue
	agents  []*ccAgent
	tiers   []*ccTier
	members []*ccMember
}

// ccDiscardAbandoned is mod_callcenter's discard-abandoned-after (60 s in
// the capture): an abandoned row stays listed that long.
const ccDiscardAbandoned = 60 * time.Second

var ccAgentStatuses = []string{"Logged Out", "Available", "Available (On Demand)", "On Break"}
var ccAgentStates = []string{"Idle", "Waiting", "Receiving", "In a queue call"}

const (
	ccQueueHeader  = "name|strategy|moh_sound|time_base_score|tier_rules_apply|tier_rule_wait_second|tier_rule_wait_multiply_level|tier_rule_no_agent_no_wait|discard_abandoned_after|abandoned_resume_allowed|max_wait_time|max_wait_time_with_no_agent|max_wait_time_with_no_agent_time_reached|record_template|calls_answered|calls_abandoned|ring_progressively_delay|skip_agents_with_external_calls|agent_no_answer_status"
	ccAgentHeader  = "name|instance_id|uuid|type|contact|status|state|max_no_answer|wrap_up_time|reject_delay_time|busy_delay_time|no_answer_delay_time|last_bridge_start|last_bridge_end|last_offered_call|last_status_change|no_answer_count|calls_answered|talk_time|ready_time|external_calls_count"
	ccTierHeader   = "queue|agent|state|level|position"
	ccMemberHeader = "queue|instance_id|uuid|session_uuid|cid_number|cid_name|system_epoch|joined_epoch|rejoined_epoch|bridge_epoch|abandoned_epoch|base_score|skill_score|serving_agent|serving_system|state|score"
)

func (c *ccState) queue(name string) *ccQueue {
	i := slices.IndexFunc(c.queues, func(q *ccQueue) bool { return q.name == name })
	if i < 0 {
		return nil
	}
	return c.queues[i]
}

func (c *ccState) agent(name string) *ccAgent {
	i := slices.IndexFunc(c.agents, func(a *ccAgent) bool { return a.name == name })
	if i < 0 {
		return nil
	}
	return c.agents[i]
}

func (c *ccState) tier(queue, agent string) *ccTier {
	i := slices.IndexFunc(c.tiers, func(t *ccTier) bool { return t.queue == queue && t.agent == agent })
	if i < 0 {
		return nil
	}
	return c.tiers[i]
}

func (c *ccState) member(id string) *ccMember {
	i := slices.IndexFunc(c.members, func(m *ccMember) bool { return m.uuid == id })
	if i < 0 {
		return nil
	}
	return c.members[i]
}

// discard drops abandoned rows older than ccDiscardAbandoned.
func (c *ccState) discard(now time.Time) {
	c.members = slices.DeleteFunc(c.members, func(m *ccMember) bool {
		return m.state == "Abandoned" && now.Sub(time.Unix(m.abandon, 0)) > ccDiscardAbandoned
	})
}

// splitArgs splits on spaces, keeping '...' groups as one argument
// without their quotes (switch_separate_string): why `On Break` is two
// arguments and `'On Break'` one.
func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	quoted, have := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted, have = !quoted, true
		case r == ' ' && !quoted:
			if have {
				out = append(out, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteRune(r)
			have = true
		}
	}
	if have {
		out = append(out, cur.String())
	}
	return out
}

// callcenterAPI is `callcenter_config <args>`. Caller holds s.mu.
func (s *Server) callcenterAPI(arg string) string {
	if s.cc == nil {
		return "-ERR callcenter_config Command not found!\n"
	}
	s.cc.discard(time.Now())
	a := splitArgs(arg)
	if len(a) == 0 {
		return "-USAGE: \ncallcenter_config <target> <args>,\n"
	}
	key := strings.Join(a[:min(len(a), 3)], " ")
	switch {
	case key == "queue list" && len(a) == 2:
		return s.ccQueueList()
	case key == "queue list members" && len(a) == 4:
		return s.ccMemberList(a[3])
	case key == "queue count members" && len(a) == 4:
		n := 0
		for _, m := range s.cc.members {
			if m.queue == a[3] {
				n++
			}
		}
		return fmt.Sprintf("%d\n", n)
	case key == "agent list" && len(a) == 2:
		return s.ccAgentList()
	case key == "tier list" && len(a) == 2:
		return s.ccTierList()
	case key == "agent set status" && len(a) >= 5:
		ag := s.cc.agent(a[3])
		if ag == nil {
			return "-ERR Agent not found!\n"
		}
		if !slices.Contains(ccAgentStatuses, a[4]) {
			return "-ERR Invalid Agent Status!\n"
		}
		s.ccSetStatus(ag, a[4])
		return "+OK\n"
	case key == "agent set state" && len(a) >= 5:
		ag := s.cc.agent(a[3])
		if ag == nil {
			return "-ERR Agent not found!\n"
		}
		if !slices.Contains(ccAgentStates, a[4]) {
			return "-ERR Invalid Agent State!\n"
		}
		s.ccSetState(ag, a[4])
		return "+OK\n"
	case key == "agent get status" && len(a) == 4, key == "agent get state" && len(a) == 4, key == "agent get uuid" && len(a) == 4:
		ag := s.cc.agent(a[3])
		if ag == nil {
			return "-ERR Agent not found!\n"
		}
		return map[string]string{"status": ag.status, "state": ag.state, "uuid": ag.uuid}[a[2]]
	}
	return "-ERR Invalid!\n"
}

func (s *Server) ccQueueList() string {
	if len(s.cc.queues) == 0 {
		return "+OK\n"
	}
	var b strings.Builder
	b.WriteString(ccQueueHeader + "\n")
	for _, q := range s.cc.queues {
		fmt.Fprintf(&b, "%s|longest-idle-agent|local_stream://moh|system|false|300|true|false|60|false|0|0|5||%d|%d|0|true|On Break\n",
			q.name, q.answered, q.abandoned)
	}
	return b.String() + "+OK\n"
}

func (s *Server) ccAgentList() string {
	if len(s.cc.agents) == 0 {
		return "+OK\n"
	}
	var b strings.Builder
	b.WriteString(ccAgentHeader + "\n")
	for _, a := range s.cc.agents {
		fmt.Fprintf(&b, "%s|single_box|%s|callback|[leg_timeout=10,null_auto_answer_delay=1500]null/%s|%s|%s|%d|3|5|5|3|%d|%d|%d|%d|%d|%d|%d|0|0\n",
			a.name, a.uuid, a.name, a.status, a.state, a.maxNoAnswer, a.lastBridgeStart, a.lastBridgeEnd, a.lastOffered,
			a.lastStatusChange, a.noAnswer, a.answered, a.talkTime)
	}
	return b.String() + "+OK\n"
}

func (s *Server) ccTierList() string {
	if len(s.cc.tiers) == 0 {
		return "+OK\n"
	}
	var b strings.Builder
	b.WriteString(ccTierHeader + "\n")
	for _, t := range s.cc.tiers {
		fmt.Fprintf(&b, "%s|%s|%s|%d|%d\n", t.queue, t.agent, t.state, t.level, t.position)
	}
	return b.String() + "+OK\n"
}

func (s *Server) ccMemberList(queue string) string {
	var b strings.Builder
	now := time.Now().Unix()
	for _, m := range s.cc.members {
		if m.queue != queue {
			continue
		}
		if b.Len() == 0 {
			b.WriteString(ccMemberHeader + "\n")
		}
		system := ""
		if m.agent != "" {
			system = "single_box"
		}
		fmt.Fprintf(&b, "%s|single_box|%s|%s|%s|%s|%d|%d|0|%d|%d|0|0|%s|%s|%s|%d\n", m.queue, m.uuid, m.session,
			m.cidNumber, m.cidName, m.joined, m.joined, m.bridge, m.abandon, m.agent, system, m.state, now-m.joined)
	}
	return b.String() + "+OK\n"
}
