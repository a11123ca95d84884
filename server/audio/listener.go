package audio

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/callboard/callboard/adapters"
)

// Listener is one subscriber to some sides of a call. Next is meant for one
// goroutine; Close may be called from any.
type Listener struct {
	key     Key
	hub     *Hub
	wants   [len(Sides)]bool
	streams [len(Sides)]atomic.Pointer[stream]
	cursor  [len(Sides)]atomic.Uint64
	notify  chan struct{} // one slot: "something was written"
	rr      int           // next side to look at first (fairness)
	buf     []byte

	once   sync.Once
	done   chan struct{}
	err    error // set before done closes
	closed atomic.Bool
}

// Subscribe listens to sides of a call (all three when none are given),
// starting at the live edge. Sides without a source yet are picked up when
// one is published. With a Starter and no source at all, the first
// listener starts one on demand.
func (h *Hub) Subscribe(k Key, sides ...Side) (*Listener, error) {
	if len(sides) == 0 {
		sides = Sides[:]
	}
	l := &Listener{key: k, hub: h, notify: make(chan struct{}, 1), done: make(chan struct{})}
	for _, s := range sides {
		i := sideIndex(s)
		if i < 0 {
			return nil, fmt.Errorf("listen %s: side %q: %w", k, s, adapters.ErrInvalid)
		}
		l.wants[i] = true
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.listeners >= h.cfg.MaxListeners {
		return nil, fmt.Errorf("listen %s: %d in total: %w", k, h.cfg.MaxListeners, ErrTooManyListeners)
	}
	c := h.entryLocked(k)
	if len(c.listeners) >= h.cfg.MaxListenersPerCall {
		return nil, fmt.Errorf("listen %s: %d per call: %w", k, h.cfg.MaxListenersPerCall, ErrTooManyListeners)
	}
	c.listeners[l] = struct{}{}
	h.listeners++
	for i, src := range c.streams {
		if src != nil && l.wants[i] {
			src.st.attach(l)
		}
	}
	if h.cfg.Starter != nil && c.nstreams() == 0 && c.demand == nil {
		c.demand = h.startDemand(k)
	}
	return l, nil
}

// Key is the call listened to.
func (l *Listener) Key() Key { return l.key }

// Done is closed when the listener was dropped or closed; Err says why.
func (l *Listener) Done() <-chan struct{} { return l.done }

// Err is ErrDropped (too slow), ErrCallEnded, ErrNoSource (on-demand start
// failed, wrapped) or ErrClosed; nil while listening.
func (l *Listener) Err() error {
	select {
	case <-l.done:
		return l.err
	default:
		return nil
	}
}

// drop ends the listener with err; safe under a stream's lock (takes none).
func (l *Listener) drop(err error) {
	l.once.Do(func() {
		l.err = err
		close(l.done)
	})
}

// Next returns the next frame of any wanted side, waiting for one. Sides
// take turns so one busy side cannot starve another. The frame's PCM is
// valid until the next call.
func (l *Listener) Next(ctx context.Context) (Frame, error) {
	for {
		if err := l.Err(); err != nil {
			return Frame{}, err
		}
		for k := range len(Sides) {
			i := (l.rr + k) % len(Sides)
			st := l.streams[i].Load()
			if st == nil {
				continue
			}
			f, ok, lagged, drained := st.read(l.cursor[i].Load(), l.buf)
			if drained {
				// The source closed and its tail was read: let go of it.
				l.streams[i].CompareAndSwap(st, nil)
				continue
			}
			if lagged {
				l.drop(ErrDropped)
				return Frame{}, ErrDropped
			}
			if ok {
				l.buf = f.PCM
				l.cursor[i].Add(1)
				l.rr = i + 1
				return f, nil
			}
		}
		select {
		case <-l.notify:
		case <-l.done:
		case <-ctx.Done():
			return Frame{}, ctx.Err()
		}
	}
}

// Close unsubscribes. The last listener of a call stops its on-demand
// source.
func (l *Listener) Close() {
	if !l.closed.CompareAndSwap(false, true) {
		return
	}
	l.drop(ErrClosed)
	h := l.hub
	h.mu.Lock()
	c := h.calls[l.key]
	var d *demand
	if c != nil {
		if _, ok := c.listeners[l]; ok {
			delete(c.listeners, l)
			h.listeners--
		}
		if len(c.listeners) == 0 && c.demand != nil {
			d, c.demand = c.demand, nil
		}
	}
	for i := range l.streams {
		if st := l.streams[i].Load(); st != nil {
			st.detach(l)
		}
	}
	if c != nil {
		h.gcLocked(l.key, c)
	}
	h.mu.Unlock()
	if d != nil {
		d.stop()
	}
}
