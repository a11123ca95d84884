package freeswitch

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/adaptertest"
	"github.com/percipia/eslgo"
)

// A consumer that never takes events: the stream holds at most max of them,
// then drops everything, keeps dropping, and says so once.
func TestOrderedStreamBacklogBounded(t *testing.T) {
	const max = 50
	for _, tc := range []struct {
		name string
		feed func(s *orderedStream, i int)
	}{
		{"sequenced", func(s *orderedStream, i int) { s.push(seqEvent(uint64(1000 + 2*i))) }}, // gaps: all held
		{"without sequence", func(s *orderedStream, i int) { s.push(&eslgo.Event{Headers: map[string][]string{}}) }},
		{"announced only", func(s *orderedStream, i int) { s.announce([]uint64{uint64(1000 + i)}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newOrderedStream(time.Hour, max)
			var calls atomic.Int32
			s.onOverflow = func() { calls.Add(1) }
			overflowedAt := -1
			for i := range 10 * max {
				tc.feed(s, i)
				if b := s.backlog(); b > max {
					t.Fatalf("backlog %d after %d events, max %d", b, i+1, max)
				}
				select {
				case <-s.overflowed:
					if overflowedAt < 0 {
						overflowedAt = i
					}
				default:
				}
			}
			if overflowedAt != max {
				t.Fatalf("overflowed at event #%d, want #%d", overflowedAt, max)
			}
			if b := s.backlog(); b != 0 || calls.Load() != 1 {
				t.Fatalf("after overflow: backlog %d, onOverflow called %d times", b, calls.Load())
			}
		})
	}
}

// signalWriter closes seen when a log line contains want.
type signalWriter struct {
	want []byte
	seen chan struct{}
	once sync.Once
}

func (w *signalWriter) Write(p []byte) (int, error) {
	if bytes.Contains(p, w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

// TestStuckConsumerOverflowResyncs: emit blocks (the live state's queue is
// full) while the PBX floods events. The session's backlog stays bounded;
// once it overflows the link goes down with a reason, and when the consumer
// moves again the node reconnects and resyncs with a fresh snapshot.
func TestStuckConsumerOverflowResyncs(t *testing.T) {
	fs := startFake(t)
	caller := addCaller(t, fs, "Alice", "5723")
	id := join(t, fs, "room", caller)

	logw := &signalWriter{want: []byte("event backlog overflow"), seen: make(chan struct{})}
	n, err := New(Config{ID: "fs1", Address: fs.Addr(), Password: fakePassword, Logger: slog.New(slog.NewTextHandler(logw, nil)),
		CommandTimeout: time.Second, DialTimeout: time.Second, ProbeInterval: time.Hour,
		BackoffMin: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	n.maxBacklog = 300
	rec := adaptertest.NewRecorder()
	var stuck atomic.Bool
	unblock := make(chan struct{})
	emit := func(e adapters.Event) {
		if stuck.Load() {
			<-unblock
		}
		rec.Emit(e)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx, emit) }()
	var unblockOnce sync.Once
	release := func() { unblockOnce.Do(func() { close(unblock) }) }
	t.Cleanup(func() {
		release()
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("Run did not return")
		}
	})
	rec.Wait(t, "up", func(v adaptertest.View) bool { return v.Snapshots == 1 && v.Status.State == adapters.StateUp })

	stuck.Store(true)
	// The channel out (256) plus the backlog (300) cannot hold this many.
	for i := range 2000 {
		if err := fs.SetTalking("room", id, i%2 == 0); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-logw.seen:
	case <-time.After(10 * time.Second):
		t.Fatal("no backlog overflow although the consumer is stuck")
	}
	stuck.Store(false)
	release()

	v := rec.Wait(t, "a fresh snapshot after the overflow", func(v adaptertest.View) bool {
		return v.Snapshots >= 2 && v.Status.State == adapters.StateUp
	})
	var reason string
	for _, e := range v.Events {
		if s, ok := e.(adapters.StatusChanged); ok && s.Status.State == adapters.StateDown {
			reason = s.Status.Reason
		}
	}
	if reason != reasonBacklogOverflow {
		t.Fatalf("down reason %q, want %q", reason, reasonBacklogOverflow)
	}
	if _, ok := v.Member("room", strconv.Itoa(id)); !ok {
		t.Fatalf("member lost after the resync: %v", v.Members)
	}
}
