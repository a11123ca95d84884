package hub

import (
	"testing"
	"time"
)

// A change while the hub is idle goes out at once, not at the end of a
// coalescing window.
func TestIdleChangeFlushesAtOnce(t *testing.T) {
	const interval = time.Minute
	e := newEnv(t, Options{CoalesceInterval: interval}, true, nil)
	b := e.dial(nil)
	b.readType("snapshot")
	start := time.Now()
	e.emit(callEv("a", "ringing"))
	b.readType("delta") // the browser helper fails the test after its read timeout
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("first change after idle took %v", took)
	}
}

// A change right after a flush waits for the window: flushes that carry
// changes stay CoalesceInterval apart.
func TestChangesInsideWindowWaitForIt(t *testing.T) {
	const interval = 400 * time.Millisecond
	e := newEnv(t, Options{CoalesceInterval: interval}, true, nil)
	b := e.dial(nil)
	b.readType("snapshot")
	e.emit(callEv("a", "ringing"))
	b.readType("delta")
	sent := time.Now()
	e.emit(callEv("a", "active"))
	m := b.readType("delta")
	if gap := time.Since(sent); gap < interval*8/10 {
		t.Fatalf("second delta %v after the first, inside the %v coalescing window", gap, interval)
	}
	if len(m.Ops) != 1 {
		t.Fatalf("second delta has %d ops, want 1", len(m.Ops))
	}
}
