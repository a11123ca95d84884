package audio

import "github.com/gorilla/websocket"

// A listen socket belongs to the sign-in session that opened it: when that
// session ends (sign-out, revocation by an admin, a deleted user, idle or
// absolute expiry), the server's session watcher closes it like the /ws
// sockets, with the same close code (server/session). Sessions and
// CloseSession are that watcher's interface (session.Sockets).

func (ls *Listen) track(conn *websocket.Conn, session string) {
	ls.mu.Lock()
	ls.open[conn] = session
	ls.mu.Unlock()
}

func (ls *Listen) untrack(conn *websocket.Conn) {
	ls.mu.Lock()
	delete(ls.open, conn)
	ls.mu.Unlock()
}

// Sessions lists the sessions with an open listen socket.
func (ls *Listen) Sessions() []string {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	seen := make(map[string]struct{}, len(ls.open))
	var out []string
	for _, s := range ls.open {
		if _, ok := seen[s]; !ok && s != "" {
			seen[s] = struct{}{}
			out = append(out, s)
		}
	}
	return out
}

// CloseSession closes every listen socket of session with code and reason
// and returns how many it closed. The close frame is a control frame
// (gorilla/websocket allows it beside the streaming writer); the stream then
// ends and releases its listener.
func (ls *Listen) CloseSession(session string, code int, reason string) int {
	if session == "" {
		return 0
	}
	ls.mu.Lock()
	var victims []*websocket.Conn
	for c, s := range ls.open {
		if s == session {
			victims = append(victims, c)
		}
	}
	ls.mu.Unlock()
	for _, c := range victims {
		closeWith(c, code, reason)
	}
	return len(victims)
}
