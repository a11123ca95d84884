package asterisk

import "time"

// tombstones remember channels and bridges that ended, so that a late event
// about one (Asterisk sends ChannelDialplan after ChannelDestroyed in some
// cases, and a resync can race a hangup) never brings it back. Bounded by
// count and age; an entry older than ttl can no longer matter, because ARI
// ids are not reused within a run.
type tombstones struct {
	at    map[string]time.Time
	order []string
	cap   int
	ttl   time.Duration
	now   func() time.Time
}

const (
	tombstoneCap = 50000
	tombstoneTTL = 10 * time.Minute
)

func newTombstones(capacity int, ttl time.Duration) *tombstones {
	return &tombstones{at: map[string]time.Time{}, cap: capacity, ttl: ttl, now: time.Now}
}

func bridgeTomb(id string) string { return "bridge:" + id }

func (t *tombstones) add(id string) {
	if id == "" {
		return
	}
	now := t.now()
	if _, ok := t.at[id]; !ok {
		t.order = append(t.order, id)
	}
	t.at[id] = now
	// Drop the oldest entries beyond the cap or the age.
	for len(t.order) > 0 {
		first := t.order[0]
		at, ok := t.at[first]
		if ok && len(t.order) <= t.cap && now.Sub(at) < t.ttl {
			break
		}
		if ok && now.Sub(at) >= t.ttl || len(t.order) > t.cap {
			delete(t.at, first)
		}
		t.order = t.order[1:]
	}
}

func (t *tombstones) has(id string) bool {
	at, ok := t.at[id]
	return ok && t.now().Sub(at) < t.ttl
}

// forget withdraws an entry (the PBX lists the object as live).
func (t *tombstones) forget(id string) { delete(t.at, id) }

func (t *tombstones) len() int { return len(t.at) }
