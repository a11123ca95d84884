package auth

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// LimitRecord is one key's persisted limiter state.
type LimitRecord struct {
	Key         string
	Failures    int
	Lockouts    int
	Strikes     int
	WindowStart time.Time
	LockedUntil time.Time
	Last        time.Time
}

// LimitStore persists the limiter (server/store/sqlite implements it).
type LimitStore interface {
	// LoadLimits returns the records still relevant at now: locked, or
	// with a failure after forgetBefore; it may delete the others.
	LoadLimits(ctx context.Context, now, forgetBefore time.Time) ([]LimitRecord, error)
	SaveLimits(ctx context.Context, recs []LimitRecord) error
	DeleteLimits(ctx context.Context, keys []string) error
}

// storeTimeout bounds one write-through.
const storeTimeout = 5 * time.Second

// Load reads the persisted state (call once, before use). Without a Store
// it does nothing.
func (l *Limiter) Load(ctx context.Context) error {
	if l.cfg.Store == nil {
		return nil
	}
	now := l.cfg.Now()
	recs, err := l.cfg.Store.LoadLimits(ctx, now, now.Add(-l.cfg.Forget))
	if err != nil {
		return fmt.Errorf("load sign-in limiter: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range recs {
		if len(l.keys) >= l.cfg.MaxKeys {
			break
		}
		l.keys[r.Key] = &limitState{windowStart: r.WindowStart, failures: r.Failures, lockouts: r.Lockouts,
			lockedUntil: r.LockedUntil, last: r.Last, strikes: r.Strikes}
	}
	return nil
}

// records copies keys' state for saving; l.mu must be held.
func (l *Limiter) records(keys []string) []LimitRecord {
	if l.cfg.Store == nil {
		return nil
	}
	out := make([]LimitRecord, 0, len(keys))
	for _, k := range keys {
		if st, ok := l.keys[k]; ok {
			out = append(out, LimitRecord{Key: k, Failures: st.failures, Lockouts: st.lockouts, Strikes: st.strikes,
				WindowStart: st.windowStart, LockedUntil: st.lockedUntil, Last: st.last})
		}
	}
	return out
}

// save writes records through (outside l.mu). A failed write is logged:
// the in-memory state still protects this run.
func (l *Limiter) save(recs []LimitRecord) {
	if l.cfg.Store == nil || len(recs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if err := l.cfg.Store.SaveLimits(ctx, recs); err != nil {
		slog.Warn("sign-in limiter state not saved", "err", err)
	}
}

// forget deletes keys from the store (outside l.mu).
func (l *Limiter) forget(keys []string) {
	if l.cfg.Store == nil || len(keys) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if err := l.cfg.Store.DeleteLimits(ctx, keys); err != nil {
		slog.Warn("sign-in limiter state not deleted", "err", err)
	}
}
