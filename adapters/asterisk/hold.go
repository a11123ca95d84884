package asterisk

import (
	"time"

	"github.com/CyCoreSystems/ari/v6"

	"github.com/callboard/callboard/adapters"
)

// phoneHold maps ChannelHold/ChannelUnhold. Asterisk sends them for holds
// made by phones and bridge features (b2: a DTMF feature with a MOH class;
// c4/c6: transfers), on the channel that started the hold; the call that
// channel belongs to is held.
func (s *state) phoneHold(d *ari.ChannelData, held bool, at time.Time) []adapters.Event {
	c := s.upsertChannel(d, at)
	if c == nil {
		return nil
	}
	c.held = held
	ci := s.calls[c.callID]
	if ci == nil {
		return nil
	}
	return s.refresh(ci, nil)
}

// markHold records a hold or unhold callboard itself made through ARI
// (POST/DELETE /channels/{id}/hold answer 204 and Asterisk sends no event),
// as mute is recorded. It returns the call's change, if any.
func (s *state) markHold(chID string, held bool) []adapters.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.channels[chID]
	if c == nil {
		return nil
	}
	if held {
		s.holds[chID] = true
	} else {
		delete(s.holds, chID)
	}
	return s.changedCall(c.callID, nil)
}

// RecordHold records that callboard put channel chID on hold (held) or took
// it off, after ARI answered the hold request successfully. The hold action
// calls it; the change reaches the event stream in order with ARI's events.
func (n *Node) RecordHold(chID string, held bool) {
	n.pushOwn(n.state.markHold(chID, held))
}

// pushOwn queues events callboard derived from its own successful requests
// so that they are emitted in order with the ARI events.
func (n *Node) pushOwn(evs []adapters.Event) {
	if len(evs) == 0 {
		return
	}
	n.mu.Lock()
	q := n.inbox
	n.mu.Unlock()
	if q != nil {
		q.push(item{events: evs})
	}
}
