package audio

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/internal/testutil"
)

// rig is a hub behind the two handlers on a real HTTP server, with a
// token check ("good" has the scope, "weak" lacks it) and one live call.
type rig struct {
	hub *Hub
	srv *httptest.Server
}

func newRig(t *testing.T, cfg Config) *rig {
	t.Helper()
	return newRigLogged(t, cfg, nil)
}

// newRigLogged is newRig with the listen handler logging to log.
func newRigLogged(t *testing.T, cfg Config, log *slog.Logger) *rig {
	t.Helper()
	h := NewHub(cfg)
	live := func(k Key) bool { return k == call1 || k.Call == "other" }
	in := NewIngest(IngestOptions{Hub: h, CallLive: live, Authorize: func(r *http.Request) error {
		switch TokenFromRequest(r) {
		case "good":
			return nil
		case "weak":
			return ErrForbidden
		}
		return ErrUnauthorized
	}})
	ls := NewListen(ListenOptions{Hub: h, CallLive: live, CheckOrigin: func(*http.Request) bool { return true }, Logger: log})
	mux := http.NewServeMux()
	mux.Handle("/api/v1/audio/", in)
	mux.HandleFunc("/listen/{node}/{call}", func(w http.ResponseWriter, r *http.Request) {
		ls.Serve(w, r, r.PathValue("node"), r.PathValue("call"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { h.Close(); srv.Close() })
	return &rig{hub: h, srv: srv}
}

func (r *rig) dial(t *testing.T, path string) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(r.srv.URL, "http")+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// closeOf reads until the close frame and returns its code and reason.
func closeOf(t *testing.T, c *websocket.Conn) (int, string) {
	t.Helper()
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code, ce.Text
			}
			t.Fatalf("no close frame: %v", err)
		}
	}
}

// TestRelayToBrowser: a relay streams 440 Hz on the left (rate from the
// query) and 660 Hz on the right (rate from a mod_audio_fork style JSON
// metadata frame); the browser's websocket gets both, in order, with
// headers and level messages.
func TestRelayToBrowser(t *testing.T) {
	r := newRig(t, Config{RingFrames: 256})
	browser := r.dial(t, "/listen/ast1/"+call1.Call+"?sides=left,right")
	if _, msg, err := browser.ReadMessage(); err != nil || !strings.Contains(string(msg), `"type":"start"`) {
		t.Fatalf("start message %q %v", msg, err)
	}
	left := r.dial(t, "/api/v1/audio/ast1/"+call1.Call+"/left?token=good&rate=8000")
	right := r.dial(t, "/api/v1/audio/ast1/"+call1.Call+"/right?token=good")
	if err := right.WriteMessage(websocket.TextMessage, []byte(`{"callId":"x","sampleRate":16000}`)); err != nil {
		t.Fatal(err)
	}
	const frames = 50 // 1 s each side
	var wg sync.WaitGroup
	for _, s := range []struct {
		c    *websocket.Conn
		freq float64
		rate int
	}{{left, 440, 8000}, {right, 660, 16000}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := s.rate / 50
			for i := range frames {
				if err := s.c.WriteMessage(websocket.BinaryMessage, tone(s.freq, s.rate, i*n, n, 0.5)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	got := map[Side][]byte{}
	rates := map[Side]int{}
	next := map[Side]uint32{}
	levels := 0
	for got[adapters.AudioLeft] == nil || len(got[adapters.AudioLeft]) < frames*320 || len(got[adapters.AudioRight]) < frames*640 {
		mt, msg, err := browser.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		if mt == websocket.TextMessage {
			var lv struct{ Type, Side string }
			if json.Unmarshal(msg, &lv) != nil || lv.Type != "level" {
				t.Fatalf("text message %q", msg)
			}
			levels++
			continue
		}
		if msg[0] != 1 || len(msg) < HeaderSize {
			t.Fatalf("header % x", msg[:min(8, len(msg))])
		}
		side := Sides[msg[1]-1]
		seq := binary.LittleEndian.Uint32(msg[4:])
		if seq != next[side] {
			t.Fatalf("%s seq %d, want %d", side, seq, next[side])
		}
		next[side]++
		rates[side] = int(binary.LittleEndian.Uint16(msg[2:]))
		got[side] = append(got[side], msg[HeaderSize:]...)
	}
	wg.Wait()
	if rates[adapters.AudioLeft] != 8000 || rates[adapters.AudioRight] != 16000 {
		t.Fatalf("rates %v", rates)
	}
	if !dominant(got[adapters.AudioLeft], 8000, 440, 660) || !dominant(got[adapters.AudioRight], 16000, 660, 440) {
		t.Fatal("tones lost")
	}
	if levels == 0 {
		t.Fatal("no level messages")
	}
	// The call ends: relays and browser are told so.
	r.hub.EndCall(call1)
	if code, _ := closeOf(t, browser); code != CloseCallEnded {
		t.Fatalf("browser close %d", code)
	}
	if code, _ := closeOf(t, left); code != CloseCallEnded {
		t.Fatalf("relay close %d", code)
	}
}

// TestIngestRefusals: each bad stream gets its close code and reason while
// a good stream on another call keeps flowing to its listener.
func TestIngestRefusals(t *testing.T) {
	r := newRig(t, Config{MaxStreams: 3, MaxFrameBytes: 640})
	other := Key{Node: "ast1", Call: "other"}
	browser := r.dial(t, "/listen/ast1/other?sides=mix")
	_, _, _ = browser.ReadMessage() // start
	good := r.dial(t, "/api/v1/audio/ast1/other/mix?token=good")
	testutil.Eventually(t, "the good stream", func() bool { return r.hub.HasSource(other) })
	base := "/api/v1/audio/ast1/" + call1.Call
	mustSend := func(c *websocket.Conn, b []byte) { _ = c.WriteMessage(websocket.BinaryMessage, b) }
	cases := []struct {
		name, path string
		send       []byte
		code       int
	}{
		{"no token", base + "/left", nil, CloseUnauthorized},
		{"wrong scope", base + "/left?token=weak", nil, CloseForbidden},
		{"unknown call", "/api/v1/audio/ast1/nope/left?token=good", nil, CloseUnknownCall},
		{"bad side", base + "/middle?token=good", nil, CloseBadFrame},
		{"bad rate", base + "/left?token=good&rate=44100", nil, CloseBadFrame},
		{"odd frame", base + "/left?token=good", make([]byte, 321), CloseBadFrame},
		{"too large", base + "/left?token=good", make([]byte, 642), CloseTooBig},
	}
	for i, tc := range cases {
		c := r.dial(t, tc.path)
		if tc.send != nil {
			mustSend(c, tc.send)
		}
		code, reason := closeOf(t, c)
		if code != tc.code || reason == "" {
			t.Fatalf("%s: close %d %q, want %d with a reason", tc.name, code, reason, tc.code)
		}
		mustSend(good, tone(440, 8000, i*160, 160, 0.5))
		for {
			mt, _, err := browser.ReadMessage()
			if err != nil {
				t.Fatalf("%s: the good stream stopped: %v", tc.name, err)
			}
			if mt == websocket.BinaryMessage {
				break // levels come as text
			}
		}
	}
	// The same side twice, then over the total of 3 streams.
	a := r.dial(t, base+"/left?token=good")
	testutil.Eventually(t, "left published", func() bool { return r.hub.Stats().Streams == 2 })
	dup := r.dial(t, base+"/left?token=good")
	if code, _ := closeOf(t, dup); code != CloseStreamExists {
		t.Fatalf("duplicate side: %d", code)
	}
	_ = r.dial(t, base+"/right?token=good")
	testutil.Eventually(t, "right published", func() bool { return r.hub.Stats().Streams == 3 })
	over := r.dial(t, base+"/mix?token=good")
	if code, reason := closeOf(t, over); code != CloseTooMany || !strings.Contains(reason, "in total") {
		t.Fatalf("over the total: %d %q", code, reason)
	}
	_ = a
}

// TestSlowBrowserIsDropped: a browser that stops reading is closed with
// CloseTooSlow once its socket is full and it falls a ring behind; another
// browser on the same call, which keeps up, keeps receiving.
func TestSlowBrowserIsDropped(t *testing.T) {
	r := newRig(t, Config{RingFrames: 64})
	slow := r.dial(t, "/listen/ast1/"+call1.Call)
	fast := r.dial(t, "/listen/ast1/"+call1.Call)
	_, _, _ = fast.ReadMessage()
	testutil.Eventually(t, "two listeners", func() bool { return r.hub.Stats().Listeners == 2 })
	src, err := r.hub.Publish(call1, adapters.AudioLeft, 16000)
	if err != nil {
		t.Fatal(err)
	}
	var got atomic.Int64
	go func() {
		for {
			mt, _, err := fast.ReadMessage()
			if err != nil {
				return
			}
			if mt == websocket.BinaryMessage {
				got.Add(1)
			}
		}
	}()
	// 240 ms per write (12 frames); the fast browser is waited for, the
	// slow one never reads: its socket fills, then its cursor falls behind.
	pcm := tone(660, 16000, 0, 3840, 0.5)
	sent := int64(0)
	testutil.Eventually(t, "the slow browser dropped", func() bool {
		for range 20 {
			if err := src.Write(pcm); err != nil {
				t.Fatal(err)
			}
			sent += 12
			testutil.Eventually(t, "the fast browser keeps up", func() bool { return got.Load() == sent })
		}
		return r.hub.Stats().Listeners == 1
	})
	// Its socket is full, so the close frame usually cannot reach it: the
	// connection just ends (1006) after the buffered audio.
	if code, reason := closeOf(t, slow); code != CloseTooSlow && code != websocket.CloseAbnormalClosure {
		t.Fatalf("slow browser close %d %q", code, reason)
	}
	_ = src.Write(pcm)
	testutil.Eventually(t, "the fast browser still receives", func() bool { return got.Load() == sent+12 })
}

// TestBrowserLeavingMidStreamIsAnEnd: a browser that closes its socket
// while frames are flowing is logged as "audio listen ended" every time,
// whether the close arrives between two writes or during one, and never as
// a listener too slow (the e2e test waits for that line).
func TestBrowserLeavingMidStreamIsAnEnd(t *testing.T) {
	var logs testutil.LockedBuffer
	r := newRigLogged(t, Config{RingFrames: 256}, slog.New(slog.NewTextHandler(&logs, nil)))
	relay := r.dial(t, "/api/v1/audio/ast1/"+call1.Call+"/left?token=good&rate=8000")
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Ten times real time: fast enough that closes land mid-write, slow
		// enough that a reading browser is never a whole ring behind.
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if err := relay.WriteMessage(websocket.BinaryMessage, tone(440, 8000, i*160, 160, 0.5)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	const rounds = 20
	for range rounds {
		browser := r.dial(t, "/listen/ast1/"+call1.Call)
		for range 5 { // the start message and some audio
			if _, _, err := browser.ReadMessage(); err != nil {
				t.Fatal(err)
			}
		}
		_ = browser.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
		_ = browser.Close()
	}
	testutil.EventuallyNoError(t, "every browser's leaving logged as an end", func() error {
		if n := strings.Count(logs.String(), "audio listen ended"); n != rounds {
			return fmt.Errorf("%d of %d ends logged:\n%s", n, rounds, logs.String())
		}
		return nil
	})
	close(stop)
	<-done
	if strings.Contains(logs.String(), "dropped") {
		t.Fatalf("a leaving browser was logged as dropped:\n%s", logs.String())
	}
}
