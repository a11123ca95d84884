package live

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
)

func TestTranscriptBytesAreBounded(t *testing.T) {
	s := New(Options{MaxBytes: 10})
	s.Apply(adapters.CallUpdated{Call: call("fs1", "c", "active")})
	for _, ev := range []adapters.Event{
		utt("c", adapters.SpeakerBot, "aaaa", true),    // 4 bytes
		utt("c", adapters.SpeakerCaller, "bb", false),  // 6
		utt("c", adapters.SpeakerCaller, "bbbb", true), // partial grows in place: 8
		utt("c", adapters.SpeakerBot, "cccc", true),    // 12 > 10: line 1 goes
	} {
		s.Apply(ev)
	}
	if got, want := lineTexts(t, s, "fs1/c"), []string{"2:caller:bbbb", "3:bot:cccc"}; !slices.Equal(got, want) {
		t.Fatalf("lines %q, want %q", got, want)
	}
	// One line larger than the bound is kept alone, never dropped.
	s.Apply(utt("c", adapters.SpeakerBot, strings.Repeat("話", 5), true)) // 15 bytes
	if got, want := lineTexts(t, s, "fs1/c"), []string{"4:bot:" + strings.Repeat("話", 5)}; !slices.Equal(got, want) {
		t.Fatalf("lines %q, want %q", got, want)
	}
	if tr := s.transcripts["fs1/c"]; tr.bytes != 15 {
		t.Fatalf("byte count %d, want 15", tr.bytes)
	}
}

func TestEmitReportsWhetherQueued(t *testing.T) {
	s := New(Options{QueueSize: 1})
	ev := adapters.CallUpdated{Call: call("fs1", "c", "active")}
	if err := s.Emit(context.Background(), ev); err != nil {
		t.Fatalf("emit with room in the queue: %v", err)
	}
	// Queue full, nobody draining: ctx decides.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := s.Emit(ctx, ev); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("emit into a full queue: %v, want DeadlineExceeded", err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(runCtx) }()
	stop()
	<-done
	for range 3 { // even with room in the queue once Run drained it
		if err := s.Emit(context.Background(), ev); !errors.Is(err, ErrStopped) {
			t.Fatalf("emit after Run returned: %v, want ErrStopped", err)
		}
	}
}

func TestKnowsCall(t *testing.T) {
	s := New(Options{})
	s.Apply(adapters.CallUpdated{Call: call("fs1", "live", "active")})
	s.Apply(adapters.CallUpdated{Call: call("fs1", "ended", "active")})
	s.Apply(utt("ended", adapters.SpeakerBot, "bye", true))
	s.Apply(adapters.CallEnded{Node: "fs1", CallID: "ended"})
	s.Apply(adapters.CallUpdated{Call: call("fs1", "silent", "active")})
	s.Apply(adapters.CallEnded{Node: "fs1", CallID: "silent"})
	v := &View{s: s}
	for key, want := range map[string]bool{"fs1/live": true, "fs1/ended": true, "fs1/silent": false, "fs1/never": false} {
		if got := v.KnowsCall(key); got != want {
			t.Errorf("KnowsCall(%s) = %v, want %v", key, got, want)
		}
	}
}
