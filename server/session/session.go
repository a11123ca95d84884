package session

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/store"
)

const (
	// CookieName is the session cookie.
	CookieName = "callboard_session"
	// CSRFHeader carries the CSRF token on state-changing requests.
	CSRFHeader = "X-CSRF-Token"
	ctxSession = "callboard.session"
	// CloseSessionEnded is the websocket close code for an expired or revoked session.
	CloseSessionEnded = 4001
)

// Sockets are the open websockets by session (the hub).
type Sockets interface {
	Sessions() []string
	CloseSession(session string, code int, reason string) int
}

// Deps is what a Manager needs.
type Deps struct {
	Store         store.Store
	Sockets       Sockets
	Log           *slog.Logger
	Now           func() time.Time
	IdleTimeout   time.Duration            // idle expiry
	CheckInterval time.Duration            // how often Watch re-checks open websockets
	Secure        func(*http.Request) bool // the request came over TLS (native or a trusted proxy's)
}

// Manager resolves, requires, creates the cookie of and ends sessions.
type Manager struct{ d Deps }

// New returns a Manager.
func New(d Deps) *Manager { return &Manager{d: d} }

// Principal is who is behind a request.
type Principal struct {
	Session store.Session
	Secret  string // the cookie value, only to derive the CSRF token
}

// ErrUnauthorized is the 401 of a request without a live session.
func ErrUnauthorized() error {
	return web.Error(http.StatusUnauthorized, web.CodeUnauthorized, "sign in required")
}

// ErrForbidden is the 403 of a role below the route's.
func ErrForbidden() error {
	return web.Error(http.StatusForbidden, web.CodeForbidden, "your role does not allow this")
}

// Current resolves the cookie to a live session, ending it if it has
// expired. It returns (nil, nil) when there is no valid session.
func (m *Manager) Current(c echo.Context) (*Principal, error) {
	ck, err := c.Cookie(CookieName)
	if err != nil || ck.Value == "" || len(ck.Value) > 128 {
		return nil, nil
	}
	ctx := c.Request().Context()
	sess, err := m.d.Store.SessionByTokenHash(ctx, auth.HashSecret(ck.Value))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	now := m.d.Now()
	if m.Expired(sess, now) {
		m.End(ctx, sess.ID)
		return nil, nil
	}
	// Idle expiry needs last-seen; write it at most once a minute per session.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := m.d.Store.TouchSession(ctx, sess.ID, now); err != nil {
			m.d.Log.Warn("touch session", "err", err)
		}
		sess.LastSeenAt = now
	}
	return &Principal{Session: sess, Secret: ck.Value}, nil
}

// Expired reports whether sess is past its absolute or idle expiry at now.
func (m *Manager) Expired(sess store.Session, now time.Time) bool {
	return !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= m.d.IdleTimeout
}

// End deletes a session and closes its websockets with 4001.
func (m *Manager) End(ctx context.Context, id string) {
	if err := m.d.Store.DeleteSession(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		m.d.Log.Warn("delete session", "err", err)
	}
	m.CloseSockets(id)
}

// CloseSockets closes the websockets of session id with 4001.
func (m *Manager) CloseSockets(id string) {
	m.d.Sockets.CloseSession(id, CloseSessionEnded, "session ended")
}

// Require admits requests with a live session whose role is at least min,
// and checks the CSRF header on state-changing methods.
func (m *Manager) Require(min store.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p, err := m.Current(c)
			if err != nil {
				return err
			}
			if p == nil {
				return ErrUnauthorized()
			}
			c.Set(ctxSession, p)
			if !safeMethod(c.Request().Method) && !validCSRF(c.Request().Header.Get(CSRFHeader), p.Secret) {
				return web.Error(http.StatusForbidden, web.CodeCSRF, "missing or wrong "+CSRFHeader+" header")
			}
			if !p.Session.Role.AtLeast(min) {
				return ErrForbidden()
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

// Of is the principal Require admitted (nil on a route without it).
func Of(c echo.Context) *Principal {
	p, _ := c.Get(ctxSession).(*Principal)
	return p
}

// SetCookie: HttpOnly, SameSite=Lax, Secure under TLS (native or a
// trusted proxy's), expiring with the session; an empty value clears it.
func (m *Manager) SetCookie(c echo.Context, value string, expires time.Time) {
	ck := &http.Cookie{
		Name: CookieName, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: m.d.Secure(c.Request()),
	}
	if value == "" {
		ck.MaxAge = -1
	} else {
		ck.Expires = expires
	}
	c.SetCookie(ck)
}

// Entry starts an audit entry of kind for the request's principal (if any).
func Entry(c echo.Context, kind string, now time.Time) store.AuditEntry {
	e := store.AuditEntry{At: now.UTC(), IP: c.RealIP(), Kind: kind, Action: kind, Result: "ok"}
	if p := Of(c); p != nil {
		e.User, e.Role = p.Session.User, string(p.Session.Role)
	}
	return e
}
