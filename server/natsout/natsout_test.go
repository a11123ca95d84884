package natsout

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/bus"
	"github.com/callboard/callboard/server/live"
)

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

func startNATS(t *testing.T, port int, js bool) *natsserver.Server {
	t.Helper()
	opts := &natsserver.Options{Host: "127.0.0.1", Port: port, NoLog: true, NoSigs: true, JetStream: js}
	if js {
		opts.StoreDir = t.TempDir()
	}
	s, err := natsserver.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(5 * time.Second) {
		t.Fatal("nats server not ready")
	}
	t.Cleanup(s.Shutdown)
	return s
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// run starts a publisher on a tap fed by a live state (Apply, no Run).
func run(t *testing.T, cfg Config) (*live.State, *bus.Tap, *Publisher) {
	t.Helper()
	tap := bus.NewTap(func() time.Time { return t0 })
	st := live.New(live.Options{Nodes: []live.NodeInfo{{ID: "fs1", Kind: adapters.KindFreeSWITCH}}, Observer: tap, Now: func() time.Time { return t0 }})
	cfg.Logger = quiet()
	p := New(cfg, tap)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = p.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return st, tap, p
}

func subscribe(t *testing.T, url string) *nats.Subscription {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	sub, err := nc.SubscribeSync("callboard.>")
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return sub
}

func waitConnected(t *testing.T, p *Publisher) {
	t.Helper()
	for i := 0; i < 200 && !p.Stats().Connected; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if !p.Stats().Connected {
		t.Fatal("publisher never connected")
	}
}

func next(t *testing.T, sub *nats.Subscription) (string, map[string]any, string) {
	t.Helper()
	m, err := sub.NextMsg(3 * time.Second)
	if err != nil {
		t.Fatalf("no message: %v", err)
	}
	var body map[string]any
	if err := json.Unmarshal(m.Data, &body); err != nil {
		t.Fatal(err)
	}
	return m.Subject, body, string(m.Data)
}

func TestPublishesDomainEventsExactly(t *testing.T) {
	srv := startNATS(t, -1, false)
	st, tap, p := run(t, Config{URL: srv.ClientURL()})
	waitConnected(t, p)
	sub := subscribe(t, srv.ClientURL())

	call := adapters.Call{Node: "fs1", ID: "c1", CallerNumber: "1000", State: adapters.CallRinging, CreatedAt: t0}
	st.Apply(adapters.StatusChanged{Status: adapters.NodeStatus{Node: "fs1", Kind: adapters.KindFreeSWITCH, State: adapters.StateUp, Since: t0}})
	st.Apply(adapters.CallUpdated{Call: call})
	call.State, call.AnsweredAt = adapters.CallActive, t0.Add(time.Second)
	st.Apply(adapters.CallUpdated{Call: call})
	call.State = adapters.CallHeld
	st.Apply(adapters.CallUpdated{Call: call})
	st.Apply(adapters.ConferenceUpdated{Conference: adapters.Conference{Node: "fs1", Name: "room", CreatedAt: t0}})
	m := adapters.Member{Node: "fs1", Conference: "room", ID: "3", CallID: "c1", JoinedAt: t0}
	st.Apply(adapters.MemberUpdated{Member: m})
	m.Talking = true // not an event of its own
	st.Apply(adapters.MemberUpdated{Member: m})
	m.Muted = true
	st.Apply(adapters.MemberUpdated{Member: m})
	st.Apply(adapters.UtteranceAdded{Utterance: adapters.Utterance{Node: "fs1", CallID: "c1", Speaker: adapters.SpeakerBot, Text: "partial", At: t0}})
	st.Apply(adapters.UtteranceAdded{Utterance: adapters.Utterance{Node: "fs1", CallID: "c1", Speaker: adapters.SpeakerBot, Text: "hello there", Final: true, At: t0}})
	st.Apply(adapters.MemberLeft{Node: "fs1", Conference: "room", MemberID: "3", Reason: adapters.LeftKicked})
	st.Apply(adapters.CallEnded{Node: "fs1", CallID: "c1", Cause: "NORMAL_CLEARING", At: t0})
	tap.PublishAction("fs1", bus.Action{Name: "mute", Target: "member fs1/room/3", User: "alice", Result: "refused", Detail: "no such member", DurationMs: 1.5})

	want := []string{
		"callboard.fs1.node.up",
		"callboard.fs1.call.created",
		"callboard.fs1.call.answered",
		"callboard.fs1.call.held",
		"callboard.fs1.conference.created",
		"callboard.fs1.member.joined",
		"callboard.fs1.member.muted",
		"callboard.fs1.utterance.final",
		"callboard.fs1.member.left",
		"callboard.fs1.call.ended",
		"callboard.fs1.action.mute",
	}
	var bodies []map[string]any
	var raws []string
	for i, subj := range want {
		got, body, raw := next(t, sub)
		if got != subj {
			t.Fatalf("message %d: subject %s, want %s", i, got, subj)
		}
		if seq := body["seq"].(float64); seq != float64(i+1) {
			t.Fatalf("message %d: seq %v, want %d", i, seq, i+1)
		}
		bodies, raws = append(bodies, body), append(raws, raw)
	}
	if _, err := sub.NextMsg(200 * time.Millisecond); err == nil {
		t.Fatal("an unexpected extra message")
	}
	// Exact bytes of a few messages (the schema of docs/events.md).
	exact := map[int]string{
		0:  `{"seq":1,"node":"fs1","kind":"node","event":"up","at":"2025-03-01T10:00:00Z","status":{"node":"fs1","kind":"freeswitch","state":"up","since":"2025-03-01T10:00:00Z"}}`,
		7:  `{"seq":8,"node":"fs1","kind":"utterance","event":"final","at":"2025-03-01T10:00:00Z","utterance":{"node":"fs1","callId":"c1","id":"1","speaker":"bot","text":"hello there","final":true,"at":"2025-03-01T10:00:00Z"}}`,
		8:  `{"seq":9,"node":"fs1","kind":"member","event":"left","at":"2025-03-01T10:00:00Z","member":{"node":"fs1","conference":"room","id":"3","callId":"c1","callerName":"","callerNumber":"","muted":true,"deaf":false,"talking":true,"floor":false,"joinedAt":"2025-03-01T10:00:00Z"},"cause":"kicked"}`,
		10: `{"seq":11,"node":"fs1","kind":"action","event":"mute","at":"2025-03-01T10:00:00Z","action":{"name":"mute","target":"member fs1/room/3","user":"alice","result":"refused","detail":"no such member","durationMs":1.5}}`,
	}
	for i, w := range exact {
		if raws[i] != w {
			t.Errorf("message %d:\n got %s\nwant %s", i, raws[i], w)
		}
	}
	if c := bodies[9]["call"].(map[string]any); c["id"] != "c1" || bodies[9]["cause"] != "NORMAL_CLEARING" {
		t.Errorf("call.ended body: %v", bodies[9])
	}
	if s := p.Stats(); s.Published != uint64(len(want)) || s.Dropped != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestJetStreamCapturesEvents(t *testing.T) {
	srv := startNATS(t, -1, true)
	_, tap, p := run(t, Config{URL: srv.ClientURL(), Stream: "CALLBOARD"})
	waitConnected(t, p)
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var stream jetstream.Stream
	for stream == nil {
		if stream, err = js.Stream(ctx, "CALLBOARD"); err != nil {
			if ctx.Err() != nil {
				t.Fatal("stream never created:", err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	tap.PublishAction("fs1", bus.Action{Name: "kick", Result: "ok"})
	for {
		info, err := stream.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Msgs == 1 {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the stream did not capture the event")
		}
		time.Sleep(20 * time.Millisecond)
	}
	msg, err := stream.GetLastMsgForSubject(ctx, "callboard.fs1.action.kick")
	if err != nil || !strings.Contains(string(msg.Data), `"seq":1`) {
		t.Fatalf("stored message %v %v", msg, err)
	}
}

// An outage never slows Publish (the live path): events beyond the buffers
// are dropped and counted, and the publisher reconnects by itself.
func TestOutageDoesNotBlockAndReconnects(t *testing.T) {
	srv := startNATS(t, -1, false)
	port := srv.Addr().(interface{ String() string }).String()
	_, tap, p := run(t, Config{URL: srv.ClientURL(), Buffer: 64, ReconnectBuf: 4 << 10})
	waitConnected(t, p)
	srv.Shutdown()
	srv.WaitForShutdown()
	for i := 0; i < 200 && p.Stats().Connected; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	for range 20000 {
		tap.PublishAction("fs1", bus.Action{Name: "mute", Result: "ok", Detail: strings.Repeat("x", 100)})
	}
	// A hang detector, not a speed figure: a publish that waited for NATS
	// would wait until the server comes back below, i.e. forever here.
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("20000 publishes during an outage took %v", d)
	}
	for i := 0; i < 300 && p.Stats().Dropped == 0; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if p.Stats().Dropped == 0 {
		t.Fatal("no drops counted during the outage")
	}
	// Back on the same port: the publisher reconnects and publishes again.
	_, portStr, _ := strings.Cut(port, ":")
	portNum, _ := strconv.Atoi(portStr)
	srv2 := startNATS(t, portNum, false)
	waitConnected(t, p)
	sub := subscribe(t, srv2.ClientURL())
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		tap.PublishAction("fs1", bus.Action{Name: "unmute", Result: "ok"})
		if m, err := sub.NextMsg(100 * time.Millisecond); err == nil && strings.HasSuffix(m.Subject, ".action.unmute") {
			return
		}
	}
	t.Fatal("no message after the server came back")
}
