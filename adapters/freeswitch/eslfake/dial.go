package eslfake

// Dial places an ordinary two-party call the way the dialplan's bridge does
// it on a real FreeSWITCH: the caller's inbound A leg runs bridge, which
// originates the outbound B leg to the callee (Channel-Call-UUID and
// variable_call_uuid = the A leg, Other-Type originator), the callee answers,
// then the A leg is answered and both are bridged (CHANNEL_BRIDGE on A with
// Bridge-A/B-Unique-ID). It returns both uuids; the call's id is a.
func (s *Server) Dial(caller, callee Party) (a, b string) {
	a = s.AddChannel(ChannelSpec{Caller: caller, Callee: callee, Destination: callee.Number})
	target := "sofia/internal/" + callee.Number + "@127.0.0.1"
	s.mu.Lock()
	if ch := s.channels[a]; ch != nil {
		ch.app, ch.appData = "bridge", target
		s.fire(withTail(s.channelEvent(ch, "CHANNEL_EXECUTE", "switch_core_session.c", "switch_core_session_exec", 2944, true),
			tail{header{"Application", "bridge"}, header{"Application-Data", target}, header{"Application-UUID", newUUID()}}))
	}
	s.mu.Unlock()
	b = s.AddChannel(ChannelSpec{Name: target, Direction: "outbound", Caller: caller, Callee: callee,
		Destination: callee.Number, OtherLeg: a})
	_ = s.Answer(b) // both exist: they were just created under the same server
	_ = s.Answer(a)
	_ = s.Bridge(a, b)
	return a, b
}
