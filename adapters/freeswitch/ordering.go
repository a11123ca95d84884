package freeswitch

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/percipia/eslgo"
)

// reorderBuffer restores FreeSWITCH's event order. eslgo starts a goroutine
// per event, so events reach us shuffled; Event-Sequence is global across the
// server and our subscription is filtered, so gaps in it are normal. The
// buffer releases the next expected sequence number at once and otherwise
// holds events for a short window in case a smaller one is still on its way.
// It is not safe for concurrent use; orderedStream serialises access.
type reorderBuffer struct {
	hold time.Duration
	held []heldEvent // sorted by seq
	last uint64      // last released seq; 0 before the first release
}

type heldEvent struct {
	seq uint64
	at  time.Time // arrival
	ev  *eslgo.Event
}

func (b *reorderBuffer) add(ev *eslgo.Event, seq uint64, now time.Time) {
	i := sort.Search(len(b.held), func(i int) bool { return b.held[i].seq >= seq })
	b.held = append(b.held, heldEvent{})
	copy(b.held[i+1:], b.held[i:])
	b.held[i] = heldEvent{seq: seq, at: now, ev: ev}
}

// release returns the events that may go now, in sequence order. An event
// goes when it is the next expected one, when it is already late (a smaller
// number than one released: the model's tombstones deal with it), or when
// some held event has waited the whole window, which closes the gap below.
func (b *reorderBuffer) release(now time.Time) []*eslgo.Event {
	var out []*eslgo.Event
	for len(b.held) > 0 {
		h := b.held[0]
		next := b.last != 0 && h.seq == b.last+1
		late := b.last != 0 && h.seq <= b.last
		if !next && !late && !b.expired(now) {
			break
		}
		b.held = b.held[1:]
		if h.seq > b.last {
			b.last = h.seq
		}
		out = append(out, h.ev)
	}
	if len(b.held) == 0 {
		b.held = nil // let the backing array go
	}
	return out
}

func (b *reorderBuffer) expired(now time.Time) bool {
	d, ok := b.deadline()
	return ok && !now.Before(d)
}

// deadline is when the oldest held event's window closes.
func (b *reorderBuffer) deadline() (time.Time, bool) {
	if len(b.held) == 0 {
		return time.Time{}, false
	}
	oldest := b.held[0].at
	for _, h := range b.held[1:] {
		if h.at.Before(oldest) {
			oldest = h.at
		}
	}
	return oldest.Add(b.hold), true
}

// orderedStream feeds events from eslgo's listener goroutines through a
// reorderBuffer to one consumer channel. Events without Event-Sequence (a
// sendevent re-fired by a channel) cannot be placed and go straight through.
// push never blocks, so a slow consumer never stalls eslgo's goroutines; the
// buffer simply grows and still releases in order.
type orderedStream struct {
	out  chan *eslgo.Event
	wake chan struct{}
	now  func() time.Time

	mu        sync.Mutex
	buf       reorderBuffer
	immediate []*eslgo.Event
}

func newOrderedStream(hold time.Duration) *orderedStream {
	return &orderedStream{
		out:  make(chan *eslgo.Event, 256),
		wake: make(chan struct{}, 1),
		now:  time.Now,
		buf:  reorderBuffer{hold: hold},
	}
}

func (s *orderedStream) push(ev *eslgo.Event) {
	seq, ok := eventSeq(ev)
	s.mu.Lock()
	if ok {
		s.buf.add(ev, seq, s.now())
	} else {
		s.immediate = append(s.immediate, ev)
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// run releases events to s.out until ctx ends.
func (s *orderedStream) run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		s.mu.Lock()
		batch := s.immediate
		s.immediate = nil
		batch = append(batch, s.buf.release(s.now())...)
		deadline, waiting := s.buf.deadline()
		s.mu.Unlock()
		for _, ev := range batch {
			select {
			case s.out <- ev:
			case <-ctx.Done():
				return
			}
		}
		if len(batch) > 0 {
			continue // more may have arrived while we were sending
		}
		wait := time.Hour
		if waiting {
			wait = max(time.Until(deadline), 0)
		}
		timer.Reset(wait)
		select {
		case <-s.wake:
		case <-timer.C:
		case <-ctx.Done():
			return
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}
