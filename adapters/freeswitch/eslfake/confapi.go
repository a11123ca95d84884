package eslfake

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

var memberUsage = map[string]string{
	"mute":   "mute <[member_id|all]|last|non_moderator> [<quiet>]\n",
	"tmute":  "tmute <[member_id|all]|last|non_moderator> [<quiet>]\n",
	"unmute": "unmute <[member_id|all]|last|non_moderator> [<quiet>]\n",
	"deaf":   "deaf <[member_id|all]|last|non_moderator>\n",
	"undeaf": "undeaf <[member_id|all]|last|non_moderator>\n",
	"kick":   "kick <[member_id|all|last|non_moderator]> [<optional sound file>]\n",
	"hup":    "hup <[member_id|all|last|non_moderator]>\n",
}

// conferenceAPI implements the "conference" api command. Caller holds s.mu.
func (s *Server) conferenceAPI(arg string) string {
	f := strings.Fields(arg)
	if len(f) == 0 {
		return "-ERR usage: conference <name> <command> [args]\n"
	}
	switch f[0] {
	case "list":
		if len(s.confs) == 0 {
			return "+OK No active conferences.\n"
		}
		var b strings.Builder
		for _, c := range s.sortedConfs() {
			flags := "running|answered|enforce_min|dynamic|exit_sound|enter_sound|json_status"
			if c.locked {
				flags += "|locked"
			}
			fmt.Fprintf(&b, "+OK Conference %s (%d members rate: 8000 flags: %s)\n", c.name, len(c.members), flags)
			b.WriteString(c.listText())
		}
		return b.String()
	case "json_list":
		return s.jsonList(s.sortedConfs())
	}
	c := s.confs[f[0]]
	if c == nil {
		return "-ERR Conference " + f[0] + " not found\n"
	}
	if len(f) < 2 {
		return "-ERR usage: conference <name> <command> [args]\n"
	}
	switch sub := f[1]; sub {
	case "list":
		if len(f) > 2 && f[2] == "count" {
			return strconv.Itoa(len(c.members))
		}
		return c.listText()
	case "json_list":
		return s.jsonList([]*conference{c})
	case "lock", "unlock":
		c.locked = sub == "lock"
		line := map[string]int{"lock": 3474, "unlock": 3496}[sub]
		s.confAction(c, sub, "conference_api_sub_"+sub, line)
		return "+OK " + c.name + " " + sub + "ed\n"
	case "play":
		if len(f) < 3 {
			return "-ERR (play) no file specified\n"
		}
		file := f[2]
		if len(f) > 3 {
			id, err := strconv.Atoi(f[3])
			m := c.member(id)
			if err != nil || m == nil {
				return "Member: " + f[3] + " not found.\n"
			}
			e := s.confEvent(c, "conference_api.c", "conference_api_sub_play", 2846)
			e.addAll(m.memberHeaders())
			e.add("Action", "play-file-member")
			e.add("File", file)
			s.fire(e)
			return "+OK (play) Playing file " + file + " to member " + f[3] + "\n"
		}
		e := s.confEvent(c, "conference_api.c", "conference_api_sub_play", 2817)
		e.add("Action", "play-file")
		e.add("File", file)
		e.add("Async", "false")
		s.fire(e)
		return "+OK (play) Playing file " + file + "\n"
	case "mute", "tmute", "unmute", "deaf", "undeaf", "kick", "hup":
		if len(f) < 3 {
			return memberUsage[sub]
		}
		var targets []*member
		switch f[2] {
		case "all":
			targets = c.newestFirst()
		case "last":
			if len(c.members) > 0 {
				targets = c.newestFirst()[:1]
			}
		default:
			id, err := strconv.Atoi(f[2])
			if err != nil {
				return memberUsage[sub]
			}
			m := c.member(id)
			if m == nil {
				return "-ERR Non-Existant ID " + f[2] + "\n"
			}
			targets = []*member{m}
		}
		var b strings.Builder
		for _, m := range targets {
			b.WriteString(s.memberCommand(sub, m))
		}
		return b.String()
	}
	return "-ERR Unsupported command " + f[1] + "\n"
}

// memberCommand applies one member command and returns its reply line.
func (s *Server) memberCommand(sub string, m *member) string {
	id := strconv.Itoa(m.id)
	if sub == "tmute" {
		sub = "mute"
		if m.muted {
			sub = "unmute"
		}
	}
	switch sub {
	case "mute":
		m.muted, m.talking, m.curEnergy = true, false, 0
		s.memberEvent(m, "mute-member", "conference_api.c", "conference_api_sub_mute", 339)
		s.memberPlayDone(m, "conference/conf-muted.wav")
		return "+OK mute " + id + "\n"
	case "unmute":
		m.muted = false
		s.memberEvent(m, "unmute-member", "conference_api.c", "conference_api_sub_unmute", 492)
		s.memberPlayDone(m, "conference/conf-unmuted.wav")
		return "+OK unmute " + id + "\n"
	case "deaf":
		m.deaf = true
		s.memberEvent(m, "deaf-member", "conference_api.c", "conference_api_sub_deaf", 806)
		return "+OK deaf " + id + "\n"
	case "undeaf":
		m.deaf = false
		s.memberEvent(m, "undeaf-member", "conference_api.c", "conference_api_sub_undeaf", 839)
		return "+OK undeaf " + id + "\n"
	case "kick", "hup":
		action, line, reply := "kick-member", 902, "+OK kicked "+id+"\n"
		if sub == "hup" {
			action, line, reply = "hup-member", 871, "+OK hup "+id+"\n"
		}
		s.memberEvent(m, action, "conference_api.c", "conference_api_sub_"+sub, line)
		s.removeMember(m, false)
		// The member's dialplan ends after the conference app, so the leg hangs up.
		s.hangupLocked(m.ch, "NORMAL_CLEARING")
		return reply
	}
	return ""
}

// memberPlayDone is the play-file-member-done event of a prompt played to a
// member (mute/unmute sounds), with its odd header order.
func (s *Server) memberPlayDone(m *member, file string) {
	e := s.confEvent(m.conf, "conference_file.c", "conference_file_close", 52)
	e.add("seconds", "1")
	e.add("milliseconds", "1200")
	e.add("samples", "9600")
	e.add("Action", "play-file-member-done")
	e.addAll(m.conf.confHeaders())
	e.addAll(m.memberHeaders())
	e.add("File", file)
	s.fire(e)
}

func (c *conference) member(id int) *member {
	for _, m := range c.members {
		if m.id == id {
			return m
		}
	}
	return nil
}

func (c *conference) newestFirst() []*member {
	out := make([]*member, 0, len(c.members))
	for i := len(c.members) - 1; i >= 0; i-- {
		out = append(out, c.members[i])
	}
	return out
}

func (s *Server) sortedConfs() []*conference {
	out := make([]*conference, 0, len(s.confs))
	for _, c := range s.confs {
		out = append(out, c)
	}
	// newest conference first, like FreeSWITCH's hash walk is not; any stable order will do
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].created.Before(out[j-1].created); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// listText is "conference <name> list": one line per member, newest first.
func (c *conference) listText() string {
	var b strings.Builder
	for _, m := range c.newestFirst() {
		var flags []string
		if !m.deaf {
			flags = append(flags, "hear")
		}
		if !m.muted {
			flags = append(flags, "speak")
		}
		if m.talking {
			flags = append(flags, "talking")
		}
		if c.floor == m {
			flags = append(flags, "floor")
		}
		fmt.Fprintf(&b, "%d;%s;%s;%s;%s;%s;%d;%d;%d\n", m.id, m.ch.name, m.ch.uuid, m.ch.caller.Name,
			m.ch.caller.Number, strings.Join(flags, "|"), m.volIn, m.volOut, m.energy)
	}
	return b.String()
}

// jsonList renders "conference json_list" exactly as cJSON_Print formats it.
func (s *Server) jsonList(confs []*conference) string {
	if len(confs) == 0 {
		return "[]"
	}
	var b bytes.Buffer
	kv := func(indent, key string, val string, last bool) {
		b.WriteString(indent)
		b.Write(jsonString(key))
		b.WriteString(":\t" + val)
		if !last {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	bs := strconv.FormatBool
	b.WriteString("[{\n")
	for ci, c := range confs {
		if ci > 0 {
			b.WriteString(", {\n")
		}
		in := "\t\t"
		kv(in, "conference_name", string(jsonString(c.name)), false)
		kv(in, "member_count", strconv.Itoa(len(c.members)), false)
		kv(in, "ghost_count", "0", false)
		kv(in, "rate", "8000", false)
		kv(in, "run_time", strconv.Itoa(int(time.Since(c.created).Seconds())), false)
		kv(in, "conference_uuid", string(jsonString(c.uuid)), false)
		for _, k := range []string{"canvas_count", "max_bw_in", "force_bw_in", "video_floor_packets"} {
			kv(in, k, "0", false)
		}
		kv(in, "locked", bs(c.locked), false)
		for _, k := range []string{"destruct", "wait_mod", "audio_always"} {
			kv(in, k, "false", false)
		}
		for _, k := range []string{"running", "answered", "enforce_min"} {
			kv(in, k, "true", false)
		}
		kv(in, "bridge_to", "false", false)
		for _, k := range []string{"dynamic", "exit_sound", "enter_sound"} {
			kv(in, k, "true", false)
		}
		for _, k := range []string{"recording", "video_bridge", "video_floor_only", "video_rfc4579"} {
			kv(in, k, "false", false)
		}
		b.WriteString("\t\t\"variables\":\t{\n\t\t},\n")
		b.WriteString("\t\t\"members\":\t[")
		for mi, m := range c.newestFirst() {
			if mi > 0 {
				b.WriteString(", ")
			}
			b.WriteString("{\n")
			mi4, mi5 := "\t\t\t\t", "\t\t\t\t\t"
			kv(mi4, "type", `"caller"`, false)
			kv(mi4, "id", strconv.Itoa(m.id), false)
			b.WriteString(mi4 + "\"flags\":\t{\n")
			flags := []struct {
				k string
				v bool
			}{{"can_hear", !m.deaf}, {"can_see", true}, {"can_speak", !m.muted}, {"hold", false},
				{"mute_detect", false}, {"talking", m.talking}, {"has_video", false}, {"video_bridge", false},
				{"has_floor", c.floor == m}, {"is_moderator", false}, {"end_conference", false},
				{"mandatory_member_end_conference", false}, {"pass_digits", false}}
			for i, fl := range flags {
				kv(mi5, fl.k, bs(fl.v), i == len(flags)-1)
			}
			b.WriteString(mi4 + "},\n")
			kv(mi4, "uuid", string(jsonString(m.ch.uuid)), false)
			kv(mi4, "caller_id_name", string(jsonString(m.ch.caller.Name)), false)
			kv(mi4, "caller_id_number", string(jsonString(m.ch.caller.Number)), false)
			kv(mi4, "join_time", strconv.Itoa(int(time.Since(m.joined).Seconds())), false)
			last := 0
			if !m.talking && !m.lastTalking.IsZero() {
				last = int(time.Since(m.lastTalking).Seconds())
			}
			kv(mi4, "last_talking", strconv.Itoa(last), false)
			kv(mi4, "energy", strconv.Itoa(m.energy), false)
			kv(mi4, "volume_in", strconv.Itoa(m.volIn), false)
			kv(mi4, "volume_out", strconv.Itoa(m.volOut), false)
			kv(mi4, "output-volume", strconv.Itoa(m.volOut), false)
			kv(mi4, "input-volume", strconv.Itoa(m.volIn), true)
			b.WriteString("\t\t\t}")
		}
		b.WriteString("]\n\t}")
	}
	b.WriteString("]")
	return b.String()
}
