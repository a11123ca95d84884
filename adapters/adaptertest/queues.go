package adaptertest

import (
	"errors"
	"slices"
	"testing"

	"github.com/callboard/callboard/adapters"
)

// QueuePBX drives call queues (FreeSWITCH mod_callcenter). A harness whose
// PBX does not implement it declares that its adapter has no queue support
// (Asterisk: app_queue's state is not visible over ARI), and the queue
// cases are skipped for it; one that does must pass them all.
type QueuePBX interface {
	// QueueSetup creates a queue and agents (Available, Waiting) serving it.
	QueueSetup(t testing.TB, queue string, agents ...string)
	// QueueCall places an answered call from a caller into a queue and
	// returns the queue member id the adapter must report.
	QueueCall(t testing.TB, queue string, caller Party) string
	// QueueOffer rings an agent for a waiting caller; QueueNoAnswer is the
	// agent not answering; QueueAnswer the agent answering.
	QueueOffer(t testing.TB, memberID, agent string)
	QueueNoAnswer(t testing.TB, memberID, agent string)
	QueueAnswer(t testing.TB, memberID, agent string)
	// QueueHangup hangs up the caller of a queue member.
	QueueHangup(t testing.TB, memberID string)
}

// queueCases are the queue scenarios, run by Run.
func queueCases(t *testing.T, newHarness Factory) {
	cases := map[string]func(*testing.T, Harness, QueuePBX){
		"QueueCallersWaitWithJoinTimes": callersWait,
		"QueueAgentAnswers":             agentAnswers,
		"QueueCallerAbandons":           callerAbandons,
		"QueueAgentOnBreakByAction":     agentOnBreak,
		"QueueRestartKeepsBoard":        queueRestart,
	}
	for _, name := range []string{"QueueCallersWaitWithJoinTimes", "QueueAgentAnswers", "QueueCallerAbandons",
		"QueueAgentOnBreakByAction", "QueueRestartKeepsBoard"} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			p, ok := h.PBX.(QueuePBX)
			if !ok {
				// No queues: the agent action must be refused as unsupported.
				if err := h.Node.Validate(adapters.SetAgentStatus{Agent: "ann", Status: adapters.AgentOnBreak}); !errors.Is(err, adapters.ErrUnsupported) ||
					slices.Contains(h.Node.Actions(), adapters.ActSetAgentStatus) {
					t.Errorf("a node without queue support: Validate(SetAgentStatus) = %v, Actions %v", err, h.Node.Actions())
				}
				t.Skipf("%T declares no queue support", h.PBX)
			}
			cases[name](t, h, p)
		})
	}
}

func waitingAt(v View, queue, id string, pos int) bool {
	m, ok := v.QueueMembers[id]
	return ok && m.Queue == queue && m.State == adapters.QueueMemberWaiting && m.Position == pos && !m.JoinedAt.IsZero()
}

func callersWait(t *testing.T, h Harness, p QueuePBX) {
	p.QueueSetup(t, "sales@default", "ann")
	rec := start(t, h)
	first := p.QueueCall(t, "sales@default", Party{"Caller One", "7101"})
	second := p.QueueCall(t, "sales@default", Party{"Caller Two", "7102"})
	v := rec.Wait(t, "two callers waiting in order", func(v View) bool {
		return waitingAt(v, "sales@default", first, 1) && waitingAt(v, "sales@default", second, 2)
	})
	if m := v.QueueMembers[first]; m.CallerName != "Caller One" || m.CallerNumber != "7101" || m.CallID == "" || m.Node != h.Node.ID() {
		t.Errorf("first caller = %+v", m)
	}
	if _, ok := v.Queues["sales@default"]; !ok {
		t.Errorf("queue missing: %v", keys(v.Queues))
	}
	// The first leaves: the second moves up.
	p.QueueHangup(t, first)
	rec.Wait(t, "second caller first in line", func(v View) bool { return waitingAt(v, "sales@default", second, 1) })
}

func agentAnswers(t *testing.T, h Harness, p QueuePBX) {
	p.QueueSetup(t, "sales@default", "ann", "bob")
	rec := start(t, h)
	id := p.QueueCall(t, "sales@default", Party{"Caller One", "7101"})
	p.QueueOffer(t, id, "bob")
	rec.Wait(t, "bob offered the caller", func(v View) bool {
		m := v.QueueMembers[id]
		return m.State == adapters.QueueMemberTrying && m.Agent == "bob" && v.Agents["bob"].State == adapters.AgentReceiving
	})
	p.QueueNoAnswer(t, id, "bob")
	rec.Wait(t, "the caller waiting again", func(v View) bool {
		m := v.QueueMembers[id]
		return m.State == adapters.QueueMemberWaiting && m.Agent == "" && v.Agents["bob"].State == adapters.AgentWaiting
	})
	p.QueueOffer(t, id, "ann")
	p.QueueAnswer(t, id, "ann")
	v := rec.Wait(t, "ann in a queue call with the caller", func(v View) bool {
		m, a := v.QueueMembers[id], v.Agents["ann"]
		return m.State == adapters.QueueMemberAnswered && m.Agent == "ann" && !m.AnsweredAt.IsZero() &&
			a.State == adapters.AgentInQueueCall && a.Member == id && a.CallID != ""
	})
	if q := v.Queues["sales@default"]; q.CallsAnswered != 1 {
		t.Errorf("queue after an answer = %+v", q)
	}
	p.QueueHangup(t, id)
	v = rec.Wait(t, "the queue call over", func(v View) bool {
		_, still := v.QueueMembers[id]
		return !still && v.Agents["ann"].State == adapters.AgentWaiting
	})
	left := lastLeft(v, id)
	if left == nil || left.Outcome != adapters.QueueAnswered || left.AnsweredBy != "ann" || left.Wait < 0 {
		t.Errorf("queue call ended as %+v, want answered by ann", left)
	}
}

func lastLeft(v View, id string) *adapters.QueueMemberLeft {
	var out *adapters.QueueMemberLeft
	for _, e := range v.Events {
		if l, ok := e.(adapters.QueueMemberLeft); ok && l.MemberID == id {
			out = &l
		}
	}
	return out
}

func callerAbandons(t *testing.T, h Harness, p QueuePBX) {
	p.QueueSetup(t, "sales@default", "ann")
	rec := start(t, h)
	id := p.QueueCall(t, "sales@default", Party{"Caller One", "7101"})
	rec.Wait(t, "caller waiting", func(v View) bool { return waitingAt(v, "sales@default", id, 1) })
	p.QueueHangup(t, id)
	v := rec.Wait(t, "caller gone", func(v View) bool { _, ok := v.QueueMembers[id]; return !ok })
	if left := lastLeft(v, id); left == nil || left.Outcome != adapters.QueueAbandoned || left.AnsweredBy != "" || left.JoinedAt.IsZero() {
		t.Errorf("abandon reported as %+v", left)
	}
	rec.Wait(t, "abandon counted", func(v View) bool { return v.Queues["sales@default"].CallsAbandoned == 1 })
}

func agentOnBreak(t *testing.T, h Harness, p QueuePBX) {
	p.QueueSetup(t, "sales@default", "ann")
	rec := start(t, h)
	rec.Wait(t, "ann available", func(v View) bool { return v.Agents["ann"].Status == adapters.AgentAvailable })
	a := adapters.SetAgentStatus{Agent: "ann", Status: adapters.AgentOnBreak}
	do(t, h, a)
	h.PBX.ExpectAction(t, a)
	rec.Wait(t, "ann on break", func(v View) bool {
		ag := v.Agents["ann"]
		return ag.Status == adapters.AgentOnBreak && !ag.StatusSince.IsZero()
	})
	for _, bad := range []adapters.SetAgentStatus{{Agent: "ann", Status: "Bogus"}, {Agent: "ann x", Status: adapters.AgentOnBreak},
		{Agent: "ann", Status: "On Break' ; hupall"}} {
		if err := h.Node.Validate(bad); err == nil {
			t.Errorf("Validate(%+v) accepted", bad)
		}
	}
}

func queueRestart(t *testing.T, h Harness, p QueuePBX) {
	if h.Restart == nil {
		t.Fatal("harness has no Restart")
	}
	p.QueueSetup(t, "sales@default", "ann", "bob")
	talking := p.QueueCall(t, "sales@default", Party{"Caller One", "7101"})
	p.QueueOffer(t, talking, "ann")
	p.QueueAnswer(t, talking, "ann")
	w1 := p.QueueCall(t, "sales@default", Party{"Caller Two", "7102"})
	w2 := p.QueueCall(t, "sales@default", Party{"이서연", "01055554444"})

	first := runUntil(t, h.Node)
	before := first.Wait(t, "one answered, two waiting", func(v View) bool {
		return v.QueueMembers[talking].State == adapters.QueueMemberAnswered && waitingAt(v, "sales@default", w1, 1) &&
			waitingAt(v, "sales@default", w2, 2)
	})
	first.stop(t)
	second := runUntil(t, h.Restart(t))
	after := second.Wait(t, "the same board after a restart", func(v View) bool {
		return v.Snapshots >= 1 && len(v.QueueMembers) == 3
	})
	for _, id := range []string{talking, w1, w2} {
		b, a := before.QueueMembers[id], after.QueueMembers[id]
		if !a.JoinedAt.Equal(b.JoinedAt) || a.State != b.State || a.Position != b.Position || a.CallerName != b.CallerName ||
			a.Agent != b.Agent || a.CallID != b.CallID {
			t.Errorf("member %s changed across a restart:\n before %+v\n after  %+v", id, b, a)
		}
	}
	if b, a := before.Agents["ann"], after.Agents["ann"]; a.State != b.State || a.Status != b.Status || a.Member != b.Member || a.CallID != b.CallID {
		t.Errorf("agent ann changed across a restart:\n before %+v\n after  %+v", b, a)
	}
}
