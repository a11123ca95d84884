package eslfake

import "testing"

// TestHoldAsCaptured: the replies and call states of uuid_hold seen on the
// real 1.10.12 (call-control README, "Hold"): a SIP leg goes HELD and back,
// a loopback leg fires CHANNEL_HOLD but stays ACTIVE and cannot be unheld,
// an unknown uuid answers +OK Success.
func TestHoldAsCaptured(t *testing.T) {
	s := newServer(t)
	sub := login(t, s, "event plain ALL")
	c := login(t, s, "")
	a, _ := s.Dial(Party{"Sip Phone", "1000"}, Party{"Tone Desk", "5800"})
	loop := s.AddChannel(ChannelSpec{Name: "loopback/silent-a", Direction: "outbound", Caller: Party{"Ivy", "5600"}})
	s.Answer(loop)
	steps := []struct{ cmd, reply, state string }{
		{"uuid_hold " + a, "+OK Success\n", "HELD"},
		{"uuid_hold " + a, "-ERR Operation failed\n", "HELD"},
		{"uuid_hold off " + a, "+OK Success\n", "ACTIVE"},
		{"uuid_hold off " + a, "-ERR Operation failed\n", "ACTIVE"},
		{"uuid_hold toggle " + a, "+OK Success\n", "HELD"},
		{"uuid_hold toggle " + a, "+OK Success\n", "ACTIVE"},
		{"uuid_hold " + loop, "+OK Success\n", "ACTIVE"},
		{"uuid_hold off " + loop, "-ERR Operation failed\n", "ACTIVE"},
		{"uuid_hold toggle " + loop, "+OK Success\n", "ACTIVE"},
		{"uuid_hold 00000000-0000-0000-0000-000000000000", "+OK Success\n", ""},
	}
	for _, st := range steps {
		if got := c.api(st.cmd); got != st.reply {
			t.Errorf("%s = %q, want %q", st.cmd, got, st.reply)
		}
		s.mu.Lock()
		for _, u := range []string{a, loop} {
			if ch := s.channels[u]; ch != nil && st.state != "" && st.cmd[len(st.cmd)-len(u):] == u && ch.callState != st.state {
				t.Errorf("after %s callstate = %s, want %s", st.cmd, ch.callState, st.state)
			}
		}
		s.mu.Unlock()
	}
	hs, _ := sub.nextEvent(named("CHANNEL_HOLD"))
	if firstValue(hs, "Unique-ID") != a || firstValue(hs, "Channel-Call-State") != "HELD" {
		t.Errorf("first CHANNEL_HOLD: %v", hs[:20])
	}
}
