// Tests of the audio wiring (audio.go): token scopes on the ingest, roles
// and audit on browser listening, levels on /ws, the end of a call.
package server_test

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/internal/testutil"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/audio"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/internal/stubnode"
	"github.com/callboard/callboard/server/session"
	"github.com/callboard/callboard/server/store"
)

func startAudio(t *testing.T) (*servertest.Server, *stubnode.Node) {
	t.Helper()
	fs1 := stubnode.New("fs1", servertest.FS1Snapshot())
	return servertest.Start(t, server.Config{}, fs1), fs1
}

// audioToken creates a token with scopes through the admin API.
func audioToken(t *testing.T, ts *servertest.Server, scopes ...string) string {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"name": "relay", "scopes": scopes})
	resp, data := ts.Do(t, http.MethodPost, "/api/v1/tokens", string(b))
	var tok struct{ Token string }
	if err := json.Unmarshal(data, &tok); err != nil || tok.Token == "" {
		t.Fatalf("create token: %d %s", resp.StatusCode, data)
	}
	return tok.Token
}

// dialIngest opens the ingest websocket for fs1/call/left with ?token=.
func dialIngest(t *testing.T, ts *servertest.Server, call, token string) *websocket.Conn {
	t.Helper()
	u := "ws://" + ts.Addr() + "/api/v1/audio/fs1/" + call + "/left?rate=8000&token=" + token
	conn, _, err := websocket.DefaultDialer.Dial(u, nil)
	if err != nil {
		t.Fatalf("dial ingest: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// closeCodeOf reads until the websocket ends and returns its close code.
func closeCodeOf(t *testing.T, conn *websocket.Conn) int {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code
			}
			t.Fatalf("websocket ended without a close frame: %v", err)
		}
	}
}

func dialListen(t *testing.T, ts *servertest.Server, c *servertest.Client, call string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	hdr := http.Header{"Origin": {ts.Base}}
	if c.Cookie != "" {
		hdr.Set("Cookie", session.CookieName+"="+c.Cookie)
	}
	conn, resp, err := websocket.DefaultDialer.Dial("ws://"+ts.Addr()+"/api/v1/nodes/fs1/calls/"+call+"/audio?sides=left,right", hdr)
	if err == nil {
		t.Cleanup(func() { _ = conn.Close() })
	}
	return conn, resp, err
}

func tone8k(freq float64, n int) []byte {
	b := make([]byte, 2*n)
	for i := range n {
		v := int16(16000 * math.Sin(2*math.Pi*freq*float64(i)/8000))
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	return b
}

func TestAudioIngestTokenScopes(t *testing.T) {
	ts, _ := startAudio(t)
	wrong := audioToken(t, ts, "ingest:utterances")
	if code := closeCodeOf(t, dialIngest(t, ts, "c1", wrong)); code != audio.CloseForbidden {
		t.Errorf("wrong scope: close %d, want %d", code, audio.CloseForbidden)
	}
	if code := closeCodeOf(t, dialIngest(t, ts, "c1", "nope")); code != audio.CloseUnauthorized {
		t.Errorf("unknown token: close %d, want %d", code, audio.CloseUnauthorized)
	}
	good := audioToken(t, ts, "ingest:audio")
	if code := closeCodeOf(t, dialIngest(t, ts, "nosuchcall", good)); code != audio.CloseUnknownCall {
		t.Errorf("unknown call: close %d, want %d", code, audio.CloseUnknownCall)
	}
	conn := dialIngest(t, ts, "c1", good)
	if err := conn.WriteMessage(websocket.BinaryMessage, tone8k(440, 160)); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "the stream to be published", func() bool { return ts.AudioStats().Streams == 1 })
}

func TestAudioListenNeedsModeratorAndIsAudited(t *testing.T) {
	ts, _ := startAudio(t)
	for _, role := range []store.Role{"", store.RoleViewer} {
		c := ts.ClientAs(t, role)
		_, resp, err := dialListen(t, ts, c, "c1")
		if err == nil || resp == nil || (resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden) {
			t.Errorf("role %q: err %v resp %v, want 401/403", role, err, resp)
		}
	}
	mod := ts.ClientAs(t, store.RoleModerator)
	conn, _, err := dialListen(t, ts, mod, "c1")
	if err != nil {
		t.Fatalf("moderator: %v", err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var start struct{ Type, Node, Call string }
	if err := conn.ReadJSON(&start); err != nil || start.Type != "start" || start.Call != "c1" {
		t.Fatalf("start %+v %v", start, err)
	}
	testutil.Eventually(t, "the audit entry", func() bool {
		for _, e := range ts.Audit(t, "?kind=audio_listen") {
			if e.User == mod.User && e.Target == "call fs1/c1" && e.Result == "ok" && strings.Contains(e.Detail, "left,right") {
				return true
			}
		}
		return false
	})
	// A foreign page cannot open it with the moderator's cookie.
	hdr := http.Header{"Origin": {"https://evil.example"}, "Cookie": {session.CookieName + "=" + mod.Cookie}}
	if _, resp, err := websocket.DefaultDialer.Dial("ws://"+ts.Addr()+"/api/v1/nodes/fs1/calls/c1/audio", hdr); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("foreign origin: %v %v", err, resp)
	}
}

func TestAudioRelayReachesListenerAndLevelsReachWS(t *testing.T) {
	ts, fs1 := startAudio(t)
	mod := ts.ClientAs(t, store.RoleModerator)
	ws, _, err := ts.DialWS(t, mod, ts.Base)
	if err != nil {
		t.Fatal(err)
	}
	servertest.ExpectSnapshot(t, ws)
	if err := ws.WriteJSON(map[string]any{"type": "meters", "on": true}); err != nil {
		t.Fatal(err)
	}
	// The relay first: fs1 (a stub) has no on-demand audio, so a listener
	// of a call without a source would be told 4503.
	relay := dialIngest(t, ts, "c1", audioToken(t, ts, "ingest:audio"))
	pcm := tone8k(440, 160)
	if err := relay.WriteMessage(websocket.BinaryMessage, pcm); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "the stream", func() bool { return ts.AudioStats().Streams == 1 })
	lc, _, err := dialListen(t, ts, mod, "c1")
	if err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "the listener", func() bool { return ts.AudioStats().Listeners == 1 })
	go func() {
		for range 25 { // half a second of audio: several level periods
			if relay.WriteMessage(websocket.BinaryMessage, pcm) != nil {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	// The browser's audio socket gets binary frames of the left side.
	_ = lc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		mt, data, err := lc.ReadMessage()
		if err != nil {
			t.Fatalf("listen: %v", err)
		}
		if mt == websocket.BinaryMessage {
			if len(data) != audio.HeaderSize+320 || data[0] != 1 || data[1] != 1 || binary.LittleEndian.Uint16(data[2:]) != 8000 {
				t.Fatalf("frame header % x (len %d)", data[:audio.HeaderSize], len(data))
			}
			break
		}
	}
	// The /ws browser that asked for meters gets the call's left level.
	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var m struct {
			Type  string
			Calls []map[string]json.RawMessage
		}
		if err := ws.ReadJSON(&m); err != nil {
			t.Fatalf("ws: %v", err)
		}
		if m.Type != "levels" {
			continue
		}
		var call string
		var left []float64
		_ = json.Unmarshal(m.Calls[0]["call"], &call)
		_ = json.Unmarshal(m.Calls[0]["left"], &left)
		if call != "fs1/c1" || len(left) != 2 || left[0] > -5 || left[0] < -15 {
			t.Fatalf("levels %+v (left %v)", m.Calls, left)
		}
		break
	}
	// The call ends: both sockets are told so.
	fs1.Emit(adapters.CallEnded{Node: "fs1", CallID: "c1", Cause: "NORMAL_CLEARING", At: time.Now()})
	if code := closeCodeOf(t, lc); code != audio.CloseCallEnded {
		t.Errorf("listener close %d, want %d", code, audio.CloseCallEnded)
	}
	if code := closeCodeOf(t, relay); code != audio.CloseCallEnded {
		t.Errorf("relay close %d, want %d", code, audio.CloseCallEnded)
	}
	testutil.Eventually(t, "the hub to be empty", func() bool { return ts.AudioStats() == audio.Stats{} })
}

func TestAudioLevelsOnlyForMetersOrOpenCall(t *testing.T) {
	ts, _ := startAudio(t)
	viewer := ts.ClientAs(t, store.RoleViewer)
	ws, _, err := ts.DialWS(t, viewer, ts.Base)
	if err != nil {
		t.Fatal(err)
	}
	servertest.ExpectSnapshot(t, ws)
	relay := dialIngest(t, ts, "c1", audioToken(t, ts, "ingest:audio"))
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				if relay.WriteMessage(websocket.BinaryMessage, tone8k(660, 160)) != nil {
					return
				}
			}
		}
	}()
	// Without meters nor an open transcript: no levels.
	_ = ws.SetReadDeadline(time.Now().Add(400 * time.Millisecond))
	for {
		var m struct{ Type string }
		if err := ws.ReadJSON(&m); err != nil {
			break // timeout: nothing came
		}
		if m.Type == "levels" {
			t.Fatal("levels sent to a browser that did not ask")
		}
	}
}
