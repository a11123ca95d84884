package freeswitch

import (
	"cmp"
	"slices"
	"time"

	"github.com/callboard/callboard/adapters"
)

// ccModel is one node's queues, agents, tiers and queue members, filled by
// the callcenter snapshot (callcenter.go) and kept by callcenter::info
// events (ccevents.go). Every change is emitted with the entity's full state.
type ccModel struct {
	node    string
	queues  map[string]*adapters.Queue
	agents  map[string]*adapters.Agent
	tiers   map[string]*adapters.Tier // queue + "\x00" + agent
	members map[string]*ccMember      // by member id
	seq     int                       // arrival order, breaks join-time ties
}

// ccMember is a queue member plus its arrival order: joined epochs are
// whole seconds, so two callers in one second keep the order they came in.
type ccMember struct {
	adapters.QueueMember
	seq int
}

func newCCModel(node string) *ccModel {
	return &ccModel{node: node, queues: map[string]*adapters.Queue{}, agents: map[string]*adapters.Agent{},
		tiers: map[string]*adapters.Tier{}, members: map[string]*ccMember{}}
}

func tierKey(queue, agent string) string { return queue + "\x00" + agent }

// load fills the empty model from the snapshot's tables.
func (m *ccModel) load(queues, agents, tiers ccTable, members map[string]ccTable) {
	for _, r := range queues.rows {
		q := &adapters.Queue{Node: m.node, Name: queues.get(r, "name"), Strategy: queues.get(r, "strategy"),
			CallsAnswered: queues.int(r, "calls_answered"), CallsAbandoned: queues.int(r, "calls_abandoned")}
		m.queues[q.Name] = q
	}
	for _, r := range agents.rows {
		a := &adapters.Agent{Node: m.node, Name: agents.get(r, "name"), Type: agents.get(r, "type"),
			Status: agents.get(r, "status"), State: agents.get(r, "state"), CallID: agents.get(r, "uuid"),
			StatusSince: agents.epoch(r, "last_status_change"), CallsAnswered: agents.int(r, "calls_answered"),
			NoAnswerCount: agents.int(r, "no_answer_count")}
		// The list has no state-change time; the event that set each state
		// is the best stand-in.
		switch a.State {
		case adapters.AgentInQueueCall:
			a.StateSince = agents.epoch(r, "last_bridge_start")
		case adapters.AgentReceiving:
			a.StateSince = agents.epoch(r, "last_offered_call")
		default:
			a.StateSince = latest(agents.epoch(r, "last_bridge_end"), agents.epoch(r, "last_status_change"))
		}
		m.agents[a.Name] = a
	}
	for _, r := range tiers.rows {
		t := &adapters.Tier{Node: m.node, Queue: tiers.get(r, "queue"), Agent: tiers.get(r, "agent"),
			State: tiers.get(r, "state"), Level: tiers.int(r, "level"), Position: tiers.int(r, "position")}
		m.tiers[tierKey(t.Queue, t.Agent)] = t
	}
	names := make([]string, 0, len(members))
	for q := range members {
		names = append(names, q)
	}
	slices.Sort(names)
	for _, q := range names {
		t := members[q]
		for _, r := range t.rows {
			state := t.get(r, "state")
			// An abandoned caller keeps its row until discard-abandoned-after,
			// with its session uuid emptied: it is gone from the queue.
			if state == adapters.QueueMemberAbandoned || t.get(r, "session_uuid") == "" {
				continue
			}
			mem := &adapters.QueueMember{Node: m.node, Queue: t.get(r, "queue"), ID: t.get(r, "uuid"),
				CallID: t.get(r, "session_uuid"), CallerName: t.get(r, "cid_name"), CallerNumber: t.get(r, "cid_number"),
				State: state, JoinedAt: t.epoch(r, "joined_epoch"), AnsweredAt: t.epoch(r, "bridge_epoch")}
			if mem.State == adapters.QueueMemberAnswered || mem.State == adapters.QueueMemberTrying {
				mem.Agent = t.get(r, "serving_agent")
			}
			if a := m.agents[mem.Agent]; a != nil && mem.Agent != "" {
				a.Member, a.Queue = mem.ID, mem.Queue
				if mem.State == adapters.QueueMemberAnswered {
					mem.AgentCall = a.CallID
				}
			}
			m.addMember(mem)
		}
	}
	for q := range m.queues {
		m.renumber(q)
	}
	for _, mem := range m.members { // members of queues the list did not name
		if m.queues[mem.Queue] == nil {
			m.renumber(mem.Queue)
		}
	}
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (m *ccModel) addMember(q *adapters.QueueMember) *ccMember {
	m.seq++
	mem := &ccMember{QueueMember: *q, seq: m.seq}
	m.members[q.ID] = mem
	return mem
}

// renumber sets the 1-based positions of a queue's waiting callers and
// returns the members whose position changed.
func (m *ccModel) renumber(queue string) []*ccMember {
	var waiting []*ccMember
	var changed []*ccMember
	for _, mem := range m.members {
		if mem.Queue != queue {
			continue
		}
		if mem.State == adapters.QueueMemberWaiting || mem.State == adapters.QueueMemberTrying {
			waiting = append(waiting, mem)
		} else if mem.Position != 0 {
			mem.Position = 0
			changed = append(changed, mem)
		}
	}
	slices.SortFunc(waiting, func(a, b *ccMember) int {
		return cmp.Or(a.JoinedAt.Compare(b.JoinedAt), cmp.Compare(a.seq, b.seq))
	})
	for i, mem := range waiting {
		if mem.Position != i+1 {
			mem.Position = i + 1
			changed = append(changed, mem)
		}
	}
	return changed
}

// fill adds the model to a snapshot, in stable order.
func (m *ccModel) fill(s *adapters.Snapshot) {
	for _, q := range m.queues {
		s.Queues = append(s.Queues, *q)
	}
	slices.SortFunc(s.Queues, func(a, b adapters.Queue) int { return cmp.Compare(a.Name, b.Name) })
	for _, a := range m.agents {
		s.Agents = append(s.Agents, *a)
	}
	slices.SortFunc(s.Agents, func(a, b adapters.Agent) int { return cmp.Compare(a.Name, b.Name) })
	for _, t := range m.tiers {
		s.Tiers = append(s.Tiers, *t)
	}
	slices.SortFunc(s.Tiers, func(a, b adapters.Tier) int {
		return cmp.Or(cmp.Compare(a.Queue, b.Queue), cmp.Compare(a.Level, b.Level), cmp.Compare(a.Position, b.Position), cmp.Compare(a.Agent, b.Agent))
	})
	for _, mem := range m.members {
		s.QueueMembers = append(s.QueueMembers, mem.QueueMember)
	}
	slices.SortFunc(s.QueueMembers, func(a, b adapters.QueueMember) int {
		return cmp.Or(cmp.Compare(a.Queue, b.Queue), a.JoinedAt.Compare(b.JoinedAt), cmp.Compare(a.ID, b.ID))
	})
}
