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
//
// When the wire order is known (announce, fed by a wireScanner on the
// socket), an announced event goes as soon as every event announced before
// it has gone: a gap in the numbers then costs nothing, and the window only
// bounds the wait for an announced event that never arrives (eslgo failed
// to parse it). Events the scanner did not announce follow the rules above.
type reorderBuffer struct {
	hold time.Duration
	held []heldEvent // sorted by seq
	last uint64      // last released seq; 0 before the first release

	wire      []wireSeq      // announced, not yet released, in wire order
	announced map[uint64]int // seq -> count in wire
}

type wireSeq struct {
	seq uint64
	at  time.Time // when its bytes were read
}

// announce records the wire order of events whose bytes were just read.
func (b *reorderBuffer) announce(seqs []uint64, now time.Time) {
	if b.announced == nil {
		b.announced = make(map[uint64]int)
	}
	for _, s := range seqs {
		b.wire = append(b.wire, wireSeq{seq: s, at: now})
		b.announced[s]++
	}
}

// forget removes one announcement of seq (it was released or given up).
func (b *reorderBuffer) forget(seq uint64) {
	if n := b.announced[seq]; n > 1 {
		b.announced[seq] = n - 1
	} else if n == 1 {
		delete(b.announced, seq)
	}
}

// take removes the held event with seq, if held.
func (b *reorderBuffer) take(seq uint64) (*eslgo.Event, bool) {
	i := sort.Search(len(b.held), func(i int) bool { return b.held[i].seq >= seq })
	if i == len(b.held) || b.held[i].seq != seq {
		return nil, false
	}
	ev := b.held[i].ev
	b.held = append(b.held[:i], b.held[i+1:]...)
	return ev, true
}

// releaseWire releases held events in wire order, as far as they arrived.
func (b *reorderBuffer) releaseWire(now time.Time, out []*eslgo.Event) []*eslgo.Event {
	n := 0
	for ; n < len(b.wire); n++ {
		w := b.wire[n]
		if b.announced[w.seq] == 0 {
			continue // already released by the time rules
		}
		ev, ok := b.take(w.seq)
		if !ok {
			if now.Sub(w.at) < b.hold {
				break // still inside eslgo's goroutines
			}
			b.forget(w.seq) // never came: stop waiting for it
			continue
		}
		b.forget(w.seq)
		if w.seq > b.last {
			b.last = w.seq
		}
		out = append(out, ev)
	}
	if n > 0 {
		clear(b.wire[:n])
		b.wire = b.wire[n:]
		if len(b.wire) == 0 {
			b.wire = nil
		}
	}
	return out
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
	if len(b.wire) > 0 {
		out = b.releaseWire(now, out)
	}
	for len(b.held) > 0 {
		h := b.held[0]
		if b.announced[h.seq] > 0 {
			break // its turn comes in wire order
		}
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

// deadline is when the oldest held event's window closes (or the wait for
// the next announced event, if earlier).
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
	if len(b.wire) > 0 && b.wire[0].at.Before(oldest) {
		oldest = b.wire[0].at
	}
	return oldest.Add(b.hold), true
}

// orderedStream feeds events from eslgo's listener goroutines through a
// reorderBuffer to one consumer channel. Events without Event-Sequence (a
// sendevent re-fired by a channel) cannot be placed and go straight through.
// push never blocks, so a slow consumer never stalls eslgo's goroutines: the
// buffer grows and still releases in order, up to max events. Past that the
// consumer has been stuck for a long time; the stream drops everything it
// holds, drops what comes after, and closes overflowed, and the session
// fails the link so a reconnect and a fresh snapshot resync the node.
type orderedStream struct {
	out        chan *eslgo.Event
	wake       chan struct{}
	overflowed chan struct{} // closed once the backlog passed max
	now        func() time.Time
	max        int
	onOverflow func() // called once, on the pushing goroutine, at overflow

	mu        sync.Mutex
	buf       reorderBuffer
	immediate []*eslgo.Event
	over      bool
}

// defaultMaxBacklog bounds the events a session buffers for a stuck
// consumer: about a minute of a very busy PBX, tens of MB at most.
const defaultMaxBacklog = 100_000

func newOrderedStream(hold time.Duration, max int) *orderedStream {
	return &orderedStream{
		out:        make(chan *eslgo.Event, 256),
		wake:       make(chan struct{}, 1),
		overflowed: make(chan struct{}),
		now:        time.Now,
		max:        max,
		buf:        reorderBuffer{hold: hold},
	}
}

// announce records the wire order of events just read from the socket
// (called by the wireScanner on eslgo's receive goroutine).
func (s *orderedStream) announce(seqs []uint64) {
	s.mu.Lock()
	if !s.over {
		s.buf.announce(seqs, s.now())
	}
	overflow := s.checkBacklog()
	s.mu.Unlock()
	if overflow && s.onOverflow != nil {
		s.onOverflow()
	}
}

func (s *orderedStream) push(ev *eslgo.Event) {
	seq, ok := eventSeq(ev)
	s.mu.Lock()
	switch {
	case s.over: // the session is ending: a fresh snapshot replaces all of it
	case ok:
		s.buf.add(ev, seq, s.now())
	default:
		s.immediate = append(s.immediate, ev)
	}
	overflow := s.checkBacklog()
	s.mu.Unlock()
	if overflow && s.onOverflow != nil {
		s.onOverflow()
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// checkBacklog drops everything held once the backlog passes max and
// reports whether this call did so. Callers hold s.mu.
func (s *orderedStream) checkBacklog() bool {
	if s.over || max(len(s.buf.held)+len(s.immediate), len(s.buf.wire)) <= s.max {
		return false
	}
	s.over = true
	s.immediate = nil
	s.buf.held, s.buf.wire, s.buf.announced = nil, nil, nil
	close(s.overflowed)
	return true
}

// backlog is the number of events held (for tests).
func (s *orderedStream) backlog() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return max(len(s.buf.held)+len(s.immediate), len(s.buf.wire))
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
