package freeswitch

import (
	"os"
	"testing"
)

// BenchmarkMapTrace maps every event of the real capture into a fresh
// model: the adapter's per-event cost after eslgo has parsed the frame.
func BenchmarkMapTrace(b *testing.B) {
	evs := traceEvents(b, "events-plain.raw")
	b.ReportAllocs()
	for b.Loop() {
		p := newTestMapper()
		for _, ev := range evs {
			p.apply(ev)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(evs)), "ns/event")
}

// BenchmarkWireScan measures the wire-order scanner over the raw capture
// in 4 KiB reads, as eslgo's bufio reads the socket.
func BenchmarkWireScan(b *testing.B) {
	data, err := os.ReadFile(tracePath(b, "events-plain.raw"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		w := newWireScanner(func([]uint64) {})
		for p := data; len(p) > 0; {
			n := min(len(p), 4096)
			w.feed(p[:n])
			p = p[n:]
		}
	}
}
