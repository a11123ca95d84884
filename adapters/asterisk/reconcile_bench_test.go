package asterisk

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/asterisk/arifake"
)

// countingTransport counts response body bytes.
type countingTransport struct {
	base  http.RoundTripper
	bytes atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(r)
	if err == nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, n: &c.bytes}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// BenchmarkReconcile measures one reconciliation pass at 1,000 channels:
// GET /channels and GET /bridges over loopback from the ARI fake, decoding,
// and the comparison with the live state (which must find no difference).
// The fake holds 150 Dial calls (600 Local channels, 150 basic bridges) and
// 200 Stasis originates (400 channels), 100 of them in one conference.
func BenchmarkReconcile(b *testing.B) {
	fake, err := arifake.New(arifake.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer fake.Close()
	conf := fake.CreateBridge("bench-room")
	for i := range 150 {
		fake.Dial(arifake.Party{Name: "Bench", Number: fmt.Sprintf("6%04d", i)}, arifake.Party{Name: "Callee", Number: fmt.Sprintf("7%04d", i)})
	}
	for i := range 200 {
		id := fake.Originate(arifake.Party{Name: "Member", Number: fmt.Sprintf("8%04d", i)})
		if i%2 == 0 {
			_ = fake.Enter(conf, id)
		}
	}
	if got := len(fake.Channels()); got != 1000 {
		b.Fatalf("fake has %d channels, want 1000", got)
	}
	n, err := New(Config{
		ID: "ast1", URL: fake.URL(), Username: "dash", Password: "dashpass", Application: "callboard",
		SubscribeAll: true, ReconcileInterval: -1, HeartbeatInterval: time.Hour,
	})
	if err != nil {
		b.Fatal(err)
	}
	ct := &countingTransport{base: http.DefaultTransport}
	n.rest.Transport = ct
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = n.Run(ctx, func(adapters.Event) {}) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n.state.mu.Lock()
		have := len(n.state.channels)
		n.state.mu.Unlock()
		if have == 1000 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("node has %d channels, want 1000", have)
		}
		time.Sleep(10 * time.Millisecond)
	}
	ct.bytes.Store(0)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		gen := n.state.generation()
		chans, bridges, err := n.fetchSnapshot(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if why := n.state.divergence(chans, bridges, gen, nil); why != "" {
			b.Fatalf("divergence on a quiet PBX: %s", why)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(ct.bytes.Load())/float64(b.N), "REST-bytes/op")
}
