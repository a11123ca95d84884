package session

import (
	"context"
	"time"

	"github.com/callboard/callboard/server/store"
)

// Watch deletes expired sessions and closes websockets whose session is
// gone, every CheckInterval, until ctx is done. An open websocket counts as
// activity: a dashboard left watching stays signed in until the absolute
// expiry.
func (m *Manager) Watch(ctx context.Context) {
	t := time.NewTicker(m.d.CheckInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.Check(ctx)
		}
	}
}

// Check is one round of Watch.
func (m *Manager) Check(ctx context.Context) {
	now := m.d.Now()
	open := m.d.Sockets.Sessions()
	all, err := m.d.Store.ListSessions(ctx)
	if err != nil {
		m.d.Log.Warn("list sessions", "err", err)
		return
	}
	byID := make(map[string]store.Session, len(all))
	for _, ss := range all {
		byID[ss.ID] = ss
	}
	live := make(map[string]bool, len(open))
	for _, id := range open {
		ss, ok := byID[id]
		if !ok || !now.Before(ss.ExpiresAt) {
			continue
		}
		// An open websocket is activity; write last-seen at most once a minute.
		if now.Sub(ss.LastSeenAt) > time.Minute {
			if err := m.d.Store.TouchSession(ctx, id, now); err != nil {
				m.d.Log.Warn("touch websocket session", "err", err)
			}
			ss.LastSeenAt = now
		}
		live[id] = !m.Expired(ss, now)
	}
	if _, err := m.d.Store.DeleteExpiredSessions(ctx, now, m.d.IdleTimeout); err != nil {
		m.d.Log.Warn("expire sessions", "err", err)
	}
	for _, id := range open {
		if !live[id] {
			m.CloseSockets(id)
		}
	}
}
