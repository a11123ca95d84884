package eslfake

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

const versionText = "FreeSWITCH Version 1.10.12-release+git~20240802T210227Z~a88d069d6f~64bit (git a88d069 2024-08-02 21:02:27Z 64bit)\n"

// API runs one api command line (as after "api ") and returns the reply
// body, firing the API event and any state-change events.
func (s *Server) API(line string) string {
	cmd, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
	arg = strings.TrimSpace(arg)
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.newEvent("API", "", "switch_loadable_module.c", "switch_api_execute", 2954)
	e.add("API-Command", cmd)
	if arg != "" {
		e.add("API-Command-Argument", arg)
	}
	s.fire(e)
	if d, ok := parseSIPDial(arg); ok && cmd == "originate" {
		// A real SIP call takes round trips: never under s.mu.
		s.mu.Unlock()
		defer s.mu.Lock()
		return s.originateSIP(arg, d)
	}
	switch cmd {
	case "status":
		return s.statusText()
	case "version":
		return versionText
	case "show":
		return s.show(arg)
	case "conference":
		return s.conferenceAPI(arg)
	case "callcenter_config":
		return s.callcenterAPI(arg)
	case "uuid_kill":
		uuid, cause, _ := strings.Cut(arg, " ")
		ch := s.channels[uuid]
		if ch == nil {
			return "-ERR No such channel!\n"
		}
		s.hangupLocked(ch, strings.TrimSpace(cause))
		return "+OK\n"
	case "uuid_dump":
		return s.dump(arg)
	case "uuid_hold":
		return s.holdAPI(arg)
	case "uuid_broadcast":
		f := strings.Fields(arg)
		if len(f) < 2 {
			return "-USAGE: <uuid> <path> [aleg|bleg|holdb|both]\n"
		}
		ch := s.channels[f[0]]
		if ch == nil {
			return "-ERR invalid uuid\n"
		}
		s.broadcast(ch, f[1])
		return "+OK Message sent\n"
	case "hupall":
		cause := arg
		if f := strings.Fields(arg); len(f) > 0 {
			cause = f[0]
		} else {
			cause = "MANAGER_REQUEST"
		}
		chs := make([]*channel, 0, len(s.channels))
		for _, ch := range s.channels {
			chs = append(chs, ch)
		}
		sort.Slice(chs, func(i, j int) bool { return chs[i].sessionID < chs[j].sessionID })
		for _, ch := range chs {
			s.hangupLocked(ch, cause)
		}
		return "+OK hangup all channels with cause " + cause + "\n"
	case "originate":
		return s.originate(arg)
	case "uuid_transfer":
		return s.transfer(arg)
	case "uuid_recv_dtmf":
		return s.recvDTMF(arg)
	}
	return "-ERR " + cmd + " Command not found!\n"
}

func (s *Server) statusText() string {
	return "UP 0 years, 0 days, 0 hours, 0 minutes, 10 seconds, 0 milliseconds, 0 microseconds\n" +
		"FreeSWITCH (Version 1.10.12-release git a88d069 2024-08-02 21:02:27Z 64bit) is ready\n" +
		fmt.Sprintf("%d session(s) since startup\n", s.sessions) +
		fmt.Sprintf("%d session(s) - peak %d, last 5min %d \n", len(s.channels), len(s.channels), len(s.channels)) +
		"0 session(s) per Sec out of max 30, peak 0, last 5min 0 \n1000 session(s) max\nmin idle cpu 0.00/99.43\nCurrent Stack Size/Max 240K/8192K\n"
}

// broadcast is uuid_broadcast: a PRIVATE_COMMAND, then the playback runs on
// the channel and its previous application resumes.
func (s *Server) broadcast(ch *channel, path string) {
	e := s.newEvent("COMMAND", "", "switch_ivr_async.c", "switch_ivr_broadcast", 5731)
	e.add("call-command", "execute")
	e.add("execute-app-name", "playback")
	e.add("execute-app-arg", path)
	e.add("event-lock", "true")
	e.add("lead-frames", "5")
	e.add("Event-Name", "PRIVATE_COMMAND")
	s.addCore(e, "switch_ivr.c", "switch_ivr_parse_next_event", 804)
	e.addAll(ch.channelHeaders())
	s.fireAs(e, "PRIVATE_COMMAND", "")
	app, data := ch.app, ch.appData
	s.executeLocked(ch, "playback", path)
	ch.app, ch.appData = app, data
}

// sendEvent handles "sendevent NAME" with the rules observed on 1.10.12:
// an event naming a live session is queued to it; a conference member or a
// channel in playback drops it, a parked or idle channel re-fires it with
// its channel data and no core headers. Otherwise it fires like the core.
func (s *Server) sendEvent(arg string, hdrs []header, body []byte) string {
	name := strings.ToUpper(strings.TrimSpace(arg))
	if name == "" {
		name = "MESSAGE"
	}
	id := newUUID()
	var sub, uuid string
	for _, h := range hdrs {
		switch h.name {
		case "Event-Subclass":
			sub = h.value
		case "Unique-ID":
			uuid = h.value
		}
	}
	e := &event{body: body}
	if sub != "" {
		e.add("Event-Subclass", sub)
	}
	e.add("Command", "sendevent "+arg)
	for _, h := range hdrs {
		if h.name != "Event-Subclass" {
			e.add(h.name, h.value)
		}
	}
	e.add("Event-UUID", id)
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch := s.channels[uuid]; uuid != "" && ch != nil {
		if ch.member != nil || ch.app == "playback" || ch.app == "conference" {
			return id
		}
		e.addAll(ch.channelHeaders())
		e.addAll(ch.varHeaders())
		s.fireAs(e, name, sub)
		return id
	}
	e.add("Event-Name", name)
	s.addCore(e, "mod_event_socket.c", "parse_command", 2275)
	s.fireAs(e, name, sub)
	return id
}

// FireSTT fires a transcription event the way an STT module does from
// inside FreeSWITCH: CUSTOM subclass, the channel's data, the vendor header
// and the JSON body.
func (s *Server) FireSTT(uuid, subclass, vendor string, body []byte) error {
	var extra [][2]string
	if vendor != "" {
		extra = append(extra, [2]string{"transcription-vendor", vendor})
	}
	return s.FireCustom(uuid, subclass, extra, body)
}

// FireCustom fires a CUSTOM event with the channel's data, extra headers
// after it and a body, the way a module or a callbot's Lua/ESL code does with
// switch_event_fire (as stt_emit.lua in the traces).
func (s *Server) FireCustom(uuid, subclass string, extra [][2]string, body []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.lookup(uuid)
	if err != nil {
		return fmt.Errorf("fire %s: %w", subclass, err)
	}
	e := s.newEvent("CUSTOM", subclass, "switch_cpp.cpp", "Event", 315)
	e.addAll(ch.channelHeaders())
	e.addAll(ch.varHeaders())
	for _, h := range extra {
		e.add(h[0], h[1])
	}
	e.body = append([]byte(nil), body...)
	s.fire(e)
	return nil
}

func (s *Server) sortedChannels() []*channel {
	chs := make([]*channel, 0, len(s.channels))
	for _, ch := range s.channels {
		chs = append(chs, ch)
	}
	sort.Slice(chs, func(i, j int) bool { return chs[i].sessionID < chs[j].sessionID })
	return chs
}

func created(ch *channel) (string, string) {
	t := time.UnixMicro(ch.created)
	return t.Format("2006-01-02 15:04:05"), fmt.Sprint(t.Unix())
}
