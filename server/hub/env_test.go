package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/live"
)

// env is a live state and a hub behind an httptest server. The hub's flusher
// is not started unless auto is set: tests call flush themselves, which makes
// the coalescing window explicit.
type env struct {
	t   *testing.T
	ctx context.Context
	st  *live.State
	hub *Hub
	srv *httptest.Server
}

func newEnv(t *testing.T, opts Options, auto bool, listen func(net.Listener) net.Listener) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if !auto {
		opts.CoalesceInterval = time.Hour
	}
	st := live.New(live.Options{Nodes: []live.NodeInfo{{ID: "fs1", Kind: adapters.KindFreeSWITCH}}})
	h := New(st, opts)
	st.SetSink(h)
	stDone := make(chan struct{})
	go func() { _ = st.Run(ctx); close(stDone) }()
	hubDone := make(chan struct{})
	if auto {
		go func() { _ = h.Run(ctx); close(hubDone) }()
	}
	srv := httptest.NewUnstartedServer(h)
	if listen != nil {
		srv.Listener = listen(srv.Listener)
	}
	srv.Start()
	t.Cleanup(func() {
		cancel()
		<-stDone
		if auto {
			<-hubDone
		} else {
			h.Close()
		}
		srv.Close()
	})
	return &env{t: t, ctx: ctx, st: st, hub: h, srv: srv}
}

func (e *env) emit(evs ...adapters.Event) {
	for _, ev := range evs {
		e.st.Emit(e.ctx, ev)
	}
	// Query returns once every emitted event has been applied (and published).
	if err := e.st.Query(e.ctx, func(*live.View) {}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) url() string { return "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/ws" }

// msg is any server-to-browser message.
type msg struct {
	Type    string            `json:"type"`
	From    uint64            `json:"from"`
	Seq     uint64            `json:"seq"`
	Ops     []op              `json:"ops"`
	Calls   []json.RawMessage `json:"calls"`
	Members []json.RawMessage `json:"members"`
	Call    string            `json:"call"`
	Lines   []adapters.Utterance
	Message string `json:"message"`
}

type op struct {
	Op    string          `json:"op"`
	Kind  string          `json:"kind"`
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// browser is a test websocket client that checks seq continuity.
type browser struct {
	t    *testing.T
	conn *websocket.Conn
	seq  uint64
	got  bool // a snapshot was received
}

func (e *env) dial(dialer *websocket.Dialer) *browser {
	e.t.Helper()
	if dialer == nil {
		dialer = &websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	}
	conn, resp, err := dialer.Dial(e.url(), nil)
	if err != nil {
		e.t.Fatalf("dial: %v (%v)", err, resp)
	}
	e.t.Cleanup(func() { conn.Close() })
	return &browser{t: e.t, conn: conn}
}

// read returns the next message, checking protocol continuity.
func (b *browser) read() msg {
	b.t.Helper()
	m, err := b.tryRead(5 * time.Second)
	if err != nil {
		b.t.Fatalf("read: %v", err)
	}
	return m
}

func (b *browser) tryRead(d time.Duration) (msg, error) {
	var m msg
	_ = b.conn.SetReadDeadline(time.Now().Add(d))
	_, data, err := b.conn.ReadMessage()
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("decode %s: %w", data, err)
	}
	switch m.Type {
	case "snapshot":
		b.got = true
	case "delta", "transcript":
		if !b.got || m.From != b.seq {
			return m, fmt.Errorf("%s from %d, but last seen seq is %d", m.Type, m.From, b.seq)
		}
		if m.Seq < m.From {
			return m, fmt.Errorf("%s seq %d < from %d", m.Type, m.Seq, m.From)
		}
	case "error":
		return m, nil
	}
	b.seq = m.Seq
	return m, nil
}

func (b *browser) send(v any) {
	b.t.Helper()
	if err := b.conn.WriteJSON(v); err != nil {
		b.t.Fatal(err)
	}
}

// readType reads until a message of the given type arrives.
func (b *browser) readType(typ string) msg {
	b.t.Helper()
	for {
		if m := b.read(); m.Type == typ {
			return m
		}
	}
}

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func callEv(id, state string) adapters.Event {
	return adapters.CallUpdated{Call: adapters.Call{Node: "fs1", ID: id, State: state, CreatedAt: t0,
		Legs: []adapters.Leg{{UUID: id, State: state, CreatedAt: t0}}}}
}

func memberEv(id string, talking bool) adapters.Event {
	return adapters.MemberUpdated{Member: adapters.Member{Node: "fs1", Conference: "room", ID: id, Talking: talking, JoinedAt: t0}}
}

func uttEv(callID, text string, final bool) adapters.Event {
	return adapters.UtteranceAdded{Utterance: adapters.Utterance{Node: "fs1", CallID: callID, Speaker: adapters.SpeakerCaller, Text: text, Final: final, At: t0}}
}

var _ http.Handler = (*Hub)(nil)

func (e *env) clientsSnapshot() map[*client]struct{} {
	e.hub.mu.Lock()
	defer e.hub.mu.Unlock()
	out := make(map[*client]struct{}, len(e.hub.clients))
	for c := range e.hub.clients {
		out[c] = struct{}{}
	}
	return out
}
