package eslfake

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"
)

// TestDemoQueueLives: the demo's queues see callers answered, callers
// abandoning, agents offered and going on break.
func TestDemoQueueLives(t *testing.T) {
	s := newServer(t)
	c := login(t, s, "event plain CUSTOM callcenter::info")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- RunDemoScaled(ctx, s, rand.New(rand.NewPCG(5, 6)), 0.01) }()
	defer func() { cancel(); <-done }()

	want := map[string]bool{"member-queue-end/Terminated": false, "member-queue-end/Cancel": false,
		"agent-offering": false, "member-queue-start": false}
	breaks := false
	deadline := time.Now().Add(20 * time.Second)
	for missing := len(want) + 1; missing > 0; {
		if time.Now().After(deadline) {
			t.Fatalf("demo queue events seen: %v, a break: %v", want, breaks)
		}
		hs, _ := c.nextEvent(func([]header) bool { return true })
		k := ccKind(hs)
		if seen, ok := want[k]; ok && !seen {
			want[k] = true
			missing--
		}
		if k == "agent-status-change" && firstValue(hs, "CC-Agent-Status") != "Available" && !breaks {
			breaks = true
			missing--
		}
	}
}
