package auth

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Parallel attempts are reserved before the slow check, so N parallel wrong
// guesses cannot all be evaluated before the first failure is recorded.
func TestLimiterAcquireCountsAttemptsInFlight(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(LimiterConfig{Now: func() time.Time { return now }})
	keys := []string{"ip:a", "user:root"}
	var admitted atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	held := make(chan struct{}, 50)
	for range 50 {
		wg.Go(func() {
			<-start
			if _, ok := l.Acquire(keys...); ok {
				admitted.Add(1)
				held <- struct{}{}
			}
		})
	}
	close(start)
	wg.Wait()
	if n := admitted.Load(); n != 5 {
		t.Fatalf("%d parallel attempts admitted, want exactly MaxFailures=5", n)
	}
	if wait, ok := l.Acquire(keys...); ok || wait != InFlightRetry {
		t.Fatalf("6th attempt while 5 in flight: ok=%v wait=%v", ok, wait)
	}
	// The five fail: that is a lockout, and it holds for new attempts.
	var last time.Duration
	for range 5 {
		<-held
		last = l.Release(true, keys...)
	}
	if last != time.Minute {
		t.Fatalf("lockout after 5 released failures: %v", last)
	}
	if wait, ok := l.Acquire(keys...); ok || wait != time.Minute {
		t.Fatalf("attempt during lockout: ok=%v wait=%v", ok, wait)
	}
}

func TestLimiterReleaseWithoutFailureFreesTheSlot(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(LimiterConfig{MaxFailures: 2, Now: func() time.Time { return now }})
	for i := range 10 {
		if _, ok := l.Acquire("user:a"); !ok {
			t.Fatalf("sequential successful attempt %d refused", i)
		}
		if d := l.Release(false, "user:a"); d != 0 {
			t.Fatalf("success returned lockout %v", d)
		}
	}
	l.Acquire("user:a")
	l.Acquire("user:a")
	if _, ok := l.Acquire("user:a"); ok {
		t.Fatal("third parallel attempt admitted with MaxFailures 2")
	}
	l.Succeed("user:a") // a success must not drop the other reservation
	if _, ok := l.Acquire("user:a"); ok {
		t.Fatal("Succeed dropped in-flight reservations")
	}
}

func TestHasherBoundsParallelChecks(t *testing.T) {
	h, err := NewLimitedHasher(cheap, 2)
	if err != nil {
		t.Fatal(err)
	}
	good, err := h.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	// Occupy both slots, then a check must wait and give up with ErrBusy.
	h.slots <- struct{}{}
	h.slots <- struct{}{}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := h.Verify(ctx, "correct horse battery", good); !errors.Is(err, ErrBusy) {
		t.Fatalf("check with every slot taken: %v, want ErrBusy", err)
	}
	if err := h.VerifyDummy(ctx, "x"); !errors.Is(err, ErrBusy) {
		t.Fatalf("dummy check with every slot taken: %v, want ErrBusy", err)
	}
	// A slot freed while waiting lets the check run.
	done := make(chan error, 1)
	go func() { done <- h.Verify(context.Background(), "correct horse battery", good) }()
	<-h.slots
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("check after a slot freed: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("check never ran after a slot freed")
	}
	<-h.slots
	if len(h.slots) != 0 {
		t.Fatalf("%d slots still held after every check returned", len(h.slots))
	}
}
