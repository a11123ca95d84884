package runloop

import (
	"testing"
	"time"
)

func TestBackoffNeverPassesTheCap(t *testing.T) {
	extremes := map[string]func(int64) int64{
		"lowest":  func(int64) int64 { return 0 },
		"highest": func(n int64) int64 { return n - 1 },
		"random":  nil,
	}
	for name, rnd := range extremes {
		for _, b := range []Backoff{{}, {Min: time.Millisecond, Max: 3 * time.Millisecond}, {Min: 500 * time.Millisecond, Max: 30 * time.Second}, {Min: 5 * time.Second, Max: time.Second}} {
			b.rand = rnd
			cap := b.withDefaults().Max
			for attempt := 0; attempt < 200; attempt++ {
				d := b.Delay(attempt)
				if d > cap || d <= 0 {
					t.Fatalf("%s %+v attempt %d: delay %s outside (0, %s]", name, b, attempt, d, cap)
				}
			}
		}
	}
}

func TestBackoffDefaultSequence(t *testing.T) {
	high := Backoff{rand: func(n int64) int64 { return n - 1 }}
	low := Backoff{rand: func(int64) int64 { return 0 }}
	wantHigh := []time.Duration{200, 400, 800, 1600, 2000, 2000}
	for i, w := range wantHigh {
		w *= time.Millisecond
		if got := high.Delay(i); got != w {
			t.Errorf("attempt %d: highest delay %s, want %s", i, got, w)
		}
		if got := low.Delay(i); got != w/2 {
			t.Errorf("attempt %d: lowest delay %s, want %s", i, got, w/2)
		}
	}
	// Far into an outage the delay stays at the cap; no overflow.
	if got := high.Delay(1 << 20); got != DefaultBackoffMax {
		t.Errorf("attempt 2^20: %s", got)
	}
}
