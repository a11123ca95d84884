package eslfake

import (
	"context"
	"slices"
	"sync"
	"time"
)

// The demo's call centre: two mod_callcenter queues and six agents.
// Callers (people from demoPeople, so never on another call at once) join,
// wait, are offered to a free agent, who sometimes does not answer, talk,
// or give up and hang up; agents take breaks and come back.

// DemoQueues are the queues the demo runs, with the number callers dial.
var DemoQueues = []struct{ Name, Number, Label string }{
	{"support@default", "7000", "Support Queue"},
	{"sales@default", "7100", "Sales Queue"},
}

// demoAgents and the queues each serves (tiers in this order).
var demoAgents = []struct {
	name   string
	queues []string
}{
	{"mina", []string{"support@default"}}, {"jun", []string{"support@default"}},
	{"sara", []string{"support@default", "sales@default"}}, {"tom", []string{"sales@default"}},
	{"yuna", []string{"sales@default", "support@default"}}, {"omar", []string{"support@default"}},
}

func (d *demo) queues(ctx context.Context) {
	for _, q := range DemoQueues {
		d.s.AddQueue(q.Name)
	}
	for _, a := range demoAgents {
		d.s.AddAgent(a.name, a.queues...)
		if d.intn(6) > 0 { // most agents start signed in
			_ = d.s.SetAgentStatus(a.name, "Available")
		}
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(1)
	go func() { defer wg.Done(); d.agentBreaks(ctx) }()
	for ctx.Err() == nil {
		q := DemoQueues[d.intn(len(DemoQueues))]
		if len(d.s.QueueMembers(q.Name)) < 6 {
			wg.Add(1)
			go func() { defer wg.Done(); d.queueCaller(ctx, q.Name, Party{q.Label, q.Number}) }()
		}
		if !sleep(ctx, d.between(2, 7)) {
			return
		}
	}
}

// queueCaller is one caller's queue call, from dialling in to hanging up.
func (d *demo) queueCaller(ctx context.Context, queue string, number Party) {
	p, ok := d.reserve()
	if !ok {
		return
	}
	defer d.release(p)
	u := d.s.AddChannel(ChannelSpec{Caller: p, Callee: number, Destination: number.Number})
	defer func() { _ = d.s.Hangup(u, "NORMAL_CLEARING") }() // abandons if still waiting
	if !sleep(ctx, d.between(0.3, 1)) || d.s.Answer(u) != nil {
		return
	}
	id, err := d.s.QueueJoin(queue, u)
	if err != nil {
		return
	}
	giveUp := time.Now().Add(d.between(25, 120)) // patience: some callers abandon
	for ctx.Err() == nil && d.alive(u) && time.Now().Before(giveUp) {
		if !sleep(ctx, d.between(2, 8)) {
			return
		}
		agent := d.takeAgent(queue)
		if agent == "" {
			continue
		}
		if d.s.QueueOffer(id, agent) != nil || !sleep(ctx, d.between(1.5, 4)) {
			d.freeAgent(agent)
			return
		}
		if d.intn(6) == 0 { // rings out: the caller waits for the next agent
			_ = d.s.QueueNoAnswer(id, agent)
			d.freeAgent(agent)
			continue
		}
		_, err := d.s.QueueAnswer(id, agent)
		if err == nil {
			end := time.Now().Add(d.between(15, 70))
			for time.Now().Before(end) && d.alive(u) {
				if !sleep(ctx, d.between(0.5, 1)) {
					break
				}
			}
			_ = d.s.Hangup(u, "NORMAL_CLEARING")
		}
		d.freeAgent(agent)
		return
	}
}

// takeAgent reserves a free, Available agent of the queue (nil-safe "").
func (d *demo) takeAgent(queue string) string {
	var free []string
	for _, a := range demoAgents {
		if slices.Contains(a.queues, queue) && d.s.AgentStatus(a.name) == "Available" {
			free = append(free, a.name)
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	free = slices.DeleteFunc(free, func(n string) bool { return d.agentBusy[n] })
	if len(free) == 0 {
		return ""
	}
	if d.agentBusy == nil {
		d.agentBusy = map[string]bool{}
	}
	a := free[d.rng.IntN(len(free))]
	d.agentBusy[a] = true
	return a
}

func (d *demo) freeAgent(name string) {
	d.mu.Lock()
	delete(d.agentBusy, name)
	d.mu.Unlock()
}

// agentBreaks sends an idle agent on break now and then, and brings back
// one who is on break or signed out.
func (d *demo) agentBreaks(ctx context.Context) {
	for sleep(ctx, d.between(12, 30)) {
		a := demoAgents[d.intn(len(demoAgents))].name
		switch st := d.s.AgentStatus(a); {
		case st != "Available":
			_ = d.s.SetAgentStatus(a, "Available")
		case d.intn(2) == 0:
			d.mu.Lock()
			busy := d.agentBusy[a]
			d.mu.Unlock()
			if !busy {
				_ = d.s.SetAgentStatus(a, []string{"On Break", "On Break", "Logged Out"}[d.intn(3)])
			}
		}
	}
}
