package hub

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/internal/testutil"
)

func opKeys(m msg) []string {
	var out []string
	for _, o := range m.Ops {
		out = append(out, o.Op+" "+o.Kind+" "+o.Key)
	}
	return out
}

func TestSnapshotThenContiguousDeltas(t *testing.T) {
	e := newEnv(t, Options{}, false, nil)
	e.emit(callEv("a", "ringing"))
	b := e.dial(nil)
	snap := b.read()
	if snap.Type != "snapshot" || len(snap.Calls) != 1 || snap.Seq == 0 {
		t.Fatalf("first message %+v, want a snapshot with call a", snap)
	}
	steps := []struct {
		events []adapters.Event
		want   []string
	}{
		{[]adapters.Event{callEv("a", "active"), callEv("b", "ringing")}, []string{"upsert call fs1/a", "upsert call fs1/b"}},
		{[]adapters.Event{adapters.CallEnded{Node: "fs1", CallID: "a"}}, []string{"remove call fs1/a"}},
		// ops come in the order of their last change: b changed after c
		{[]adapters.Event{callEv("b", "active"), callEv("c", "ringing"), callEv("b", "held")}, []string{"upsert call fs1/c", "upsert call fs1/b"}},
	}
	var d msg
	for i, st := range steps {
		e.emit(st.events...)
		e.hub.flush()
		d = b.read() // read checks from == previous seq
		if d.Type != "delta" || !slices.Equal(opKeys(d), st.want) {
			t.Fatalf("step %d: got %s %q, want delta %q", i, d.Type, opKeys(d), st.want)
		}
	}
	var v struct{ State string }
	if err := json.Unmarshal(d.Ops[1].Value, &v); err != nil || v.State != "held" {
		t.Fatalf("coalesced op value %s (%v), want the latest state held", d.Ops[1].Value, err)
	}
	// nothing changed: nothing is sent
	e.hub.flush()
	if m, err := b.tryRead(50 * time.Millisecond); err == nil {
		t.Fatalf("got %+v without any change", m)
	}
}

func TestTalkingTogglesCoalesce(t *testing.T) {
	e := newEnv(t, Options{CoalesceInterval: 50 * time.Millisecond}, true, nil)
	b := e.dial(nil)
	b.readType("snapshot")
	evs := make([]adapters.Event, 0, 101)
	for i := range 101 {
		evs = append(evs, memberEv("1", i%2 == 0))
	}
	e.emit(evs...)
	e.emit(callEv("marker", "active")) // the last change: when it arrives, everything before did too
	var memberOps []op
	for done := false; !done; {
		d := b.readType("delta")
		for _, o := range d.Ops {
			switch o.Kind {
			case "member":
				memberOps = append(memberOps, o)
			case "call":
				done = true
			}
		}
	}
	// 101 changes were applied within well under a flush interval; at most
	// one flush boundary can fall inside them.
	if len(memberOps) == 0 || len(memberOps) > 2 {
		t.Fatalf("got %d member ops for 101 toggles, want 1 or 2", len(memberOps))
	}
	var m adapters.Member
	if err := json.Unmarshal(memberOps[len(memberOps)-1].Value, &m); err != nil || !m.Talking {
		t.Fatalf("last member value %s, want talking (the latest toggle)", memberOps[len(memberOps)-1].Value)
	}
}

func TestTranscriptOpsOnlyToBrowsersThatOpenedIt(t *testing.T) {
	e := newEnv(t, Options{}, false, nil)
	e.emit(callEv("c1", "active"), uttEv("c1", "hello", true))
	viewer, other := e.dial(nil), e.dial(nil)
	viewer.readType("snapshot")
	other.readType("snapshot")

	viewer.send(map[string]string{"type": "open", "call": "fs1/c1"})
	tr := viewer.readType("transcript")
	if tr.Call != "fs1/c1" || len(tr.Lines) != 1 || tr.Lines[0].Text != "hello" || tr.Lines[0].ID != "1" {
		t.Fatalf("transcript %+v", tr)
	}

	e.emit(uttEv("c1", "how a", false))
	e.hub.flush()
	d := viewer.read()
	if !slices.Equal(opKeys(d), []string{"upsert utterance fs1/c1/2"}) {
		t.Fatalf("viewer got %q", opKeys(d))
	}
	e.emit(uttEv("c1", "how are you", true), callEv("c1", "held"))
	e.hub.flush()
	d = viewer.read()
	if !slices.Equal(opKeys(d), []string{"upsert utterance fs1/c1/2", "upsert call fs1/c1"}) {
		t.Fatalf("viewer got %q", opKeys(d))
	}
	var u adapters.Utterance
	if err := json.Unmarshal(d.Ops[0].Value, &u); err != nil || !u.Final || u.Text != "how are you" {
		t.Fatalf("final line %s did not replace the partial in place", d.Ops[0].Value)
	}
	// the other browser got only the call change, with continuous seqs
	d = other.read()
	if !slices.Equal(opKeys(d), []string{"upsert call fs1/c1"}) {
		t.Fatalf("other browser got %q", opKeys(d))
	}

	// after close, the viewer stops getting utterances
	viewer.send(map[string]string{"type": "close", "call": "fs1/c1"})
	e.emit(uttEv("c1", "bye", true), callEv("c1", "active"))
	// the close message may still be in flight: wait until the hub applied it
	testutil.Eventually(t, "close applied", func() bool {
		for c := range e.clientsSnapshot() {
			c.mu.Lock()
			n := len(c.open)
			c.mu.Unlock()
			if n != 0 {
				return false
			}
		}
		return true
	})
	e.emit(callEv("c1", "held"))
	e.hub.flush()
	for _, k := range opKeys(viewer.read()) {
		if k != "upsert call fs1/c1" {
			t.Fatalf("after close the viewer got %q", k)
		}
	}
}

func TestOriginCheck(t *testing.T) {
	e := newEnv(t, Options{AllowedOrigins: []string{"https://ops.example/"}}, false, nil)
	tests := []struct {
		origin string
		ok     bool
	}{
		{"", true},
		{e.srv.URL, true}, // same origin: host matches Host
		{"https://ops.example", true},
		{"https://OPS.example", true},
		{"https://evil.example", false},
		{"http://ops.example.evil.example", false},
		{"null", false},
	}
	for _, tc := range tests {
		hdr := http.Header{}
		if tc.origin != "" {
			hdr.Set("Origin", tc.origin)
		}
		conn, resp, err := websocket.DefaultDialer.Dial(e.url(), hdr)
		if tc.ok {
			if err != nil {
				t.Errorf("origin %q rejected: %v", tc.origin, err)
				continue
			}
			conn.Close()
			continue
		}
		if err == nil {
			conn.Close()
			t.Errorf("origin %q accepted", tc.origin)
		} else if resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("origin %q: %v, want 403", tc.origin, resp)
		}
	}
}

func TestResyncSendsFreshSnapshotAndOpenTranscripts(t *testing.T) {
	e := newEnv(t, Options{}, false, nil)
	e.emit(callEv("c1", "active"), uttEv("c1", "hi", true))
	b := e.dial(nil)
	b.readType("snapshot")
	b.send(map[string]string{"type": "open", "call": "fs1/c1"})
	b.readType("transcript")
	e.emit(callEv("c2", "ringing"), uttEv("c1", "again", true))

	b.send(map[string]string{"type": "resync"})
	snap := b.read()
	if snap.Type != "snapshot" || len(snap.Calls) != 2 {
		t.Fatalf("resync answered with %s and %d calls", snap.Type, len(snap.Calls))
	}
	tr := b.read()
	if tr.Type != "transcript" || len(tr.Lines) != 2 || tr.From != snap.Seq {
		t.Fatalf("re-sent transcript %+v", tr)
	}
	// changes already in the snapshot are not sent again; later ones are
	e.hub.flush()
	e.emit(uttEv("c1", "third", true))
	e.hub.flush()
	if d := b.read(); !slices.Equal(opKeys(d), []string{"upsert utterance fs1/c1/3"}) {
		t.Fatalf("after resync got %q", opKeys(d))
	}
}

func TestMalformedMessageGetsErrorAndStaysOpen(t *testing.T) {
	e := newEnv(t, Options{}, false, nil)
	b := e.dial(nil)
	b.readType("snapshot")
	for _, bad := range []string{`{`, `{"type":"dance"}`, `{"type":"open","call":"nocall"}`} {
		if err := b.conn.WriteMessage(websocket.TextMessage, []byte(bad)); err != nil {
			t.Fatal(err)
		}
		if m := b.read(); m.Type != "error" || m.Message == "" {
			t.Fatalf("%s answered with %+v", bad, m)
		}
	}
	e.emit(callEv("x", "ringing"))
	e.hub.flush()
	if d := b.read(); d.Type != "delta" {
		t.Fatalf("connection unusable after errors: %+v", d)
	}
}

func TestBacklogBeyondBoundClosesWith4000(t *testing.T) {
	e := newEnv(t, Options{MaxPending: 5}, false, nil)
	b := e.dial(nil)
	b.readType("snapshot")
	for i := range 10 {
		e.emit(callEv(string(rune('a'+i)), "ringing"))
	}
	e.hub.flush()
	_, err := b.tryRead(5 * time.Second)
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != CloseSlowConsumer || ce.Text != "slow consumer" {
		t.Fatalf("read error %v, want close 4000 slow consumer", err)
	}
}

// A snapshot that cannot be encoded (a time past year 9999 has no JSON form)
// closes the browser with 1011 rather than leaving it without a snapshot,
// and the hub forgets it.
func TestUnencodableSnapshotClosesWith1011(t *testing.T) {
	e := newEnv(t, Options{}, false, nil)
	e.emit(adapters.CallUpdated{Call: adapters.Call{Node: "fs1", ID: "far", State: "active",
		CreatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}})
	b := e.dial(nil)
	_, err := b.tryRead(5 * time.Second)
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != CloseInternalError {
		t.Fatalf("read error %v, want close 1011", err)
	}
	testutil.Eventually(t, "the closed browser to be unregistered", func() bool { return e.hub.Len() == 0 })
}

// smallBuffers shrinks kernel socket buffers so a browser that does not read
// fills them (and then melody's queue) after a few hundred KB.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4096)
	}
	return c, err
}

func TestSlowConsumerIsClosedFastOneKeepsReceiving(t *testing.T) {
	e := newEnv(t, Options{MessageBufferSize: 4}, false, func(l net.Listener) net.Listener { return smallBuffers{l} })
	fast := e.dial(nil)
	fast.readType("snapshot")
	slowDialer := &websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(4096)
		}
		return c, err
	}}
	slow := e.dial(slowDialer)
	slow.readType("snapshot") // then it stops reading

	// The fast browser reads every delta before the next flush; the slow one
	// never reads again.
	big := string(make([]byte, 2000))
	for i := 0; e.hub.Len() == 2; i++ {
		if i > 5000 {
			t.Fatal("slow browser was never disconnected")
		}
		ev := adapters.CallUpdated{Call: adapters.Call{Node: "fs1", ID: "bulk", CallerName: big, CreatedAt: t0.Add(time.Duration(i))}}
		e.emit(ev)
		e.hub.flush()
		if d := fast.read(); d.Type != "delta" || len(d.Ops) != 1 {
			t.Fatalf("fast browser got %+v", d)
		}
	}
	e.emit(callEv("final", "active"))
	e.hub.flush()
	if d := fast.read(); !slices.Equal(opKeys(d), []string{"upsert call fs1/final"}) {
		t.Fatalf("fast browser got %q after the slow one left", opKeys(d))
	}
	// the slow browser finds its stream ended (close 4000 if the frame fit)
	for {
		_, err := slow.tryRead(5 * time.Second)
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		// 1006: the close frame did not fit into the full socket; the connection just ended
		if errors.As(err, &ce) && ce.Code != CloseSlowConsumer && ce.Code != websocket.CloseAbnormalClosure {
			t.Fatalf("slow browser closed with %d, want %d", ce.Code, CloseSlowConsumer)
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("slow browser still connected: %v", err)
		}
		break
	}
}
