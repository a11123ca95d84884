package session

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/store"
)

const ctxToken = "callboard.token"

// RequireToken admits a bearer API token holding scope. Tokens are not
// ambient credentials (a browser never sends them by itself), so no CSRF.
func (m *Manager) RequireToken(scope string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Request().Header.Get(echo.HeaderAuthorization)
			secret, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || secret == "" || len(secret) > 128 {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="callboard"`)
				return web.Error(http.StatusUnauthorized, web.CodeUnauthorized, "bearer token required")
			}
			ctx := c.Request().Context()
			t, err := m.d.Store.TokenByHash(ctx, auth.HashSecret(secret))
			if errors.Is(err, store.ErrNotFound) {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="callboard", error="invalid_token"`)
				return web.Error(http.StatusUnauthorized, web.CodeUnauthorized, "unknown or revoked token")
			}
			if err != nil {
				return err
			}
			if !slices.Contains(t.Scopes, scope) {
				return web.Error(http.StatusForbidden, web.CodeForbidden, "token lacks scope "+scope)
			}
			now := m.d.Now()
			if now.Sub(t.LastUsedAt) > time.Minute {
				if err := m.d.Store.TouchToken(ctx, t.ID, now); err != nil {
					m.d.Log.Warn("touch token", "err", err)
				}
			}
			c.Set(ctxToken, t)
			return next(c)
		}
	}
}

// TokenOf is the token RequireToken admitted (zero on a route without it).
func TokenOf(c echo.Context) store.Token {
	t, _ := c.Get(ctxToken).(store.Token)
	return t
}

// RequireSessionOrToken admits a bearer API token holding scope when the
// request carries an Authorization header, and otherwise a session of at
// least min (with its CSRF check). A catalogue entry with a Scope is
// registered with it (api.RegisterActions): the one place where an action
// is opened to tokens. A request with both credentials is judged by its
// token only.
func (m *Manager) RequireSessionOrToken(min store.Role, scope string) echo.MiddlewareFunc {
	byToken, bySession := m.RequireToken(scope), m.Require(min)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		tok, sess := byToken(next), bySession(next)
		return func(c echo.Context) error {
			if c.Request().Header.Get(echo.HeaderAuthorization) != "" {
				return tok(c)
			}
			return sess(c)
		}
	}
}
