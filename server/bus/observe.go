package bus

import (
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/live"
)

// Observe names what each change means and publishes it. It runs in the live
// state's goroutine: no I/O, no blocking.
func (t *Tap) Observe(ev adapters.Event, changes []live.Change) {
	if len(changes) == 0 {
		return
	}
	at := t.now().UTC()
	for i := range changes {
		ch := &changes[i]
		switch ch.Kind {
		case live.KindNode:
			t.observeNode(ch, at)
		case live.KindCall:
			t.observeCall(ev, ch, at)
		case live.KindConference:
			t.observeConference(ch, at)
		case live.KindMember:
			t.observeMember(ev, ch, at)
		case live.KindQueueMember:
			t.observeQueueMember(ev, ch, at)
		case live.KindAgent:
			t.observeAgent(ch, at)
		case live.KindUtterance:
			if u, ok := ch.Value.(*adapters.Utterance); ok && ch.Op == live.OpUpsert && u.Final {
				t.Publish(Event{Node: u.Node, Kind: KindUtterance, Name: UtteranceFinal, At: at, Utterance: u})
			}
		}
	}
}

func (t *Tap) observeNode(ch *live.Change, at time.Time) {
	n, ok := ch.Value.(*live.NodeEntity)
	if !ok || t.nodes[n.Node] == n.State {
		return
	}
	t.nodes[n.Node] = n.State
	st := n.NodeStatus
	t.Publish(Event{Node: n.Node, Kind: KindNode, Name: n.State, At: at, Status: &st})
}

func (t *Tap) observeCall(ev adapters.Event, ch *live.Change, at time.Time) {
	if ch.Op == live.OpRemove {
		prev, ok := t.calls[ch.Key]
		if !ok {
			return
		}
		delete(t.calls, ch.Key)
		cause := "resync" // gone from a snapshot after a reconnect
		if e, ok := ev.(adapters.CallEnded); ok {
			cause = e.Cause
		}
		t.Publish(Event{Node: prev.Node, Kind: KindCall, Name: CallEnded, At: at, Call: prev, Cause: cause})
		return
	}
	c, ok := ch.Value.(*adapters.Call)
	if !ok {
		return
	}
	prev, seen := t.calls[ch.Key]
	t.calls[ch.Key] = c
	name := ""
	switch {
	case !seen:
		name = CallCreated
	case prev.State == c.State:
		return
	case c.State == adapters.CallHeld:
		name = CallHeld
	case c.State == adapters.CallActive && prev.State == adapters.CallHeld:
		name = CallResumed
	case c.State == adapters.CallActive:
		name = CallAnswered
	default:
		return
	}
	t.Publish(Event{Node: c.Node, Kind: KindCall, Name: name, At: at, Call: c})
}

func (t *Tap) observeConference(ch *live.Change, at time.Time) {
	if ch.Op == live.OpRemove {
		prev, ok := t.confs[ch.Key]
		if !ok {
			return
		}
		delete(t.confs, ch.Key)
		t.Publish(Event{Node: prev.Node, Kind: KindConference, Name: ConferenceEnded, At: at, Conference: prev})
		return
	}
	c, ok := ch.Value.(*adapters.Conference)
	if !ok {
		return
	}
	prev, seen := t.confs[ch.Key]
	t.confs[ch.Key] = c
	name := ""
	switch {
	case !seen:
		name = ConferenceCreated
		if c.Locked { // a room found locked after a (re)connect
			t.Publish(Event{Node: c.Node, Kind: KindConference, Name: name, At: at, Conference: c})
			name = ConferenceLocked
		}
	case prev.Locked != c.Locked && c.Locked:
		name = ConferenceLocked
	case prev.Locked != c.Locked:
		name = ConferenceUnlocked
	default:
		return
	}
	t.Publish(Event{Node: c.Node, Kind: KindConference, Name: name, At: at, Conference: c})
}

func (t *Tap) observeMember(ev adapters.Event, ch *live.Change, at time.Time) {
	if ch.Op == live.OpRemove {
		prev, ok := t.members[ch.Key]
		if !ok {
			return
		}
		delete(t.members, ch.Key)
		reason := adapters.LeftHangup
		if e, ok := ev.(adapters.MemberLeft); ok && e.Reason != "" {
			reason = e.Reason
		}
		t.Publish(Event{Node: prev.Node, Kind: KindMember, Name: MemberLeft, At: at, Member: prev, Cause: reason})
		return
	}
	m, ok := ch.Value.(*adapters.Member)
	if !ok {
		return
	}
	prev, seen := t.members[ch.Key]
	t.members[ch.Key] = m
	pub := func(name string) {
		t.Publish(Event{Node: m.Node, Kind: KindMember, Name: name, At: at, Member: m})
	}
	if !seen {
		pub(MemberJoined)
		return
	}
	if prev.Muted != m.Muted {
		pub(pick(m.Muted, MemberMuted, MemberUnmuted))
	}
	if prev.Deaf != m.Deaf {
		pub(pick(m.Deaf, MemberDeaf, MemberUndeaf))
	}
}

func pick(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

// Observers chains observers (nil ones are skipped) into one, called in
// order: the live state takes one Observer.
func Observers(obs ...live.Observer) live.Observer {
	var list multi
	for _, o := range obs {
		if o != nil {
			list = append(list, o)
		}
	}
	return list
}

type multi []live.Observer

func (m multi) Observe(ev adapters.Event, changes []live.Change) {
	for _, o := range m {
		o.Observe(ev, changes)
	}
}
