package adaptertest

import (
	"maps"

	"github.com/callboard/callboard/adapters"
)

// queueState is the recorder's view of queues, agents and queue members,
// kept from snapshots and upserts like the server's live state would.
type queueState struct {
	queues  map[string]adapters.Queue
	agents  map[string]adapters.Agent
	members map[string]adapters.QueueMember
}

func (s *queueState) apply(e adapters.Event) {
	if s.queues == nil {
		s.queues, s.agents, s.members = map[string]adapters.Queue{}, map[string]adapters.Agent{}, map[string]adapters.QueueMember{}
	}
	switch e := e.(type) {
	case adapters.Snapshot:
		clear(s.queues)
		clear(s.agents)
		clear(s.members)
		for _, q := range e.Queues {
			s.queues[q.Name] = q
		}
		for _, a := range e.Agents {
			s.agents[a.Name] = a
		}
		for _, m := range e.QueueMembers {
			s.members[m.ID] = m
		}
	case adapters.QueueUpdated:
		s.queues[e.Queue.Name] = e.Queue
	case adapters.AgentUpdated:
		s.agents[e.Agent.Name] = e.Agent
	case adapters.QueueMemberUpdated:
		s.members[e.Member.ID] = e.Member
	case adapters.QueueMemberLeft:
		delete(s.members, e.MemberID)
	}
}

func (s *queueState) copyTo(v *View) {
	v.Queues, v.Agents, v.QueueMembers = maps.Clone(s.queues), maps.Clone(s.agents), maps.Clone(s.members)
	if v.Queues == nil {
		v.Queues, v.Agents, v.QueueMembers = map[string]adapters.Queue{}, map[string]adapters.Agent{}, map[string]adapters.QueueMember{}
	}
}
