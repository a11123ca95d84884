package hub

import (
	"encoding/json"
	"sort"
	"strconv"

	"github.com/callboard/callboard/server/live"
)

// flush sends every browser what changed for it since its covered seq, then
// trims the journal of entries every browser has covered. It reports
// whether there were changes since the previous flush (a coalescing window
// was used).
func (h *Hub) flush() bool {
	h.mu.Lock()
	latest := h.last
	fresh := latest > h.flushed
	h.flushed = latest
	entries := make([]*entry, 0, len(h.journal)-h.tombs)
	for _, e := range h.journal {
		if e != nil {
			entries = append(entries, e)
		}
	}
	clients := make([]*client, 0, len(h.clients))
	for c := range h.clients {
		clients = append(clients, c)
	}
	h.mu.Unlock()

	if len(entries) > 0 && len(clients) > 0 {
		for _, e := range entries {
			if e.json == nil {
				e.json = encodeOp(e)
			}
		}
		shared := make(map[[2]uint64][]byte) // (from, covered) -> delta of browsers without open transcripts
		for _, c := range clients {
			h.flushClient(c, entries, latest, shared)
		}
	}
	h.trim()
	return fresh
}

func (h *Hub) flushClient(c *client, entries []*entry, latest uint64, shared map[[2]uint64][]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing.Load() {
		return
	}
	covered := c.covered.Load()
	first := sort.Search(len(entries), func(i int) bool { return entries[i].seq > covered })
	pending := entries[first:]
	if len(pending) > h.opts.MaxPending {
		h.dropSlow(c, "backlog of "+strconv.Itoa(len(pending))+" changes")
		return
	}
	if c.busy || len(pending) == 0 || covered >= latest {
		return
	}
	var msg []byte
	if len(c.open) == 0 {
		k := [2]uint64{c.sent, covered}
		var ok bool
		if msg, ok = shared[k]; !ok {
			msg = buildDelta(c.sent, latest, pending, func(e *entry) bool { return e.kind != live.KindUtterance })
			shared[k] = msg
		}
	} else {
		msg = buildDelta(c.sent, latest, pending, func(e *entry) bool {
			if e.kind != live.KindUtterance {
				return true
			}
			at, ok := c.open[e.call]
			return ok && e.seq > at
		})
	}
	if msg != nil {
		h.write(c, msg)
		c.sent = latest
	}
	c.covered.Store(latest)
}

// buildDelta assembles a delta message from pre-encoded ops; nil when no op
// passes keep.
func buildDelta(from, seq uint64, pending []*entry, keep func(*entry) bool) []byte {
	n := 0
	size := 64
	for _, e := range pending {
		if keep(e) {
			n++
			size += len(e.json) + 1
		}
	}
	if n == 0 {
		return nil
	}
	b := make([]byte, 0, size)
	b = append(b, `{"type":"delta","from":`...)
	b = strconv.AppendUint(b, from, 10)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, `,"ops":[`...)
	sep := false
	for _, e := range pending {
		if !keep(e) {
			continue
		}
		if sep {
			b = append(b, ',')
		}
		b = append(b, e.json...)
		sep = true
	}
	return append(b, "]}"...)
}

// encodeOp renders {"op","kind","key","value"} once per entry.
func encodeOp(e *entry) []byte {
	key, _ := json.Marshal(e.key)
	b := make([]byte, 0, 128)
	b = append(b, `{"op":"`...)
	b = append(b, e.op...)
	b = append(b, `","kind":"`...)
	b = append(b, e.kind...)
	b = append(b, `","key":`...)
	b = append(b, key...)
	if e.op == live.OpUpsert {
		v, err := json.Marshal(e.value)
		if err != nil {
			v = []byte("null")
		}
		b = append(b, `,"value":`...)
		b = append(b, v...)
	}
	return append(b, '}')
}

// trim drops journal entries every connected browser has covered, and
// compacts superseded slots when they dominate.
func (h *Hub) trim() {
	h.mu.Lock()
	defer h.mu.Unlock()
	low := h.last
	for c := range h.clients {
		if cv := c.covered.Load(); cv < low {
			low = cv
		}
	}
	i := 0
	for ; i < len(h.journal); i++ {
		e := h.journal[i]
		if e == nil {
			h.tombs--
			continue
		}
		if e.seq > low {
			break
		}
		k := entryKey{e.kind, e.key}
		if h.index[k] == h.base+i {
			delete(h.index, k)
		}
	}
	h.base += i
	if i == len(h.journal) {
		clear(h.journal)
		h.journal = h.journal[:0]
	} else {
		h.journal = h.journal[i:]
	}
	if h.tombs > 1024 && h.tombs > len(h.journal)/2 {
		kept := h.journal[:0:0]
		for _, e := range h.journal {
			if e != nil {
				h.index[entryKey{e.kind, e.key}] = h.base + len(kept)
				kept = append(kept, e)
			}
		}
		h.journal, h.tombs = kept, 0
	}
}
