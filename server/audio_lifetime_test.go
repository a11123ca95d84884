// Tests of the audio sockets' lifetimes (audiosessions.go): a listen socket
// ends with its sign-in session like /ws, and with its call also when the
// call just disappears from a node's snapshot.
package server_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/internal/testutil"
	"github.com/callboard/callboard/server/audio"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/session"
	"github.com/callboard/callboard/server/store"
)

// listening opens a relay for c1 and a moderator's listen socket on it, and
// reads the socket's start message.
func listening(t *testing.T, ts *servertest.Server, relayToken string) (*servertest.Client, *websocket.Conn, *websocket.Conn) {
	t.Helper()
	mod := ts.ClientAs(t, store.RoleModerator)
	relay := dialIngest(t, ts, "c1", relayToken)
	if err := relay.WriteMessage(websocket.BinaryMessage, tone8k(440, 160)); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "the stream", func() bool { return ts.AudioStats().Streams >= 1 })
	lc, _, err := dialListen(t, ts, mod, "c1")
	if err != nil {
		t.Fatal(err)
	}
	_ = lc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if mt, data, err := lc.ReadMessage(); err != nil || mt != websocket.TextMessage {
		t.Fatalf("start message: %v %s", err, data)
	}
	return mod, relay, lc
}

func TestAudioListenEndsWithItsSession(t *testing.T) {
	ts, _ := startAudio(t)
	token := audioToken(t, ts, "ingest:audio")
	ends := []struct {
		name string
		end  func(t *testing.T, c *servertest.Client)
	}{
		{"sign-out", func(t *testing.T, c *servertest.Client) {
			if resp, _ := c.Do(t, http.MethodPost, "/api/v1/auth/logout", ""); resp.StatusCode != 204 {
				t.Fatalf("logout: %d", resp.StatusCode)
			}
		}},
		{"revoked by admin", func(t *testing.T, c *servertest.Client) {
			if resp, data := ts.Do(t, http.MethodDelete, "/api/v1/sessions/"+ts.SessionID(t, c.User), ""); resp.StatusCode != 204 {
				t.Fatalf("revoke: %d %s", resp.StatusCode, data)
			}
		}},
		{"absolute expiry", func(t *testing.T, c *servertest.Client) {
			ts.Clock.Advance(12*time.Hour + time.Second)
			ts.CheckSessions(context.Background())
		}},
	}
	for _, tc := range ends {
		t.Run(tc.name, func(t *testing.T) {
			mod, relay, lc := listening(t, ts, token)
			tc.end(t, mod)
			if code := closeCodeOf(t, lc); code != session.CloseSessionEnded {
				t.Fatalf("listen socket close %d, want %d", code, session.CloseSessionEnded)
			}
			testutil.Eventually(t, "the listener to be released", func() bool { return ts.AudioStats().Listeners == 0 })
			if _, resp, err := dialListen(t, ts, mod, "c1"); err == nil || resp == nil || resp.StatusCode != 401 {
				t.Fatalf("ended session listened again: %v", err)
			}
			_ = relay.Close()
			testutil.Eventually(t, "the relay to be gone", func() bool { return ts.AudioStats().Streams == 0 })
		})
		ts.Client = ts.Login(t, "root") // the clock may have moved past root's session
	}
}

// A call that a node's snapshot no longer has (a hangup missed while the
// node was away) ends its listeners and sources like a CallEnded.
func TestAudioEndsWhenASnapshotDropsTheCall(t *testing.T) {
	ts, fs1 := startAudio(t)
	_, relay, lc := listening(t, ts, audioToken(t, ts, "ingest:audio"))
	snap := servertest.FS1Snapshot().(adapters.Snapshot)
	snap.Calls = nil
	fs1.Emit(snap)
	if code := closeCodeOf(t, lc); code != audio.CloseCallEnded {
		t.Errorf("listener close %d, want %d", code, audio.CloseCallEnded)
	}
	if code := closeCodeOf(t, relay); code != audio.CloseCallEnded {
		t.Errorf("relay close %d, want %d", code, audio.CloseCallEnded)
	}
	testutil.Eventually(t, "the hub to be empty", func() bool { return ts.AudioStats() == audio.Stats{} })
}
