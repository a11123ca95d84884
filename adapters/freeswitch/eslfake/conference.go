package eslfake

import (
	"fmt"
	"strconv"
	"time"
)

type conference struct {
	name, uuid string
	members    []*member // join order; FreeSWITCH lists newest first
	locked     bool
	floor      *member
	created    time.Time
}

type member struct {
	id                  int
	ch                  *channel
	conf                *conference
	muted, deaf         bool
	talking             bool
	energy, curEnergy   int
	volIn, volOut       int
	joined, lastTalking time.Time
	talkStart           time.Time
}

// confHeaders is conference_event_add_data.
func (c *conference) confHeaders() []header {
	return []header{
		{"Conference-Name", c.name}, {"Conference-Domain", "127.0.0.1"},
		{"Conference-Size", strconv.Itoa(len(c.members))}, {"Conference-Ghosts", "0"},
		{"Conference-Profile-Name", "default"}, {"Conference-Unique-ID", c.uuid},
	}
}

// memberHeaders is conference_member_add_event_data (without the conference block).
func (m *member) memberHeaders() []header {
	hs := []header{{"Floor", boolStr(m.conf.floor == m)}}
	hs = append(hs, m.ch.channelHeaders()...)
	return append(hs,
		header{"Video", "false"}, header{"Hear", boolStr(!m.deaf)}, header{"See", "true"},
		header{"Speak", boolStr(!m.muted)}, header{"Talking", boolStr(m.talking)},
		header{"Mute-Detect", "false"}, header{"Hold", "false"},
		header{"Member-ID", strconv.Itoa(m.id)}, header{"Member-Type", "member"},
		header{"Member-Ghost", "false"}, header{"Energy-Level", strconv.Itoa(m.energy)},
		header{"Current-Energy", strconv.Itoa(m.curEnergy)})
}

func boolStr(b bool) string { return strconv.FormatBool(b) }

// confEvent builds a conference::maintenance event with the conference block.
func (s *Server) confEvent(c *conference, file, fn string, line int) *event {
	e := s.newEvent("CUSTOM", "conference::maintenance", file, fn, line)
	e.addAll(c.confHeaders())
	return e
}

// memberEvent fires a member action event (conference block, member block, extra, Action).
func (s *Server) memberEvent(m *member, action, file, fn string, line int, extra ...header) {
	e := s.confEvent(m.conf, file, fn, line)
	e.addAll(m.memberHeaders())
	e.addAll(extra)
	e.add("Action", action)
	s.fire(e)
}

func (s *Server) confAction(c *conference, action, fn string, line int) {
	e := s.confEvent(c, "conference_api.c", fn, line)
	e.add("Action", action)
	s.fire(e)
}

// Join puts an answered channel into conference conf (created on first
// join) and returns its Member-ID. A locked conference rejects the join
// as FreeSWITCH does: the caller hears conf-locked and is hung up.
func (s *Server) Join(conf, uuid string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.lookup(uuid)
	if err != nil {
		return 0, fmt.Errorf("join %s to %s: %w", uuid, conf, err)
	}
	if ch.member != nil {
		return 0, fmt.Errorf("join %s to %s: already member %d of %s", uuid, conf, ch.member.id, ch.member.conf.name)
	}
	if ch.answered == 0 {
		ch.answered = nowMicro()
		ch.answerState = "answered"
		s.fire(s.channelEvent(ch, "CHANNEL_ANSWER", "switch_channel.c", "switch_channel_perform_mark_answered", 3846, true))
		s.setCallState(ch, "ACTIVE")
	}
	c := s.confs[conf]
	if c != nil && c.locked {
		s.executeLocked(ch, "playback", "conference/conf-locked.wav")
		s.hangupLocked(ch, "NORMAL_CLEARING")
		return 0, fmt.Errorf("join %s to %s: %w", uuid, conf, ErrLocked)
	}
	if ch.app == "park" {
		s.fire(s.channelEvent(ch, "CHANNEL_UNPARK", "switch_ivr.c", "switch_ivr_park", 1213, true))
		s.completeApp(ch)
	}
	ch.app, ch.appData = "conference", conf+"@default"
	s.fire(withTail(s.channelEvent(ch, "CHANNEL_EXECUTE", "switch_core_session.c", "switch_core_session_exec", 2944, true),
		tail{header{"Application", "conference"}, header{"Application-Data", ch.appData}, header{"Application-UUID", newUUID()}}))
	if c == nil {
		c = &conference{name: conf, uuid: newUUID(), created: time.Now()}
		s.confs[conf] = c
		e := s.confEvent(c, "mod_conference.c", "conference_new", 3848)
		e.add("Action", "conference-create")
		s.fire(e)
	}
	s.memberSeq++
	m := &member{id: s.memberSeq, ch: ch, conf: c, energy: 100, joined: time.Now()}
	c.members = append(c.members, m)
	ch.member = m
	s.memberEvent(m, "add-member", "conference_member.c", "conference_member_add", 962)
	if c.floor == nil {
		s.setFloor(c, m)
	}
	return m.id, nil
}

func (s *Server) setFloor(c *conference, m *member) {
	if c.floor == m {
		return
	}
	old := "none"
	if c.floor != nil {
		old = strconv.Itoa(c.floor.id)
	}
	c.floor = m
	e := s.confEvent(c, "conference_member.c", "conference_member_set_floor_holder", 1158)
	e.add("Action", "floor-change")
	e.add("Old-ID", old)
	if m != nil {
		e.addAll(c.confHeaders())
		e.addAll(m.memberHeaders())
		e.add("New-ID", strconv.Itoa(m.id))
	} else {
		e.add("New-ID", "none")
	}
	s.fire(e)
}

// SetTalking fires start-talking/stop-talking for a member (and a
// floor-change when a new member starts talking). Muted members never talk.
func (s *Server) SetTalking(conf string, id int, talking bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, m, err := s.findMember(conf, id)
	if err != nil {
		return fmt.Errorf("set talking %d in %s: %w", id, conf, err)
	}
	if m.talking == talking || (talking && m.muted) {
		return nil
	}
	s.setTalkingLocked(m, talking)
	return nil
}

func (s *Server) setTalkingLocked(m *member, talking bool) {
	m.talking = talking
	if talking {
		m.curEnergy = 6400 + int(time.Now().UnixNano()%300)
		m.talkStart = time.Now()
		s.memberEvent(m, "start-talking", "conference_loop.c", "conference_loop_input", 1154)
		s.setFloor(m.conf, m)
		return
	}
	m.curEnergy = 0
	m.lastTalking = time.Now()
	dur := time.Since(m.talkStart).Milliseconds()
	s.memberEvent(m, "stop-talking", "conference_loop.c", "stop_talking_handler", 783,
		header{"talking-gate-hits", strconv.FormatInt(dur/34, 10)},
		header{"talking-total-packets", strconv.FormatInt(dur/20, 10)},
		header{"talking-duration-ms", strconv.FormatInt(dur, 10)},
		header{"talking-average-energy", "6483.122807"},
		header{"talking-delta-average", "101.385965"},
		header{"talking-hit-on-percent", "58.762887"},
		header{"talking-non-hit-ratio", "1.754386"},
		header{"talking-hit-off-percent", "1.030928"},
		header{"talking-hit-off-differential", "57.731959"})
}

func (s *Server) findMember(conf string, id int) (*conference, *member, error) {
	c := s.confs[conf]
	if c == nil {
		return nil, nil, fmt.Errorf("conference %s: %w", conf, ErrNoSuchConference)
	}
	for _, m := range c.members {
		if m.id == id {
			return c, m, nil
		}
	}
	return c, nil, fmt.Errorf("member %d of %s: %w", id, conf, ErrNoSuchChannel)
}

// removeMember fires del-member (Hangup-Cause when the channel hung up) and
// destroys the conference after its last member.
func (s *Server) removeMember(m *member, hungUp bool) {
	c := m.conf
	for i, x := range c.members {
		if x == m {
			c.members = append(c.members[:i], c.members[i+1:]...)
			break
		}
	}
	m.ch.member = nil
	if c.floor == m {
		c.floor = nil
	}
	// The channel block must not show the hangup cause unless it hung up.
	cause := m.ch.cause
	if !hungUp {
		m.ch.cause = ""
	}
	s.memberEvent(m, "del-member", "conference_member.c", "conference_member_del", 1355)
	m.ch.cause = cause
	if len(c.members) == 0 {
		delete(s.confs, c.name)
		e := s.confEvent(c, "mod_conference.c", "conference_thread_run", 863)
		e.add("Action", "conference-destroy")
		s.fire(e)
	}
}

// Members lists a conference's members in join order (nil if none).
func (s *Server) Members(conf string) []MemberInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.confs[conf]
	if c == nil {
		return nil
	}
	out := make([]MemberInfo, 0, len(c.members))
	for _, m := range c.members {
		out = append(out, MemberInfo{ID: m.id, UUID: m.ch.uuid, Muted: m.muted, Deaf: m.deaf, Talking: m.talking})
	}
	return out
}
