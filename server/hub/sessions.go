package hub

import (
	"time"

	"github.com/gorilla/websocket"
	"github.com/olahol/melody"
)

// Sessions returns the distinct sign-in sessions with an open websocket.
func (h *Hub) Sessions() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	seen := make(map[string]struct{})
	var out []string
	for c := range h.clients {
		if _, ok := seen[c.session]; !ok && c.session != "" {
			seen[c.session] = struct{}{}
			out = append(out, c.session)
		}
	}
	return out
}

// CloseSession closes every websocket of a sign-in session with code and
// reason, and returns how many it closed. Like dropSlow, the close frame
// goes straight to the connection (bounded by a short deadline), so a full
// queue cannot delay it.
func (h *Hub) CloseSession(session string, code int, reason string) int {
	if session == "" {
		return 0
	}
	h.mu.Lock()
	var victims []*client
	for c := range h.clients {
		if c.session == session {
			victims = append(victims, c)
		}
	}
	h.mu.Unlock()
	n := 0
	for _, c := range victims {
		if !c.closing.CompareAndSwap(false, true) {
			continue
		}
		n++
		conn := c.sess.WebsocketConnection()
		go func() {
			_ = conn.WriteControl(websocket.CloseMessage, melody.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
			_ = conn.Close()
		}()
	}
	return n
}
