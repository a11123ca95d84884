package audio

import (
	"fmt"
	"sync"
)

// Source is the writing end of one stream. Write is meant for one goroutine.
type Source struct {
	st   *stream
	hub  *Hub
	once sync.Once
	done chan struct{}
	err  error // why it ended; set before done closes
	mu   sync.Mutex
}

// Done is closed when the source ended (Close, or EndCall: see Err).
func (s *Source) Done() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done == nil {
		s.done = make(chan struct{})
	}
	return s.done
}

// Err is why the source ended (ErrClosed, ErrCallEnded), nil while open.
func (s *Source) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Key and Side name the stream.
func (s *Source) Key() Key   { return s.st.key }
func (s *Source) Side() Side { return s.st.side }

// Rate is the stream's sample rate (0 until set or first written).
func (s *Source) Rate() int {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	return s.st.rate
}

// SetRate fixes the sample rate; it may change only before the first frame
// (a relay's metadata message comes first).
func (s *Source) SetRate(rate int) error {
	if !validRate(rate) {
		return fmt.Errorf("%s %s at %d Hz: %w", s.st.key, s.st.side, rate, ErrRate)
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	if s.st.head > 0 && s.st.rate != rate {
		return fmt.Errorf("%s %s: rate %d after frames at %d Hz: %w", s.st.key, s.st.side, rate, s.st.rate, ErrRate)
	}
	s.st.rate = rate
	return nil
}

// Write relays s16le mono PCM (an even number of bytes, at most
// Config.MaxFrameBytes), cut into 20 ms frames. It never blocks on
// listeners. An empty write is a no-op.
func (s *Source) Write(pcm []byte) error {
	if err := s.Err(); err != nil {
		return err
	}
	if len(pcm)%2 != 0 {
		return fmt.Errorf("%s %s: %d bytes is not whole 16-bit samples: %w", s.st.key, s.st.side, len(pcm), ErrFrameSize)
	}
	if len(pcm) > s.hub.cfg.MaxFrameBytes {
		return fmt.Errorf("%s %s: %d bytes is over %d: %w", s.st.key, s.st.side, len(pcm), s.hub.cfg.MaxFrameBytes, ErrFrameSize)
	}
	s.st.mu.Lock()
	if s.st.rate == 0 {
		s.st.rate = 8000
	}
	rate := s.st.rate
	s.st.mu.Unlock()
	chunk := rate / 50 * 2 // 20 ms
	every := int(int64(rate) * int64(s.hub.cfg.LevelInterval) / 1e9)
	minGap := s.hub.cfg.LevelInterval / 2
	for len(pcm) > 0 {
		n := min(chunk, len(pcm))
		if lv, due := s.st.push(pcm[:n], every, minGap); due {
			s.hub.cfg.OnLevel(lv)
		}
		pcm = pcm[n:]
	}
	return nil
}

// Close unpublishes the stream; listeners stay subscribed to the call and
// pick up the next source of that side.
func (s *Source) Close() { s.end(ErrClosed) }

func (s *Source) end(err error) {
	s.once.Do(func() {
		s.mu.Lock()
		s.err = err
		if s.done == nil {
			s.done = make(chan struct{})
		}
		close(s.done)
		s.mu.Unlock()
		s.hub.unpublish(s)
	})
}
