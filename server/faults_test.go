package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/asterisk"
	"github.com/callboard/callboard/adapters/asterisk/arifake"
	"github.com/callboard/callboard/adapters/freeswitch"
	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
	"github.com/callboard/callboard/internal/testutil"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/api"
	"github.com/callboard/callboard/server/internal/servertest"
)

// Faults on purpose, over real sockets, at the server level: the real
// adapters talk to the fakes over TCP and the assertions read the server's
// REST API, as a browser would.

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const fakePW = "fault-test-password"

// TestFaultFreeSWITCHKilledMidCallRestartedDifferent: the PBX dies mid-call
// (no hangup events ever come) and comes back holding other calls and
// another conference. The dashboard converges to the new PBX's view and
// history closes the lost call as ended while disconnected.
func TestFaultFreeSWITCHKilledMidCallRestartedDifferent(t *testing.T) {
	old := eslfake.New(eslfake.Options{Password: fakePW, Addr: "127.0.0.1:0", Logger: quiet})
	if err := old.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { old.Close() })
	alice := old.AddChannel(eslfake.ChannelSpec{Caller: eslfake.Party{Name: "Alice", Number: "5723"}, Destination: "1001"})
	if err := old.Answer(alice); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Join("room-old", alice); err != nil {
		t.Fatal(err)
	}
	node, err := freeswitch.New(freeswitch.Config{ID: "fs1", Address: old.Addr(), Password: fakePW, Logger: quiet,
		CommandTimeout: time.Second, DialTimeout: time.Second, ProbeInterval: 200 * time.Millisecond,
		BackoffMin: 10 * time.Millisecond, BackoffMax: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ts := servertest.StartNodes(t, server.Config{}, []adapters.Node{node}, nil)
	testutil.Eventually(t, "alice's call in history", func() bool { c, ok := ts.HistoryCall(t, alice); return ok && c.EndedAt == nil })

	addr := old.Addr()
	old.Close()
	testutil.Eventually(t, "node down", func() bool { return ts.NodeState(t, "fs1") != adapters.StateUp })

	fresh := eslfake.New(eslfake.Options{Password: fakePW, Addr: addr, Logger: quiet})
	if err := fresh.Start(); err != nil {
		t.Fatalf("restart on %s: %v", addr, err)
	}
	t.Cleanup(func() { fresh.Close() })
	bob := fresh.AddChannel(eslfake.ChannelSpec{Caller: eslfake.Party{Name: "Bob", Number: "5724"}, Destination: "1001"})
	if err := fresh.Answer(bob); err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.Join("room-new", bob); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "the new PBX's view and nothing of the old", func() bool {
		s := ts.State(t)
		return ts.NodeState(t, "fs1") == adapters.StateUp && len(s.Calls) == 1 && s.Calls[0].ID == bob &&
			len(s.Conferences) == 1 && s.Conferences[0].Name == "room-new" && len(s.Members) == 1
	})
	testutil.Eventually(t, "alice closed in history as ended while disconnected", func() bool {
		c, ok := ts.HistoryCall(t, alice)
		return ok && c.EndedAt != nil && c.EndedWhileDisconnected
	})
	if c, ok := ts.HistoryCall(t, bob); !ok || c.EndedAt != nil {
		t.Fatalf("bob's live call in history: %+v (%v)", c, ok)
	}
}

// TestFaultARIErrorsAndDroppedWebsocket: the ARI websocket drops and the
// REST API answers 500 for a while; the node shows it is not up, then
// recovers by itself with the PBX's view, and the server keeps serving.
func TestFaultARIErrorsAndDroppedWebsocket(t *testing.T) {
	fake, err := arifake.New(arifake.Options{PlaybackDuration: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fake.Close() })
	ch := fake.AddChannel(arifake.ChannelSpec{Caller: arifake.Party{Name: "Carol", Number: "5725"}, Answered: true})
	bridge := fake.CreateBridge("room-ari")
	if err := fake.Enter(bridge, ch); err != nil {
		t.Fatal(err)
	}
	node, err := asterisk.New(asterisk.Config{ID: "ast1", URL: fake.URL(), Username: "dash", Password: "dashpass",
		Application: "callboard", SubscribeAll: true, Logger: quiet,
		RESTTimeout: 2 * time.Second, HeartbeatInterval: 100 * time.Millisecond, HeartbeatTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ts := servertest.StartNodes(t, server.Config{}, []adapters.Node{node}, nil)

	for range 3 {
		fake.FailNext(http.StatusInternalServerError)
	}
	fake.DropWebsockets()
	testutil.Eventually(t, "node not up", func() bool { return ts.NodeState(t, "ast1") != adapters.StateUp })
	// Meanwhile the PBX changes: a second caller arrives.
	dave := fake.AddChannel(arifake.ChannelSpec{Caller: arifake.Party{Name: "Dave", Number: "5726"}, Answered: true})
	testutil.Eventually(t, "node back up with both calls", func() bool {
		if ts.NodeState(t, "ast1") != adapters.StateUp {
			return false
		}
		ids := map[string]bool{}
		for _, c := range ts.State(t).Calls {
			ids[c.ID] = true
		}
		return len(ids) == 2 && ids[ch] && ids[dave]
	})
	var h api.HealthBody
	if code := ts.GetJSON(t, "/healthz", &h); code != http.StatusOK || h.Status != "ok" {
		t.Fatalf("healthz after recovery: %d %+v", code, h)
	}
}
