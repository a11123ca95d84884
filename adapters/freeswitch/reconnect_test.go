package freeswitch

import (
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/adaptertest"
	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
)

// restartable is an ESL fake that can go away and come back on its address.
type restartable struct {
	mu   sync.Mutex
	addr string
	cur  *eslfake.Server
}

func newRestartable(t *testing.T) *restartable {
	r := &restartable{cur: startFake(t)}
	r.addr = r.cur.Addr()
	t.Cleanup(func() { r.mu.Lock(); r.cur.Close(); r.mu.Unlock() })
	return r
}

func (r *restartable) outage(t *testing.T) adaptertest.Outage {
	return adaptertest.Outage{
		Stop: func() { r.mu.Lock(); r.cur.Close(); r.mu.Unlock() },
		Start: func() {
			fresh := eslfake.New(eslfake.Options{Password: fakePassword, Addr: r.addr, Logger: quietLog})
			if err := fresh.Start(); err != nil {
				t.Fatalf("restart on %s: %v", r.addr, err)
			}
			r.mu.Lock()
			r.cur = fresh
			r.mu.Unlock()
		},
	}
}

// The PBX stays away for many backoff steps and comes back on the same
// port: the node reconnects, and no delay it waited exceeded its cap.
func TestReconnectAfterLongOutage(t *testing.T) {
	pbx := newRestartable(t)
	const capDelay = 80 * time.Millisecond
	n, err := New(Config{ID: "fs1", Address: pbx.addr, Password: fakePassword, Logger: quietLog,
		BackoffMin: 10 * time.Millisecond, BackoffMax: capDelay})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var attempts int
	n.onDelay = func(attempt int, d time.Duration) {
		mu.Lock()
		attempts = max(attempts, attempt+1)
		mu.Unlock()
		if d > capDelay {
			t.Errorf("attempt %d waited %s, past the %s cap", attempt, d, capDelay)
		}
	}
	// 1 s is a dozen attempts at this cap; the bound on the result is
	// generous on purpose (shared CI machines): the delays above are the
	// exact check.
	took := adaptertest.Reconnect(t, n, pbx.outage(t), time.Second)
	mu.Lock()
	defer mu.Unlock()
	if attempts < 5 {
		t.Errorf("only %d reconnect attempts during the outage", attempts)
	}
	if took > 5*time.Second {
		t.Errorf("reconnected %s after the PBX came back", took)
	}
}

// go test -run TestMeasureReconnect -v with CALLBOARD_MEASURE_RECONNECT=1.
func TestMeasureReconnect(t *testing.T) {
	pbx := newRestartable(t)
	adaptertest.MeasureReconnect(t, func() adapters.Node {
		n, err := New(Config{ID: "fs1", Address: pbx.addr, Password: fakePassword, Logger: quietLog})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}, pbx.outage(t))
}
