package eslfake

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// channel is one call leg.
type channel struct {
	uuid, name, direction string
	callUUID              string // Channel-Call-UUID: the originating A leg for a bridged B leg, else uuid
	caller, callee        Party
	dest                  string
	source                string
	other                 *channel // other leg (Other-Leg-* block)
	bridgedTo             *channel
	sessionID             int
	vars                  []header // fixed variable_* headers, in order

	created, answered, hungup, bridged int64 // µs since epoch, 0 = not yet
	lastHold                           int64 // µs of the last SIP hold (Caller-Channel-Last-Hold)

	state       string // CS_*
	stateNum    int
	callState   string // DOWN RINGING ACTIVE HANGUP
	answerState string // ringing answered hangup
	cause       string

	app, appData string // running application (park, playback, conference, ...)
	lastApp      string
	member       *member
	gone         bool
	sip          *sipLeg // a real SIP leg (sipuac.go): hung up with a BYE
}

func nowMicro() int64 { return time.Now().UnixMicro() }

// channelHeaders is the block switch_channel_event_set_data adds.
func (ch *channel) channelHeaders() []header {
	hs := []header{
		{"Channel-State", ch.state}, {"Channel-Call-State", ch.callState},
		{"Channel-State-Number", strconv.Itoa(ch.stateNum)}, {"Channel-Name", ch.name},
		{"Unique-ID", ch.uuid}, {"Call-Direction", ch.direction},
		{"Presence-Call-Direction", ch.direction}, {"Channel-HIT-Dialplan", "true"},
		{"Channel-Call-UUID", ch.callUUID}, {"Answer-State", ch.answerState},
	}
	if ch.cause != "" {
		hs = append(hs, header{"Hangup-Cause", ch.cause})
	}
	hs = append(hs,
		header{"Channel-Read-Codec-Name", "L16"}, header{"Channel-Read-Codec-Rate", "8000"},
		header{"Channel-Read-Codec-Bit-Rate", "128000"}, header{"Channel-Write-Codec-Name", "L16"},
		header{"Channel-Write-Codec-Rate", "8000"}, header{"Channel-Write-Codec-Bit-Rate", "128000"})
	hs = append(hs, ch.profileHeaders("Caller-", true)...)
	if ch.other != nil {
		// The leg that originated the other calls it its originatee; the
		// originated B leg (whose call uuid is the A leg) its originator.
		typ := "originatee"
		if ch.callUUID != ch.uuid {
			typ = "originator"
		}
		hs = append(hs, header{"Other-Type", typ})
		hs = append(hs, ch.other.profileHeaders("Other-Leg-", false)...)
	}
	return hs
}

// profileHeaders is switch_caller_profile_event_set_data.
func (ch *channel) profileHeaders(p string, full bool) []header {
	us := func(v int64) string { return strconv.FormatInt(v, 10) }
	hs := []header{
		{p + "Direction", ch.direction}, {p + "Logical-Direction", ch.direction},
		{p + "Dialplan", "xml"}, {p + "Caller-ID-Name", ch.caller.Name},
		{p + "Caller-ID-Number", ch.caller.Number}, {p + "Orig-Caller-ID-Name", ch.caller.Name},
		{p + "Orig-Caller-ID-Number", ch.caller.Number}, {p + "Callee-ID-Name", ch.callee.Name},
		{p + "Callee-ID-Number", ch.callee.Number}, {p + "ANI", ch.caller.Number},
		{p + "Destination-Number", ch.dest}, {p + "Unique-ID", ch.uuid},
		{p + "Source", ch.source}, {p + "Context", "default"}, {p + "Channel-Name", ch.name},
	}
	if full {
		hs = append(hs, header{p + "Profile-Index", "1"})
	}
	hs = append(hs,
		header{p + "Profile-Created-Time", us(ch.created)}, header{p + "Channel-Created-Time", us(ch.created)},
		header{p + "Channel-Answered-Time", us(ch.answered)}, header{p + "Channel-Progress-Time", "0"},
		header{p + "Channel-Progress-Media-Time", "0"}, header{p + "Channel-Hangup-Time", us(ch.hungup)},
		header{p + "Channel-Transfer-Time", "0"}, header{p + "Channel-Resurrect-Time", "0"},
		header{p + "Channel-Bridged-Time", us(ch.bridged)}, header{p + "Channel-Last-Hold", us(ch.lastHold)},
		header{p + "Channel-Hold-Accum", "0"}, header{p + "Screen-Bit", "true"},
		header{p + "Privacy-Hide-Name", "false"}, header{p + "Privacy-Hide-Number", "false"})
	return hs
}

// varHeaders is the variable_* block.
func (ch *channel) varHeaders() []header {
	hs := append([]header(nil), ch.vars...)
	if ch.app != "" {
		if ch.appData != "" {
			hs = append(hs, header{"variable_current_application_data", ch.appData})
		}
		hs = append(hs, header{"variable_current_application", ch.app})
	}
	if ch.bridgedTo != nil {
		hs = append(hs, header{"variable_bridge_uuid", ch.bridgedTo.uuid},
			header{"variable_signal_bond", ch.bridgedTo.uuid})
	}
	if ch.member != nil {
		hs = append(hs, header{"variable_conference_name", ch.member.conf.name},
			header{"variable_conference_member_id", strconv.Itoa(ch.member.id)})
	}
	if ch.cause != "" {
		hs = append(hs, header{"variable_hangup_cause", ch.cause},
			header{"variable_hangup_cause_q850", q850(ch.cause)})
	}
	if ch.hungup != 0 {
		billsec := 0
		if ch.answered != 0 {
			billsec = int((ch.hungup - ch.answered) / 1e6)
		}
		hs = append(hs,
			header{"variable_start_epoch", strconv.FormatInt(ch.created/1e6, 10)},
			header{"variable_answer_epoch", strconv.FormatInt(ch.answered/1e6, 10)},
			header{"variable_end_epoch", strconv.FormatInt(ch.hungup/1e6, 10)},
			header{"variable_last_app", ch.lastApp},
			header{"variable_caller_id", fmt.Sprintf("%q <%s>", ch.caller.Name, ch.caller.Number)},
			header{"variable_duration", strconv.Itoa(int((ch.hungup - ch.created) / 1e6))},
			header{"variable_billsec", strconv.Itoa(billsec)})
	}
	return hs
}

func q850(cause string) string {
	switch cause {
	case "NORMAL_CLEARING":
		return "16"
	case "USER_BUSY":
		return "17"
	case "NO_ANSWER":
		return "19"
	case "CALL_REJECTED":
		return "21"
	case "ORIGINATOR_CANCEL":
		return "487"
	case "MANAGER_REQUEST":
		return "16"
	}
	return "16"
}

// channelEvent builds an event carrying the channel block and, when vars is
// set, the variable_* block. Caller holds s.mu.
func (s *Server) channelEvent(ch *channel, name, file, fn string, line int, vars bool, pre ...header) *event {
	e := s.newEvent(name, "", file, fn, line)
	e.addAll(pre)
	e.addAll(ch.channelHeaders())
	if vars {
		e.addAll(ch.varHeaders())
	}
	return e
}

func withTail(e *event, t tail) *event {
	e.addAll(t)
	return e
}

func (s *Server) setState(ch *channel, state string, num int) {
	ch.state, ch.stateNum = state, num
	s.fire(s.channelEvent(ch, "CHANNEL_STATE", "switch_core_state_machine.c", "switch_core_session_run", 628, false))
}

// callStateNumber is switch_channel_callstate_t.
var callStateNumber = map[string]int{"DOWN": 0, "DIALING": 1, "RINGING": 2, "EARLY": 3, "ACTIVE": 4, "HELD": 5, "RING_WAIT": 6, "HANGUP": 7}

func (s *Server) setCallState(ch *channel, cs string) {
	old := ch.callState
	ch.callState = cs
	s.fire(s.channelEvent(ch, "CHANNEL_CALLSTATE", "switch_channel.c", "switch_channel_perform_set_callstate", 301, false,
		header{"Original-Channel-Call-State", old}, header{"Channel-Call-State-Number", strconv.Itoa(callStateNumber[cs])}))
}

// AddChannel creates a ringing channel (CHANNEL_CREATE, CHANNEL_CALLSTATE
// RINGING) and returns its uuid.
func (s *Server) AddChannel(spec ChannelSpec) string {
	ch := &channel{uuid: spec.UUID, name: spec.Name, direction: spec.Direction,
		caller: spec.Caller, callee: spec.Callee, dest: spec.Destination}
	if ch.uuid == "" {
		ch.uuid = newUUID()
	}
	ch.callUUID = ch.uuid
	if spec.OtherLeg != "" {
		ch.callUUID = spec.OtherLeg // a B leg names the leg that originated it
	}
	if ch.direction == "" {
		ch.direction = "inbound"
	}
	if ch.name == "" {
		ch.name = "sofia/internal/" + ch.caller.Number + "@127.0.0.1"
	}
	ch.source = "mod_sofia"
	if strings.HasPrefix(ch.name, "loopback/") {
		ch.source = "mod_loopback"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addChannelLocked(ch, spec)
}

// addChannelLocked is AddChannel's state change. Caller holds s.mu.
func (s *Server) addChannelLocked(ch *channel, spec ChannelSpec) string {
	s.sessions++
	ch.sessionID = s.sessions
	ch.created = nowMicro()
	ch.state, ch.stateNum, ch.callState, ch.answerState = "CS_INIT", 1, "DOWN", "ringing"
	if other, ok := s.channels[spec.OtherLeg]; ok && spec.OtherLeg != "" {
		ch.other = other
		if other.other == nil {
			other.other = ch
		}
	}
	ch.vars = []header{
		{"variable_direction", ch.direction}, {"variable_uuid", ch.uuid},
		{"variable_call_uuid", ch.callUUID}, {"variable_session_id", strconv.Itoa(ch.sessionID)},
		{"variable_channel_name", ch.name}, {"variable_read_codec", "L16"},
		{"variable_read_rate", "8000"}, {"variable_write_codec", "L16"}, {"variable_write_rate", "8000"},
	}
	if spec.OtherLeg != "" {
		ch.vars = append(ch.vars, header{"variable_originating_leg_uuid", spec.OtherLeg})
	}
	keys := make([]string, 0, len(spec.Variables))
	for k := range spec.Variables {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ch.vars = append(ch.vars, header{"variable_" + k, spec.Variables[k]})
	}
	s.channels[ch.uuid] = ch
	s.setState(ch, "CS_INIT", 1)
	ch.stateNum = 2
	s.fire(s.channelEvent(ch, "CHANNEL_CREATE", "switch_core_state_machine.c", "switch_core_session_run", 626, true))
	ch.state = "CS_ROUTING"
	s.setCallState(ch, "RINGING")
	s.setState(ch, "CS_ROUTING", 2)
	return ch.uuid
}

func (s *Server) lookup(uuid string) (*channel, error) {
	ch, ok := s.channels[uuid]
	if !ok {
		return nil, fmt.Errorf("channel %s: %w", uuid, ErrNoSuchChannel)
	}
	return ch, nil
}

// Answer answers a channel: CHANNEL_ANSWER then CHANNEL_CALLSTATE ACTIVE.
func (s *Server) Answer(uuid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.lookup(uuid)
	if err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	s.answerLocked(ch)
	return nil
}

func (s *Server) answerLocked(ch *channel) {
	if ch.answered != 0 {
		return
	}
	s.setState(ch, "CS_EXECUTE", 4)
	ch.answered = nowMicro()
	ch.answerState = "answered"
	s.fire(s.channelEvent(ch, "CHANNEL_ANSWER", "switch_channel.c", "switch_channel_perform_mark_answered", 3846, true))
	s.setCallState(ch, "ACTIVE")
}

// Bridge bridges two channels: CHANNEL_BRIDGE on a.
func (s *Server) Bridge(a, b string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ca, err := s.lookup(a)
	if err != nil {
		return fmt.Errorf("bridge %s to %s: %w", a, b, err)
	}
	cb, err := s.lookup(b)
	if err != nil {
		return fmt.Errorf("bridge %s to %s: %w", a, b, err)
	}
	s.bridgeLocked(ca, cb)
	return nil
}

func (s *Server) bridgeLocked(ca, cb *channel) {
	now := nowMicro()
	ca.bridgedTo, cb.bridgedTo, ca.bridged, cb.bridged = cb, ca, now, now
	if ca.other == nil {
		ca.other = cb
	}
	if cb.other == nil {
		cb.other = ca
	}
	e := s.newEvent("CHANNEL_BRIDGE", "", "switch_ivr_bridge.c", "switch_ivr_multi_threaded_bridge", 1689)
	e.add("Bridge-A-Unique-ID", ca.uuid)
	e.add("Bridge-B-Unique-ID", cb.uuid)
	e.addAll(ca.channelHeaders())
	e.addAll(ca.varHeaders())
	s.fire(e)
}

// Hangup hangs a channel up with cause (default NORMAL_CLEARING), in the
// order real FreeSWITCH reports it: CHANNEL_HANGUP, del-member (with
// Hangup-Cause) when in a conference, CHANNEL_EXECUTE_COMPLETE,
// CHANNEL_CALLSTATE HANGUP, CHANNEL_HANGUP_COMPLETE, CHANNEL_DESTROY.
func (s *Server) Hangup(uuid, cause string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.lookup(uuid)
	if err != nil {
		return fmt.Errorf("hangup: %w", err)
	}
	s.hangupLocked(ch, cause)
	return nil
}

func (s *Server) hangupLocked(ch *channel, cause string) {
	if ch.gone {
		return
	}
	if cause == "" {
		cause = "NORMAL_CLEARING"
	}
	ch.gone = true
	if ch.sip != nil {
		ch.sip.end() // its goroutine sends the BYE, outside s.mu
	}
	ch.cause, ch.answerState, ch.stateNum, ch.hungup = cause, "hangup", 10, nowMicro()
	s.fire(s.channelEvent(ch, "CHANNEL_HANGUP", "switch_channel.c", "switch_channel_perform_hangup", 3445, true))
	s.ccHangup(ch) // its queue call ends (ccqueue.go)
	if ch.member != nil {
		s.removeMember(ch.member, true)
	}
	if ch.app != "" {
		if ch.app == "playback" {
			s.fire(withTail(s.channelEvent(ch, "PLAYBACK_STOP", "switch_ivr_play_say.c", "switch_ivr_play_file", 2020, true),
				tail{header{"Playback-File-Path", ch.appData}, header{"Playback-Status", "break"}}))
		}
		s.fire(withTail(s.channelEvent(ch, "CHANNEL_EXECUTE_COMPLETE", "switch_core_session.c", "switch_core_session_exec", 2967, true),
			tail{header{"Application", ch.app}, header{"Application-Data", ch.appData}, header{"Application-Response", "_none_"}}))
		ch.lastApp = ch.app
	}
	partner := ch.bridgedTo
	if partner != nil {
		ch.bridgedTo, partner.bridgedTo = nil, nil
	}
	ch.state = "CS_HANGUP"
	s.setState(ch, "CS_HANGUP", 10)
	s.setCallState(ch, "HANGUP")
	s.setState(ch, "CS_REPORTING", 11)
	s.fire(s.channelEvent(ch, "CHANNEL_HANGUP_COMPLETE", "switch_core_state_machine.c", "switch_core_session_reporting_state", 943, true,
		header{"Hangup-Cause", cause}))
	ch.stateNum = 12
	s.fire(s.channelEvent(ch, "CHANNEL_DESTROY", "switch_core_session.c", "switch_core_session_perform_destroy", 1584, true))
	s.setState(ch, "CS_DESTROY", 12)
	delete(s.channels, ch.uuid)
	// The bridge app's B leg and the leg that ran bridge end together (the
	// default hangup_after_bridge of a dialplan bridge); unrelated legs that
	// were merely bridged keep going.
	if partner != nil && (partner.callUUID == ch.uuid || ch.callUUID == partner.uuid) {
		s.hangupLocked(partner, cause)
	}
	s.endEavesdropsOn(ch)
}

// Execute runs a dialplan application on a channel: CHANNEL_EXECUTE, for
// playback-like apps PLAYBACK_START/STOP, then CHANNEL_EXECUTE_COMPLETE.
// "park" keeps running (no completion) until hangup or another Execute.
func (s *Server) Execute(uuid, app, arg string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.lookup(uuid)
	if err != nil {
		return fmt.Errorf("execute %s on %s: %w", app, uuid, err)
	}
	s.executeLocked(ch, app, arg)
	return nil
}

func (s *Server) executeLocked(ch *channel, app, arg string) {
	if ch.app == "park" {
		s.fire(s.channelEvent(ch, "CHANNEL_UNPARK", "switch_ivr.c", "switch_ivr_park", 1213, true))
		s.completeApp(ch)
	}
	appUUID := newUUID()
	ch.app, ch.appData = app, arg
	s.fire(withTail(s.channelEvent(ch, "CHANNEL_EXECUTE", "switch_core_session.c", "switch_core_session_exec", 2944, true), tail{header{"Application", app}, header{"Application-Data", arg}, header{"Application-UUID", appUUID}}))
	switch app {
	case "park":
		s.fire(s.channelEvent(ch, "CHANNEL_PARK", "switch_ivr.c", "switch_ivr_park", 1002, true))
		return
	case "playback", "speak":
		typ, path := playbackFile(app, arg)
		s.fire(withTail(s.channelEvent(ch, "PLAYBACK_START", "switch_ivr_play_say.c", "switch_ivr_play_file", 1646, true), tail{header{"Playback-File-Type", typ}, header{"Playback-File-Path", path}}))
		s.fire(withTail(s.channelEvent(ch, "PLAYBACK_STOP", "switch_ivr_play_say.c", "switch_ivr_play_file", 2020, true), tail{header{"Playback-File-Path", path}, header{"Playback-Status", "done"}}))
	}
	s.fire(withTail(s.channelEvent(ch, "CHANNEL_EXECUTE_COMPLETE", "switch_core_session.c", "switch_core_session_exec", 2967, true), tail{header{"Application", app}, header{"Application-Data", arg}, header{"Application-Response", "FILE PLAYED"}, header{"Application-UUID", appUUID}}))
	s.completeApp(ch)
}

func (s *Server) completeApp(ch *channel) { ch.lastApp, ch.app, ch.appData = ch.app, "", "" }

// tail marks headers that go after the variable block.
type tail []header

func playbackFile(app, arg string) (typ, path string) {
	if app == "speak" {
		return "say", "say:" + arg
	}
	if i := strings.Index(arg, "://"); i > 0 {
		return arg[:i], arg
	}
	return "native", arg
}
