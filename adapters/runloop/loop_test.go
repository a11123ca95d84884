package runloop

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/internal/testutil"

	"github.com/callboard/callboard/adapters"
)

// script is a Connector whose attempts follow a list of outcomes.
type script struct {
	mu       sync.Mutex
	connects []error // per attempt; past the end: success
	serves   []error // per Serve call; past the end: block until ctx ends
	snaps    int
	closed   int
}

func (s *script) Connect(ctx context.Context) (Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.connects) > 0 {
		err := s.connects[0]
		s.connects = s.connects[1:]
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *script) Snapshot(context.Context) (adapters.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snaps++
	return adapters.Snapshot{Node: "n1"}, nil
}

func (s *script) Serve(ctx context.Context, emit func(adapters.Event)) error {
	s.mu.Lock()
	if len(s.serves) > 0 {
		err := s.serves[0]
		s.serves = s.serves[1:]
		s.mu.Unlock()
		return err
	}
	s.mu.Unlock()
	<-ctx.Done()
	return ctx.Err()
}

func (s *script) Close() {
	s.mu.Lock()
	s.closed++
	s.mu.Unlock()
}

type recorded struct {
	mu  sync.Mutex
	evs []adapters.Event
}

func (r *recorded) emit(e adapters.Event) { r.mu.Lock(); r.evs = append(r.evs, e); r.mu.Unlock() }

func (r *recorded) statuses() []adapters.NodeStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []adapters.NodeStatus
	for _, e := range r.evs {
		if s, ok := e.(adapters.StatusChanged); ok {
			out = append(out, s.Status)
		}
	}
	return out
}

func TestRunStatusesBackoffAndFinalDown(t *testing.T) {
	refused := errors.New("connect to pbx:8021: connection refused")
	sc := &script{
		connects: []error{refused, refused, refused, nil, refused},
		serves:   []error{Resync("events lost"), errors.New("connection closed by the PBX")},
	}
	var mu sync.Mutex
	var delays []int
	cfg := Config{Node: "n1", Kind: adapters.KindFreeSWITCH, Backoff: Backoff{Min: time.Millisecond, Max: 4 * time.Millisecond},
		OnDelay: func(attempt int, d time.Duration) {
			mu.Lock()
			delays = append(delays, attempt)
			mu.Unlock()
			if d > 4*time.Millisecond {
				t.Errorf("delay %s past the cap", d)
			}
		}}
	rec := &recorded{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- Run(ctx, cfg, sc, rec.emit) }()
	testutil.Eventually(t, "up again after the second connection", func() bool {
		sc.mu.Lock()
		defer sc.mu.Unlock()
		return sc.snaps >= 3 // first up, its resync, then up after the second connection
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range rec.statuses() {
		if s.Since.Location() != time.UTC {
			t.Errorf("status %+v not in UTC", s)
		}
		got = append(got, s.State+"/"+s.Reason)
	}
	want := []string{
		"connecting/", "down/" + refused.Error(), "up/", "connecting/events lost", "up/",
		"down/connection closed by the PBX", "down/" + refused.Error(), "up/", "down/stopped",
	}
	if len(got) != len(want) {
		t.Fatalf("statuses %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("statuses %q, want %q", got, want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	// Three refusals count up; the session that was up resets the count.
	wantAttempts := []int{0, 1, 2, 0, 1}
	if len(delays) != len(wantAttempts) {
		t.Fatalf("attempts %v, want %v", delays, wantAttempts)
	}
	for i := range wantAttempts {
		if delays[i] != wantAttempts[i] {
			t.Fatalf("attempts %v, want %v", delays, wantAttempts)
		}
	}
	if sc.closed != 2 {
		t.Errorf("sessions closed %d times, want 2", sc.closed)
	}
}

func TestRunStoppedWhileDown(t *testing.T) {
	sc := &script{connects: []error{errors.New("refused"), errors.New("refused"), errors.New("refused")}}
	rec := &recorded{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		done <- Run(ctx, Config{Node: "n1", Backoff: Backoff{Min: time.Hour, Max: time.Hour}}, sc, rec.emit)
	}()
	testutil.Eventually(t, "connecting and down reported", func() bool { return len(rec.statuses()) >= 2 })
	cancel()
	<-done
	st := rec.statuses()
	if last := st[len(st)-1]; last.State != adapters.StateDown || last.Reason != ReasonStopped {
		t.Fatalf("last status %+v, want down/stopped", last)
	}
}
