package hub

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/live"
)

// TestLateJoinersConvergeWithoutGaps connects browsers while changes stream
// in; each rebuilds the call list from its snapshot plus deltas (read checks
// from/seq continuity) and must end up equal to the live state.
func TestLateJoinersConvergeWithoutGaps(t *testing.T) {
	e := newEnv(t, Options{CoalesceInterval: 2 * time.Millisecond}, true, nil)
	rng := rand.New(rand.NewPCG(1, 2))
	const browsers = 4
	models := make([]map[string]string, browsers)
	var wg sync.WaitGroup
	errs := make(chan error, browsers)
	for i := range browsers {
		// stagger the joins across the event stream
		for range 300 {
			id := fmt.Sprint(rng.IntN(40))
			if rng.IntN(4) == 0 {
				e.st.Emit(e.ctx, adapters.CallEnded{Node: "fs1", CallID: id})
			} else {
				e.st.Emit(e.ctx, callEv(id, fmt.Sprint(rng.IntN(1000))))
			}
		}
		b := e.dial(nil)
		wg.Add(1)
		go func() {
			defer wg.Done()
			model := map[string]string{}
			models[i] = model
			for {
				m, err := b.tryRead(5 * time.Second)
				if err != nil {
					errs <- err
					return
				}
				switch m.Type {
				case "snapshot":
					clear(model)
					for _, raw := range m.Calls {
						var c adapters.Call
						_ = json.Unmarshal(raw, &c)
						model["fs1/"+c.ID] = string(raw)
					}
					if _, ok := model["fs1/end"]; ok {
						return
					}
				case "delta":
					for _, o := range m.Ops {
						if o.Kind != "call" {
							continue
						}
						if o.Op == "remove" {
							delete(model, o.Key)
						} else {
							model[o.Key] = string(o.Value)
						}
						if o.Key == "fs1/end" {
							return
						}
					}
				}
			}
		}()
	}
	e.emit(callEv("end", "active"))
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var snap *live.Snapshot
	if err := e.st.Query(e.ctx, func(v *live.View) { snap = v.Snapshot() }); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, c := range snap.Calls {
		b, _ := json.Marshal(c)
		want["fs1/"+c.ID] = string(b)
	}
	for i, m := range models {
		if !maps.Equal(m, want) {
			t.Fatalf("browser %d has %d calls, live state %d; they differ", i, len(m), len(want))
		}
	}
}
