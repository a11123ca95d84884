package asterisk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/CyCoreSystems/ari/v6"
	"github.com/CyCoreSystems/ari/v6/client/native"
	xslog "golang.org/x/exp/slog"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/runloop"
)

// run is one Run: the queue Do also feeds, and the heartbeat numbering,
// shared by the connections (sessions) of that Run.
type run struct {
	n   *Node
	q   *queue
	seq int64
}

// Run connects, emits a Snapshot after every (re)connect and then
// incremental events until ctx ends, on the shared run loop. See the package
// comment for how lost events are detected.
func (n *Node) Run(ctx context.Context, emit func(adapters.Event)) error {
	r := &run{n: n, q: newQueue(n.cfg.MaxQueue)}
	n.mu.Lock()
	if n.inbox != nil {
		n.mu.Unlock()
		return fmt.Errorf("asterisk node %s: Run called twice", n.cfg.ID)
	}
	n.inbox = r.q
	n.mu.Unlock()
	defer func() {
		n.mu.Lock()
		n.inbox, n.client = nil, nil
		n.mu.Unlock()
	}()
	return runloop.Run(ctx, runloop.Config{
		Node:    n.cfg.ID,
		Kind:    adapters.KindAsterisk,
		Backoff: runloop.Backoff{Min: n.cfg.BackoffMin, Max: n.cfg.BackoffMax},
		Logger:  n.log,
		OnDelay: n.onDelay,
	}, r, emit)
}

// session is one native client, as a runloop.Session.
type session struct {
	*run
	client ari.Client
	hook   *logHook
	cancel context.CancelFunc
	sub    ari.Subscription
}

// Connect starts a native client and waits for its first websocket. The
// client would redial by itself every second, without jitter and without
// telling us; a failed first dial ends this attempt instead, so the run
// loop's capped backoff decides when to try again.
func (r *run) Connect(ctx context.Context) (runloop.Session, error) {
	n := r.n
	hook := newLogHook(n.log)
	client := native.New(&native.Options{
		Application: n.cfg.Application, URL: n.cfg.URL, WebsocketURL: n.cfg.WebsocketURL,
		Username: n.cfg.Username, Password: n.cfg.Password, SubscribeAll: n.cfg.SubscribeAll,
		Logger: xslog.New(hook),
	})
	// Cancelling the context ends the client's loop; Client.Close would also
	// write its connected flag from this goroutine, which races.
	cctx, cancel := context.WithCancel(ctx)
	connected := make(chan error, 1)
	go func() { connected <- client.ConnectWithContext(cctx) }()
	select {
	case <-ctx.Done():
		cancel()
		return nil, ctx.Err()
	case <-hook.failed:
		cancel()
		return nil, errors.New("cannot connect to the ARI websocket")
	case err := <-connected:
		if err != nil {
			cancel()
			return nil, fmt.Errorf("ARI client: %w", err)
		}
	}
	s := &session{run: r, client: client, hook: hook, cancel: cancel}
	s.sub = client.Bus().Subscribe(nil, ari.Events.All)
	go func() {
		// Never blocks on the consumer: the client's bus drops events for
		// subscribers whose 100-event buffer is full.
		// A drop needs a full buffer, and only the bus adds to it, so after a
		// drop our next receive leaves at least cap-1 items: treat that as a
		// possible loss and resync (false alarms only under heavy load).
		events := s.sub.Events()
		for ev := range events {
			r.q.push(item{ev: ev})
			if len(events) >= cap(events)-1 {
				r.q.markLoss()
			}
		}
	}()
	n.mu.Lock()
	n.client = client
	n.mu.Unlock()
	return s, nil
}

// Close drops the client; actions answer ErrUnavailable until the next one.
func (s *session) Close() {
	s.n.mu.Lock()
	s.n.client = nil
	s.n.mu.Unlock()
	s.sub.Cancel()
	s.cancel()
}

// Snapshot is a resync: see resync.
func (s *session) Snapshot(ctx context.Context) (adapters.Snapshot, error) {
	return s.resync(ctx)
}

// Serve applies events until the link must be replaced or resynced.
func (s *session) Serve(ctx context.Context, emit func(adapters.Event)) error {
	reason := s.steady(ctx, emit)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return runloop.Resync(reason)
}

func (s *session) isEcho(ev ari.Event) (int64, bool) {
	ue, ok := ev.(*ari.ChannelUserevent)
	if !ok || ue.Eventname != heartbeatEvent {
		return 0, false
	}
	vars, _ := ue.Userevent.(map[string]any)
	if node, _ := vars["node"].(string); node != s.n.cfg.ID {
		return 0, false
	}
	seqText, _ := vars["seq"].(string)
	var seq int64
	if _, err := fmt.Sscan(seqText, &seq); err != nil {
		return 0, false
	}
	return seq, true
}

var errNoEcho = errors.New("heartbeat did not come back through the websocket")

// resync waits until a heartbeat comes back (so events flow again), then
// reads the authoritative state and emits a Snapshot. Events queued before
// the echo are stale and dropped; those after it are applied on top.
func (s *session) resync(ctx context.Context) (adapters.Snapshot, error) {
	n := s.n
	select {
	case <-s.hook.lost:
	default:
	}
	s.q.take()
	s.seq++
	seq := s.seq
	if err := n.sendHeartbeat(ctx, seq); err != nil {
		return adapters.Snapshot{}, fmt.Errorf("resync heartbeat: %w", err)
	}
	timer := time.NewTimer(n.cfg.HeartbeatTimeout)
	defer timer.Stop()
	for echoed := false; !echoed; {
		select {
		case <-ctx.Done():
			return adapters.Snapshot{}, ctx.Err()
		case <-timer.C:
			return adapters.Snapshot{}, errNoEcho
		case <-s.q.notify:
			items, _ := s.q.take()
			for i, it := range items {
				if got, ok := s.isEcho(it.ev); ok && got == seq {
					s.q.unshift(items[i+1:])
					echoed = true
					break
				}
			}
		}
	}
	chans, bridges, err := n.fetchSnapshot(ctx)
	if err != nil {
		return adapters.Snapshot{}, fmt.Errorf("resync snapshot: %w", err)
	}
	var keep func(*chanInfo) bool
	if !n.cfg.SubscribeAll {
		// Without subscribeAll no events come for other applications' channels.
		keep = func(c *chanInfo) bool { return c.inApp(n.cfg.Application) }
	}
	snap, members := n.state.reset(chans, bridges, time.Now(), keep)
	if len(members) > 0 {
		go n.enableTalkDetect(ctx, members)
	}
	return snap, nil
}

// steady applies events until a resync is needed and says why.
func (s *session) steady(ctx context.Context, emit func(adapters.Event)) string {
	n := s.n
	tick := time.NewTicker(n.cfg.HeartbeatInterval)
	defer tick.Stop()
	pending := map[int64]time.Time{}
	sendErr := make(chan error, 8)
	beat := func(seq int64) {
		if err := n.sendHeartbeat(ctx, seq); err != nil && ctx.Err() == nil {
			select {
			case sendErr <- err:
			default:
			}
		}
	}
	// Reconciliation (reconcile.go): one round at a time.
	reconcileTick, stopReconcile := n.reconcileTicker()
	defer stopReconcile()
	reconciled := make(chan reconcileRound, 1)
	var round *reconcileRound
	reconciling := false
	for {
		select {
		case <-ctx.Done():
			return ""
		case <-s.hook.lost:
			return "ARI websocket lost; resyncing"
		case err := <-sendErr:
			return "heartbeat failed: " + err.Error()
		case now := <-tick.C:
			for _, deadline := range pending {
				if now.After(deadline) {
					return "heartbeat did not come back; resyncing"
				}
			}
			s.seq++
			seq := s.seq
			pending[seq] = now.Add(n.cfg.HeartbeatTimeout)
			go beat(seq)
		case <-reconcileTick:
			if !reconciling {
				reconciling = true
				n.startReconcile(ctx, reconciled)
			}
		case r := <-reconciled:
			if r.err != nil {
				reconciling = false
				n.log.Warn("asterisk reconciliation read failed", "err", r.err)
				continue
			}
			s.seq++
			r.seq = s.seq
			pending[r.seq] = time.Now().Add(n.cfg.HeartbeatTimeout)
			round = &r
			go beat(r.seq)
		case <-s.q.notify:
			items, overflow := s.q.take()
			if overflow {
				return "events may have been dropped (queue overflow or full client buffer); resyncing"
			}
			for _, it := range items {
				if seq, ok := s.isEcho(it.ev); ok {
					for p := range pending {
						if p < seq {
							return "events were lost (heartbeat missing); resyncing"
						}
					}
					delete(pending, seq)
					if round != nil && seq == round.seq {
						why := n.state.divergence(round.chans, round.bridges, round.gen, n.reconcileKeep())
						round, reconciling = nil, false
						if why != "" {
							return "reconciliation: " + why + "; resyncing"
						}
					}
					continue
				}
				for _, e := range it.events {
					emit(e)
				}
				if it.ev == nil {
					continue
				}
				fx := n.state.apply(it.ev)
				for _, e := range fx.events {
					emit(e)
				}
				if len(fx.talkDetect) > 0 {
					go n.enableTalkDetect(ctx, fx.talkDetect)
				}
				if len(fx.hangup)+len(fx.dropBridges) > 0 {
					go n.cleanup(ctx, fx.hangup, fx.dropBridges)
				}
			}
		}
	}
}

// talkDetectValue is TALK_DETECT(set)'s value: silence ms, talking energy.
func (n *Node) talkDetectValue() string {
	t := n.cfg.TalkThresholds
	if t.Talk == 0 && t.Silence == 0 {
		return ""
	}
	silence, talk := t.Silence, t.Talk
	if silence == 0 {
		silence = 2500
	}
	if talk == 0 {
		talk = 256
	}
	return fmt.Sprintf("%d,%d", silence, talk)
}

// enableTalkDetect sets TALK_DETECT on conference members, one at a time.
func (n *Node) enableTalkDetect(ctx context.Context, channels []string) {
	client := n.currentClient()
	if client == nil {
		return
	}
	value := n.talkDetectValue()
	for _, id := range channels {
		if validID(id) != nil {
			continue
		}
		key := ari.NewKey(ari.ChannelKey, id)
		err := n.bounded(ctx, "set TALK_DETECT on "+id, func() error {
			return client.Channel().SetVariable(key, "TALK_DETECT(set)", value)
		})
		if err != nil && ctx.Err() == nil {
			n.log.Warn("asterisk talk detection not enabled", "channel", id, "err", err)
		}
	}
}

func (n *Node) currentClient() ari.Client {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.client
}
