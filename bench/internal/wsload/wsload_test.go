package wsload

import (
	"testing"
	"time"
)

func TestTalkingFlipsAreTimedInBothFormats(t *testing.T) {
	t0 := time.Unix(1000, 0)
	tests := []struct {
		name   string
		format Format
		msgs   []string
	}{
		{"callboard delta", Callboard, []string{
			`{"type":"delta","from":1,"seq":3,"ops":[{"op":"upsert","kind":"call","key":"fs1/x","value":{"talking":false}},` +
				`{"op":"upsert","kind":"member","key":"fs1/room0/7","value":{"id":"7","muted":false,"talking":true}},` +
				`{"op":"remove","kind":"member","key":"fs1/room0/9"}]}`,
			`{"type":"delta","from":3,"seq":4,"ops":[{"op":"upsert","kind":"member","key":"fs1/room0/7","value":{"talking":false}}]}`,
		}},
		{"raw relayed event", RawEvent, []string{
			`{"Event-Name":"CUSTOM","Conference-Name":"room0","Member-ID":"7","Action":"start-talking"}`,
			`{"Event-Name":"CUSTOM","Conference-Name":"room0","Member-ID":"7","Action":"floor-change"}`,
			`{"Event-Name":"CUSTOM","Conference-Name":"room0","Member-ID":"7","Action":"stop-talking"}`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewTracker()
			tr.Sent("fs1/room0/7", true, t0, true)
			tr.Sent("fs1/room0/7", false, t0.Add(100*time.Millisecond), true)
			tr.Sent("fs1/room0/7", true, t0.Add(200*time.Millisecond), true) // never delivered
			c := &Client{format: tt.format, node: "fs1", tracker: tr, next: map[string]int{}, sampled: true, done: make(chan struct{})}
			for _, m := range tt.msgs {
				if tt.format == Callboard {
					c.scanDelta([]byte(m), t0.Add(130*time.Millisecond))
				} else {
					c.scanEvent([]byte(m), t0.Add(130*time.Millisecond))
				}
			}
			want := []time.Duration{130 * time.Millisecond, 30 * time.Millisecond}
			if len(c.latencies) != 2 || c.latencies[0] != want[0] || c.latencies[1] != want[1] {
				t.Fatalf("latencies %v, want %v", c.latencies, want)
			}
			if n := tr.unmatched("fs1/room0/7", c.next["fs1/room0/7"]); n != 1 {
				t.Fatalf("%d undelivered flips, want 1", n)
			}
		})
	}
}
