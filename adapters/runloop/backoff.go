package runloop

import (
	"math/rand/v2"
	"time"
)

// Default backoff bounds.
const (
	DefaultBackoffMin = 200 * time.Millisecond
	DefaultBackoffMax = 2 * time.Second
)

// Backoff is the delay policy between connection attempts: exponential from
// Min, capped at Max, with "equal jitter" (half fixed, half random) so many
// dashboards do not redial a restarted PBX in lockstep. A delay is never
// longer than Max and never shorter than half of Min.
type Backoff struct {
	Min, Max time.Duration
	// rand returns a value in [0, n); nil means math/rand/v2. Tests set it.
	rand func(n int64) int64
}

// withDefaults fills zero bounds and keeps Max >= Min.
func (b Backoff) withDefaults() Backoff {
	if b.Min <= 0 {
		b.Min = DefaultBackoffMin
	}
	if b.Max <= 0 {
		b.Max = DefaultBackoffMax
	}
	if b.Max < b.Min {
		b.Max = b.Min
	}
	return b
}

// Delay is the wait before reconnect attempt number attempt (0-based).
func (b Backoff) Delay(attempt int) time.Duration {
	b = b.withDefaults()
	d := b.Min
	for i := 0; i < attempt && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	half := d / 2
	if d-half <= 0 {
		return d
	}
	rnd := b.rand
	if rnd == nil {
		rnd = rand.Int64N
	}
	// half + [0, d-half] lies in [d/2, d]: the jitter only ever shortens.
	return half + time.Duration(rnd(int64(d-half)+1))
}
