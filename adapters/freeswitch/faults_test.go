package freeswitch

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/adaptertest"
	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
)

// Faults on purpose: the PBX dies and comes back different, speaks a
// Content-Type eslgo does not know, or stops answering. Each time the node
// must say it is down, recover by itself, and end up with the PBX's view.

func sawStatus(v adaptertest.View, state string) bool {
	for _, e := range v.Events {
		if s, ok := e.(adapters.StatusChanged); ok && s.Status.State == state {
			return true
		}
	}
	return false
}

// TestFaultPBXRestartedWithDifferentState kills the fake mid-call and starts
// a new one on the same address holding other calls and another conference.
func TestFaultPBXRestartedWithDifferentState(t *testing.T) {
	old := startFake(t)
	before := addCaller(t, old, "Alice", "5723")
	oldMember := join(t, old, "room-old", before)
	h := startNode(t, old, nil)
	h.waitUp(t, 1)
	if _, ok := h.member("room-old", oldMember); !ok {
		t.Fatal("first snapshot lacks the member")
	}

	addr := old.Addr()
	old.Close() // mid-call: no hangup events are ever sent
	h.rec.Wait(t, "down after the PBX died", func(v adaptertest.View) bool { return v.Status.State != adapters.StateUp })

	fresh := eslfake.New(eslfake.Options{Password: fakePassword, Addr: addr, Logger: quietLog})
	if err := fresh.Start(); err != nil {
		t.Fatalf("restart on %s: %v", addr, err)
	}
	t.Cleanup(func() { fresh.Close() })
	after := addCaller(t, fresh, "Bob", "5724")
	newMember := join(t, fresh, "room-new", after)

	v := h.rec.Wait(t, "the new PBX's view and nothing of the old", func(v adaptertest.View) bool {
		_, gone := v.Calls[before]
		_, here := v.Calls[after]
		_, oldConf := v.Conferences["room-old"]
		_, m := v.Member("room-new", fmt.Sprint(newMember))
		return v.Status.State == adapters.StateUp && !gone && here && !oldConf && m
	})
	if len(v.Calls) != 1 || len(v.Members) != 1 {
		t.Fatalf("phantoms after the restart: calls %v, members %v", v.Calls, v.Members)
	}
}

// TestFaultUnknownContentType: eslgo's receive loop stops silently on a
// Content-Type it does not know; the liveness probe must notice, and the
// node must reconnect and resync.
func TestFaultUnknownContentType(t *testing.T) {
	fs := startFake(t)
	h := startNode(t, fs, func(c *Config) { c.ProbeInterval = 100 * time.Millisecond; c.CommandTimeout = 300 * time.Millisecond })
	h.waitUp(t, 1)
	fs.InjectRaw([]byte("Content-Type: text/rude-remark\nContent-Length: 5\n\nhello"))
	// Whatever eslgo made of it, a call placed now must reach the dashboard.
	caller := addCaller(t, fs, "Carol", "5725")
	h.rec.Wait(t, "the call placed after the bad frame", func(v adaptertest.View) bool {
		_, ok := v.Calls[caller]
		return ok && v.Status.State == adapters.StateUp
	})
	// eslgo's receive loop died on the frame, so the call can only have
	// arrived through a reconnect and a fresh snapshot.
	if v := h.rec.View(); !sawStatus(v, adapters.StateDown) || v.Snapshots < 2 {
		t.Fatalf("expected down then a resync; saw down %v, %d snapshots", sawStatus(v, adapters.StateDown), v.Snapshots)
	}
}

// TestFaultPBXStopsAnswering: the socket stays open but replies stop. The
// probe times out, the node reports down with a reason, and once the PBX
// answers again the node is back with a fresh snapshot.
func TestFaultPBXStopsAnswering(t *testing.T) {
	fs := startFake(t)
	h := startNode(t, fs, func(c *Config) { c.ProbeInterval = 100 * time.Millisecond; c.CommandTimeout = 200 * time.Millisecond })
	h.waitUp(t, 1)
	fs.StallReplies(time.Hour)
	v := h.rec.Wait(t, "down while the PBX is silent", func(v adaptertest.View) bool { return v.Status.State == adapters.StateDown })
	if v.Status.Reason == "" || strings.Contains(v.Status.Reason, fakePassword) {
		t.Fatalf("down reason %q", v.Status.Reason)
	}
	caller := addCaller(t, fs, "Dave", "5800")
	fs.StallReplies(0)
	fs.DisconnectAll() // the stalled replies are abandoned, as after a real hang
	h.rec.Wait(t, "up again with the call made meanwhile", func(v adaptertest.View) bool {
		_, ok := v.Calls[caller]
		return ok && v.Status.State == adapters.StateUp && v.Snapshots >= 2
	})
	if !sawStatus(h.rec.View(), adapters.StateDown) {
		t.Fatal("never reported down")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := h.node.Do(ctx, adapters.HangupCall{Call: caller}); err != nil {
		t.Fatalf("action after recovery: %v", err)
	}
}
