package asterisk

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/adaptertest"
	"github.com/callboard/callboard/adapters/asterisk/arifake"
)

// live is an adaptertest.Recorder (the state as the server would hold it)
// plus what these tests also look at: talking flips, leave reasons, and an
// optional delay that slows the consumer in flood tests.
type live struct {
	rec *adaptertest.Recorder

	mu        sync.Mutex        // guards the fields below
	left      map[string]string // member id -> reason of its last leave
	talkFlips int
	delay     func()
}

func newLive() *live { return &live{rec: adaptertest.NewRecorder(), left: map[string]string{}} }

// view is a recorder View with the extras.
type view struct {
	adaptertest.View
	Left      map[string]string
	TalkFlips int
}

// emit is the function passed to Node.Run. The extras are updated before
// the recorder, so a wait that sees an event in the View sees its extras.
func (l *live) emit(e adapters.Event) {
	l.mu.Lock()
	delay := l.delay
	l.mu.Unlock()
	if delay != nil {
		delay()
	}
	switch e := e.(type) {
	case adapters.MemberUpdated:
		if old, ok := l.rec.Member(e.Member.Conference, e.Member.ID); ok && old.Talking != e.Member.Talking {
			l.mu.Lock()
			l.talkFlips++
			l.mu.Unlock()
		}
	case adapters.MemberLeft:
		l.mu.Lock()
		l.left[e.MemberID] = e.Reason
		l.mu.Unlock()
	}
	l.rec.Emit(e)
}

func (l *live) extend(v adaptertest.View) view {
	l.mu.Lock()
	defer l.mu.Unlock()
	left := make(map[string]string, len(l.left))
	for k, r := range l.left {
		left[k] = r
	}
	return view{View: v, Left: left, TalkFlips: l.talkFlips}
}

// view returns the current state with the extras.
func (l *live) view() view { return l.extend(l.rec.View()) }

// setDelay slows every later emit by d's call.
func (l *live) setDelay(d func()) {
	l.mu.Lock()
	l.delay = d
	l.mu.Unlock()
}

// wait blocks until cond holds (bounded by adaptertest.WaitTimeout).
func (l *live) wait(t *testing.T, what string, cond func(v view) bool) view {
	t.Helper()
	var out view
	l.rec.Wait(t, what, func(v adaptertest.View) bool {
		out = l.extend(v)
		return cond(out)
	})
	return out
}

type rig struct {
	fake *arifake.Server
	node *Node
	live *live
}

func startRig(t *testing.T, setup func(*arifake.Server), tweak func(*Config)) *rig {
	t.Helper()
	fake, err := arifake.New(arifake.Options{PlaybackDuration: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fake.Close() })
	if setup != nil {
		setup(fake)
	}
	cfg := Config{
		ID: "ast1", URL: fake.URL(), Username: "dash", Password: "dashpass", Application: "callboard",
		SubscribeAll: true, Media: map[string]string{"hello": "sound:dash-hello", "announce": "recording:announce"},
		RESTTimeout: 2 * time.Second, HeartbeatInterval: 100 * time.Millisecond, HeartbeatTimeout: time.Second,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	node, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l := newLive()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = node.Run(ctx, l.emit)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
	l.wait(t, "node up", func(v view) bool { return v.Status.State == adapters.StateUp })
	return &rig{fake: fake, node: node, live: l}
}
