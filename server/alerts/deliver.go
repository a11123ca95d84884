package alerts

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/callboard/callboard/server/store"
)

// lease is how long a claimed row stays out of the next claims: longer than
// one request, so only a crash lets it be claimed again.
func (s *Service) lease() time.Duration { return 2*s.opts.RequestTimeout + 5*time.Second }

// deliverLoop claims due outbox rows and sends each in its own goroutine,
// one in flight per destination, until ctx ends (in-flight sends finish or
// time out first).
func (s *Service) deliverLoop(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	t := time.NewTicker(s.opts.PollInterval)
	defer t.Stop()
	for {
		s.claimAndSend(ctx, &wg)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.kick:
		}
	}
}

func (s *Service) busyList() []string {
	s.busyMu.Lock()
	defer s.busyMu.Unlock()
	out := make([]string, 0, len(s.busy))
	for d := range s.busy {
		out = append(out, d)
	}
	return out
}

func (s *Service) claimAndSend(ctx context.Context, wg *sync.WaitGroup) {
	if ctx.Err() != nil {
		return
	}
	dests, err := s.opts.Store.ListAlertDestinations(ctx)
	if err != nil {
		s.storeErrs.Add(1)
		s.log.Warn("alert outbox: destinations not read", "err", err)
		return
	}
	byID := make(map[string]store.AlertDestination, len(dests))
	for _, d := range dests {
		byID[d.ID] = d
	}
	items, err := s.opts.Store.ClaimOutbox(ctx, s.opts.Now(), s.lease(), 64, s.busyList())
	if err != nil {
		s.storeErrs.Add(1)
		s.log.Warn("alert outbox: claim failed", "err", err)
		return
	}
	// One per destination per round; the others' leases run out and they
	// are claimed again once the destination is free.
	s.busyMu.Lock()
	var run []store.OutboxItem
	var later []int64
	for _, it := range items {
		if s.busy[it.Destination] {
			later = append(later, it.ID)
			continue
		}
		s.busy[it.Destination] = true
		run = append(run, it)
	}
	s.busyMu.Unlock()
	for _, id := range later {
		// Due again right away, picked up when the destination is free.
		_ = s.opts.Store.FinishOutbox(ctx, id, store.OutboxPending, attemptsOf(items, id), s.opts.Now(), lastErrOf(items, id), s.opts.Now())
	}
	for _, it := range run {
		d, ok := byID[it.Destination]
		wg.Go(func() {
			defer func() {
				s.busyMu.Lock()
				delete(s.busy, it.Destination)
				s.busyMu.Unlock()
				s.wake()
			}()
			if !ok {
				s.finish(ctx, it, errors.New("destination deleted"), true, 0)
				return
			}
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.RequestTimeout)
			err, permanent, retryAfter := s.send(rctx, d, it)
			cancel()
			s.finish(ctx, it, err, permanent, retryAfter)
		})
	}
}

func attemptsOf(items []store.OutboxItem, id int64) int {
	for _, it := range items {
		if it.ID == id {
			return it.Attempts
		}
	}
	return 0
}

func lastErrOf(items []store.OutboxItem, id int64) string {
	for _, it := range items {
		if it.ID == id {
			return it.LastError
		}
	}
	return ""
}

// finish records the outcome: delivered, pending with a backoff, or dead.
func (s *Service) finish(ctx context.Context, it store.OutboxItem, err error, permanent bool, retryAfter time.Duration) {
	now := s.opts.Now()
	attempts := it.Attempts + 1
	state, next, msg := store.OutboxDelivered, now, ""
	if err != nil {
		msg = clip(err.Error(), 300)
		s.failed.Add(1)
		state, next = store.OutboxPending, now.Add(max(s.backoff(attempts), retryAfter))
		if permanent || attempts >= s.opts.MaxAttempts {
			state = store.OutboxDead
			s.dead.Add(1)
		}
		// A destination's failure is its owner's problem, not ours: Warn.
		s.log.Warn("alert delivery failed", "outbox", it.ID, "destination", it.DestName, "attempt", attempts, "state", state, "err", msg)
	} else {
		s.delivered.Add(1)
	}
	if err := s.opts.Store.FinishOutbox(context.WithoutCancel(ctx), it.ID, state, attempts, next, msg, now); err != nil {
		s.storeErrs.Add(1)
		s.log.Error("alert outbox not updated", "outbox", it.ID, "err", err)
	}
}

// backoff is BackoffBase * 2^(attempt-1), capped at BackoffMax, with ±20%
// jitter.
func (s *Service) backoff(attempt int) time.Duration {
	d := s.opts.BackoffBase
	for i := 1; i < attempt && d < s.opts.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, s.opts.BackoffMax)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// parseRetryAfter reads a Retry-After in seconds, bounded by max.
func parseRetryAfter(v string, max time.Duration) time.Duration {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0
	}
	return min(time.Duration(n)*time.Second, max)
}
