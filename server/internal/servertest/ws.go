package servertest

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/callboard/callboard/server/session"
)

// DialWS opens /ws as c with the given Origin (ts.Base is same-origin). The
// connection is closed when the test ends.
func (ts *Server) DialWS(t *testing.T, c *Client, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	hdr := http.Header{"Origin": {origin}}
	if c.Cookie != "" {
		hdr.Set("Cookie", session.CookieName+"="+c.Cookie)
	}
	conn, resp, err := websocket.DefaultDialer.Dial("ws://"+ts.Addr()+"/ws", hdr)
	if err == nil {
		t.Cleanup(func() { _ = conn.Close() })
	}
	return conn, resp, err
}

// ExpectSnapshot reads the first message, which must be the snapshot.
func ExpectSnapshot(t *testing.T, conn *websocket.Conn) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var m struct{ Type string }
	if err := conn.ReadJSON(&m); err != nil || m.Type != "snapshot" {
		t.Fatalf("first message %+v %v", m, err)
	}
}

// ExpectClosed reads until the server closes with code and "session ended".
func ExpectClosed(t *testing.T, conn *websocket.Conn, code int) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, _, err := conn.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != code || ce.Text != "session ended" {
			t.Fatalf("websocket ended with %v, want close %d \"session ended\"", err, code)
		}
		return
	}
}
