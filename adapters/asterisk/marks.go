package asterisk

import (
	"fmt"
	"slices"

	"github.com/callboard/callboard/adapters"
)

// mark records callboard's own successful mute/deaf call.
func (s *state) mark(chID string, set func(*marks)) []adapters.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.marks[chID]
	set(&m)
	if _, ok := s.channels[chID]; !ok {
		return nil
	}
	s.marks[chID] = m
	return s.changedMember(chID, nil)
}

func (s *state) markKicked(chID string) {
	s.mu.Lock()
	s.kicked[chID] = true
	s.mu.Unlock()
}

// unmarkKicked withdraws markKicked after a failed kick.
func (s *state) unmarkKicked(chID string) {
	s.mu.Lock()
	delete(s.kicked, chID)
	s.mu.Unlock()
}

// lookupMember resolves a conference name and member id to ARI ids.
func (s *state) lookupMember(conf, member string) (bridgeID string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.bridges[s.confs[conf]]
	if b == nil {
		return "", fmt.Errorf("conference %s: %w", conf, adapters.ErrNotFound)
	}
	if member != "" && !slices.Contains(b.members, member) {
		return "", fmt.Errorf("member %s of %s: %w", member, conf, adapters.ErrNotFound)
	}
	return b.id, nil
}
