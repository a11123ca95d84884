package hub

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
)

// TestQueueDeltasCoalescePerKey: queue kinds travel in the snapshot and in
// deltas; an agent changed three times inside one window is one op with
// its latest value, and a member that joined and left is one remove.
func TestQueueDeltasCoalescePerKey(t *testing.T) {
	e := newEnv(t, Options{}, false, nil)
	e.emit(adapters.QueueUpdated{Queue: adapters.Queue{Node: "fs1", Name: "support@default"}})
	b := e.dial(nil)
	var snap struct {
		Queues       []adapters.Queue       `json:"queues"`
		Agents       []adapters.Agent       `json:"agents"`
		QueueMembers []adapters.QueueMember `json:"queueMembers"`
	}
	_ = b.conn.SetReadDeadline(timeoutSoon())
	_, data, err := b.conn.ReadMessage()
	if err != nil || json.Unmarshal(data, &snap) != nil || len(snap.Queues) != 1 || snap.Agents == nil || snap.QueueMembers == nil {
		t.Fatalf("snapshot %s (%v)", data, err)
	}
	var m msg
	_ = json.Unmarshal(data, &m)
	b.got, b.seq = true, m.Seq
	agent := func(state string) adapters.Event {
		return adapters.AgentUpdated{Agent: adapters.Agent{Node: "fs1", Name: "mina", Status: adapters.AgentAvailable, State: state}}
	}
	e.emit(agent(adapters.AgentWaiting), agent(adapters.AgentReceiving), agent(adapters.AgentInQueueCall),
		adapters.QueueMemberUpdated{Member: adapters.QueueMember{Node: "fs1", Queue: "support@default", ID: "m1", State: "Waiting"}},
		adapters.QueueMemberLeft{Node: "fs1", Queue: "support@default", MemberID: "m1"},
		adapters.TierUpdated{Tier: adapters.Tier{Node: "fs1", Queue: "support@default", Agent: "mina", State: "Active Inbound"}})
	e.hub.flush()
	d := b.readType("delta")
	if len(d.Ops) != 3 {
		t.Fatalf("ops %+v", d.Ops)
	}
	got := map[string]op{}
	for _, o := range d.Ops {
		got[o.Kind+" "+o.Key] = o
	}
	var a adapters.Agent
	if o, ok := got["agent fs1/mina"]; !ok || o.Op != "upsert" || json.Unmarshal(o.Value, &a) != nil || a.State != adapters.AgentInQueueCall {
		t.Errorf("agent op %+v", got)
	}
	if o, ok := got["queueMember fs1/m1"]; !ok || o.Op != "remove" {
		t.Errorf("member op %+v", got)
	}
	if o, ok := got["tier fs1/support@default/mina"]; !ok || o.Op != "upsert" {
		t.Errorf("tier op %+v", got)
	}
}

func timeoutSoon() time.Time { return time.Now().Add(5 * time.Second) }
