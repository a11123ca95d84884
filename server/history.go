package server

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strings"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/history"
	"github.com/callboard/callboard/server/store"
)

// initHistory starts recording when a history store is available.
func (s *Server) initHistory() {
	hs := s.cfg.History
	if hs == nil {
		hs, _ = s.cfg.Store.(store.HistoryStore)
	}
	if hs == nil {
		s.log.Warn("no history store: call history and stored transcripts are off")
		return
	}
	s.hstore = hs
	s.history = history.New(history.Options{
		Store:     hs,
		Logger:    s.log.With("component", "history"),
		Retention: s.cfg.HistoryRetention,
		Now:       s.now,
	})
}

// utterancePrefix is a random per-process prefix of utterance ids ("k3f9a2."),
// so the ids of a call's lines never repeat across restarts and stored lines
// merge with live ones by id.
func utterancePrefix() (string, error) {
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("utterance id prefix: %w", err)
	}
	return strings.ToLower(base32.StdEncoding.EncodeToString(b)) + ".", nil
}

// completeTranscript merges a call's stored lines with the live ones (the
// hub's TranscriptCompleter and the REST transcript). A store failure leaves
// the live lines: the live view never fails because of the disk.
func (s *Server) completeTranscript(ctx context.Context, call string, lines []*adapters.Utterance) []*adapters.Utterance {
	if s.hstore == nil {
		return lines
	}
	node, id, ok := strings.Cut(call, "/")
	if !ok {
		return lines
	}
	stored, err := s.hstore.CallTranscript(ctx, node, id)
	if err != nil {
		s.log.Warn("read stored transcript", "call", call, "err", err)
		return lines
	}
	return history.MergeTranscript(stored, lines)
}
