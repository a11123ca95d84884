package freeswitch

import (
	"strconv"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/percipia/eslgo"
)

// conferenceEvent maps a conference::maintenance event. Member events carry
// the member's whole state (Speak, Hear, Talking, Floor), so each one is
// applied as an upsert; Conference-Size gives the member count.
func (p *mapper) conferenceEvent(ev *eslgo.Event) []adapters.Event {
	m := p.m
	name := header(ev, "Conference-Name")
	if name == "" {
		return nil
	}
	seq, _ := eventSeq(ev)
	if gone, ok := m.goneConfs[name]; ok && seq != 0 && seq <= gone {
		return nil // a late event of a conference already destroyed
	}
	at := eventTime(ev, p.now())
	action := header(ev, "Action")
	if action == "conference-destroy" {
		return m.destroyConference(name, seq)
	}

	var out []adapters.Event
	c := m.confs[name]
	if c == nil {
		delete(m.goneConfs, name)
		c = &conference{Conference: adapters.Conference{Node: m.node, Name: name, CreatedAt: at}}
		m.confs[name] = c
	}
	if n, ok := atoiHeader(ev, "Conference-Size"); ok {
		c.MemberCount = n
	}
	switch action {
	case "lock":
		c.Locked = true
	case "unlock":
		c.Locked = false
	case "floor-change":
		out = append(out, m.moveFloor(name, header(ev, "Old-ID"), header(ev, "New-ID"))...)
	}
	out = append(m.touchConference(name), out...)

	id := header(ev, "Member-ID")
	if id == "" || !memberIDPattern.MatchString(id) {
		return out
	}
	key := memberKey{name, id}
	if gone, ok := m.goneMembers[key]; ok && (seq == 0 || seq <= gone) {
		return out // a late event of a member already gone: no phantom
	}
	switch action {
	case "kick-member":
		m.leaving[key] = adapters.LeftKicked
		return out
	case "hup-member":
		m.leaving[key] = adapters.LeftHangup
		return out
	case "del-member":
		return append(out, m.removeMember(key, ev, seq)...)
	}
	return append(out, m.upsertMember(key, ev, at, action == "add-member")...)
}

func (m *model) upsertMember(key memberKey, ev *eslgo.Event, at time.Time, added bool) []adapters.Event {
	uuid := header(ev, "Unique-ID")
	old := m.members[key]
	mem := adapters.Member{Node: m.node, Conference: key.conf, ID: key.id, CallID: m.callOf(uuid), JoinedAt: at}
	if old != nil && !added {
		mem.JoinedAt = old.JoinedAt
	}
	mem.CallerName, mem.CallerNumber = partyOf(ev)
	mem.Muted = !boolHeader(ev, "Speak")
	mem.Deaf = !boolHeader(ev, "Hear")
	mem.Talking = boolHeader(ev, "Talking")
	mem.Floor = boolHeader(ev, "Floor")
	var out []adapters.Event
	if old == nil || *old != mem {
		m.members[key] = &mem
		out = append(out, adapters.MemberUpdated{Member: mem})
	}
	if l := m.legs[uuid]; l != nil && l.conference != key.conf {
		l.conference = key.conf
		out = append(out, m.touchCall(l.callID)...)
	}
	return out
}

func (m *model) removeMember(key memberKey, ev *eslgo.Event, seq uint64) []adapters.Event {
	if len(m.goneMembers) >= goneLimit {
		clear(m.goneMembers) // a very long-lived room; forgets only stale-event guards
	}
	m.goneMembers[key] = seq
	reason, announced := m.leaving[key]
	delete(m.leaving, key)
	if !announced {
		reason = adapters.LeftLeft
		if header(ev, "Hangup-Cause") != "" {
			reason = adapters.LeftHangup
		}
	}
	mem := m.members[key]
	if mem == nil {
		return nil
	}
	delete(m.members, key)
	out := []adapters.Event{adapters.MemberLeft{Node: m.node, Conference: key.conf, MemberID: key.id, Reason: reason}}
	if l := m.legs[header(ev, "Unique-ID")]; l != nil && l.conference == key.conf {
		l.conference = ""
		out = append(out, m.touchCall(l.callID)...)
	}
	return out
}

// moveFloor applies floor-change, which names member ids but carries no
// member block.
func (m *model) moveFloor(conf, oldID, newID string) []adapters.Event {
	var out []adapters.Event
	for _, change := range []struct {
		id    string
		floor bool
	}{{oldID, false}, {newID, true}} {
		if mem := m.members[memberKey{conf, change.id}]; mem != nil && mem.Floor != change.floor {
			mem.Floor = change.floor
			out = append(out, adapters.MemberUpdated{Member: *mem})
		}
	}
	return out
}

// destroyConference removes a conference with its members; ConferenceEnded
// removes the members on the consumer's side too.
func (m *model) destroyConference(name string, seq uint64) []adapters.Event {
	if len(m.goneConfs) >= goneLimit {
		clear(m.goneConfs) // rare (thousands of dynamic rooms); forgets only stale-event guards
	}
	m.goneConfs[name] = seq
	// The conference tombstone now guards late member events of this room.
	for key := range m.goneMembers {
		if key.conf == name {
			delete(m.goneMembers, key)
		}
	}
	for key := range m.members {
		if key.conf == name {
			delete(m.members, key)
		}
	}
	for key := range m.leaving {
		if key.conf == name {
			delete(m.leaving, key)
		}
	}
	var out []adapters.Event
	for _, l := range m.legs {
		if l.conference == name {
			l.conference = ""
			out = append(out, m.touchCall(l.callID)...)
		}
	}
	c := m.confs[name]
	delete(m.confs, name)
	if c == nil {
		return out
	}
	return append([]adapters.Event{adapters.ConferenceEnded{Node: m.node, Name: name}}, out...)
}

func atoiHeader(ev *eslgo.Event, name string) (int, bool) {
	n, err := strconv.Atoi(header(ev, name))
	return n, err == nil
}
