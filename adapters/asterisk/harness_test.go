package asterisk

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/asterisk/arifake"
)

// live applies emitted events to maps, as the server's live state would.
type live struct {
	mu        sync.Mutex
	status    string
	snapshots int
	calls     map[string]adapters.Call
	confs     map[string]adapters.Conference
	members   map[string]adapters.Member // key conference/id
	left      map[string]string          // member id -> reason
	utter     []adapters.Utterance
	talkFlips int
	delay     func() // slows the consumer in flood tests
	changed   chan struct{}
}

func newLive() *live {
	return &live{calls: map[string]adapters.Call{}, confs: map[string]adapters.Conference{}, members: map[string]adapters.Member{}, left: map[string]string{}, changed: make(chan struct{}, 1)}
}

func (l *live) emit(e adapters.Event) {
	if l.delay != nil {
		l.delay()
	}
	l.mu.Lock()
	switch e := e.(type) {
	case adapters.StatusChanged:
		l.status = e.Status.State
	case adapters.Snapshot:
		l.snapshots++
		l.calls, l.confs, l.members = map[string]adapters.Call{}, map[string]adapters.Conference{}, map[string]adapters.Member{}
		for _, c := range e.Calls {
			l.calls[c.ID] = c
		}
		for _, c := range e.Conferences {
			l.confs[c.Name] = c
		}
		for _, m := range e.Members {
			l.members[m.Conference+"/"+m.ID] = m
		}
	case adapters.CallUpdated:
		l.calls[e.Call.ID] = e.Call
	case adapters.CallEnded:
		delete(l.calls, e.CallID)
	case adapters.ConferenceUpdated:
		l.confs[e.Conference.Name] = e.Conference
	case adapters.ConferenceEnded:
		delete(l.confs, e.Name)
	case adapters.MemberUpdated:
		k := e.Member.Conference + "/" + e.Member.ID
		if old, ok := l.members[k]; ok && old.Talking != e.Member.Talking {
			l.talkFlips++
		}
		l.members[k] = e.Member
	case adapters.MemberLeft:
		delete(l.members, e.Conference+"/"+e.MemberID)
		l.left[e.MemberID] = e.Reason
	case adapters.UtteranceAdded:
		l.utter = append(l.utter, e.Utterance)
	}
	l.mu.Unlock()
	select {
	case l.changed <- struct{}{}:
	default:
	}
}

// wait polls cond (under the lock) until it holds or 5 s pass.
func (l *live) wait(t *testing.T, what string, cond func(l *live) bool) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		l.mu.Lock()
		ok := cond(l)
		l.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-l.changed:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
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
	l.wait(t, "node up", func(l *live) bool { return l.status == adapters.StateUp })
	return &rig{fake: fake, node: node, live: l}
}
