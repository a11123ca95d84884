package hub

import "sync/atomic"

// stats counts what the hub writes to browsers, for /metrics.
type stats struct {
	messages atomic.Uint64
	bytes    atomic.Uint64
}

func (h *Hub) count(msg []byte) {
	h.stats.messages.Add(1)
	h.stats.bytes.Add(uint64(len(msg)))
}

// Messages counts messages queued to browsers (snapshots, deltas,
// transcripts, alerts).
func (h *Hub) Messages() uint64 { return h.stats.messages.Load() }

// Bytes counts bytes queued to browsers.
func (h *Hub) Bytes() uint64 { return h.stats.bytes.Load() }

// Broadcast sends msg, a message outside the seq stream (e.g. {"type":
// "alert"}), to every connected browser. It never blocks: a browser whose
// queue is full is handled like any slow consumer.
func (h *Hub) Broadcast(msg []byte) {
	h.mu.Lock()
	clients := make([]*client, 0, len(h.clients))
	for c := range h.clients {
		clients = append(clients, c)
	}
	h.mu.Unlock()
	for _, c := range clients {
		c.mu.Lock()
		if c.sess != nil {
			h.write(c, msg)
		}
		c.mu.Unlock()
	}
}
