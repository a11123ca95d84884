package asterisk

import (
	"sync"

	"github.com/CyCoreSystems/ari/v6"

	"github.com/callboard/callboard/adapters"
)

// item is an ARI event from the bus, or events produced by Do (mute marks)
// that must reach the consumer in order with the ARI events.
type item struct {
	ev     ari.Event
	events []adapters.Event
}

// queue is unbounded up to max items so that the bus drainer never blocks;
// past max it empties itself and reports the overflow, which forces a resync.
type queue struct {
	mu       sync.Mutex
	items    []item
	max      int
	overflow bool
	notify   chan struct{}
}

func newQueue(max int) *queue { return &queue{max: max, notify: make(chan struct{}, 1)} }

func (q *queue) push(it item) {
	q.mu.Lock()
	if len(q.items) >= q.max {
		q.items, q.overflow = nil, true
	} else {
		q.items = append(q.items, it)
	}
	q.mu.Unlock()
	select {
	case q.notify <- struct{}{}:
	default:
	}
}

// take returns everything queued and whether items were dropped since the
// last take.
func (q *queue) take() ([]item, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	items, over := q.items, q.overflow
	q.items, q.overflow = nil, false
	return items, over
}

// unshift puts items back at the front (those after a heartbeat echo).
func (q *queue) unshift(items []item) {
	if len(items) == 0 {
		return
	}
	q.mu.Lock()
	q.items = append(append([]item{}, items...), q.items...)
	q.mu.Unlock()
	select {
	case q.notify <- struct{}{}:
	default:
	}
}

// markLoss records that events may have been lost before reaching the queue.
func (q *queue) markLoss() {
	q.mu.Lock()
	q.overflow = true
	q.mu.Unlock()
}
