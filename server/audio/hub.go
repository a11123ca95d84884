package audio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/callboard/callboard/adapters"
)

// Errors of the hub. Handlers map them to close codes (closecodes.go).
var (
	ErrTooManyStreams   = errors.New("too many audio streams")
	ErrStreamExists     = errors.New("this side of the call already has a source")
	ErrTooManyListeners = errors.New("too many audio listeners")
	ErrFrameSize        = errors.New("bad audio frame size")
	ErrRate             = errors.New("unsupported sample rate (want 8000 or 16000)")
	ErrDropped          = errors.New("audio listener too slow: dropped")
	ErrClosed           = errors.New("audio stream closed")
	ErrCallEnded        = errors.New("call ended")
	ErrNoSource         = errors.New("no audio source for this call")
)

// Starter starts an on-demand source for a call, delivering to sink until
// stop (see adapters.AudioSource and NodeStarter).
type Starter func(ctx context.Context, key Key, sink adapters.AudioSink) (stop func(), err error)

// Config bounds a Hub. Zero fields take the defaults in parentheses.
type Config struct {
	MaxStreams          int // in total (400)
	MaxStreamsPerCall   int // (3: one per side)
	MaxListeners        int // in total (200)
	MaxListenersPerCall int // (10)
	// RingFrames is each stream's ring, in 20 ms frames (50 = 1 s): how far
	// a listener may fall behind before it is dropped.
	RingFrames int
	// MaxFrameBytes bounds one Write (8000 = 250 ms at 16 kHz).
	MaxFrameBytes int
	// LevelInterval is the meter period per stream (100 ms = 10 Hz).
	LevelInterval time.Duration
	// OnLevel receives every meter reading. It is called from a source's
	// goroutine and must not block (the live layer coalesces).
	OnLevel func(Level)
	// Starter, if set, starts a PBX source when a call without a source
	// gets its first listener.
	Starter Starter
	Logger  *slog.Logger
}

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.MaxStreams, 400)
	def(&c.MaxStreamsPerCall, 3)
	def(&c.MaxListeners, 200)
	def(&c.MaxListenersPerCall, 10)
	def(&c.RingFrames, 50)
	def(&c.MaxFrameBytes, 8000)
	if c.LevelInterval <= 0 {
		c.LevelInterval = 100 * time.Millisecond
	}
	if c.OnLevel == nil {
		c.OnLevel = func(Level) {}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c
}

// Hub relays audio from sources to listeners. It is safe for concurrent use.
type Hub struct {
	cfg Config
	log *slog.Logger

	mu        sync.Mutex
	calls     map[Key]*callEntry
	streams   int
	listeners int
}

// callEntry is one call's streams, listeners and on-demand source.
type callEntry struct {
	streams   [len(Sides)]*Source
	listeners map[*Listener]struct{}
	demand    *demand
}

func (c *callEntry) nstreams() int {
	n := 0
	for _, s := range c.streams {
		if s != nil {
			n++
		}
	}
	return n
}

// NewHub makes a hub.
func NewHub(cfg Config) *Hub {
	cfg = cfg.withDefaults()
	return &Hub{cfg: cfg, log: cfg.Logger, calls: map[Key]*callEntry{}}
}

// Stats is a point-in-time count, for /metrics and tests.
type Stats struct {
	Calls, Streams, Listeners int
}

// Stats counts calls with audio activity, streams and listeners.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	return Stats{Calls: len(h.calls), Streams: h.streams, Listeners: h.listeners}
}

// entryLocked returns the call's entry, creating it.
func (h *Hub) entryLocked(k Key) *callEntry {
	c := h.calls[k]
	if c == nil {
		c = &callEntry{listeners: map[*Listener]struct{}{}}
		h.calls[k] = c
	}
	return c
}

// gcLocked forgets an entry with nothing left in it.
func (h *Hub) gcLocked(k Key, c *callEntry) {
	if c.nstreams() == 0 && len(c.listeners) == 0 && c.demand == nil {
		delete(h.calls, k)
	}
}

// Publish registers a source for one side of a call. rate may be 0 when it
// is not known yet (SetRate before the first Write; 8000 otherwise).
func (h *Hub) Publish(k Key, side Side, rate int) (*Source, error) {
	idx := sideIndex(side)
	if idx < 0 {
		return nil, fmt.Errorf("publish %s: side %q: %w", k, side, adapters.ErrInvalid)
	}
	if rate != 0 && !validRate(rate) {
		return nil, fmt.Errorf("publish %s %s at %d Hz: %w", k, side, rate, ErrRate)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.entryLocked(k)
	switch {
	case c.streams[idx] != nil:
		h.gcLocked(k, c)
		return nil, fmt.Errorf("publish %s %s: %w", k, side, ErrStreamExists)
	case c.nstreams() >= h.cfg.MaxStreamsPerCall:
		h.gcLocked(k, c)
		return nil, fmt.Errorf("publish %s %s: %d per call: %w", k, side, h.cfg.MaxStreamsPerCall, ErrTooManyStreams)
	case h.streams >= h.cfg.MaxStreams:
		h.gcLocked(k, c)
		return nil, fmt.Errorf("publish %s %s: %d in total: %w", k, side, h.cfg.MaxStreams, ErrTooManyStreams)
	}
	st := &stream{key: k, side: side, idx: idx, hub: h, rate: rate, ring: make([]slot, h.cfg.RingFrames)}
	src := &Source{st: st, hub: h}
	c.streams[idx] = src
	h.streams++
	for l := range c.listeners {
		if l.wants[idx] {
			st.attach(l)
		}
	}
	return src, nil
}

// unpublish removes src (Source.Close, EndCall).
func (h *Hub) unpublish(src *Source) {
	st := src.st
	h.mu.Lock()
	c := h.calls[st.key]
	if c == nil || c.streams[st.idx] != src {
		h.mu.Unlock()
		return
	}
	c.streams[st.idx] = nil
	h.streams--
	h.gcLocked(st.key, c)
	h.mu.Unlock()
	// Listeners keep the stream until they have read its tail (Next);
	// poke them so that they notice the end.
	st.mu.Lock()
	st.closed = true
	subs := st.subs
	st.subs = nil
	st.mu.Unlock()
	for _, l := range subs {
		select {
		case l.notify <- struct{}{}:
		default:
		}
	}
}

// EndCall closes every source and listener of a call (err ErrCallEnded) and
// stops its on-demand source. The server calls it when the call ends.
func (h *Hub) EndCall(k Key) {
	h.mu.Lock()
	c := h.calls[k]
	if c == nil {
		h.mu.Unlock()
		return
	}
	srcs := c.streams
	ls := make([]*Listener, 0, len(c.listeners))
	for l := range c.listeners {
		ls = append(ls, l)
	}
	d := c.demand
	c.demand = nil
	h.mu.Unlock()
	for _, s := range srcs {
		if s != nil {
			s.end(ErrCallEnded)
		}
	}
	for _, l := range ls {
		l.drop(ErrCallEnded)
	}
	if d != nil {
		d.stop()
	}
	h.mu.Lock()
	if c := h.calls[k]; c != nil {
		h.gcLocked(k, c)
	}
	h.mu.Unlock()
}

// Close ends every call (shutdown).
func (h *Hub) Close() {
	h.mu.Lock()
	keys := make([]Key, 0, len(h.calls))
	for k := range h.calls {
		keys = append(keys, k)
	}
	h.mu.Unlock()
	for _, k := range keys {
		h.EndCall(k)
	}
}

// HasSource says whether any side of the call has a source (relay or on
// demand).
func (h *Hub) HasSource(k Key) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.calls[k]
	return c != nil && c.nstreams() > 0
}

// Has says whether the hub has anything (a stream, a listener, an on-demand
// source) for call k: a cheap check before EndCall.
func (h *Hub) Has(k Key) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls[k] != nil
}
