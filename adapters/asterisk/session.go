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
)

// session is one Run: it owns the native client, the queue and the emit order.
type session struct {
	n      *Node
	emit   func(adapters.Event)
	q      *queue
	seq    int64
	status adapters.NodeStatus
}

// Run connects, emits a Snapshot after every (re)connect and then
// incremental events until ctx ends. See the package comment for how lost
// events are detected.
func (n *Node) Run(ctx context.Context, emit func(adapters.Event)) error {
	s := &session{n: n, emit: emit, q: newQueue(n.cfg.MaxQueue)}
	n.mu.Lock()
	if n.inbox != nil {
		n.mu.Unlock()
		return fmt.Errorf("asterisk node %s: Run called twice", n.cfg.ID)
	}
	n.inbox = s.q
	n.mu.Unlock()
	defer func() {
		n.mu.Lock()
		n.inbox, n.client = nil, nil
		n.mu.Unlock()
	}()
	s.setStatus(adapters.StateConnecting, "")
	backoff := 200 * time.Millisecond
	for ctx.Err() == nil {
		if s.connectAndServe(ctx) {
			backoff = 200 * time.Millisecond
		}
		if ctx.Err() != nil {
			break
		}
		if !sleep(ctx, backoff) {
			break
		}
		backoff = min(2*backoff, 5*time.Second)
	}
	s.setStatus(adapters.StateDown, "stopped")
	return nil
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (s *session) setStatus(state, reason string) {
	if s.status.State == state && s.status.Reason == reason {
		return
	}
	s.status = adapters.NodeStatus{Node: s.n.cfg.ID, Kind: adapters.KindAsterisk, State: state, Reason: reason, Since: time.Now()}
	s.emit(adapters.StatusChanged{Status: s.status})
}

// connectAndServe runs one native client until it must be replaced. It
// reports whether the client ever delivered a snapshot.
func (s *session) connectAndServe(ctx context.Context) bool {
	n := s.n
	hook := newLogHook(n.log)
	client := native.New(&native.Options{
		Application: n.cfg.Application, URL: n.cfg.URL, WebsocketURL: n.cfg.WebsocketURL,
		Username: n.cfg.Username, Password: n.cfg.Password, SubscribeAll: n.cfg.SubscribeAll,
		Logger: xslog.New(hook),
	})
	cctx, cancel := context.WithCancel(ctx)
	// Cancelling the context ends the client's loop; Client.Close would also
	// write its connected flag from this goroutine, which races.
	defer cancel()
	connected := make(chan error, 1)
	go func() { connected <- client.ConnectWithContext(cctx) }()
	for waiting := true; waiting; {
		select {
		case <-ctx.Done():
			return false
		case <-hook.failed:
			s.setStatus(adapters.StateDown, "cannot connect to the ARI websocket; retrying")
		case err := <-connected:
			if err != nil {
				s.setStatus(adapters.StateDown, "ARI client: "+err.Error())
				return false
			}
			waiting = false
		}
	}
	sub := client.Bus().Subscribe(nil, ari.Events.All)
	defer sub.Cancel()
	go func() {
		// Never blocks on the consumer: the client's bus drops events for
		// subscribers whose 100-event buffer is full.
		// A drop needs a full buffer, and only the bus adds to it, so after a
		// drop our next receive leaves at least cap-1 items: treat that as a
		// possible loss and resync (false alarms only under heavy load).
		events := sub.Events()
		for ev := range events {
			s.q.push(item{ev: ev})
			if len(events) >= cap(events)-1 {
				s.q.markLoss()
			}
		}
	}()
	n.mu.Lock()
	n.client = client
	n.mu.Unlock()
	defer func() {
		n.mu.Lock()
		n.client = nil
		n.mu.Unlock()
	}()

	served := false
	for failures := 0; ctx.Err() == nil; {
		if err := s.resync(ctx, hook); err != nil {
			if ctx.Err() != nil {
				return served
			}
			failures++
			n.log.Warn("asterisk resync failed", "err", err, "attempt", failures)
			s.setStatus(adapters.StateConnecting, "resync failed; retrying")
			if failures >= 3 {
				return served // replace the client: it may sit on a dead socket
			}
			if !sleep(ctx, time.Duration(failures)*200*time.Millisecond) {
				return served
			}
			continue
		}
		failures, served = 0, true
		reason := s.steady(ctx, hook)
		if ctx.Err() != nil {
			return served
		}
		n.log.Info("asterisk resync needed", "reason", reason)
		s.setStatus(adapters.StateConnecting, reason)
	}
	return served
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
func (s *session) resync(ctx context.Context, hook *logHook) error {
	n := s.n
	select {
	case <-hook.lost:
	default:
	}
	s.q.take()
	s.seq++
	seq := s.seq
	if err := n.sendHeartbeat(ctx, seq); err != nil {
		return fmt.Errorf("resync heartbeat: %w", err)
	}
	timer := time.NewTimer(n.cfg.HeartbeatTimeout)
	defer timer.Stop()
	for echoed := false; !echoed; {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
			return errNoEcho
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
		return fmt.Errorf("resync snapshot: %w", err)
	}
	var keep func(*chanInfo) bool
	if !n.cfg.SubscribeAll {
		// Without subscribeAll no events come for other applications' channels.
		keep = func(c *chanInfo) bool { return c.inApp(n.cfg.Application) }
	}
	snap, members := n.state.reset(chans, bridges, time.Now(), keep)
	s.emit(snap)
	s.setStatus(adapters.StateUp, "")
	if len(members) > 0 {
		go n.enableTalkDetect(ctx, members)
	}
	return nil
}

// steady applies events until a resync is needed and says why.
func (s *session) steady(ctx context.Context, hook *logHook) string {
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
		case <-hook.lost:
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
					s.emit(e)
				}
				if it.ev == nil {
					continue
				}
				fx := n.state.apply(it.ev)
				for _, e := range fx.events {
					s.emit(e)
				}
				if len(fx.talkDetect) > 0 {
					go n.enableTalkDetect(ctx, fx.talkDetect)
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
