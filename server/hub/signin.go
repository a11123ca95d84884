package hub

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
// reason, and returns how many it closed. The close frame goes straight to
// the connection (closeClient), so a full queue cannot delay it.
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
		if h.closeClient(c, code, reason) {
			n++
		}
	}
	return n
}
