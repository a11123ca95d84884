package historyapi_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/internal/testutil"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/historyapi"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/internal/stubnode"
	"github.com/callboard/callboard/server/session"
	"github.com/callboard/callboard/server/store"
	"github.com/callboard/callboard/server/store/sqlite"
)

func finalLine(call, text string, at time.Time) adapters.Event {
	return adapters.UtteranceAdded{Utterance: adapters.Utterance{Node: "fs1", CallID: call, Speaker: adapters.SpeakerCaller, Text: text, Final: true, At: at}}
}

// waitTranscript polls the REST transcript until it has n lines.
func waitTranscript(t *testing.T, ts *servertest.Server, call string, n int) []adapters.Utterance {
	t.Helper()
	var lines []adapters.Utterance
	testutil.Eventually(t, fmt.Sprintf("the transcript of %s to reach %d lines", call, n), func() bool {
		var body struct{ Lines []adapters.Utterance }
		code := ts.GetJSON(t, "/api/v1/nodes/fs1/calls/"+call+"/transcript", &body)
		lines = body.Lines
		return code == http.StatusOK && len(lines) >= n
	})
	return lines
}

func dialWS(t *testing.T, ts *servertest.Server) *websocket.Conn {
	t.Helper()
	hdr := http.Header{"Origin": {ts.Base}, "Cookie": {session.CookieName + "=" + ts.Client.Cookie}}
	conn, _, err := websocket.DefaultDialer.Dial("ws://"+ts.Addr()+"/ws", hdr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var snap struct{ Type string }
	if err := conn.ReadJSON(&snap); err != nil || snap.Type != "snapshot" {
		t.Fatalf("first message %+v %v", snap, err)
	}
	return conn
}

// openTranscript sends "open" and returns the transcript answer's lines.
func openTranscript(t *testing.T, conn *websocket.Conn, call string) []adapters.Utterance {
	t.Helper()
	if err := conn.WriteJSON(map[string]string{"type": "open", "call": call}); err != nil {
		t.Fatal(err)
	}
	for {
		var m struct {
			Type  string
			Call  string
			Lines []adapters.Utterance
		}
		if err := conn.ReadJSON(&m); err != nil {
			t.Fatal(err)
		}
		if m.Type == "transcript" && m.Call == call {
			return m.Lines
		}
	}
}

func texts(lines []adapters.Utterance) []string {
	out := make([]string, len(lines))
	for i, u := range lines {
		out[i] = u.Text
	}
	return out
}

// TestRestartDuringLiveTranscript: the server restarts (same data dir) while
// a call is being transcribed; a new browser opening the call gets every
// final line, from before and after the restart, in order, and the calls
// that ended while the server was down are closed in history.
func TestRestartDuringLiveTranscript(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st1, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	before := adapters.Snapshot{Node: "fs1", Calls: []adapters.Call{
		{Node: "fs1", ID: "c1", State: adapters.CallActive, CreatedAt: servertest.T0, CallerNumber: "1001"},
		{Node: "fs1", ID: "gone", State: adapters.CallActive, CreatedAt: servertest.T0, CallerNumber: "1002"},
	}, Members: []adapters.Member{{Node: "fs1", Conference: "room", ID: "1", CallID: "c1", JoinedAt: servertest.T0}}}
	node1 := stubnode.New("fs1", before)
	ts1 := servertest.Start(t, server.Config{Store: st1}, node1)
	node1.Emit(finalLine("c1", "안녕하세요, 첫 번째 줄", servertest.T0.Add(time.Second)))
	node1.Emit(finalLine("c1", "second line before restart", servertest.T0.Add(2*time.Second)))
	node1.Emit(adapters.UtteranceAdded{Utterance: adapters.Utterance{Node: "fs1", CallID: "c1", Speaker: adapters.SpeakerBot, Text: "a partial", At: servertest.T0.Add(3 * time.Second)}})
	waitTranscript(t, ts1, "c1", 3)
	conn1 := dialWS(t, ts1)
	if err := ts1.Stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	_, _, err = conn1.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Fatalf("browser got %v on shutdown, want close 1001 (reconnect)", err)
	}
	if err := st1.Close(); err != nil {
		t.Fatal(err)
	}

	st2, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st2.Close() })
	if err := st2.DeleteUser(ctx, "root"); err != nil { // servertest.Start creates it again
		t.Fatal(err)
	}
	after := adapters.Snapshot{Node: "fs1", Calls: before.Calls[:1], Members: before.Members}
	node2 := stubnode.New("fs1", after)
	ts2 := servertest.Start(t, server.Config{Store: st2}, node2)
	node2.Emit(finalLine("c1", "третья строка after restart", servertest.T0.Add(4*time.Second)))
	waitTranscript(t, ts2, "c1", 3)

	want := []string{"안녕하세요, 첫 번째 줄", "second line before restart", "третья строка after restart"}
	got := openTranscript(t, dialWS(t, ts2), "fs1/c1")
	if !slices.Equal(texts(got), want) {
		t.Fatalf("open after restart: %q, want %q", texts(got), want)
	}
	if ids := map[string]bool{}; true {
		for _, u := range got {
			if ids[u.ID] {
				t.Fatalf("duplicate utterance id %s across restarts", u.ID)
			}
			ids[u.ID] = true
		}
	}
	if rest := waitTranscript(t, ts2, "c1", 3); !slices.Equal(texts(rest), want) {
		t.Fatalf("REST transcript after restart: %q", texts(rest))
	}

	var list struct{ Calls []historyapi.CallJSON }
	if code := ts2.GetJSON(t, "/api/v1/history/calls", &list); code != http.StatusOK || len(list.Calls) != 2 {
		t.Fatalf("history %d %+v", code, list)
	}
	for _, c := range list.Calls {
		switch c.ID {
		case "gone":
			if !c.EndedWhileDisconnected || c.EndedAt == nil {
				t.Fatalf("call gone while down: %+v", c)
			}
		case "c1":
			if c.EndedAt != nil || !c.HasTranscript {
				t.Fatalf("live call c1: %+v", c)
			}
		}
	}
}

func TestHistoryAPI(t *testing.T) {
	// The recorder stamps timeline entries with the server's clock (now), so
	// the call's times are around now too.
	t0 := time.Now().UTC().Add(-10 * time.Second)
	node := stubnode.New("fs1", adapters.Snapshot{Node: "fs1",
		Calls:       []adapters.Call{{Node: "fs1", ID: "c1", CallerNumber: "1001", CallerName: "=HYPERLINK(\"http://evil\")", CalleeNumber: "5000", Direction: "inbound", CreatedAt: t0, AnsweredAt: t0.Add(time.Second)}},
		Conferences: []adapters.Conference{{Node: "fs1", Name: "room", CreatedAt: t0}},
		Members:     []adapters.Member{{Node: "fs1", Conference: "room", ID: "1", CallID: "c1", CallerName: "Ann", JoinedAt: t0}},
	})
	ts := servertest.Start(t, server.Config{}, node)
	node.Emit(finalLine("c1", "+1 555 formula? 今日は金曜日です", t0.Add(2*time.Second)))
	waitTranscript(t, ts, "c1", 1)
	if resp, data := ts.Do(t, http.MethodPost, "/api/v1/nodes/fs1/conferences/room/members/1/mute", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("mute %d %s", resp.StatusCode, data)
	}
	node.Emit(adapters.CallEnded{Node: "fs1", CallID: "c1", Cause: "NORMAL_CLEARING", At: t0.Add(time.Minute)})

	viewer := func() *servertest.Client { ts.AddUser(t, "vera", store.RoleViewer); return ts.Login(t, "vera") }()
	var list struct {
		Calls []historyapi.CallJSON
		Next  string
	}
	testutil.EventuallyNoError(t, "the ended call to be listed", func() error {
		resp, data := viewer.Do(t, http.MethodGet, "/api/v1/history/calls?text=金曜日&hasTranscript=true&q=1001&node=fs1", "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("list %d %s", resp.StatusCode, data)
		}
		if err := json.Unmarshal(data, &list); err != nil {
			t.Fatal(err)
		}
		if len(list.Calls) == 1 && list.Calls[0].EndedAt != nil {
			return nil
		}
		return fmt.Errorf("list %s", data)
	})
	c := list.Calls[0]
	if c.HangupCause != "NORMAL_CLEARING" || c.DurationMs == nil || *c.DurationMs != 60000 || c.AnsweredAt == nil || !c.HasTranscript || list.Next != "" {
		t.Fatalf("call %+v next %q", c, list.Next)
	}
	for _, q := range []string{"?text=nothing-like-this", "?q=9999", "?node=fs2", "?from=2030-01-01T00:00:00Z"} {
		var empty struct{ Calls []historyapi.CallJSON }
		if code := ts.GetJSON(t, "/api/v1/history/calls"+q, &empty); code != http.StatusOK || len(empty.Calls) != 0 {
			t.Fatalf("%s: %d %+v", q, code, empty)
		}
	}
	for _, q := range []string{"?limit=0", "?limit=201", "?from=yesterday", "?hasTranscript=yes", "?before=zzz"} {
		if resp, _ := ts.Do(t, http.MethodGet, "/api/v1/history/calls"+q, ""); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("%s: %d, want 400", q, resp.StatusCode)
		}
	}

	var detail struct {
		Call       historyapi.CallJSON
		Transcript []adapters.Utterance
		Timeline   []historyapi.TimelineJSON
	}
	if code := ts.GetJSON(t, "/api/v1/history/calls/fs1/c1", &detail); code != http.StatusOK {
		t.Fatalf("detail %d", code)
	}
	var tl []string
	for _, e := range detail.Timeline {
		tl = append(tl, e.Kind+":"+e.By)
	}
	if len(detail.Transcript) != 1 || !slices.Equal(tl, []string{"join:", "mute:root"}) {
		t.Fatalf("detail transcript %+v timeline %v", detail.Transcript, tl)
	}
	if resp, _ := ts.Do(t, http.MethodGet, "/api/v1/history/calls/fs1/nope", ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown call: %d", resp.StatusCode)
	}
	if resp, _ := ts.Anonymous().Do(t, http.MethodGet, "/api/v1/history/calls", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous: %d", resp.StatusCode)
	}

	resp, data := viewer.Do(t, http.MethodGet, "/api/v1/history/calls/fs1/c1/export?format=csv", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("csv export %d %v", resp.StatusCode, resp.Header)
	}
	rows, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	if err != nil || len(rows) != 4 { // header, one line, join, mute
		t.Fatalf("csv rows %q %v", rows, err)
	}
	for _, row := range rows[1:] {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Fatalf("formula cell %q in %q", cell, row)
			}
		}
	}
	if rows[1][5] != "'+1 555 formula? 今日は金曜日です" {
		t.Fatalf("line row %q", rows[1])
	}
	resp, data = ts.Do(t, http.MethodGet, "/api/v1/history/calls/fs1/c1/export?format=json", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") || !json.Valid(data) {
		t.Fatalf("json export %d %s", resp.StatusCode, data)
	}
	// Without a format a call exports as JSON (queue exports default to CSV).
	if resp, data := ts.Do(t, http.MethodGet, "/api/v1/history/calls/fs1/c1/export", ""); resp.StatusCode != http.StatusOK ||
		resp.Header.Get("Content-Disposition") != `attachment; filename="callboard-call.json"` || !json.Valid(data) {
		t.Fatalf("default export %d %v", resp.StatusCode, resp.Header)
	}
	if resp, _ := ts.Do(t, http.MethodGet, "/api/v1/history/calls/fs1/c1/export?format=xml", ""); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("xml export: %d", resp.StatusCode)
	}

	var h struct {
		History *struct {
			WriteErrors uint64 `json:"writeErrors"`
			Failing     bool   `json:"failing"`
		} `json:"history"`
	}
	if code := ts.GetJSON(t, "/healthz", &h); code != http.StatusOK || h.History == nil || h.History.WriteErrors != 0 || h.History.Failing {
		t.Fatalf("healthz history %+v", h.History)
	}
}

// gatedHistory is a history store whose writes wait for release.
type gatedHistory struct {
	store.HistoryStore
	release chan struct{}
	started chan struct{}
}

func (g *gatedHistory) WriteHistory(ctx context.Context, ops []store.HistoryOp) error {
	select {
	case g.started <- struct{}{}:
	default:
	}
	select {
	case <-g.release:
		return g.HistoryStore.WriteHistory(ctx, ops)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestHistoryReadBehindSlowDisk: a history GET behind a stuck write answers
// within its flush bound with what is stored, marked as pending; once the
// disk answers, the next GET lists the new call unmarked.
func TestHistoryReadBehindSlowDisk(t *testing.T) {
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	gh := &gatedHistory{HistoryStore: st, release: make(chan struct{}), started: make(chan struct{}, 1)}
	node := stubnode.New("fs1", adapters.Snapshot{Node: "fs1", Calls: []adapters.Call{
		{Node: "fs1", ID: "c1", State: adapters.CallActive, CreatedAt: servertest.T0, CallerNumber: "1001"},
	}, Members: []adapters.Member{{Node: "fs1", Conference: "room", ID: "1", CallID: "c1", JoinedAt: servertest.T0}}})
	ts := servertest.Start(t, server.Config{Store: st, History: gh}, node)
	var once sync.Once
	release := func() { once.Do(func() { close(gh.release) }) }
	t.Cleanup(release) // before the server stops (cleanups run last first)

	select { // the recorder's writer is now stuck in the disk
	case <-gh.started:
	case <-time.After(5 * time.Second):
		t.Fatal("the recorder never wrote")
	}
	node.Emit(adapters.CallUpdated{Call: adapters.Call{Node: "fs1", ID: "c2", State: adapters.CallActive, CreatedAt: servertest.T0, CallerNumber: "1002"}})
	testutil.Eventually(t, "c2 in the live state", func() bool {
		return slices.ContainsFunc(ts.State(t).Calls, func(c *adapters.Call) bool { return c.ID == "c2" })
	})

	start := time.Now()
	resp, body := ts.Do(t, http.MethodGet, "/api/v1/history/calls", "")
	if el := time.Since(start); el > historyapi.FlushWait+2*time.Second {
		t.Fatalf("history GET behind a stuck write took %v", el)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get(historyapi.HeaderPending) != "true" {
		t.Fatalf("GET behind a stuck write: %d %s=%q %s", resp.StatusCode, historyapi.HeaderPending, resp.Header.Get(historyapi.HeaderPending), body)
	}

	release()
	testutil.Eventually(t, "c2 in history", func() bool { _, ok := ts.HistoryCall(t, "c2"); return ok })
	resp, body = ts.Do(t, http.MethodGet, "/api/v1/history/calls", "")
	if resp.StatusCode != http.StatusOK || resp.Header.Get(historyapi.HeaderPending) != "" {
		t.Fatalf("GET after the disk answered: %d %s=%q %s", resp.StatusCode, historyapi.HeaderPending, resp.Header.Get(historyapi.HeaderPending), body)
	}
}
