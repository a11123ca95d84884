package live

import (
	"slices"
	"testing"

	"github.com/callboard/callboard/adapters"
)

func qMember(id, state string) adapters.QueueMember {
	return adapters.QueueMember{Node: "fs1", Queue: "support@default", ID: id, CallID: "call-" + id, State: state, Position: 1, JoinedAt: t0}
}

func qAgent(name, status, state string) adapters.Agent {
	return adapters.Agent{Node: "fs1", Name: name, Status: status, State: state, StatusSince: t0, StateSince: t0}
}

// TestQueueEventsApply: the five queue events upsert and remove by the
// protocol's keys, repeats of an unchanged value send nothing, a member
// leaving twice is removed once.
func TestQueueEventsApply(t *testing.T) {
	rec := &recorder{}
	s := New(Options{Sink: rec})
	q := adapters.Queue{Node: "fs1", Name: "support@default", Strategy: "longest-idle-agent"}
	tier := adapters.Tier{Node: "fs1", Queue: "support@default", Agent: "mina", State: "Ready", Level: 1, Position: 1}
	for _, ev := range []adapters.Event{
		adapters.QueueUpdated{Queue: q},
		adapters.QueueUpdated{Queue: q},
		adapters.AgentUpdated{Agent: qAgent("mina", adapters.AgentAvailable, adapters.AgentWaiting)},
		adapters.AgentUpdated{Agent: qAgent("mina", adapters.AgentAvailable, adapters.AgentWaiting)},
		adapters.TierUpdated{Tier: tier},
		adapters.QueueMemberUpdated{Member: qMember("m1", adapters.QueueMemberWaiting)},
		adapters.QueueMemberUpdated{Member: qMember("m1", adapters.QueueMemberTrying)},
		adapters.AgentUpdated{Agent: qAgent("mina", adapters.AgentAvailable, adapters.AgentReceiving)},
		adapters.QueueMemberLeft{Node: "fs1", Queue: "support@default", MemberID: "m1", Outcome: adapters.QueueAbandoned},
		adapters.QueueMemberLeft{Node: "fs1", Queue: "support@default", MemberID: "m1", Outcome: adapters.QueueAbandoned},
	} {
		s.Apply(ev)
	}
	want := []string{"upsert queue fs1/support@default", "upsert agent fs1/mina", "upsert tier fs1/support@default/mina",
		"upsert queueMember fs1/m1", "upsert queueMember fs1/m1", "upsert agent fs1/mina", "remove queueMember fs1/m1"}
	if got := rec.ops(); !slices.Equal(got, want) {
		t.Fatalf("ops\n got %q\nwant %q", got, want)
	}
	for i := 1; i < len(rec.changes); i++ {
		if rec.changes[i].Seq != rec.changes[i-1].Seq+1 {
			t.Fatalf("seq not contiguous: %+v", rec.changes)
		}
	}
	v := &View{s: s}
	if !v.HasAgent(AgentKey("fs1", "mina")) || v.HasAgent(AgentKey("fs2", "mina")) {
		t.Error("HasAgent")
	}
	if a := s.q.agents["fs1/mina"]; a.State != adapters.AgentReceiving {
		t.Errorf("agent state %q", a.State)
	}
}

// TestQueueSnapshotReplacesTheNode: a node's snapshot removes the queue
// entities it lacks (that node's only), keeps unchanged ones silent, and
// the view's snapshot lists them sorted.
func TestQueueSnapshotReplacesTheNode(t *testing.T) {
	rec := &recorder{}
	s := New(Options{Sink: rec})
	other := qMember("x1", adapters.QueueMemberWaiting)
	other.Node = "fs2"
	for _, ev := range []adapters.Event{
		adapters.QueueUpdated{Queue: adapters.Queue{Node: "fs1", Name: "old@default"}},
		adapters.AgentUpdated{Agent: qAgent("gone", adapters.AgentLoggedOut, adapters.AgentIdle)},
		adapters.AgentUpdated{Agent: qAgent("mina", adapters.AgentAvailable, adapters.AgentWaiting)},
		adapters.TierUpdated{Tier: adapters.Tier{Node: "fs1", Queue: "old@default", Agent: "gone"}},
		adapters.QueueMemberUpdated{Member: qMember("m1", adapters.QueueMemberWaiting)},
		adapters.QueueMemberUpdated{Member: other},
	} {
		s.Apply(ev)
	}
	rec.changes = nil
	s.Apply(adapters.Snapshot{Node: "fs1",
		Queues:       []adapters.Queue{{Name: "support@default"}},
		Agents:       []adapters.Agent{qAgent("mina", adapters.AgentAvailable, adapters.AgentWaiting)},
		Tiers:        []adapters.Tier{{Queue: "support@default", Agent: "mina"}},
		QueueMembers: []adapters.QueueMember{qMember("m2", adapters.QueueMemberWaiting), qMember("m1", adapters.QueueMemberWaiting)},
	})
	want := []string{"remove tier fs1/old@default/gone", "remove agent fs1/gone", "remove queue fs1/old@default",
		"upsert queue fs1/support@default", "upsert tier fs1/support@default/mina", "upsert queueMember fs1/m2"}
	if got := rec.ops(); !slices.Equal(got, want) {
		t.Fatalf("ops\n got %q\nwant %q", got, want)
	}
	snap := (&View{s: s}).Snapshot()
	snap.Sort()
	if len(snap.Queues) != 1 || len(snap.Agents) != 1 || len(snap.Tiers) != 1 || len(snap.QueueMembers) != 3 ||
		snap.QueueMembers[0].ID != "m1" || snap.QueueMembers[2].Node != "fs2" {
		t.Fatalf("snapshot %+v", snap)
	}
	// An empty snapshot (a node without queues) clears the node.
	rec.changes = nil
	s.Apply(adapters.Snapshot{Node: "fs1"})
	if n := len(rec.ops()); n != 5 {
		t.Fatalf("empty snapshot: %q", rec.ops())
	}
	if len(s.q.members) != 1 {
		t.Fatalf("other node's member lost: %v", s.q.members)
	}
}
