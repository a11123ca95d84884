package audio

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
)

// BenchmarkRelayLatency: one 20 ms frame in, the same frame out of a
// listener's Next on another goroutine; reports p50/p99 in µs.
func BenchmarkRelayLatency(b *testing.B) {
	h := NewHub(Config{})
	src, _ := h.Publish(call1, adapters.AudioLeft, 8000)
	l, _ := h.Subscribe(call1, adapters.AudioLeft)
	defer l.Close()
	pcm := tone(440, 8000, 0, 160, 0.5)
	lat := make([]time.Duration, 0, b.N)
	got := make(chan struct{})
	var sent time.Time
	var mu sync.Mutex
	go func() {
		for {
			if _, err := l.Next(context.Background()); err != nil {
				return
			}
			mu.Lock()
			lat = append(lat, time.Since(sent))
			mu.Unlock()
			got <- struct{}{}
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		mu.Lock()
		sent = time.Now()
		mu.Unlock()
		_ = src.Write(pcm)
		<-got
	}
	b.StopTimer()
	src.Close()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
}

// BenchmarkStreams200: 200 calls, each a source with a listener draining it
// on its own goroutine; one op is one 20 ms frame on every stream and its
// delivery. At real time that is 50 ops/s, so the wall time per second of
// audio for 200 streams is ns/op × 50 (wall%-of-realtime; an upper bound of
// the hub's CPU, websocket writes not included).
func BenchmarkStreams200(b *testing.B) {
	const n = 200
	h := NewHub(Config{MaxStreams: n, MaxListeners: n, RingFrames: 50})
	srcs := make([]*Source, n)
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	counts := make([]chan struct{}, n)
	for i := range n {
		k := Key{Node: "ast1", Call: fmt.Sprint("c", i)}
		srcs[i], _ = h.Publish(k, adapters.AudioLeft, 16000)
		l, _ := h.Subscribe(k, adapters.AudioLeft)
		counts[i] = make(chan struct{}, 64)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer l.Close()
			for {
				if _, err := l.Next(ctx); err != nil {
					return
				}
				counts[i] <- struct{}{}
			}
		}()
	}
	pcm := tone(660, 16000, 0, 320, 0.5)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for _, s := range srcs {
			_ = s.Write(pcm)
		}
		for _, c := range counts {
			<-c
		}
	}
	b.StopTimer()
	cancel()
	wg.Wait()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)*50/1e9*100, "wall%-of-realtime")
	if kib := peakRSSKiB(); kib > 0 {
		b.ReportMetric(float64(kib)/1024, "peak-RSS-MiB")
	}
}

// peakRSSKiB is this process's peak resident set (VmHWM), 0 where
// /proc is missing. The parent's getrusage maxrss is no substitute: Linux
// carries the spawning process's high-water mark across exec.
func peakRSSKiB() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for l := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}
