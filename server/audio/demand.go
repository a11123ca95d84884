package audio

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/callboard/callboard/adapters"
)

// NodeStarter is the usual Starter: it finds the call's node with lookup and
// uses its adapters.AudioSource, if the driver has one.
func NodeStarter(lookup func(node string) (adapters.Node, bool)) Starter {
	return func(ctx context.Context, k Key, sink adapters.AudioSink) (func(), error) {
		n, ok := lookup(k.Node)
		if !ok {
			return nil, fmt.Errorf("node %s: %w", k.Node, adapters.ErrNotFound)
		}
		src, ok := n.(adapters.AudioSource)
		if !ok {
			return nil, fmt.Errorf("node %s cannot stream audio on demand: %w", k.Node, adapters.ErrUnsupported)
		}
		return src.StartAudio(ctx, k.Call, sink)
	}
}

// demand is one running on-demand source. Starting runs in its own
// goroutine (it does PBX requests); stop may come before the start ended.
type demand struct {
	hub    *Hub
	key    Key
	cancel context.CancelFunc
	done   chan struct{} // closed when the start returned

	mu      sync.Mutex
	stopPBX func()
	sources [len(Sides)]*Source
	stopped bool
}

// startDemand is called with h.mu held.
func (h *Hub) startDemand(k Key) *demand {
	ctx, cancel := context.WithCancel(context.Background())
	d := &demand{hub: h, key: k, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(d.done)
		stop, err := h.cfg.Starter(ctx, k, d)
		if err != nil {
			h.log.Warn("audio on demand failed", "call", k.String(), "err", err)
			h.failDemand(d, err)
			return
		}
		d.mu.Lock()
		if d.stopped {
			d.mu.Unlock()
			stop()
			return
		}
		d.stopPBX = stop
		d.mu.Unlock()
		h.log.Info("audio on demand started", "call", k.String())
	}()
	return d
}

// failDemand ends the listeners of a call whose on-demand start failed, so
// the browser hears why instead of silence.
func (h *Hub) failDemand(d *demand, err error) {
	h.mu.Lock()
	c := h.calls[d.key]
	var ls []*Listener
	if c != nil && c.demand == d {
		c.demand = nil
		for l := range c.listeners {
			ls = append(ls, l)
		}
	}
	h.mu.Unlock()
	for _, l := range ls {
		l.drop(fmt.Errorf("%w: %w", ErrNoSource, err))
	}
}

// WriteAudio is the adapters.AudioSink the driver writes to: each side is
// published on its first frame.
func (d *demand) WriteAudio(side Side, rate int, pcm []byte) error {
	i := sideIndex(side)
	if i < 0 {
		return fmt.Errorf("audio side %q: %w", side, adapters.ErrInvalid)
	}
	d.mu.Lock()
	if d.stopped {
		d.mu.Unlock()
		return ErrClosed
	}
	src := d.sources[i]
	if src == nil {
		var err error
		if src, err = d.hub.Publish(d.key, side, rate); err != nil {
			d.mu.Unlock()
			return err
		}
		d.sources[i] = src
	}
	d.mu.Unlock()
	err := src.Write(pcm)
	if errors.Is(err, ErrCallEnded) {
		d.cancel()
	}
	return err
}

// stop tears the PBX side down (outside any hub lock: it does requests) and
// closes the streams it published.
func (d *demand) stop() {
	d.mu.Lock()
	d.stopped = true
	stop := d.stopPBX
	srcs := d.sources
	d.mu.Unlock()
	d.cancel()
	if stop != nil {
		stop()
	}
	for _, s := range srcs {
		if s != nil {
			s.Close()
		}
	}
	d.hub.log.Info("audio on demand stopped", "call", d.key.String())
}
