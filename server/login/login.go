package login

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/audit"
	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/origin"
	"github.com/callboard/callboard/server/session"
	"github.com/callboard/callboard/server/store"
)

// passwordCheckWait bounds how long a sign-in waits for a free password
// check slot before it is answered 503.
const passwordCheckWait = 5 * time.Second

// Deps is what the handlers need.
type Deps struct {
	Sessions       *session.Manager
	Store          store.Store
	Hasher         *auth.Hasher
	Limiter        *auth.Limiter
	Audit          *audit.Writer
	AllowedOrigins []string      // origins allowed besides same-origin
	SessionMaxAge  time.Duration // absolute session lifetime
	Now            func() time.Time
	Log            *slog.Logger
}

// Handler serves /api/v1/auth/*.
type Handler struct{ d Deps }

// New returns the handlers.
func New(d Deps) *Handler { return &Handler{d: d} }

// LoginBody is the sign-in request.
type LoginBody struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// UserJSON is a user as the API shows it.
type UserJSON struct {
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"createdAt,omitzero"`
}

// MeReply answers sign-in and me.
type MeReply struct {
	User      UserJSON `json:"user"`
	CSRFToken string   `json:"csrfToken"`
}

func retryAfter(c echo.Context, wait time.Duration) error {
	c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	return web.Error(http.StatusTooManyRequests, web.CodeRateLimited, "too many failed sign-ins; try again later")
}

// Login signs in.
func (h *Handler) Login(c echo.Context) error {
	// The login's CSRF defence (it has no session yet): a browser Origin must
	// be this host or an allowed origin.
	if !origin.OriginAllowed(c.Request(), h.d.AllowedOrigins) {
		return web.Error(http.StatusForbidden, web.CodeCSRF, "sign-in from a foreign origin")
	}
	var b LoginBody
	if err := web.DecodeStrict(c, &b, `{"username","password"}`); err != nil {
		return err
	}
	name := auth.NormalUserName(b.Username)
	ip := c.RealIP()
	// Failures lock out the address; they only slow down the user name
	// (from every address), so nobody can lock a user out (issue 15).
	keys, uk := []string{"ip:" + ip}, userKey(name)
	// Reserve the attempt before the slow check: parallel guesses count
	// against the limit as they start, not as they finish.
	if wait, ok := h.d.Limiter.Acquire(keys...); !ok {
		return retryAfter(c, wait)
	}
	ctx := c.Request().Context()
	if err := sleep(ctx, h.d.Limiter.Delay(uk)); err != nil {
		h.d.Limiter.Release(false, keys...)
		return err
	}
	u, err := h.checkPassword(ctx, name, b.Password)
	switch {
	case errors.Is(err, auth.ErrBusy):
		h.d.Limiter.Release(false, keys...)
		c.Response().Header().Set("Retry-After", "1")
		return web.Error(http.StatusServiceUnavailable, web.CodeUnavailable, "too many sign-ins in progress; try again")
	case err != nil && !errors.Is(err, auth.ErrMismatch):
		h.d.Limiter.Release(false, keys...)
		return fmt.Errorf("sign in: %w", err)
	case err != nil:
		wait := h.d.Limiter.Release(true, keys...)
		h.d.Limiter.Slow(uk)
		e := session.Entry(c, "login_failed", h.d.Now())
		e.User, e.Result = name, "bad_credentials"
		if !auth.UserNamePattern.MatchString(name) {
			// Not a possible user name: maybe a password typed in the wrong
			// field. Keep it out of the audit.
			e.User, e.Detail = "", "malformed user name"
		}
		if wait > 0 {
			e.Result = "locked_out"
		}
		h.d.Audit.Record(e)
		return web.Error(http.StatusUnauthorized, web.CodeUnauthorized, "wrong user name or password")
	}
	h.d.Limiter.Release(false, keys...)
	h.d.Limiter.Succeed(uk)

	secret, err := auth.NewSecret(auth.SessionPrefix)
	if err != nil {
		return err
	}
	id, err := auth.NewID()
	if err != nil {
		return err
	}
	now := h.d.Now()
	sess := store.Session{ID: id, TokenHash: auth.HashSecret(secret), User: u.Name, Role: u.Role,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(h.d.SessionMaxAge), IP: ip}
	if err := h.d.Store.CreateSession(ctx, sess); err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	h.d.Sessions.SetCookie(c, secret, sess.ExpiresAt)
	e := session.Entry(c, "login", h.d.Now())
	e.User, e.Role, e.Result = u.Name, string(u.Role), "ok"
	h.d.Audit.Record(e)
	return c.JSON(http.StatusOK, MeReply{User: UserJSON{Name: u.Name, Role: string(u.Role)}, CSRFToken: auth.CSRFToken(secret)})
}

// checkPassword verifies name's password in one of the hasher's slots. It
// returns auth.ErrMismatch for a wrong name or password (spending the same
// time on unknown names: no user enumeration), auth.ErrBusy when no slot
// freed in time, or a store error.
func (h *Handler) checkPassword(ctx context.Context, name, password string) (store.User, error) {
	ctx, cancel := context.WithTimeout(ctx, passwordCheckWait)
	defer cancel()
	u, err := h.d.Store.GetUser(ctx, name)
	switch {
	case errors.Is(err, store.ErrNotFound) || name == "" || len(password) > auth.MaxPasswordLen:
		return store.User{}, h.d.Hasher.VerifyDummy(ctx, password)
	case err != nil:
		return store.User{}, err
	case u.SSO: // signs in through the identity provider only; same time spent
		return store.User{}, h.d.Hasher.VerifyDummy(ctx, password)
	}
	err = h.d.Hasher.Verify(ctx, password, u.PasswordHash)
	if err != nil && !errors.Is(err, auth.ErrMismatch) && !errors.Is(err, auth.ErrBusy) {
		h.d.Log.Error("stored password hash unusable", "user", name, "err", err)
		err = auth.ErrMismatch
	}
	return u, err
}

// Logout ends the caller's session.
func (h *Handler) Logout(c echo.Context) error {
	p := session.Of(c)
	h.d.Sessions.End(c.Request().Context(), p.Session.ID)
	h.d.Sessions.SetCookie(c, "", time.Time{})
	h.d.Audit.Record(session.Entry(c, "logout", h.d.Now()))
	return c.NoContent(http.StatusNoContent)
}

// Me is the signed-in user and their CSRF token, or 401.
func (h *Handler) Me(c echo.Context) error {
	p, err := h.d.Sessions.Current(c)
	if err != nil {
		return err
	}
	if p == nil {
		return session.ErrUnauthorized()
	}
	return c.JSON(http.StatusOK, MeReply{User: UserJSON{Name: p.Session.User, Role: string(p.Session.Role)}, CSRFToken: auth.CSRFToken(p.Secret)})
}
