package adaptertest

import (
	"context"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
)

// Outage drives a PBX outage over real sockets: the fake stops listening,
// stays away for a while, and comes back on the same address.
type Outage struct {
	// Stop closes the fake (its listener and every connection).
	Stop func()
	// Start brings a fresh fake up on the same address; it returns once the
	// fake accepts connections.
	Start func()
}

// Reconnect runs node until it is up, takes the PBX away for outage, brings
// it back and returns the time from the fake accepting again to the node's
// next up status (the figure issue 10 point 5 bounds at 2 s).
func Reconnect(t *testing.T, node adapters.Node, o Outage, outage time.Duration) time.Duration {
	t.Helper()
	ups := make(chan time.Time, 16)
	downs := make(chan struct{}, 16)
	emit := func(e adapters.Event) {
		if s, ok := e.(adapters.StatusChanged); ok {
			switch s.Status.State {
			case adapters.StateUp:
				ups <- time.Now()
			case adapters.StateDown:
				select {
				case downs <- struct{}{}:
				default:
				}
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- node.Run(ctx, emit) }()
	defer func() {
		cancel()
		<-done
	}()
	wait := func(what string, c <-chan time.Time) time.Time {
		select {
		case at := <-c:
			return at
		case <-time.After(WaitTimeout + outage):
			t.Fatalf("%s: timed out", what)
			return time.Time{}
		}
	}
	wait("first up", ups)
	o.Stop()
	select {
	case <-downs:
	case <-time.After(WaitTimeout):
		t.Fatal("never reported down")
	}
	time.Sleep(outage) // the outage itself: its length is what is being tested
	o.Start()
	back := time.Now()
	return wait("up after the outage", ups).Sub(back)
}

// MeasureReconnect is the reconnect figure as a measurement, not a test: it
// runs only with CALLBOARD_MEASURE_RECONNECT=1 (optionally
// CALLBOARD_MEASURE_RUNS, default 3) and logs the median and worst time from
// the PBX accepting again to node up, for 5 s and 30 s outages with the
// default backoff. newNode makes a node with default reconnect settings for
// the fake that o restarts.
func MeasureReconnect(t *testing.T, newNode func() adapters.Node, o Outage) {
	if os.Getenv("CALLBOARD_MEASURE_RECONNECT") != "1" {
		t.Skip("set CALLBOARD_MEASURE_RECONNECT=1 to measure (takes minutes)")
	}
	runs := 3
	if v, err := strconv.Atoi(os.Getenv("CALLBOARD_MEASURE_RUNS")); err == nil && v > 0 {
		runs = v
	}
	for _, outage := range []time.Duration{5 * time.Second, 30 * time.Second} {
		var got []time.Duration
		for range runs {
			got = append(got, Reconnect(t, newNode(), o, outage))
		}
		sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
		t.Logf("outage %s: accept -> up median %s, max %s, runs %v", outage, got[len(got)/2].Round(time.Millisecond), got[len(got)-1].Round(time.Millisecond), got)
	}
}
