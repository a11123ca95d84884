package freeswitch

import (
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The scanner reports the Event-Sequence of every event frame of a real
// capture, in order, however the socket reads split the bytes.
func TestWireScannerFindsEverySequenceInOrder(t *testing.T) {
	data, err := os.ReadFile(tracePath(t, "events-plain.raw"))
	if err != nil {
		t.Fatal(err)
	}
	var want []uint64
	for _, ev := range traceEvents(t, "events-plain.raw") {
		if seq, ok := eventSeq(ev); ok {
			want = append(want, seq)
		}
	}
	for _, chunk := range []int{1, 7, 512, 4096, len(data)} {
		var got []uint64
		w := newWireScanner(func(s []uint64) { got = append(got, s...) })
		rng := rand.New(rand.NewPCG(1, uint64(chunk)))
		for p := data; len(p) > 0; {
			n := min(len(p), 1+rng.IntN(chunk))
			w.feed(p[:n])
			p = p[n:]
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("chunks up to %d bytes: got %d seqs, want %d (first got %v)", chunk, len(got), len(want), got[:min(5, len(got))])
		}
	}
}

// With the wire order announced, a gap in the numbers is not waited for,
// events still go in wire order, and an announced event that never comes
// is given up after the window.
func TestReorderBufferFollowsWireOrder(t *testing.T) {
	hold := 20 * time.Millisecond
	t0 := time.Unix(1000, 0)
	b := reorderBuffer{hold: hold}
	b.announce([]uint64{10, 14, 12, 20}, t0)
	b.add(seqEvent(14), 14, t0)
	if got := seqs(b.release(t0)); len(got) != 0 {
		t.Fatalf("released %v before 10 arrived", got)
	}
	b.add(seqEvent(10), 10, t0)
	if got := seqs(b.release(t0)); !reflect.DeepEqual(got, []uint64{10, 14}) {
		t.Fatalf("released %v, want [10 14] at once despite the gaps", got)
	}
	b.add(seqEvent(20), 20, t0) // 12 was read but never handed over
	if got := seqs(b.release(t0.Add(hold - time.Millisecond))); len(got) != 0 {
		t.Fatalf("released %v while 12 may still come", got)
	}
	if d, ok := b.deadline(); !ok || !d.Equal(t0.Add(hold)) {
		t.Fatalf("deadline %v %v, want %v", d, ok, t0.Add(hold))
	}
	if got := seqs(b.release(t0.Add(hold))); !reflect.DeepEqual(got, []uint64{20}) {
		t.Fatalf("released %v, want [20] once 12 is given up", got)
	}
	if len(b.wire) != 0 || len(b.announced) != 0 || len(b.held) != 0 {
		t.Fatalf("left wire=%v announced=%v held=%d", b.wire, b.announced, len(b.held))
	}
}

// header reads exactly what eslgo's GetHeader reads, for every header of
// every event of the real capture (URL-decoding, duplicates, bad escapes).
func TestHeaderMatchesEslgoGetHeader(t *testing.T) {
	for _, ev := range traceEvents(t, "events-plain.raw") {
		for name := range ev.Headers {
			for _, n := range []string{name, strings.ToLower(name)} {
				if got, want := header(ev, n), ev.GetHeader(n); got != want {
					t.Fatalf("header(%q) = %q, eslgo GetHeader %q", n, got, want)
				}
			}
		}
		for n := range canonicalKeys {
			if got, want := header(ev, n), ev.GetHeader(n); got != want {
				t.Fatalf("header(%q) = %q, eslgo GetHeader %q", n, got, want)
			}
		}
	}
}
