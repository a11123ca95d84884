package asterisk

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/callboard/callboard/adapters/asterisk/arifake"
)

// TestDemoReadsRight runs the Asterisk demo scenario against the node and
// checks, on every change, what issue 10 saw go wrong in the demo: nobody
// calls themselves, nobody is on two calls at once or twice in the
// conference; and ordinary two-party Dial calls are shown (one call, four
// legs, never a conference) and end.
func TestDemoReadsRight(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo runs in real time")
	}
	r := startRig(t, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = arifake.RunDemo(ctx, r.fake, rand.New(rand.NewPCG(1, 2))) }()
	defer func() { cancel(); <-done }()
	dialled := map[string]bool{}
	r.live.wait(t, "a two-party call shown and ended", func(v view) bool {
		onCall := map[string]string{}
		for id, c := range v.Calls {
			if c.CallerNumber != "" && (c.CallerNumber == c.CalleeNumber || c.CallerName == c.CalleeName) {
				t.Fatalf("%s <%s> calls themselves: %+v", c.CallerName, c.CallerNumber, c)
			}
			for _, who := range []string{c.CallerNumber, c.CalleeNumber} {
				if other, busy := onCall[who]; busy && who != "600" && who != "7000" && who != "3000" {
					t.Fatalf("%s is on two calls at once (%s and %s): %+v", who, other, id, v.Calls)
				}
				onCall[who] = id
			}
			if len(c.Legs) == 4 && c.Conference == "" {
				dialled[id] = true
			}
		}
		inConf := map[string]bool{}
		for _, m := range v.Members {
			if inConf[m.CallerNumber] {
				t.Fatalf("%s is twice in %s", m.CallerNumber, m.Conference)
			}
			inConf[m.CallerNumber] = true
		}
		if len(v.Conferences) > 1 {
			t.Fatalf("a call bridge became a conference: %+v", v.Conferences)
		}
		for id := range dialled {
			if _, live := v.Calls[id]; !live {
				return true
			}
		}
		return false
	})
}
