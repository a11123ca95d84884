package history

import (
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/store"
)

type intentKey struct{ node, conf, member, kind string }

type intent struct {
	user string
	at   time.Time
}

// Attribute announces that user is about to take action a on node, so the
// timeline entry it causes names them. It returns a function to call if the
// action failed (the announcement is withdrawn). The event may arrive before
// the PBX's reply, which is why this is called before the action is sent.
func (r *Recorder) Attribute(node string, a adapters.Action, user string) (withdraw func()) {
	k, ok := intentFor(node, a)
	if !ok || user == "" {
		return func() {}
	}
	r.mu.Lock()
	r.intents[k] = intent{user: user, at: r.opts.Now()}
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		if in, ok := r.intents[k]; ok && in.user == user {
			delete(r.intents, k)
		}
		r.mu.Unlock()
	}
}

func intentFor(node string, a adapters.Action) (intentKey, bool) {
	switch a := a.(type) {
	case adapters.MuteMember:
		return intentKey{node, a.Conference, a.Member, pick(a.Muted, store.TimelineMute, store.TimelineUnmute)}, true
	case adapters.DeafMember:
		return intentKey{node, a.Conference, a.Member, pick(a.Deaf, store.TimelineDeaf, store.TimelineUndeaf)}, true
	case adapters.KickMember:
		return intentKey{node, a.Conference, a.Member, store.TimelineKick}, true
	case adapters.LockConference:
		return intentKey{node, a.Conference, "", pick(a.Locked, store.TimelineLock, store.TimelineUnlock)}, true
	}
	return intentKey{}, false
}

// attributed returns (and consumes) the user who announced e. Callers hold r.mu.
func (r *Recorder) attributed(e store.TimelineEntry) string {
	k := intentKey{e.Node, e.Conference, e.Member, e.Kind}
	in, ok := r.intents[k]
	if !ok || r.opts.Now().Sub(in.at) > r.opts.AttributionWindow {
		return ""
	}
	delete(r.intents, k)
	return in.user
}
