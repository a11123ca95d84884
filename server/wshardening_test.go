// Hardening (issue 15, point 7) over a real server: the websocket Origin
// check counts scheme and userinfo, one session holds a bounded number of
// websockets, and a text frame that is not UTF-8 closes the socket (1007).
package server_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/callboard/callboard/internal/testutil"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/hub"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/internal/stubnode"
)

func TestWebsocketOriginSchemeAndUserinfo(t *testing.T) {
	ts := servertest.Start(t, server.Config{}, stubnode.New("fs1", servertest.FS1Snapshot()))
	for _, o := range []string{"https://" + ts.Addr(), "http://evil@" + ts.Addr(), "http://" + ts.Addr() + "/x"} {
		_, resp, err := ts.DialWS(t, ts.Client, o)
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("Origin %s: err %v resp %v, want 403", o, err, resp)
		}
	}
	conn, _, err := ts.DialWS(t, ts.Client, ts.Base)
	if err != nil {
		t.Fatalf("same origin: %v", err)
	}
	servertest.ExpectSnapshot(t, conn)
}

func TestWebsocketsPerSessionCapped(t *testing.T) {
	ts := servertest.Start(t, server.Config{}, stubnode.New("fs1", servertest.FS1Snapshot()))
	var conns []*websocket.Conn
	for i := range hub.DefaultMaxPerSession {
		conn, _, err := ts.DialWS(t, ts.Client, ts.Base)
		if err != nil {
			t.Fatalf("websocket %d: %v", i+1, err)
		}
		conns = append(conns, conn)
	}
	_, resp, err := ts.DialWS(t, ts.Client, ts.Base)
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("websocket %d: err %v resp %v, want 429", hub.DefaultMaxPerSession+1, err, resp)
	}
	// Another session of the same user is not affected.
	other := ts.Login(t, "root")
	if _, _, err := ts.DialWS(t, other, ts.Base); err != nil {
		t.Fatalf("other session: %v", err)
	}
	// A closed websocket frees its place.
	_ = conns[0].Close()
	testutil.Eventually(t, "a place after closing one websocket", func() bool {
		conn, _, err := ts.DialWS(t, ts.Client, ts.Base)
		if err == nil {
			_ = conn.Close()
		}
		return err == nil
	})
}

func TestWebsocketInvalidUTF8Closes(t *testing.T) {
	ts := servertest.Start(t, server.Config{}, stubnode.New("fs1", servertest.FS1Snapshot()))
	conn, _, err := ts.DialWS(t, ts.Client, ts.Base)
	if err != nil {
		t.Fatal(err)
	}
	servertest.ExpectSnapshot(t, conn)
	if err := conn.WriteMessage(websocket.TextMessage, []byte("{\"type\":\"open\",\"call\":\"fs1/c1\xff\"}")); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, _, err := conn.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != websocket.CloseInvalidFramePayloadData {
			t.Fatalf("ended with %v, want close 1007", err)
		}
		return
	}
}
