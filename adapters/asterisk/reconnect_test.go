package asterisk

import (
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/adaptertest"
	"github.com/callboard/callboard/adapters/asterisk/arifake"
)

// restartable is an ARI fake that can go away and come back on its address.
type restartable struct {
	mu   sync.Mutex
	addr string
	cur  *arifake.Server
}

func newRestartable(t *testing.T) *restartable {
	fake, err := arifake.New(arifake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := &restartable{cur: fake, addr: fake.Addr()}
	t.Cleanup(func() { r.mu.Lock(); _ = r.cur.Close(); r.mu.Unlock() })
	return r
}

func (r *restartable) url() string { return "http://" + r.addr + "/ari" }

func (r *restartable) outage(t *testing.T) adaptertest.Outage {
	return adaptertest.Outage{
		Stop: func() { r.mu.Lock(); _ = r.cur.Close(); r.mu.Unlock() },
		Start: func() {
			fresh, err := arifake.New(arifake.Options{Addr: r.addr})
			if err != nil {
				t.Fatalf("restart on %s: %v", r.addr, err)
			}
			r.mu.Lock()
			r.cur = fresh
			r.mu.Unlock()
		},
	}
}

func (r *restartable) config() Config {
	return Config{ID: "ast1", URL: r.url(), Username: "dash", Password: "dashpass", Application: "callboard", SubscribeAll: true}
}

// The PBX stays away for many backoff steps and comes back on the same
// port: the node reconnects, and no delay it waited exceeded its cap.
func TestReconnectAfterLongOutage(t *testing.T) {
	pbx := newRestartable(t)
	const capDelay = 80 * time.Millisecond
	cfg := pbx.config()
	cfg.BackoffMin, cfg.BackoffMax = 10*time.Millisecond, capDelay
	n, err := New(cfg)
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
	// The bound on the result is generous on purpose (shared CI machines):
	// the delays above are the exact check.
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
		n, err := New(pbx.config())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}, pbx.outage(t))
}
