package history

import (
	"slices"
	"strings"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/live"
	"github.com/callboard/callboard/server/store"
)

// causeMerged is the FreeSWITCH adapter's cause for a call folded into another.
const causeMerged = "MERGED"

var _ live.Observer = (*Recorder)(nil)

// Observe turns one applied event and its changes into queued history ops.
// It runs in the live state's goroutine: no I/O, one short lock.
func (r *Recorder) Observe(ev adapters.Event, changes []live.Change) {
	if left, ok := ev.(adapters.QueueMemberLeft); ok {
		r.observeQueueLeft(left) // queue.go
		return
	}
	if len(changes) == 0 {
		if _, ok := ev.(adapters.Snapshot); !ok {
			return
		}
	}
	now := r.opts.Now().UTC()
	r.mu.Lock()
	defer r.mu.Unlock()
	if snap, ok := ev.(adapters.Snapshot); ok {
		keep := make([]string, len(snap.Calls))
		for i, c := range snap.Calls {
			keep[i] = c.ID
		}
		r.queue(store.HistoryOp{Kind: store.OpCallsResync, Node: snap.Node, Keep: keep, At: now})
	}
	for i := range changes {
		ch := &changes[i]
		switch ch.Kind {
		case live.KindCall:
			r.observeCall(ev, ch, now)
		case live.KindMember:
			r.observeMember(ev, ch, now)
		case live.KindConference:
			r.observeConference(ch, now)
		case live.KindOrigination:
			r.observeOrigination(ch)
		case live.KindUtterance:
			if u, ok := ch.Value.(*adapters.Utterance); ok && u.Final {
				r.queue(store.HistoryOp{Kind: store.OpLine, Node: u.Node, CallID: u.CallID, At: now, Line: *u})
			}
		}
	}
}

func splitKey(k string) (node, rest string) {
	node, rest, _ = strings.Cut(k, "/")
	return node, rest
}

func (r *Recorder) observeCall(ev adapters.Event, ch *live.Change, now time.Time) {
	node, id := splitKey(ch.Key)
	if ch.Op == live.OpUpsert {
		c, ok := ch.Value.(*adapters.Call)
		if !ok {
			return
		}
		legs := make([]string, len(c.Legs))
		for i, l := range c.Legs {
			legs[i] = l.UUID
		}
		r.calls[ch.Key] = legs
		r.queue(store.HistoryOp{Kind: store.OpCallUpsert, Node: node, CallID: id, At: now, Call: *c})
		// A merged call waiting for its survivor: this call holds its legs.
		for _, leg := range legs {
			if m, ok := r.merged[node+"/"+leg]; ok && m.call != id {
				r.fold(node, m.call, id, now)
			}
		}
		return
	}
	legs := r.calls[ch.Key]
	delete(r.calls, ch.Key)
	switch e := ev.(type) {
	case adapters.Snapshot:
		// Closed by the resync op queued before the snapshot's changes.
	case adapters.CallEnded:
		if e.Cause == causeMerged {
			r.merge(node, id, legs, now)
			return
		}
		r.queue(store.HistoryOp{Kind: store.OpCallEnd, Node: node, CallID: id, At: atOr(e.At, now), Cause: e.Cause})
	default:
		r.queue(store.HistoryOp{Kind: store.OpCallEnd, Node: node, CallID: id, At: now})
	}
}

// merge folds a call reported merged into the live call that now holds one
// of its legs, or waits (MergeWait) for that call's next update.
func (r *Recorder) merge(node, id string, legs []string, now time.Time) {
	if !slices.Contains(legs, id) {
		legs = append(legs, id) // a call's id is its first leg's uuid
	}
	prefix := node + "/"
	for k, other := range r.calls {
		if strings.HasPrefix(k, prefix) && slices.ContainsFunc(other, func(l string) bool { return slices.Contains(legs, l) }) {
			r.queue(store.HistoryOp{Kind: store.OpCallMerge, Node: node, CallID: id, Into: k[len(prefix):], At: now})
			return
		}
	}
	for _, l := range legs {
		r.merged[prefix+l] = pendingMerge{node: node, call: id, at: now}
	}
}

// fold queues the merge of a waiting merged call into its survivor.
func (r *Recorder) fold(node, from, into string, now time.Time) {
	for k, m := range r.merged {
		if m.node == node && m.call == from {
			delete(r.merged, k)
		}
	}
	r.queue(store.HistoryOp{Kind: store.OpCallMerge, Node: node, CallID: from, Into: into, At: now})
}

func atOr(t, def time.Time) time.Time {
	if t.IsZero() {
		return def
	}
	return t.UTC()
}

func (r *Recorder) timeline(e store.TimelineEntry) {
	e.By = r.attributed(e)
	r.queue(store.HistoryOp{Kind: store.OpTimeline, Node: e.Node, At: e.At, Timeline: e})
}

func (r *Recorder) observeMember(ev adapters.Event, ch *live.Change, now time.Time) {
	if ch.Op == live.OpUpsert {
		m, ok := ch.Value.(*adapters.Member)
		if !ok {
			return
		}
		prev, known := r.members[ch.Key]
		r.members[ch.Key] = memberState{muted: m.Muted, deaf: m.Deaf, callID: m.CallID, callerName: m.CallerName}
		base := store.TimelineEntry{At: now, Node: m.Node, Conference: m.Conference, Member: m.ID, CallID: m.CallID, CallerName: m.CallerName}
		if !known {
			e := base
			e.Kind, e.At = store.TimelineJoin, atOr(m.JoinedAt, now) // idempotent on join time (resync after restart)
			r.timeline(e)
			return
		}
		if m.Muted != prev.muted {
			e := base
			e.Kind = pick(m.Muted, store.TimelineMute, store.TimelineUnmute)
			r.timeline(e)
		}
		if m.Deaf != prev.deaf {
			e := base
			e.Kind = pick(m.Deaf, store.TimelineDeaf, store.TimelineUndeaf)
			r.timeline(e)
		}
		return
	}
	prev, known := r.members[ch.Key]
	delete(r.members, ch.Key)
	if !known {
		return
	}
	node, rest := splitKey(ch.Key)
	conf, member, _ := cutLast(rest)
	e := store.TimelineEntry{At: now, Node: node, Conference: conf, Member: member, CallID: prev.callID, CallerName: prev.callerName, Kind: store.TimelineLeave}
	if left, ok := ev.(adapters.MemberLeft); ok && left.Reason == adapters.LeftKicked {
		e.Kind = store.TimelineKick
	} else if _, ok := r.intents[intentKey{node: node, conf: conf, member: member, kind: store.TimelineKick}]; ok {
		e.Kind = store.TimelineKick
	}
	r.timeline(e)
}

// cutLast splits "conf/member" at the last slash (conference names may hold
// one, member ids do not).
func cutLast(s string) (before, after string, ok bool) {
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

func (r *Recorder) observeConference(ch *live.Change, now time.Time) {
	if ch.Op == live.OpRemove {
		delete(r.confs, ch.Key)
		return
	}
	c, ok := ch.Value.(*adapters.Conference)
	if !ok {
		return
	}
	prev, known := r.confs[ch.Key]
	r.confs[ch.Key] = c.Locked
	if known && prev != c.Locked {
		r.timeline(store.TimelineEntry{At: now, Node: c.Node, Conference: c.Name, Kind: pick(c.Locked, store.TimelineLock, store.TimelineUnlock)})
	}
}

func pick(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}
