package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/store"
)

// Protocol error codes of docs/auth.md.
const (
	codeUnauthorized = "unauthorized"
	codeForbidden    = "forbidden"
	codeCSRF         = "csrf"
	codeRateLimited  = "rate_limited"
)

const (
	sessionCookie = "callboard_session"
	csrfHeader    = "X-CSRF-Token"
	ctxSession    = "callboard.session"
	// CloseSessionEnded is the websocket close code for an expired or revoked session.
	CloseSessionEnded = 4001
)

// principal is who is behind a request.
type principal struct {
	session store.Session
	secret  string // the cookie value, only to derive the CSRF token
}

func errUnauthorized() error {
	return apiError(http.StatusUnauthorized, codeUnauthorized, "sign in required")
}

func errForbidden() error {
	return apiError(http.StatusForbidden, codeForbidden, "your role does not allow this")
}

// currentSession resolves the cookie to a live session, ending it if it has
// expired. It returns (nil, nil) when there is no valid session.
func (s *Server) currentSession(c echo.Context) (*principal, error) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil || ck.Value == "" || len(ck.Value) > 128 {
		return nil, nil
	}
	ctx := c.Request().Context()
	sess, err := s.store.SessionByTokenHash(ctx, auth.HashSecret(ck.Value))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if s.sessionExpired(sess, now) {
		s.endSession(ctx, sess.ID)
		return nil, nil
	}
	// Idle expiry needs last-seen; write it at most once a minute per session.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := s.store.TouchSession(ctx, sess.ID, now); err != nil {
			s.log.Warn("touch session", "err", err)
		}
		sess.LastSeenAt = now
	}
	return &principal{session: sess, secret: ck.Value}, nil
}

func (s *Server) sessionExpired(sess store.Session, now time.Time) bool {
	return !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= s.cfg.Auth.SessionIdleTimeout
}

// endSession deletes a session and closes its websockets with 4001.
func (s *Server) endSession(ctx context.Context, id string) {
	if err := s.store.DeleteSession(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.Warn("delete session", "err", err)
	}
	s.hub.CloseSession(id, CloseSessionEnded, "session ended")
}

// requireSession admits requests with a live session whose role is at least
// min, and checks the CSRF header on state-changing methods.
func (s *Server) requireSession(min store.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p, err := s.currentSession(c)
			if err != nil {
				return err
			}
			if p == nil {
				return errUnauthorized()
			}
			c.Set(ctxSession, p)
			if !safeMethod(c.Request().Method) && !validCSRF(c.Request().Header.Get(csrfHeader), p.secret) {
				return apiError(http.StatusForbidden, codeCSRF, "missing or wrong "+csrfHeader+" header")
			}
			if !p.session.Role.AtLeast(min) {
				return errForbidden()
			}
			return next(c)
		}
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func validCSRF(got, secret string) bool {
	want := auth.CSRFToken(secret)
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func principalOf(c echo.Context) *principal {
	p, _ := c.Get(ctxSession).(*principal)
	return p
}

// setSessionCookie: HttpOnly, SameSite=Lax, Secure under TLS (native or a
// trusted proxy's), expiring with the session.
func (s *Server) setSessionCookie(c echo.Context, value string, expires time.Time) {
	ck := &http.Cookie{
		Name: sessionCookie, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.secureRequest(c.Request()),
	}
	if value == "" {
		ck.MaxAge = -1
	} else {
		ck.Expires = expires
	}
	c.SetCookie(ck)
}

// serveWS hands the upgrade to the hub, tagged with the session so the hub
// can close it when the session ends.
func (s *Server) serveWS(c echo.Context) error {
	s.hub.ServeSession(c.Response(), c.Request(), principalOf(c).session.ID)
	return nil
}

// watchSessions deletes expired sessions and closes websockets whose session
// is gone, every SessionCheckInterval. An open websocket counts as activity:
// a dashboard left watching stays signed in until the absolute expiry.
func (s *Server) watchSessions(ctx context.Context) {
	t := time.NewTicker(s.cfg.Auth.SessionCheckInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.checkSessions(ctx)
		}
	}
}

func (s *Server) checkSessions(ctx context.Context) {
	now := s.now()
	open := s.hub.Sessions()
	all, err := s.store.ListSessions(ctx)
	if err != nil {
		s.log.Warn("list sessions", "err", err)
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
			if err := s.store.TouchSession(ctx, id, now); err != nil {
				s.log.Warn("touch websocket session", "err", err)
			}
			ss.LastSeenAt = now
		}
		live[id] = !s.sessionExpired(ss, now)
	}
	if _, err := s.store.DeleteExpiredSessions(ctx, now, s.cfg.Auth.SessionIdleTimeout); err != nil {
		s.log.Warn("expire sessions", "err", err)
	}
	for _, id := range open {
		if !live[id] {
			s.hub.CloseSession(id, CloseSessionEnded, "session ended")
		}
	}
}
