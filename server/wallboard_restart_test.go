package server_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/freeswitch"
	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
	"github.com/callboard/callboard/internal/testutil"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/live"
	"github.com/callboard/callboard/server/store"
)

// TestWallboardSameAfterRestart (issue 13): callboard restarted mid-queue
// shows a browser the same board: the same waiting callers in the same
// order with the same join times, the answered caller with its agent and
// answer time, the same agents' statuses and states. Real sockets
// throughout: the FreeSWITCH adapter talks ESL to the fake's mod_callcenter,
// the board is read from the /ws snapshot as a browser reads it. (The
// adapter-level twin is adaptertest's QueueRestartKeepsBoard.)
func TestWallboardSameAfterRestart(t *testing.T) {
	fake := eslfake.New(eslfake.Options{Password: fakePW, Addr: "127.0.0.1:0", Logger: quiet})
	if err := fake.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	fake.AddQueue("sales@default")
	fake.AddQueue("support@default")
	for _, a := range []string{"ann", "bob", "cid"} {
		fake.AddAgent(a, "sales@default", "support@default")
	}
	for a, st := range map[string]string{"ann": "Available", "bob": "Available", "cid": "On Break"} {
		if err := fake.SetAgentStatus(a, st); err != nil {
			t.Fatal(err)
		}
	}
	call := func(queue, name, number string) string {
		u := fake.AddChannel(eslfake.ChannelSpec{Caller: eslfake.Party{Name: name, Number: number}, Destination: "3000"})
		if err := fake.Answer(u); err != nil {
			t.Fatal(err)
		}
		id, err := fake.QueueJoin(queue, u)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	talking := call("sales@default", "Caller One", "7101")
	if err := fake.QueueOffer(talking, "ann"); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.QueueAnswer(talking, "ann"); err != nil {
		t.Fatal(err)
	}
	w1 := call("sales@default", "Caller Two", "7102")
	w2 := call("sales@default", "이서연", "01055554444")
	w3 := call("support@default", "Caller Four", "7104")
	// A conference member too: servertest waits for one to know the node's
	// snapshot arrived.
	room := fake.AddChannel(eslfake.ChannelSpec{Caller: eslfake.Party{Name: "Host", Number: "5000"}, Destination: "3000"})
	if err := fake.Answer(room); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.Join("room", room); err != nil {
		t.Fatal(err)
	}

	first := wallboard(t, fake)
	// The board is complete: one answered, three waiting in order.
	byID := map[string]adapters.QueueMember{}
	for _, m := range first.Members {
		byID[m.ID] = m
	}
	if m := byID[talking]; m.State != adapters.QueueMemberAnswered || m.Agent != "ann" || m.AnsweredAt.IsZero() {
		t.Fatalf("answered caller %+v", m)
	}
	for id, pos := range map[string]int{w1: 1, w2: 2, w3: 1} {
		if m := byID[id]; m.State != adapters.QueueMemberWaiting || m.Position != pos || m.JoinedAt.IsZero() {
			t.Fatalf("waiting caller %s: %+v", id, m)
		}
	}
	second := wallboard(t, fake)
	if !reflect.DeepEqual(first, second) {
		a, _ := json.MarshalIndent(first, "", " ")
		b, _ := json.MarshalIndent(second, "", " ")
		t.Fatalf("the board changed across a restart:\nbefore %s\nafter  %s", a, b)
	}
}

// board is what a wallboard shows, from the /ws snapshot.
type board struct {
	Queues  []adapters.Queue
	Agents  []adapters.Agent
	Tiers   []adapters.Tier
	Members []adapters.QueueMember
}

// wallboard starts a callboard (a new adapter, a new server, a fresh store)
// on the fake, reads the board from a browser's /ws snapshot once all four
// callers are on it, and stops that callboard.
func wallboard(t *testing.T, fake *eslfake.Server) board {
	t.Helper()
	node, err := freeswitch.New(freeswitch.Config{ID: "fs1", Address: fake.Addr(), Password: fakePW, Logger: quiet,
		CommandTimeout: time.Second, DialTimeout: time.Second, ProbeInterval: 200 * time.Millisecond,
		BackoffMin: 10 * time.Millisecond, BackoffMax: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ts := servertest.StartNodes(t, server.Config{}, []adapters.Node{node}, nil)
	defer func() {
		if err := ts.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	}()
	viewer := ts.ClientAs(t, store.RoleViewer)
	var b board
	testutil.EventuallyNoError(t, "the whole board in a browser's snapshot", func() error {
		conn, _, err := ts.DialWS(t, viewer, ts.Base)
		if err != nil {
			return err
		}
		defer conn.Close()
		var snap live.Snapshot
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		if err := conn.ReadJSON(&snap); err != nil || snap.Type != "snapshot" {
			return fmt.Errorf("snapshot: %v (%q)", err, snap.Type)
		}
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		b = board{}
		for _, q := range snap.Queues {
			b.Queues = append(b.Queues, *q)
		}
		for _, a := range snap.Agents {
			b.Agents = append(b.Agents, *a)
		}
		for _, x := range snap.Tiers {
			b.Tiers = append(b.Tiers, *x)
		}
		for _, m := range snap.QueueMembers {
			b.Members = append(b.Members, *m)
		}
		if len(b.Queues) != 2 || len(b.Agents) != 3 || len(b.Tiers) != 6 || len(b.Members) != 4 {
			return fmt.Errorf("%d queues, %d agents, %d tiers, %d callers", len(b.Queues), len(b.Agents), len(b.Tiers), len(b.Members))
		}
		return nil
	})
	return b
}
