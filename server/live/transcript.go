package live

import (
	"strconv"
	"time"

	"github.com/callboard/callboard/adapters"
)

// transcript is one call's lines. Line numbers (the utterance ids) are
// consecutive, so line n sits at lines[n-first].
type transcript struct {
	lines []*adapters.Utterance
	bytes int                      // text bytes of lines
	first int                      // number of lines[0]
	next  int                      // number the next new line gets
	open  map[adapters.Speaker]int // speaker -> number of its open partial line
	live  bool                     // the call is in the live state
	gen   int                      // bumps on every retention, to spot stale retained entries
}

type retainedCall struct {
	key string
	at  time.Time
	gen int
}

func (s *State) addUtterance(u adapters.Utterance) {
	k := key2(u.Node, u.CallID)
	t := s.transcripts[k]
	if t == nil {
		t = &transcript{first: 1, next: 1, live: true}
		s.transcripts[k] = t
		if _, ok := s.calls[k]; !ok {
			// Lines for a call we do not (yet) know: keep them like an ended
			// call's, bounded, until the call shows up.
			s.retainTranscript(k)
		}
	}
	u.At = u.At.UTC()
	n, ok := t.open[u.Speaker]
	if ok && n >= t.first {
		u.ID = s.opts.UtteranceIDPrefix + strconv.Itoa(n)
		t.bytes += len(u.Text) - len(t.lines[n-t.first].Text)
		t.lines[n-t.first] = &u
	} else {
		n = t.next
		t.next++
		u.ID = s.opts.UtteranceIDPrefix + strconv.Itoa(n)
		t.lines = append(t.lines, &u)
		t.bytes += len(u.Text)
	}
	// Drop the oldest lines beyond either bound; the newest line always stays.
	for len(t.lines) > 1 && (len(t.lines) > s.opts.MaxLines || t.bytes > s.opts.MaxBytes) {
		t.bytes -= len(t.lines[0].Text)
		t.lines[0] = nil
		t.lines = t.lines[1:]
		t.first++
	}
	if u.Final {
		delete(t.open, u.Speaker)
	} else {
		if t.open == nil {
			t.open = make(map[adapters.Speaker]int, 2)
		}
		t.open[u.Speaker] = n
	}
	s.record(OpUpsert, KindUtterance, key2(k, u.ID), &u, k)
}

// retainTranscript marks a call's transcript as no longer live and queues it
// for expiry.
func (s *State) retainTranscript(k string) {
	t := s.transcripts[k]
	if t == nil || !t.live {
		return
	}
	t.live = false
	t.gen++
	s.retainedCount++
	s.retained = append(s.retained, retainedCall{key: k, at: s.opts.Now(), gen: t.gen})
}

// expireTranscripts drops retained transcripts beyond the count or age bound.
func (s *State) expireTranscripts() {
	if len(s.retained) == 0 {
		return
	}
	now := s.opts.Now()
	for len(s.retained) > 0 {
		r := s.retained[0]
		t := s.transcripts[r.key]
		switch {
		case t == nil || t.live || t.gen != r.gen:
			// stale entry: the call came back or was retained again later
		case s.retainedCount > s.opts.RetainCalls || now.Sub(r.at) > s.opts.RetainEnded:
			delete(s.transcripts, r.key)
			s.retainedCount--
		default:
			return
		}
		s.retained[0] = retainedCall{}
		s.retained = s.retained[1:]
	}
}
