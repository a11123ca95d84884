package hub

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"
)

// Audio level meters (issue 12). Levels are not state: they are neither in
// the journal nor in snapshots and carry no seq, so they can never open a
// gap. PushLevel keeps the latest reading per call and side; every
// LevelInterval one "levels" message goes to each browser that asked for
// meters ({"type":"meters","on":true}: the overview) with every call's
// readings, and to a browser with the call's transcript open (the call
// panel) with that call's. A call thus reaches a browser at most 10 times a
// second whatever its sides and sources do:
//
//	{"type":"levels","calls":[{"call":"ast1/c1","left":[-20.5,-6.1],"right":[-96,-96]}]}
//
// each side as [rms, peak] in dBFS, present only when it had a reading.

// LevelInterval is the meter flush period (10 Hz).
const LevelInterval = 100 * time.Millisecond

// maxLevelCalls bounds the pending map between two flushes.
const maxLevelCalls = 4096

type sideLevel struct {
	rms, peak float64
	set       bool
}

type levelBox struct {
	mu      sync.Mutex
	pending map[string]*[3]sideLevel
}

var levelSides = [3]string{"left", "right", "mix"}

// PushLevel records a meter reading of a call's side (left, right or mix).
// It never blocks on a browser; the audio hub calls it from a source.
func (h *Hub) PushLevel(call, side string, rms, peak float64) {
	i := -1
	for j, s := range levelSides {
		if s == side {
			i = j
		}
	}
	if i < 0 {
		return
	}
	b := &h.levels
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pending == nil {
		b.pending = map[string]*[3]sideLevel{}
	}
	l := b.pending[call]
	if l == nil {
		if len(b.pending) >= maxLevelCalls {
			return
		}
		l = new([3]sideLevel)
		b.pending[call] = l
	}
	l[i] = sideLevel{rms: rms, peak: peak, set: true}
}

// runLevels flushes levels every LevelInterval until ctx ends.
func (h *Hub) runLevels(ctx context.Context) {
	t := time.NewTicker(LevelInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.flushLevels()
		}
	}
}

// flushLevels sends the pending readings and forgets them.
func (h *Hub) flushLevels() {
	b := &h.levels
	b.mu.Lock()
	pending := b.pending
	b.pending = nil
	b.mu.Unlock()
	if len(pending) == 0 {
		return
	}
	ops := make(map[string][]byte, len(pending))
	for k, l := range pending {
		ops[k] = encodeLevel(k, l)
	}
	var all []byte // shared by every browser that shows the overview
	h.mu.Lock()
	clients := make([]*client, 0, len(h.clients))
	for c := range h.clients {
		clients = append(clients, c)
	}
	h.mu.Unlock()
	for _, c := range clients {
		c.mu.Lock()
		var msg []byte
		if c.meters {
			if all == nil {
				all = levelsMessage(ops, func(string) bool { return true })
			}
			msg = all
		} else if len(c.open) > 0 {
			msg = levelsMessage(ops, func(k string) bool { _, ok := c.open[k]; return ok })
		}
		if msg != nil {
			h.write(c, msg)
		}
		c.mu.Unlock()
	}
}

func encodeLevel(call string, l *[3]sideLevel) []byte {
	k, _ := json.Marshal(call)
	b := append([]byte(`{"call":`), k...)
	for i, s := range l {
		if !s.set {
			continue
		}
		b = append(b, `,"`...)
		b = append(b, levelSides[i]...)
		b = append(b, `":[`...)
		b = strconv.AppendFloat(b, s.rms, 'f', 1, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, s.peak, 'f', 1, 64)
		b = append(b, ']')
	}
	return append(b, '}')
}

// levelsMessage joins the ops whose call passes keep; nil when none does.
func levelsMessage(ops map[string][]byte, keep func(string) bool) []byte {
	var b []byte
	for k, op := range ops {
		if !keep(k) {
			continue
		}
		if b == nil {
			b = append(b, `{"type":"levels","calls":[`...)
		} else {
			b = append(b, ',')
		}
		b = append(b, op...)
	}
	if b == nil {
		return nil
	}
	return append(b, "]}"...)
}
