package natsout

import (
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
)

// The adapters' queue events reach NATS as named domain events: a caller
// joins (first seen waiting), an agent answers, the caller leaves with its
// outcome and wait; agents' status and state changes name the previous
// value; a repeated state publishes nothing.
func TestPublishesQueueAndAgentEvents(t *testing.T) {
	srv := startNATS(t, -1, false)
	st, _, p := run(t, Config{URL: srv.ClientURL()})
	waitConnected(t, p)
	sub := subscribe(t, srv.ClientURL())

	joined := t0.Add(-42 * time.Second)
	agent := adapters.Agent{Node: "fs1", Name: "agent1", Status: adapters.AgentAvailable, State: adapters.AgentWaiting, StatusSince: t0, StateSince: t0}
	st.Apply(adapters.QueueUpdated{Queue: adapters.Queue{Node: "fs1", Name: "support@default", Strategy: "longest-idle-agent"}})
	st.Apply(adapters.AgentUpdated{Agent: agent}) // first sight: nothing
	m := adapters.QueueMember{Node: "fs1", Queue: "support@default", ID: "m1", CallID: "c1", CallerName: "Alice", CallerNumber: "1001",
		State: adapters.QueueMemberWaiting, Position: 1, JoinedAt: joined}
	st.Apply(adapters.QueueMemberUpdated{Member: m})
	st.Apply(adapters.QueueMemberUpdated{Member: m}) // a repeat: nothing
	m.State, m.Agent = adapters.QueueMemberTrying, "agent1"
	st.Apply(adapters.QueueMemberUpdated{Member: m}) // offered: not an event of its own
	agent.State, agent.CallID, agent.Member, agent.Queue = adapters.AgentReceiving, "a1", "m1", "support@default"
	st.Apply(adapters.AgentUpdated{Agent: agent})
	m.State, m.Position, m.AnsweredAt, m.AgentCall = adapters.QueueMemberAnswered, 0, t0, "a1"
	st.Apply(adapters.QueueMemberUpdated{Member: m})
	agent.State = adapters.AgentInQueueCall
	st.Apply(adapters.AgentUpdated{Agent: agent})
	st.Apply(adapters.QueueMemberLeft{Node: "fs1", Queue: "support@default", MemberID: "m1", CallID: "c1", CallerName: "Alice", CallerNumber: "1001",
		Outcome: adapters.QueueAnswered, Cause: "Terminated", AnsweredBy: "agent1", JoinedAt: joined, LeftAt: t0.Add(time.Minute), Wait: 42 * time.Second})
	agent.Status, agent.State, agent.CallID, agent.Member, agent.Queue = adapters.AgentOnBreak, adapters.AgentIdle, "", "", ""
	st.Apply(adapters.AgentUpdated{Agent: agent})
	// A second caller gone from a reconnect's snapshot: member_left, resync.
	m2 := adapters.QueueMember{Node: "fs1", Queue: "support@default", ID: "m2", CallID: "c2", CallerNumber: "1002", State: adapters.QueueMemberWaiting, Position: 1, JoinedAt: t0.Add(-10 * time.Second)}
	st.Apply(adapters.QueueMemberUpdated{Member: m2})
	st.Apply(adapters.Snapshot{Node: "fs1", Queues: []adapters.Queue{{Name: "support@default", Strategy: "longest-idle-agent"}}, Agents: []adapters.Agent{agent}})

	want := []string{
		"callboard.fs1.queue.member_joined",
		"callboard.fs1.agent.state_changed", // Waiting -> Receiving
		"callboard.fs1.queue.member_answered",
		"callboard.fs1.agent.state_changed", // -> In a queue call
		"callboard.fs1.queue.member_left",
		"callboard.fs1.agent.status_changed", // Available -> On Break
		"callboard.fs1.agent.state_changed",  // -> Idle
		"callboard.fs1.queue.member_joined",
		"callboard.fs1.queue.member_left",
	}
	var raws []string
	for i, subj := range want {
		got, _, raw := next(t, sub)
		if got != subj {
			t.Fatalf("message %d: subject %s, want %s (%s)", i, got, subj, raw)
		}
		raws = append(raws, raw)
	}
	if _, err := sub.NextMsg(200 * time.Millisecond); err == nil {
		t.Fatal("an unexpected extra message")
	}
	exact := map[int]string{
		0: `{"seq":1,"node":"fs1","kind":"queue","event":"member_joined","at":"2025-03-01T10:00:00Z","queue":{"queue":"support@default","memberId":"m1","callId":"c1","callerNumber":"1001","callerName":"Alice","state":"Waiting","waitingSince":"2025-03-01T09:59:18Z"}}`,
		1: `{"seq":2,"node":"fs1","kind":"agent","event":"state_changed","at":"2025-03-01T10:00:00Z","agent":{"node":"fs1","name":"agent1","status":"Available","state":"Receiving","callId":"a1","member":"m1","queue":"support@default","statusSince":"2025-03-01T10:00:00Z","stateSince":"2025-03-01T10:00:00Z","callsAnswered":0,"noAnswerCount":0},"from":"Waiting"}`,
		2: `{"seq":3,"node":"fs1","kind":"queue","event":"member_answered","at":"2025-03-01T10:00:00Z","queue":{"queue":"support@default","memberId":"m1","callId":"c1","callerNumber":"1001","callerName":"Alice","state":"Answered","waitingSince":"2025-03-01T09:59:18Z","agent":"agent1","answeredAt":"2025-03-01T10:00:00Z","waitSeconds":42}}`,
		4: `{"seq":5,"node":"fs1","kind":"queue","event":"member_left","at":"2025-03-01T10:00:00Z","queue":{"queue":"support@default","memberId":"m1","callId":"c1","callerNumber":"1001","callerName":"Alice","waitingSince":"2025-03-01T09:59:18Z","agent":"agent1","answeredAt":"2025-03-01T10:00:00Z","outcome":"answered","waitSeconds":42},"cause":"Terminated"}`,
		5: `{"seq":6,"node":"fs1","kind":"agent","event":"status_changed","at":"2025-03-01T10:00:00Z","agent":{"node":"fs1","name":"agent1","status":"On Break","state":"Idle","statusSince":"2025-03-01T10:00:00Z","stateSince":"2025-03-01T10:00:00Z","callsAnswered":0,"noAnswerCount":0},"from":"Available"}`,
		8: `{"seq":9,"node":"fs1","kind":"queue","event":"member_left","at":"2025-03-01T10:00:00Z","queue":{"queue":"support@default","memberId":"m2","callId":"c2","callerNumber":"1002","waitingSince":"2025-03-01T09:59:50Z","waitSeconds":10},"cause":"resync"}`,
	}
	for i, w := range exact {
		if raws[i] != w {
			t.Errorf("message %d:\n got %s\nwant %s", i, raws[i], w)
		}
	}
}
