package server

import (
	"strings"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/audio"
	"github.com/callboard/callboard/server/live"
)

// Audio listen sockets follow the same lifetimes as /ws: they end with
// their sign-in session, and with their call however it ends.

// sockets are every browser websocket by sign-in session, for the session
// watcher (session.Sockets): the /ws hub and the audio listen sockets. A
// signed-out, revoked or expired session loses both, with 4001.
type sockets struct{ s *Server }

func (k sockets) Sessions() []string {
	out := k.s.hub.Sessions()
	if l := k.s.audio.listen; l != nil {
		out = append(out, l.Sessions()...) // duplicates are harmless: Check closes by id
	}
	return out
}

func (k sockets) CloseSession(id string, code int, reason string) int {
	n := k.s.hub.CloseSession(id, code, reason)
	if l := k.s.audio.listen; l != nil {
		n += l.CloseSession(id, code, reason)
	}
	return n
}

// audioEnder ends the audio of every call the live state removes: a
// CallEnded (endAudio does that one already, before the state), and a call a
// node's snapshot no longer has (a reconnect after a missed hangup), which
// has no event of its own. It runs in the live state's goroutine, so it only
// looks; ending (which may stop a PBX snoop with requests) runs apart.
type audioEnder struct{ s *Server }

func (a audioEnder) Observe(_ adapters.Event, changes []live.Change) {
	h := a.s.audio.hub
	if h == nil {
		return
	}
	for i := range changes {
		ch := &changes[i]
		if ch.Kind != live.KindCall || ch.Op != live.OpRemove {
			continue
		}
		node, call, ok := strings.Cut(ch.Key, "/")
		if !ok {
			continue
		}
		if k := (audio.Key{Node: node, Call: call}); h.Has(k) {
			go h.EndCall(k)
		}
	}
}
