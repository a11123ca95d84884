package eslfake

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"
)

// TestDemoPeopleReadRight: while the demo runs, it has ordinary two-party
// calls (an A leg bridged to its B leg), nobody calls themselves, and no
// person is on two calls or twice in the conference at once.
func TestDemoPeopleReadRight(t *testing.T) {
	s := newServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- RunDemoScaled(ctx, s, rand.New(rand.NewPCG(3, 4)), 0.01) }()
	defer func() { cancel(); <-done }()

	bridged := 0
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) && bridged < 20 {
		s.mu.Lock()
		seen := map[string]string{} // number -> uuid of the call they are on
		for _, ch := range s.channels {
			if ch.callUUID != ch.uuid {
				continue // a B leg: its parties are its A leg's
			}
			parties := []Party{ch.caller}
			if b := ch.bridgedTo; b != nil {
				bridged++
				parties = append(parties, ch.callee)
				if ch.caller.Number == ch.callee.Number {
					t.Errorf("%s calls themselves", ch.caller.Name)
				}
			}
			for _, p := range parties {
				if other, dup := seen[p.Number]; dup {
					t.Errorf("%s (%s) is on calls %s and %s at once", p.Name, p.Number, other, ch.uuid)
				}
				seen[p.Number] = ch.uuid
			}
		}
		s.mu.Unlock()
		time.Sleep(5 * time.Millisecond) // sampling a running demo; no event to wait for
	}
	if bridged == 0 {
		t.Error("the demo placed no two-party call")
	}
}
