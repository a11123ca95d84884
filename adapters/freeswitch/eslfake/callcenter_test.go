package eslfake

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// realCCReplies maps each callcenter command to its real reply bodies, in
// capture order (testdata/callcenter.commands.jsonl).
func realCCReplies(t *testing.T) replies {
	t.Helper()
	out := replies{}
	for _, l := range bytes.Split(bytes.TrimSpace(traceFile(t, "callcenter.commands.jsonl")), []byte("\n")) {
		var o struct{ Sent, Reply string }
		if err := json.Unmarshal(l, &o); err != nil {
			t.Fatal(err)
		}
		cmd := strings.TrimPrefix(strings.TrimSuffix(o.Sent, "\n\n"), "api ")
		if _, body, ok := strings.Cut(o.Reply, "\n\n"); ok && strings.HasPrefix(cmd, "callcenter_config") {
			out[cmd] = append(out[cmd], body)
		}
	}
	return out
}

// ccCaptureSetup configures the fake like the capture's callcenter.conf.xml.
func ccCaptureSetup(s *Server) {
	s.AddQueue("support@default")
	s.AddQueue("nobody@default")
	for _, a := range []string{"agent1", "agent2", "agent3"} {
		s.AddAgent(a, "support@default")
	}
}

func tableShape(body string) (header string, widths []int) {
	lines := strings.Split(strings.TrimSuffix(body, "+OK\n"), "\n")
	for i, l := range lines {
		if i == 0 {
			header = l
		}
		if l != "" {
			widths = append(widths, strings.Count(l, "|"))
		}
	}
	return header, widths
}

func TestCallcenterRepliesMatchRealServer(t *testing.T) {
	real := realCCReplies(t)
	s := newServer(t)
	c := login(t, s, "")
	if got := c.api("callcenter_config queue list"); got != "-ERR callcenter_config Command not found!\n" {
		t.Errorf("without mod_callcenter: %q", got)
	}
	ccCaptureSetup(s)
	// The fake's queues all have support@default's settings (nobody@default
	// in the capture has max-wait-time-with-no-agent set).
	gotQ, wantQ := strings.Split(c.api("callcenter_config queue list"), "\n"), strings.Split(real.next(t, "callcenter_config queue list"), "\n")
	if len(gotQ) != len(wantQ) || gotQ[0] != wantQ[0] || gotQ[1] != wantQ[1] || gotQ[3] != "+OK" {
		t.Errorf("queue list:\n got %q\nwant %q", gotQ, wantQ)
	}
	// Byte-exact where the capture's values do not depend on the clock.
	for _, cmd := range []string{"callcenter_config tier list",
		"callcenter_config queue list members support@default", "callcenter_config queue count members support@default"} {
		if got, want := c.api(cmd), real.next(t, cmd); got != want {
			t.Errorf("%s:\n got %q\nwant %q", cmd, got, want)
		}
	}
	for _, cmd := range []string{"callcenter_config agent set status nobody Available", "callcenter_config agent set status agent1 Bogus",
		"callcenter_config agent set state agent1 Bogus", "callcenter_config agent set status agent1 On Break",
		"callcenter_config agent set status agent1 'On Break'", "callcenter_config agent set status agent2 'Logged Out'",
		"callcenter_config agent set status agent1 Available", "callcenter_config agent get status nobody",
		"callcenter_config queue list members nosuch@default", "callcenter_config bogus"} {
		if got, want := c.api(cmd), real.next(t, cmd); got != want {
			t.Errorf("%s: got %q, want %q", cmd, got, want)
		}
	}
	if s.AgentStatus("agent1") != "Available" || s.AgentStatus("agent2") != "Logged Out" {
		t.Errorf("statuses after the commands: %q %q", s.AgentStatus("agent1"), s.AgentStatus("agent2"))
	}
	// With callers: the same columns as the real lists (values carry epochs).
	a := s.AddChannel(ChannelSpec{Caller: Party{"Caller 1", "7101"}})
	s.Answer(a)
	m, err := s.QueueJoin("support@default", a)
	if err != nil {
		t.Fatal(err)
	}
	s.QueueOffer(m, "agent1")
	if _, err := s.QueueAnswer(m, "agent1"); err != nil {
		t.Fatal(err)
	}
	b := s.AddChannel(ChannelSpec{Caller: Party{"Caller 2", "7102"}})
	s.Answer(b)
	s.QueueJoin("support@default", b)
	realMembers := real["callcenter_config queue list members support@default"][1] // L33: answered and waiting callers
	for cmd, want := range map[string]string{
		"callcenter_config queue list members support@default": realMembers,
		"callcenter_config agent list":                         real["callcenter_config agent list"][2],
	} {
		gh, gw := tableShape(c.api(cmd))
		wh, ww := tableShape(want)
		if gh != wh || gw[0] != ww[0] || gw[1] != ww[1] {
			t.Errorf("%s: header %q widths %v, want %q %v", cmd, gh, gw, wh, ww)
		}
	}
	if got := c.api("callcenter_config queue list members support@default"); !strings.Contains(got, "|Caller 1|") ||
		!strings.Contains(got, "|agent1|single_box|Answered|") || !strings.Contains(got, "|||Waiting|") {
		t.Errorf("members: %q", got)
	}
}

// ccKind names a callcenter event by CC-Action, telling member-queue-end's
// two forms apart.
func ccKind(hs []header) string {
	k := firstValue(hs, "CC-Action")
	if k == "member-queue-end" {
		k += "/" + firstValue(hs, "CC-Cause")
	}
	return k
}

// ccNames is an event's header names without its channel data: the core
// block, then the CC-* block; plus whether it carries a channel.
func ccNames(hs []header) (names []string, channel bool) {
	for _, h := range hs {
		switch {
		case h.name == "Channel-Name":
			channel = true
		case strings.HasPrefix(h.name, "CC-") || len(names) < 14:
			names = append(names, h.name)
		}
	}
	return names, channel
}

// TestCallcenterEventsMatchRealServer drives a queue through every step the
// capture shows and compares each event's headers with the real one's.
func TestCallcenterEventsMatchRealServer(t *testing.T) {
	real := map[string][]string{}
	realChannel := map[string]bool{}
	for _, hs := range realEvents(t, "callcenter.events-cc-only.raw") {
		k := ccKind(hs)
		if _, seen := real[k]; !seen {
			real[k], realChannel[k] = ccNames(hs)
		}
	}
	s := newServer(t)
	ccCaptureSetup(s)
	c := login(t, s, "event plain CUSTOM callcenter::info")
	s.SetAgentStatus("agent1", "Available")
	caller := s.AddChannel(ChannelSpec{Name: "loopback/queue_support-b", Caller: Party{"Caller 1", "7101"}})
	s.Answer(caller)
	m, _ := s.QueueJoin("support@default", caller)
	for range 3 { // agent3's no-answers up to max-no-answer
		s.QueueOffer(m, "agent3")
		s.QueueNoAnswer(m, "agent3")
	}
	s.QueueOffer(m, "agent1")
	leg, err := s.QueueAnswer(m, "agent1")
	if err != nil {
		t.Fatal(err)
	}
	quitter := s.AddChannel(ChannelSpec{Caller: Party{"Caller 4", "7104"}})
	s.Answer(quitter)
	s.QueueJoin("support@default", quitter)
	s.Hangup(quitter, "NORMAL_CLEARING") // abandons
	s.Hangup(caller, "NORMAL_CLEARING")  // ends the answered call

	got := map[string][]string{}
	gotChannel := map[string]string{}
	for len(got) < 11 {
		hs, _ := c.nextEvent(func([]header) bool { return true })
		k := ccKind(hs)
		if _, seen := got[k]; !seen {
			names, ch := ccNames(hs)
			got[k] = names
			if ch {
				gotChannel[k] = firstValue(hs, "Unique-ID")
			}
		}
	}
	wantLeg := map[string]string{"member-queue-start": caller, "bridge-agent-start": leg, "bridge-agent-end": leg,
		"member-queue-end/Cancel": quitter, "member-queue-end/Terminated": caller}
	for k, want := range real {
		if strings.HasSuffix(k, "-get") || k == "agent-contact-change" {
			continue // read-only API echoes and contact changes: the fake has no use for them
		}
		if !reflect.DeepEqual(got[k], want) {
			t.Errorf("%s headers differ from the real server\n got: %v\nwant: %v", k, got[k], want)
		}
		if realChannel[k] != (gotChannel[k] != "") || gotChannel[k] != wantLeg[k] {
			t.Errorf("%s: channel %q, want %q (real carries one: %v)", k, gotChannel[k], wantLeg[k], realChannel[k])
		}
	}
	if s.AgentStatus("agent3") != "On Break" {
		t.Errorf("agent3 after max-no-answer: %q", s.AgentStatus("agent3"))
	}
}
