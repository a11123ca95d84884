package hub

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
)

// BenchmarkWallboard is the wallboard budget: 50 queues, 500
// agents (10 per queue), queue events at a steady 100/s through the live
// state and the hub to connected browsers. One b.N iteration is one event;
// every 5 events the hub flushes (a 50 ms window at 100 events/s).
// Reported: server CPU per event (process user+sys over the run, browsers'
// reads included, so an upper bound) and the bytes each browser receives per
// second of that load.
func BenchmarkWallboard(b *testing.B) {
	const queues, perQueue, browsers = 50, 10, 4
	e := newEnv(&testing.T{}, Options{}, false, nil)
	b.Cleanup(func() {})
	snap := adapters.Snapshot{Node: "fs1"}
	t0 := time.Now()
	for q := range queues {
		name := fmt.Sprintf("q%02d@default", q)
		snap.Queues = append(snap.Queues, adapters.Queue{Node: "fs1", Name: name, Strategy: "longest-idle-agent"})
		for a := range perQueue {
			agent := fmt.Sprintf("agent%03d", q*perQueue+a)
			snap.Agents = append(snap.Agents, adapters.Agent{Node: "fs1", Name: agent, Status: adapters.AgentAvailable,
				State: adapters.AgentWaiting, StateSince: t0, StatusSince: t0})
			snap.Tiers = append(snap.Tiers, adapters.Tier{Node: "fs1", Queue: name, Agent: agent, State: "Ready", Level: 1, Position: a + 1})
		}
	}
	e.emit(snap)
	var received atomic.Int64
	for range browsers {
		br := e.dial(nil)
		br.read() // snapshot
		go func() {
			for {
				_ = br.conn.SetReadDeadline(time.Now().Add(time.Minute))
				_, data, err := br.conn.ReadMessage()
				if err != nil {
					return
				}
				received.Add(int64(len(data)))
			}
		}()
	}
	rng := rand.New(rand.NewPCG(1, 2))
	states := []string{adapters.AgentWaiting, adapters.AgentReceiving, adapters.AgentInQueueCall}
	event := func(i int) adapters.Event {
		q := rng.IntN(queues)
		queue := fmt.Sprintf("q%02d@default", q)
		switch i % 4 {
		case 0: // a caller joins
			return adapters.QueueMemberUpdated{Member: adapters.QueueMember{Node: "fs1", Queue: queue, ID: fmt.Sprintf("m%d", i),
				CallID: fmt.Sprintf("c%d", i), CallerName: "Caller", CallerNumber: "5551000", State: adapters.QueueMemberWaiting,
				Position: 1, JoinedAt: t0}}
		case 3: // the caller of 3 events ago leaves
			return adapters.QueueMemberLeft{Node: "fs1", Queue: queue, MemberID: fmt.Sprintf("m%d", i-3), Outcome: adapters.QueueAnswered}
		default: // an agent changes state
			agent := fmt.Sprintf("agent%03d", q*perQueue+rng.IntN(perQueue))
			return adapters.AgentUpdated{Agent: adapters.Agent{Node: "fs1", Name: agent, Status: adapters.AgentAvailable,
				State: states[rng.IntN(len(states))], StateSince: t0.Add(time.Duration(i) * time.Second), StatusSince: t0}}
		}
	}
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	received.Store(0)
	b.ResetTimer()
	n := 0
	for i := 0; b.Loop(); i++ {
		_ = e.st.Emit(e.ctx, event(i))
		if n++; n%5 == 0 {
			e.hub.flush()
		}
	}
	e.emit() // everything applied
	e.hub.flush()
	b.StopTimer()
	time.Sleep(100 * time.Millisecond) // the readers drain
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()) * time.Nanosecond
	b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/event")
	seconds := float64(n) / 100 // of load at 100 events/s
	b.ReportMetric(float64(received.Load())/browsers/seconds, "B/browser/s")
	b.ReportMetric(float64(cpu.Microseconds())/seconds/1e4, "%core@100ev/s")
}
