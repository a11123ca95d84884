package eslfake

import (
	"strings"
)

// Call control as FreeSWITCH 1.10.12 answers it (call-control capture:
// originate, hold-transfer, eavesdrop):
//
//   - originate {vars}<dial string> &bridge(<dial string>) | &eavesdrop(<uuid>) |
//     &park() | <exten> XML <context>: the {vars} block is split on spaces
//     first, so a bare space inside it fails with -ERR DESTINATION_OUT_OF_ORDER
//     and no channel; single-quoted values may hold spaces. An endpoint set
//     with SetEndpoint to a cause fails with "-ERR <cause>" (no channel for
//     USER_NOT_REGISTERED, SUBSCRIBER_ABSENT, USER_BUSY; a ringing channel
//     hung up with NO_ANSWER for NO_ANSWER). Success is "+OK <uuid>" where
//     uuid is origination_uuid when given.
//   - uuid_transfer <uuid> [-bleg|-both] <exten> XML <context>: +OK; the
//     moved leg(s) leave the bridge (CHANNEL_UNBRIDGE) and run the extension;
//     the default moves the leg and hangs up its partner, -bleg moves the
//     partner and hangs up the leg.
//   - uuid_recv_dtmf <uuid> <digits>: +OK <uuid> received DTMF <digits>. and
//     a DTMF event per digit on that channel; '*' ends an eavesdrop.
//   - &eavesdrop(<uuid>): CHANNEL_EXECUTE eavesdrop on the eavesdropper and
//     MEDIA_BUG_START on the target; an unknown target hangs the
//     eavesdropper up at once (NORMAL_CLEARING) after +OK.

// SetEndpoint makes originate to dialString fail with cause ("" = answer).
func (s *Server) SetEndpoint(dialString, cause string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.endpoints == nil {
		s.endpoints = map[string]string{}
	}
	s.endpoints[dialString] = cause
}

// splitQuoted splits on sep outside single quotes.
func splitQuoted(s string, sep byte) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'':
			quoted = !quoted
		case s[i] == sep && !quoted:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// originate runs "originate ..." and returns its reply. Caller holds s.mu.
func (s *Server) originate(arg string) string {
	words := splitQuoted(strings.TrimSpace(arg), ' ')
	if len(words) < 2 {
		return "-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]\n"
	}
	url := words[0]
	vars := map[string]string{}
	if strings.HasPrefix(url, "{") {
		end := strings.Index(url, "}")
		if end < 0 {
			return "-ERR DESTINATION_OUT_OF_ORDER\n" // the block was cut at a bare space
		}
		for _, kv := range splitQuoted(url[1:end], ',') {
			k, v, _ := strings.Cut(kv, "=")
			vars[k] = strings.Trim(v, "'")
		}
		url = url[end+1:]
	}
	if url == "error/user_busy" {
		return "-ERR USER_BUSY\n"
	}
	if !strings.HasPrefix(url, "user/") && !strings.HasPrefix(url, "sofia/") && !strings.HasPrefix(url, "loopback/") {
		return "-ERR NO_ROUTE_DESTINATION\n"
	}
	id := vars["origination_uuid"]
	cause := s.endpoints[url]
	switch cause {
	case "":
	case "NO_ANSWER", "ALLOTTED_TIMEOUT":
		ch := s.newOriginated(id, url, vars)
		s.hangupLocked(ch, cause)
		return "-ERR " + cause + "\n"
	default:
		return "-ERR " + cause + "\n"
	}
	ch := s.newOriginated(id, url, vars)
	s.answerLocked(ch)
	app := words[1]
	switch {
	case strings.HasPrefix(app, "&bridge(") && strings.HasSuffix(app, ")"):
		target := strings.TrimSuffix(strings.TrimPrefix(app, "&bridge("), ")")
		ch.app, ch.appData = "bridge", target
		s.fire(withTail(s.channelEvent(ch, "CHANNEL_EXECUTE", "switch_core_session.c", "switch_core_session_exec", 2944, true),
			tail{header{"Application", "bridge"}, header{"Application-Data", target}, header{"Application-UUID", newUUID()}}))
		if c := s.endpoints[target]; c != "" {
			s.hangupLocked(ch, c)
			break
		}
		b := &channel{uuid: newUUID(), callUUID: ch.uuid, name: dialName(target), direction: "outbound", caller: ch.caller,
			callee: Party{Number: dialUser(target)}, dest: dialUser(target), source: "mod_sofia"}
		s.addChannelLocked(b, ChannelSpec{OtherLeg: ch.uuid})
		s.answerLocked(b)
		s.bridgeLocked(ch, b)
	case strings.HasPrefix(app, "&eavesdrop(") && strings.HasSuffix(app, ")"):
		target := strings.TrimSuffix(strings.TrimPrefix(app, "&eavesdrop("), ")")
		ch.app, ch.appData = "eavesdrop", target
		s.fire(withTail(s.channelEvent(ch, "CHANNEL_EXECUTE", "switch_core_session.c", "switch_core_session_exec", 2944, true),
			tail{header{"Application", "eavesdrop"}, header{"Application-Data", target}, header{"Application-UUID", newUUID()}}))
		t := s.channels[target]
		if t == nil {
			s.hangupLocked(ch, "NORMAL_CLEARING")
			break
		}
		s.mediaBug(t, "MEDIA_BUG_START")
	default: // &park() or <exten> XML <context>
		s.executeLocked(ch, "park", "")
	}
	return "+OK " + ch.uuid + "\n"
}

// newOriginated creates the originated leg (ringing), its variables from the
// originate's {...} block. Caller holds s.mu.
func (s *Server) newOriginated(id, url string, vars map[string]string) *channel {
	caller := Party{Name: vars["origination_caller_id_name"], Number: vars["origination_caller_id_number"]}
	ch := &channel{uuid: id, name: dialName(url), direction: "outbound", caller: caller,
		callee: Party{Name: "Outbound Call", Number: dialUser(url)}, dest: dialUser(url), source: "mod_sofia"}
	if ch.uuid == "" {
		ch.uuid = newUUID()
	}
	ch.callUUID = ch.uuid
	extra := map[string]string{}
	for k, v := range vars {
		if !strings.HasPrefix(k, "origination_") {
			extra[k] = v
		}
	}
	s.addChannelLocked(ch, ChannelSpec{Variables: extra})
	return ch
}

// dialName is the channel name a dial string gets: user/1001 rings the
// registered phone, sofia/internal/1001@127.0.0.1.
func dialName(url string) string {
	if u, ok := strings.CutPrefix(url, "user/"); ok {
		return "sofia/internal/" + u + "@127.0.0.1"
	}
	return url
}

func dialUser(url string) string {
	u := url[strings.LastIndex(url, "/")+1:]
	u, _, _ = strings.Cut(u, "@")
	return u
}

// mediaBug fires MEDIA_BUG_START/STOP of an eavesdrop on the target.
func (s *Server) mediaBug(t *channel, name string) {
	s.fire(withTail(s.channelEvent(t, name, "switch_core_media_bug.c", "switch_core_media_bug_add", 1013, true),
		tail{header{"Media-Bug-Function", "eavesdrop"}, header{"Media-Bug-Target", t.uuid}}))
}

// endEavesdropsOn hangs up the eavesdroppers of a channel that went away:
// their eavesdrop ends and they have nothing left to run.
func (s *Server) endEavesdropsOn(t *channel) {
	for _, ch := range s.sortedChannels() {
		if ch.app == "eavesdrop" && ch.appData == t.uuid {
			s.hangupLocked(ch, "NORMAL_CLEARING")
		}
	}
}

// transfer is uuid_transfer. Caller holds s.mu.
func (s *Server) transfer(arg string) string {
	const usage = "-USAGE: <uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]\n"
	f := strings.Fields(arg)
	if len(f) < 2 {
		return usage
	}
	ch := s.channels[f[0]]
	if ch == nil {
		return "-ERR No such channel!\n"
	}
	mode := ""
	if f[1] == "-bleg" || f[1] == "-both" {
		mode, f = f[1], append(f[:1], f[2:]...)
	}
	if len(f) < 2 {
		return usage
	}
	dest := f[1]
	partner := ch.bridgedTo
	if partner != nil {
		e := s.newEvent("CHANNEL_UNBRIDGE", "", "switch_ivr_bridge.c", "switch_ivr_multi_threaded_bridge", 1780)
		e.add("Bridge-A-Unique-ID", ch.uuid)
		e.add("Bridge-B-Unique-ID", partner.uuid)
		e.addAll(ch.channelHeaders())
		e.addAll(ch.varHeaders())
		s.fire(e)
		ch.bridgedTo, partner.bridgedTo = nil, nil
	}
	run := func(c *channel) {
		c.dest = dest
		s.executeLocked(c, "park", "")
	}
	switch {
	case mode == "-bleg" && partner != nil:
		run(partner)
		s.hangupLocked(ch, "NORMAL_CLEARING")
	case mode == "-both" && partner != nil:
		run(ch)
		run(partner)
	default:
		if partner != nil {
			s.hangupLocked(partner, "NORMAL_CLEARING")
		}
		run(ch)
	}
	return "+OK\n"
}

// recvDTMF is uuid_recv_dtmf. Caller holds s.mu.
func (s *Server) recvDTMF(arg string) string {
	f := strings.Fields(arg)
	if len(f) < 2 {
		return "-USAGE: <uuid> <dtmf_data>\n"
	}
	ch := s.channels[f[0]]
	if ch == nil {
		return "-ERR Cannot locate session!\n"
	}
	for _, d := range f[1] {
		s.fire(withTail(s.channelEvent(ch, "DTMF", "switch_channel.c", "switch_channel_dequeue_dtmf", 536, true),
			tail{header{"DTMF-Digit", string(d)}, header{"DTMF-Duration", "2000"}, header{"DTMF-Source", "APP"}}))
		if d == '*' && ch.app == "eavesdrop" {
			if t := s.channels[ch.appData]; t != nil {
				s.mediaBug(t, "MEDIA_BUG_STOP")
			}
			s.hangupLocked(ch, "NORMAL_CLEARING")
			break
		}
	}
	return "+OK " + ch.uuid + " received DTMF " + f[1] + ".\n"
}
