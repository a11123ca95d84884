package eslfake

import (
	"fmt"
	"strings"
)

// Hold as FreeSWITCH 1.10.12 does it (call-control traces, hold-transfer):
//
//   - a SIP leg (sofia/...) gets CHANNEL_CALLSTATE HELD then CHANNEL_HOLD, and
//     its bridged partner hears music (CHANNEL_EXECUTE playback
//     local_stream://moh, PLAYBACK_START); unhold is CHANNEL_CALLSTATE
//     UNHELD, CHANNEL_CALLSTATE ACTIVE, PLAYBACK_STOP on the partner, then
//     CHANNEL_UNHOLD. Holding a held leg (or unholding an active one) fails.
//   - any other leg (loopback) fires CHANNEL_HOLD with its callstate still
//     ACTIVE, the partner hears music, and it can never be unheld:
//     uuid_hold off answers -ERR Operation failed, toggle holds again.
//   - an unknown uuid answers +OK Success (sic) and nothing happens.

const holdMusic = "local_stream://moh"

// Hold puts a channel on hold (held) or takes it off, as a phone or
// uuid_hold would. It returns the uuid_hold reply text.
func (s *Server) Hold(uuid string, held bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.lookup(uuid)
	if err != nil {
		return "", fmt.Errorf("hold: %w", err)
	}
	return s.holdLocked(ch, held), nil
}

// holdAPI is "uuid_hold [off|toggle] <uuid>". Caller holds s.mu.
func (s *Server) holdAPI(arg string) string {
	f := strings.Fields(arg)
	if len(f) == 0 {
		return "-USAGE: [off|toggle] <uuid> [<display>]\n"
	}
	mode := ""
	if f[0] == "off" || f[0] == "toggle" {
		mode, f = f[0], f[1:]
	}
	if len(f) == 0 {
		return "-USAGE: [off|toggle] <uuid> [<display>]\n"
	}
	ch := s.channels[f[0]]
	if ch == nil {
		return "+OK Success\n"
	}
	held := true
	switch mode {
	case "off":
		held = false
	case "toggle":
		held = ch.callState != "HELD"
	}
	return s.holdLocked(ch, held)
}

func (s *Server) holdLocked(ch *channel, held bool) string {
	sip := strings.HasPrefix(ch.name, "sofia/")
	switch {
	case !sip && !held:
		return "-ERR Operation failed\n" // a loopback leg is never unheld
	case sip && held == (ch.callState == "HELD"):
		return "-ERR Operation failed\n"
	}
	partner := ch.bridgedTo
	if held {
		if sip {
			s.setCallState(ch, "HELD")
			ch.lastHold = nowMicro()
		}
		s.fire(s.channelEvent(ch, "CHANNEL_HOLD", "switch_ivr.c", "switch_ivr_hold", 1558, true))
		if partner != nil && partner.app != "playback" {
			partner.app, partner.appData = "playback", holdMusic
			s.fire(withTail(s.channelEvent(partner, "CHANNEL_EXECUTE", "switch_core_session.c", "switch_core_session_exec", 2944, true),
				tail{header{"Application", "playback"}, header{"Application-Data", holdMusic}, header{"Application-UUID", newUUID()}}))
			s.fire(withTail(s.channelEvent(partner, "PLAYBACK_START", "switch_ivr_play_say.c", "switch_ivr_play_file", 1646, true),
				tail{header{"Playback-File-Type", "local_stream"}, header{"Playback-File-Path", holdMusic}}))
		}
		return "+OK Success\n"
	}
	s.setCallState(ch, "UNHELD")
	s.setCallState(ch, "ACTIVE")
	if partner != nil && partner.app == "playback" && partner.appData == holdMusic {
		s.fire(withTail(s.channelEvent(partner, "PLAYBACK_STOP", "switch_ivr_play_say.c", "switch_ivr_play_file", 2020, true),
			tail{header{"Playback-File-Path", holdMusic}, header{"Playback-Status", "break"}}))
		s.completeApp(partner)
	}
	s.fire(s.channelEvent(ch, "CHANNEL_UNHOLD", "switch_ivr.c", "switch_ivr_unhold", 1638, true))
	return "+OK Success\n"
}
