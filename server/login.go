package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/store"
)

type loginBody struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type userJSON struct {
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"createdAt,omitzero"`
}

type meReply struct {
	User      userJSON `json:"user"`
	CSRFToken string   `json:"csrfToken"`
}

// decodeStrict reads one JSON object, refusing unknown fields.
func decodeStrict(c echo.Context, v any, shape string) error {
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return apiError(http.StatusRequestEntityTooLarge, codeInvalid, "body too large")
		}
		return apiError(http.StatusBadRequest, codeInvalid, "body must be "+shape)
	}
	return nil
}

// sameOrigin is the login's CSRF defence (it has no session yet): a browser
// Origin must be this host or an allowed origin.
func (s *Server) sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, o := range s.cfg.AllowedOrigins {
		if strings.EqualFold(strings.TrimSuffix(o, "/"), strings.TrimSuffix(origin, "/")) {
			return true
		}
	}
	return false
}

func retryAfter(c echo.Context, wait time.Duration) error {
	c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	return apiError(http.StatusTooManyRequests, codeRateLimited, "too many failed sign-ins; try again later")
}

// normalUserName lowercases and bounds what a client typed (also the
// rate-limit and audit key for unknown names).
func normalUserName(n string) string {
	n = strings.ToLower(strings.TrimSpace(n))
	if len(n) > 64 {
		n = n[:64]
	}
	return n
}

func (s *Server) login(c echo.Context) error {
	if !s.sameOrigin(c.Request()) {
		return apiError(http.StatusForbidden, codeCSRF, "sign-in from a foreign origin")
	}
	var b loginBody
	if err := decodeStrict(c, &b, `{"username","password"}`); err != nil {
		return err
	}
	name := normalUserName(b.Username)
	ip := c.RealIP()
	keys := []string{"ip:" + ip, "user:" + name}
	if wait := s.limiter.Blocked(keys...); wait > 0 {
		return retryAfter(c, wait)
	}
	ctx := c.Request().Context()
	u, err := s.store.GetUser(ctx, name)
	switch {
	case errors.Is(err, store.ErrNotFound) || name == "" || len(b.Password) > auth.MaxPasswordLen:
		err = s.hasher.VerifyDummy(b.Password) // same time as a real check: no user enumeration
	case err != nil:
		return fmt.Errorf("sign in: %w", err)
	default:
		err = auth.Verify(b.Password, u.PasswordHash)
		if err != nil && !errors.Is(err, auth.ErrMismatch) {
			s.log.Error("stored password hash unusable", "user", name, "err", err)
		}
	}
	if err != nil {
		wait := s.limiter.Fail(keys...)
		e := s.entry(c, "login_failed")
		e.User, e.Result = name, "bad_credentials"
		if !UserNamePattern.MatchString(name) {
			// Not a possible user name: maybe a password typed in the wrong
			// field. Keep it out of the audit.
			e.User, e.Detail = "", "malformed user name"
		}
		if wait > 0 {
			e.Result = "locked_out"
		}
		s.audit.Record(e)
		return apiError(http.StatusUnauthorized, codeUnauthorized, "wrong user name or password")
	}
	s.limiter.Succeed("user:" + name)

	secret, err := auth.NewSecret(auth.SessionPrefix)
	if err != nil {
		return err
	}
	id, err := auth.NewID()
	if err != nil {
		return err
	}
	now := s.now()
	sess := store.Session{ID: id, TokenHash: auth.HashSecret(secret), User: u.Name, Role: u.Role,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.cfg.Auth.SessionMaxAge), IP: ip}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	s.setSessionCookie(c, secret, sess.ExpiresAt)
	e := s.entry(c, "login")
	e.User, e.Role, e.Result = u.Name, string(u.Role), "ok"
	s.audit.Record(e)
	return c.JSON(http.StatusOK, meReply{User: userJSON{Name: u.Name, Role: string(u.Role)}, CSRFToken: auth.CSRFToken(secret)})
}

func (s *Server) logout(c echo.Context) error {
	p := principalOf(c)
	s.endSession(c.Request().Context(), p.session.ID)
	s.setSessionCookie(c, "", time.Time{})
	s.audit.Record(s.entry(c, "logout"))
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) me(c echo.Context) error {
	p, err := s.currentSession(c)
	if err != nil {
		return err
	}
	if p == nil {
		return errUnauthorized()
	}
	return c.JSON(http.StatusOK, meReply{User: userJSON{Name: p.session.User, Role: string(p.session.Role)}, CSRFToken: auth.CSRFToken(p.secret)})
}
