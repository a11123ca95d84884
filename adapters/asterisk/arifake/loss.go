package arifake

import "fmt"

// LoseEvents makes the server skip every event for which lose returns true
// (nil sends everything again). Tests use it to reproduce what ari's client
// does under a burst: its bus silently drops events when a subscriber's
// 100-event buffer is full, so callboard never sees them.
func (s *Server) LoseEvents(lose func(typ string) bool) {
	s.mu.Lock()
	s.lose = lose
	s.mu.Unlock()
}

// ChannelObject returns a channel's ARI object, to build late events with.
func (s *Server) ChannelObject(id string) (Channel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[id]
	if !ok {
		return Channel{}, fmt.Errorf("%w: %s", ErrNoChannel, id)
	}
	return ch.Channel, nil
}

// Emit sends one raw event of type typ (the envelope is added), e.g. a late
// ChannelDialplan about a channel that was already destroyed, as Asterisk
// sent in the c1-continue capture.
func (s *Server) Emit(typ string, fields map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.emitLocked(typ, fields)
}
