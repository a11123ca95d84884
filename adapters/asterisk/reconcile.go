package asterisk

import (
	"context"
	"fmt"
	"time"

	"github.com/CyCoreSystems/ari/v6"
)

// Reconciliation is the safety net for events lost without a trace (ari's
// bus drops events silently when a subscriber's buffer is full, and a drop
// is only guessed from the buffer's fill level): every ReconcileInterval
// callboard reads GET /channels and GET /bridges and compares them with the
// live state. Events in flight make a plain comparison racy, so:
//   - the state's generation is noted before the GET; only channels and
//     bridges seen before it can be stale,
//   - after the GET a heartbeat is sent; when it comes back through the
//     websocket every event Asterisk sent before answering the GET has been
//     applied, and the comparison runs then,
//   - anything ended since is a tombstone, not "missing".
// A difference triggers the ordinary resync (a fresh snapshot). The cost is
// two GETs and one pass over both lists (see BenchmarkReconcile).

// reconcileRound is one reconciliation in progress.
type reconcileRound struct {
	gen     uint64
	chans   []ari.ChannelData
	bridges []ari.BridgeData
	err     error
	seq     int64 // the heartbeat whose echo triggers the comparison
}

// generation is the state's counter of channels and bridges seen.
func (s *state) generation() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gen
}

// startReconcile reads the PBX's lists in the background.
func (n *Node) startReconcile(ctx context.Context, done chan<- reconcileRound) {
	r := reconcileRound{gen: n.state.generation()}
	go func() {
		r.chans, r.bridges, r.err = n.fetchSnapshot(ctx)
		select {
		case done <- r:
		case <-ctx.Done():
		}
	}()
}

// reconcileTicker returns a ticker channel, or nil when reconciliation is off.
func (n *Node) reconcileTicker() (<-chan time.Time, func()) {
	if n.cfg.ReconcileInterval <= 0 {
		return nil, func() {}
	}
	t := time.NewTicker(n.cfg.ReconcileInterval)
	return t.C, t.Stop
}

// divergence compares the PBX's lists with the state and says what
// differs ("" when nothing does).
func (s *state) divergence(chans []ari.ChannelData, bridges []ari.BridgeData, gen uint64, keep func(*ari.ChannelData) bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	listed := make(map[string]struct{}, len(chans))
	for i := range chans {
		d := &chans[i]
		listed[d.ID] = struct{}{}
		if supervisionID(d.ID) {
			continue // never in the state (listeners.go)
		}
		if _, ok := s.channels[d.ID]; !ok && !s.tombs.has(d.ID) && !isAudioHelper(d.ID) && (keep == nil || keep(d)) {
			return fmt.Sprintf("channel %s is on the PBX but not in the live state", d.ID)
		}
	}
	for id, c := range s.channels {
		if _, ok := listed[id]; !ok && c.gen < gen {
			return fmt.Sprintf("channel %s is gone from the PBX", id)
		}
	}
	members := make(map[string][]string, len(bridges))
	for i := range bridges {
		d := &bridges[i]
		members[d.ID] = d.ChannelIDs
		if supervisionBridge(d.ID) {
			continue
		}
		if _, ok := s.bridges[d.ID]; !ok && !s.tombs.has(bridgeTomb(d.ID)) && !isAudioHelper(d.ID) {
			return fmt.Sprintf("bridge %s is on the PBX but not in the live state", d.ID)
		}
	}
	for id, b := range s.bridges {
		on, ok := members[id]
		if !ok {
			if b.gen < gen {
				return fmt.Sprintf("bridge %s is gone from the PBX", id)
			}
			continue
		}
		for _, m := range b.members {
			if c := s.channels[m]; c != nil && c.joinGen < gen && !contains(on, m) {
				return fmt.Sprintf("channel %s is no longer in bridge %s", m, id)
			}
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// reconcileKeep filters the PBX's channels as resync does: without
// subscribeAll no events come for other applications' channels.
func (n *Node) reconcileKeep() func(*ari.ChannelData) bool {
	if n.cfg.SubscribeAll {
		return nil
	}
	app := n.cfg.Application
	return func(d *ari.ChannelData) bool {
		c := chanInfo{}
		if d.Dialplan != nil {
			c.appName, c.appData = d.Dialplan.AppName, d.Dialplan.AppData
		}
		return c.inApp(app)
	}
}
