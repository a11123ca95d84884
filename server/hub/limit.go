package hub

import "sync"

// DefaultMaxPerSession bounds the websockets one signed-in session may hold
// at once. A supervisor with several tabs, a second monitor and a wall
// screen uses a handful; a script that opens hundreds is refused (429)
// instead of costing a snapshot and a flusher slot each.
const DefaultMaxPerSession = 20

// sessionLimit counts open websockets per session.
type sessionLimit struct {
	max int
	mu  sync.Mutex
	n   map[string]int
}

// acquire reserves a websocket for session; false when it has max already.
// The empty session (a test's anonymous hub) is not limited.
func (l *sessionLimit) acquire(session string) bool {
	if session == "" {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n == nil {
		l.n = make(map[string]int)
	}
	if l.n[session] >= l.max {
		return false
	}
	l.n[session]++
	return true
}

// release returns a reservation.
func (l *sessionLimit) release(session string) {
	if session == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[session]--; l.n[session] <= 0 {
		delete(l.n, session)
	}
}
