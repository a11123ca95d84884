package live

import (
	"strconv"
	"testing"

	"github.com/callboard/callboard/adapters"
)

type discard struct{}

func (discard) Publish([]Change) {}

// BenchmarkApplyMemberToggle measures the hot path: a member's talking flag flips.
func BenchmarkApplyMemberToggle(b *testing.B) {
	s := New(Options{Sink: discard{}})
	for i := range 1000 {
		s.Apply(adapters.MemberUpdated{Member: member("fs1", "room", strconv.Itoa(i), false)})
	}
	m := member("fs1", "room", "500", false)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.Talking = i%2 == 0
		s.Apply(adapters.MemberUpdated{Member: m})
	}
}

// BenchmarkApplyCallLifecycle measures create, answer and end of a call among 10,000.
func BenchmarkApplyCallLifecycle(b *testing.B) {
	s := New(Options{Sink: discard{}})
	for i := range 10000 {
		s.Apply(adapters.CallUpdated{Call: call("fs1", "base"+strconv.Itoa(i), "active")})
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		id := strconv.Itoa(i)
		s.Apply(adapters.CallUpdated{Call: call("fs1", id, "ringing")})
		s.Apply(adapters.CallUpdated{Call: call("fs1", id, "active")})
		s.Apply(adapters.CallEnded{Node: "fs1", CallID: id})
	}
}
