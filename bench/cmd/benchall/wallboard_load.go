package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/percipia/eslgo"
	"github.com/percipia/eslgo/command"

	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
)

// The wallboard's browser probe drives the fake's mod_callcenter: 50 queues,
// 10 agents each (one tier per agent, as BenchmarkWallboard), callers
// joining, being offered, answered or not, hanging up or abandoning, agents
// going on break and back, at about wbRate callcenter::info events a second.
const (
	wbQueues   = 50
	wbPerQueue = 10
	wbRate     = 100
	// Callers on the board when the page opens, so tiles show waits and the
	// agent grid shows calls from the first frame.
	wbStartWaiting = 100
	wbStartTalking = 250
)

func wbQueue(q int) string { return fmt.Sprintf("q%02d@default", q) }

type wbCaller struct {
	queue               int
	uuid, member, agent string
}

type wbAway struct {
	queue int
	agent string
}

// queueLoad holds what the driver has done to the fake, so each step picks a
// valid operation without asking it. One goroutine uses it.
type queueLoad struct {
	pbx                       *eslfake.Server
	rng                       *rand.Rand
	waiting, offered, talking []*wbCaller
	free                      [][]string // per queue: Available agents with no caller
	away                      []wbAway   // On Break or Logged Out
	callers                   int
	fired                     int // callcenter::info events the steps fire, for pacing
}

// newQueueLoad sets up the queues and agents (all Available) and the
// starting callers on pbx.
func newQueueLoad(pbx *eslfake.Server) (*queueLoad, error) {
	l := &queueLoad{pbx: pbx, rng: rand.New(rand.NewPCG(13, 50)), free: make([][]string, wbQueues)}
	for q := range wbQueues {
		pbx.AddQueue(wbQueue(q))
		for a := range wbPerQueue {
			name := fmt.Sprintf("agent%03d", q*wbPerQueue+a)
			pbx.AddAgent(name, wbQueue(q))
			if err := pbx.SetAgentStatus(name, "Available"); err != nil {
				return nil, err
			}
			l.free[q] = append(l.free[q], name)
		}
	}
	for i := range wbStartTalking { // spread evenly: a queue has 10 agents
		if err := l.join(i % wbQueues); err != nil {
			return nil, err
		}
		c := l.waiting[len(l.waiting)-1]
		if !l.offer(c) {
			return nil, fmt.Errorf("no free agent in %s for a starting call", wbQueue(c.queue))
		}
		if err := l.answer(c); err != nil {
			return nil, err
		}
	}
	for range wbStartWaiting {
		if err := l.join(l.rng.IntN(wbQueues)); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// take removes and returns a random element of s.
func take[T any](rng *rand.Rand, s *[]T) T {
	i := rng.IntN(len(*s))
	v := (*s)[i]
	*s = slices.Delete(*s, i, i+1)
	return v
}

func (l *queueLoad) join(q int) error {
	l.callers++
	num := strconv.Itoa(5550000 + l.callers)
	u := l.pbx.AddChannel(eslfake.ChannelSpec{Caller: eslfake.Party{Name: "Caller " + num, Number: num},
		Callee: eslfake.Party{Name: "Queue", Number: "7000"}, Destination: "7000"})
	if err := l.pbx.Answer(u); err != nil {
		return err
	}
	id, err := l.pbx.QueueJoin(wbQueue(q), u)
	if err != nil {
		return err
	}
	l.waiting = append(l.waiting, &wbCaller{queue: q, uuid: u, member: id})
	l.fired += 2 // member-queue-start, members-count
	return nil
}

// offer rings a free agent of c's queue; false when it has none.
func (l *queueLoad) offer(c *wbCaller) bool {
	if len(l.free[c.queue]) == 0 {
		return false
	}
	c.agent = take(l.rng, &l.free[c.queue])
	if l.pbx.QueueOffer(c.member, c.agent) != nil {
		l.free[c.queue] = append(l.free[c.queue], c.agent)
		return false
	}
	l.waiting = slices.DeleteFunc(l.waiting, func(x *wbCaller) bool { return x == c })
	l.offered = append(l.offered, c)
	l.fired += 2 // agent-state-change, agent-offering
	return true
}

func (l *queueLoad) answer(c *wbCaller) error {
	l.offered = slices.DeleteFunc(l.offered, func(x *wbCaller) bool { return x == c })
	if _, err := l.pbx.QueueAnswer(c.member, c.agent); err != nil {
		return err
	}
	l.talking = append(l.talking, c)
	l.fired += 3 // bridge-agent-start, members-count, agent-state-change
	return nil
}

// step does one random operation; the weights keep about wbStartWaiting
// callers waiting and wbStartTalking talking.
func (l *queueLoad) step() error {
	w := []float64{
		0: 22 * min(1, float64(wbStartWaiting*3/2-len(l.waiting))/10), // join
		1: 22 * min(1, float64(len(l.waiting))),                       // offer
		2: 22 * min(1, float64(len(l.offered))),                       // answer or ring out
		3: 22 * float64(len(l.talking)) / wbStartTalking,              // hang up
		4: 4 * float64(len(l.waiting)) / wbStartWaiting,               // abandon
		5: 8,                                                          // agent status
	}
	r, op := l.rng.Float64()*sumOf(w), 0
	for op < len(w)-1 && r >= max(w[op], 0) {
		r -= max(w[op], 0)
		op++
	}
	switch op {
	case 0:
		return l.join(l.rng.IntN(wbQueues))
	case 1:
		for range 5 { // a waiting caller whose queue has a free agent
			if l.offer(l.waiting[l.rng.IntN(len(l.waiting))]) {
				return nil
			}
		}
	case 2:
		c := l.offered[l.rng.IntN(len(l.offered))]
		if l.rng.IntN(6) > 0 {
			return l.answer(c)
		}
		if err := l.pbx.QueueNoAnswer(c.member, c.agent); err != nil {
			return err
		}
		l.fired += 2 // bridge-agent-fail, agent-state-change
		if l.pbx.AgentStatus(c.agent) == "On Break" {
			l.fired += 2 // agent-max-no-answer, agent-status-change
			l.away = append(l.away, wbAway{c.queue, c.agent})
		} else {
			l.free[c.queue] = append(l.free[c.queue], c.agent)
		}
		c.agent = ""
		l.offered = slices.DeleteFunc(l.offered, func(x *wbCaller) bool { return x == c })
		l.waiting = append(l.waiting, c)
		return nil
	case 3:
		c := take(l.rng, &l.talking)
		l.fired += 3 // bridge-agent-end, member-queue-end, agent-state-change
		l.free[c.queue] = append(l.free[c.queue], c.agent)
		return l.pbx.Hangup(c.uuid, "NORMAL_CLEARING")
	case 4:
		c := take(l.rng, &l.waiting)
		l.fired += 2 // member-queue-end, members-count
		return l.pbx.Hangup(c.uuid, "NORMAL_CLEARING")
	}
	return l.toggleAgent()
}

// toggleAgent sends a free agent on break (or signs one out), or brings one
// back; one agent-status-change.
func (l *queueLoad) toggleAgent() error {
	q := l.rng.IntN(wbQueues)
	if len(l.away) > 0 && (len(l.free[q]) == 0 || l.rng.IntN(2) == 0) {
		a := take(l.rng, &l.away)
		l.free[a.queue] = append(l.free[a.queue], a.agent)
		l.fired++
		return l.pbx.SetAgentStatus(a.agent, "Available")
	}
	if len(l.free[q]) == 0 {
		return fmt.Errorf("queue load: no agent to toggle")
	}
	a := take(l.rng, &l.free[q])
	l.away = append(l.away, wbAway{q, a})
	l.fired++
	return l.pbx.SetAgentStatus(a, []string{"On Break", "On Break", "Logged Out"}[l.rng.IntN(3)])
}

func sumOf(w []float64) float64 {
	s := 0.0
	for _, v := range w {
		s += max(v, 0)
	}
	return s
}

// run steps at rate callcenter::info events a second until ctx ends. A
// late tick catches up by at most 20 steps, so a stall is not followed by a
// burst the browser would then be measured on.
func (l *queueLoad) run(ctx context.Context, rate float64) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	start, base := time.Now(), l.fired
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		due := base + int(rate*time.Since(start).Seconds())
		for n := 0; l.fired < due && n < 20; n++ {
			if err := l.step(); err != nil {
				return err
			}
		}
		if l.fired < due-20 { // behind: forget the missed events
			base += due - 20 - l.fired
		}
	}
}

// eslCounter counts the events the fake sends an ESL client subscribed to
// ALL: what callboard's adapter receives, callcenter::info by CC-Action.
type eslCounter struct {
	conn     *eslgo.Conn
	cc, all  atomic.Int64
	mu       sync.Mutex
	byAction map[string]int
}

func countEvents(ctx context.Context, addr string) (*eslCounter, error) {
	opts := eslgo.DefaultInboundOptions
	opts.Logger = eslgo.NilLogger{}
	opts.Password = fakePassword
	conn, err := opts.Dial(addr)
	if err != nil {
		return nil, fmt.Errorf("event counter dial: %w", err)
	}
	c := &eslCounter{conn: conn, byAction: map[string]int{}}
	conn.RegisterEventListener(eslgo.EventListenAll, func(e *eslgo.Event) {
		c.all.Add(1)
		if e.GetHeader("Event-Subclass") != "callcenter::info" {
			return
		}
		c.cc.Add(1)
		c.mu.Lock()
		c.byAction[e.GetHeader("CC-Action")]++
		c.mu.Unlock()
	})
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := conn.SendCommand(cctx, command.Event{Format: "plain", Listen: []string{"ALL"}}); err != nil {
		conn.Close()
		return nil, fmt.Errorf("event counter subscribe: %w", err)
	}
	return c, nil
}

// snapshot returns the counts so far: callcenter::info, all events, and the
// members-count share (which callboard's adapter ignores).
func (c *eslCounter) snapshot() (cc, all, membersCount int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cc.Load(), c.all.Load(), int64(c.byAction["members-count"])
}
