package audio

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/internal/testutil"
)

var call1 = Key{Node: "ast1", Call: "1796055589.323"}

func mustPublish(t *testing.T, h *Hub, k Key, side Side, rate int) *Source {
	t.Helper()
	s, err := h.Publish(k, side, rate)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestToneLeftAndRightArriveIntactAndInOrder: 440 Hz on the caller's side
// and 660 Hz on the agent's, written concurrently, reach a listener of both
// byte for byte, each side in order.
func TestToneLeftAndRightArriveIntactAndInOrder(t *testing.T) {
	// A ring longer than the whole tone: the writers cannot lap the reader
	// however the machine schedules them.
	h := NewHub(Config{RingFrames: 128})
	l, err := h.Subscribe(call1, adapters.AudioLeft, adapters.AudioRight)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	const frames, n = 100, 160 // 2 s of 20 ms frames at 8 kHz
	sent := map[Side][]byte{}
	var wg sync.WaitGroup
	for side, freq := range map[Side]float64{adapters.AudioLeft: 440, adapters.AudioRight: 660} {
		src := mustPublish(t, h, call1, side, 8000)
		var all []byte
		for i := range frames {
			all = append(all, tone(freq, 8000, i*n, n, 0.5)...)
		}
		sent[side] = all
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer src.Close()
			for i := range frames {
				if err := src.Write(all[i*2*n : (i+1)*2*n]); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	got := map[Side][]byte{}
	next := map[Side]uint32{}
	for range 2 * frames {
		f, err := l.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if f.Seq != next[f.Side] {
			t.Fatalf("%s: seq %d, want %d", f.Side, f.Seq, next[f.Side])
		}
		next[f.Side]++
		got[f.Side] = append(got[f.Side], f.PCM...)
	}
	wg.Wait()
	for side, want := range sent {
		if !bytes.Equal(got[side], want) {
			t.Fatalf("%s: received audio differs from sent (%d vs %d bytes)", side, len(got[side]), len(want))
		}
	}
	if !dominant(got[adapters.AudioLeft], 8000, 440, 660) || !dominant(got[adapters.AudioRight], 8000, 660, 440) {
		t.Fatal("the sides do not carry their tones")
	}
}

// TestStalledListenerIsDroppedOthersKeepReceiving: a listener that never
// reads is dropped once a ring behind; the source never waits and the
// other listener gets every frame.
func TestStalledListenerIsDroppedOthersKeepReceiving(t *testing.T) {
	h := NewHub(Config{RingFrames: 8})
	src := mustPublish(t, h, call1, adapters.AudioLeft, 8000)
	stalled, _ := h.Subscribe(call1, adapters.AudioLeft)
	defer stalled.Close()
	good, _ := h.Subscribe(call1, adapters.AudioLeft)
	defer good.Close()
	done := make(chan []uint32)
	go func() {
		var seqs []uint32
		for range 40 {
			f, err := good.Next(context.Background())
			if err != nil {
				t.Error(err)
				break
			}
			seqs = append(seqs, f.Seq)
		}
		done <- seqs
	}()
	for i := range 40 {
		if err := src.Write(tone(440, 8000, i*160, 160, 0.5)); err != nil {
			t.Fatal(err)
		}
		testutil.Eventually(t, "the good listener keeps up", func() bool {
			return src.st.head-good.cursor[0].Load() < 4
		})
	}
	seqs := <-done
	for i, s := range seqs {
		if s != uint32(i) {
			t.Fatalf("good listener: seq %d at %d", s, i)
		}
	}
	select {
	case <-stalled.Done():
	default:
		t.Fatal("stalled listener not dropped")
	}
	if _, err := stalled.Next(context.Background()); !errors.Is(err, ErrDropped) {
		t.Fatalf("stalled Next: %v, want ErrDropped", err)
	}
}

func TestLimitsGiveClearErrors(t *testing.T) {
	h := NewHub(Config{MaxStreams: 3, MaxStreamsPerCall: 2, MaxListeners: 2, MaxListenersPerCall: 1, MaxFrameBytes: 640})
	mustPublish(t, h, call1, adapters.AudioLeft, 8000)
	if _, err := h.Publish(call1, adapters.AudioLeft, 8000); !errors.Is(err, ErrStreamExists) {
		t.Fatalf("same side twice: %v", err)
	}
	mustPublish(t, h, call1, adapters.AudioRight, 8000)
	if _, err := h.Publish(call1, adapters.AudioMix, 8000); !errors.Is(err, ErrTooManyStreams) || !contains(err, "per call") {
		t.Fatalf("third stream of a call: %v", err)
	}
	other := Key{Node: "ast1", Call: "2"}
	mustPublish(t, h, other, adapters.AudioLeft, 16000)
	if _, err := h.Publish(Key{Node: "ast1", Call: "3"}, adapters.AudioLeft, 8000); !errors.Is(err, ErrTooManyStreams) || !contains(err, "in total") {
		t.Fatalf("stream over the total: %v", err)
	}
	if _, err := h.Publish(Key{Node: "ast1", Call: "4"}, adapters.AudioLeft, 44100); !errors.Is(err, ErrRate) {
		t.Fatalf("44.1 kHz: %v", err)
	}
	if _, err := h.Subscribe(call1); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Subscribe(call1); !errors.Is(err, ErrTooManyListeners) {
		t.Fatalf("second listener of a call: %v", err)
	}
	if _, err := h.Subscribe(other); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Subscribe(Key{Node: "ast1", Call: "5"}); !errors.Is(err, ErrTooManyListeners) {
		t.Fatalf("listener over the total: %v", err)
	}
	src, _ := h.Publish(Key{Node: "ast1", Call: "4"}, adapters.AudioLeft, 8000)
	if src != nil {
		t.Fatal("publish over the total succeeded")
	}
	s2 := h.calls[other].streams[0]
	if err := s2.Write(make([]byte, 321)); !errors.Is(err, ErrFrameSize) {
		t.Fatalf("odd frame: %v", err)
	}
	if err := s2.Write(make([]byte, 642)); !errors.Is(err, ErrFrameSize) {
		t.Fatalf("big frame: %v", err)
	}
	if err := s2.Write(make([]byte, 640)); err != nil {
		t.Fatalf("good frame after bad ones: %v", err)
	}
}

func contains(err error, s string) bool {
	return err != nil && bytes.Contains([]byte(err.Error()), []byte(s))
}

func TestLevelsAreDBFSAtABoundedRate(t *testing.T) {
	var mu sync.Mutex
	var levels []Level
	h := NewHub(Config{OnLevel: func(l Level) { mu.Lock(); levels = append(levels, l); mu.Unlock() }})
	src := mustPublish(t, h, call1, adapters.AudioLeft, 8000)
	l, _ := h.Subscribe(call1)
	defer l.Close()
	// 100 ms of a full-scale sine: RMS -3 dBFS, peak 0 dBFS, one level.
	if err := src.Write(tone(1000, 8000, 0, 800, 1)); err != nil {
		t.Fatal(err)
	}
	// Another second at once: the wall-clock guard lets at most one more out.
	for i := range 10 {
		_ = src.Write(tone(1000, 8000, 800*(i+1), 800, 1))
	}
	mu.Lock()
	got := append([]Level{}, levels...)
	mu.Unlock()
	if len(got) < 1 || len(got) > 2 {
		t.Fatalf("%d levels for a burst of 1.1 s, want 1 or 2", len(got))
	}
	if lv := got[0]; lv.RMS < -3.2 || lv.RMS > -2.8 || lv.Peak < -0.1 || lv.Side != adapters.AudioLeft || lv.Call != call1.Call {
		t.Fatalf("level %+v, want rms -3 peak 0", lv)
	}
	var m meter
	m.add(make([]byte, 320))
	if rms, peak := m.take(); rms != FloorDBFS || peak != FloorDBFS {
		t.Fatalf("silence: %v %v", rms, peak)
	}
}

func TestEndCallEndsSourcesAndListeners(t *testing.T) {
	h := NewHub(Config{})
	src := mustPublish(t, h, call1, adapters.AudioLeft, 8000)
	l, _ := h.Subscribe(call1)
	h.EndCall(call1)
	if err := src.Write(make([]byte, 320)); !errors.Is(err, ErrCallEnded) {
		t.Fatalf("write after EndCall: %v", err)
	}
	if _, err := l.Next(context.Background()); !errors.Is(err, ErrCallEnded) {
		t.Fatalf("Next after EndCall: %v", err)
	}
	l.Close()
	if st := h.Stats(); st != (Stats{}) {
		t.Fatalf("after EndCall and Close: %+v", st)
	}
}

// TestListenerPicksUpALaterSource: a browser may start listening before the
// relay connects, or across a relay's reconnect.
func TestListenerPicksUpALaterSource(t *testing.T) {
	h := NewHub(Config{})
	l, _ := h.Subscribe(call1, adapters.AudioRight)
	defer l.Close()
	for round := range 2 {
		src := mustPublish(t, h, call1, adapters.AudioRight, 16000)
		if err := src.Write(tone(660, 16000, 0, 320, 0.5)); err != nil {
			t.Fatal(err)
		}
		f, err := l.Next(context.Background())
		if err != nil || f.Rate != 16000 || f.Seq != 0 || len(f.PCM) != 640 {
			t.Fatalf("round %d: %+v %v", round, f, err)
		}
		src.Close()
	}
}

type fakeStarter struct {
	mu      sync.Mutex
	started int
	stopped int
	err     error
}

func (fs *fakeStarter) start(ctx context.Context, k Key, sink adapters.AudioSink) (func(), error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.err != nil {
		return nil, fs.err
	}
	fs.started++
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			default:
			}
			_ = sink.WriteAudio(adapters.AudioLeft, 8000, tone(440, 8000, i*160, 160, 0.5))
			<-after20ms()
		}
	}()
	return func() {
		close(stop)
		<-done
		fs.mu.Lock()
		fs.stopped++
		fs.mu.Unlock()
	}, nil
}

func (fs *fakeStarter) counts() (int, int) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.started, fs.stopped
}

func TestOnDemandStartsForTheFirstListenerAndStopsAfterTheLast(t *testing.T) {
	fs := &fakeStarter{}
	h := NewHub(Config{Starter: fs.start})
	a, _ := h.Subscribe(call1)
	b, _ := h.Subscribe(call1)
	f, err := a.Next(context.Background())
	if err != nil || f.Side != adapters.AudioLeft {
		t.Fatalf("%+v %v", f, err)
	}
	a.Close()
	if _, err := b.Next(context.Background()); err != nil {
		t.Fatal(err)
	}
	b.Close()
	started, stopped := fs.counts()
	if started != 1 || stopped != 1 {
		t.Fatalf("started %d stopped %d, want 1 and 1", started, stopped)
	}
	if st := h.Stats(); st != (Stats{}) {
		t.Fatalf("after the last listener: %+v", st)
	}
	fs.err = errors.New("snoop refused")
	c, _ := h.Subscribe(call1)
	defer c.Close()
	if _, err := c.Next(context.Background()); !errors.Is(err, ErrNoSource) {
		t.Fatalf("failed start: %v", err)
	}
}
