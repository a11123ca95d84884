package audio

import (
	"sync"
	"time"
)

// Frame is one relayed piece of audio (at most 20 ms). PCM is s16le mono and
// belongs to the listener: it is valid until the listener's next Next.
type Frame struct {
	Side Side
	Rate int
	Seq  uint32 // per stream, from 0; a gap means frames were lost upstream
	PCM  []byte
	// Level is set on the frame that completed a meter interval.
	Level *Level
}

// slot is one ring entry; its pcm buffer is reused.
type slot struct {
	pcm      []byte
	level    Level
	hasLevel bool
}

// stream is one (call, side): the ring and the listeners attached to it.
type stream struct {
	key  Key
	side Side
	idx  int // side index: listeners' cursor slot
	hub  *Hub

	mu        sync.Mutex
	rate      int
	ring      []slot
	head      uint64 // seq of the next frame to be written
	subs      []*Listener
	meter     meter
	lastLevel time.Time
	closed    bool
}

// push appends one ≤20 ms chunk, computes its level, pokes the listeners
// without blocking and drops those a whole ring behind. It returns the level
// to publish, if one is due (published by the caller outside the lock).
func (st *stream) push(pcm []byte, levelEvery int, minGap time.Duration) (Level, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := &st.ring[st.head%uint64(len(st.ring))]
	s.pcm = append(s.pcm[:0], pcm...)
	s.hasLevel = false
	st.meter.add(pcm)
	var lv Level
	due := false
	if st.meter.samples >= levelEvery {
		rms, peak := st.meter.take()
		if now := time.Now(); now.Sub(st.lastLevel) >= minGap {
			st.lastLevel = now
			lv = Level{Node: st.key.Node, Call: st.key.Call, Side: st.side, RMS: rms, Peak: peak}
			s.level, s.hasLevel, due = lv, true, true
		}
	}
	st.head++
	n := uint64(len(st.ring))
	kept := st.subs[:0]
	for _, l := range st.subs {
		if st.head-l.cursor[st.idx].Load() > n {
			l.drop(ErrDropped)
			continue
		}
		select {
		case l.notify <- struct{}{}:
		default:
		}
		kept = append(kept, l)
	}
	clear(st.subs[len(kept):])
	st.subs = kept
	return lv, due
}

// read copies frame seq into buf. ok is false when seq is not written yet
// (drained is then true if it never will be: the source closed); lagged is
// true when it was already overwritten.
func (st *stream) read(seq uint64, buf []byte) (f Frame, ok, lagged, drained bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if seq >= st.head {
		return Frame{}, false, false, st.closed
	}
	if st.head-seq > uint64(len(st.ring)) {
		return Frame{}, false, true, false
	}
	s := &st.ring[seq%uint64(len(st.ring))]
	f = Frame{Side: st.side, Rate: st.rate, Seq: uint32(seq), PCM: append(buf[:0], s.pcm...)}
	if s.hasLevel {
		lv := s.level
		f.Level = &lv
	}
	return f, true, false, false
}

// attach starts l at the live edge of the stream.
func (st *stream) attach(l *Listener) {
	st.mu.Lock()
	defer st.mu.Unlock()
	l.cursor[st.idx].Store(st.head)
	l.streams[st.idx].Store(st)
	st.subs = append(st.subs, l)
}

func (st *stream) detach(l *Listener) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for i, x := range st.subs {
		if x == l {
			st.subs = append(st.subs[:i], st.subs[i+1:]...)
			break
		}
	}
}
