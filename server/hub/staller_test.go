package hub

import (
	"encoding/json"
	"net"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/callboard/callboard/adapters"
)

// latencyRig is 49 reading browsers; each round publishes one change,
// flushes, and measures how long each browser took to receive it.
type latencyRig struct {
	t       *testing.T
	e       *env
	sent    []atomic.Int64 // round -> send time (unix ns)
	reports chan time.Duration
	round   int
}

const latencyReaders = 49

func newLatencyRig(t *testing.T, e *env, rounds int) *latencyRig {
	r := &latencyRig{t: t, e: e, sent: make([]atomic.Int64, rounds+1), reports: make(chan time.Duration, latencyReaders*4)}
	for range latencyReaders {
		b := e.dial(nil)
		b.readType("snapshot")
		go r.read(b.conn)
	}
	return r
}

// read reports, for every delta, the time since its round was sent.
func (r *latencyRig) read(conn *websocket.Conn) {
	for {
		_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		at := time.Now().UnixNano()
		var m struct {
			Ops []struct {
				Value struct {
					CallerName string `json:"callerName"`
				} `json:"value"`
			} `json:"ops"`
		}
		if json.Unmarshal(data, &m) != nil || len(m.Ops) == 0 {
			continue
		}
		n, err := strconv.Atoi(m.Ops[len(m.Ops)-1].Value.CallerName)
		if err != nil || n <= 0 || n >= len(r.sent) {
			continue
		}
		r.reports <- time.Duration(at - r.sent[n].Load())
	}
}

// run plays n rounds and returns every browser's latency of every round.
func (r *latencyRig) run(n int) []time.Duration {
	out := make([]time.Duration, 0, n*latencyReaders)
	for range n {
		r.round++
		r.e.emit(adapters.CallUpdated{Call: adapters.Call{Node: "fs1", ID: "probe", CallerName: strconv.Itoa(r.round), CreatedAt: t0}})
		r.sent[r.round].Store(time.Now().UnixNano())
		r.e.hub.flush()
		for range latencyReaders {
			select {
			case d := <-r.reports:
				out = append(out, d)
			case <-time.After(10 * time.Second):
				r.t.Fatalf("round %d: a reading browser got nothing", r.round)
			}
		}
	}
	return out
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestStalledBrowserDoesNotSlowOthers: one browser among 50 stops reading.
// The other 49's median delivery latency while it is stalled (and still
// connected) stays within 10% of their median without it, measured in the
// same run (before it connects and after it is dropped, so slow drift of a
// busy machine affects both sides alike), and the stalled browser is
// disconnected once its buffer fills. A noisy machine gets three tries.
func TestStalledBrowserDoesNotSlowOthers(t *testing.T) {
	if testing.Short() {
		t.Skip("latency measurement")
	}
	const (
		buffer   = 400 // melody queue: the staller stays connected this many rounds at least
		baseline = 120 // rounds before and after, without the staller
		stalled  = 240 // rounds measured with the staller connected
	)
	var ratios []float64
	for attempt := range 3 {
		e := newEnv(t, Options{MessageBufferSize: buffer}, false, func(l net.Listener) net.Listener { return smallBuffers{l} })
		r := newLatencyRig(t, e, 2*baseline+stalled+5000)
		r.run(20) // warm up connections and encoders
		before := r.run(baseline)

		slowDialer := &websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
			c, err := net.Dial(network, addr)
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetReadBuffer(4096)
			}
			return c, err
		}}
		staller := e.dial(slowDialer)
		staller.readType("snapshot") // and never reads again
		with := r.run(stalled)
		if e.hub.Len() != latencyReaders+1 {
			t.Fatalf("the staller was dropped after %d rounds, before its %d-message buffer could fill", stalled, buffer)
		}
		// Keep going until the staller's buffer is full and it is dropped.
		for i := 0; e.hub.Len() > latencyReaders; i++ {
			if i > 4000 {
				t.Fatal("stalled browser never disconnected")
			}
			r.run(1)
		}
		after := r.run(baseline)

		base := median(append(before, after...))
		ratio := float64(median(with)) / float64(base)
		ratios = append(ratios, ratio)
		t.Logf("attempt %d: median latency %v without the staller, %v with it (ratio %.3f)", attempt+1, base, median(with), ratio)
		if ratio <= 1.10 {
			return
		}
	}
	t.Fatalf("a stalled browser raised the others' median latency by more than 10%% in every attempt: ratios %.3f", ratios)
}
