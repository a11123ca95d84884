package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/origin"
	"github.com/callboard/callboard/server/store"
)

// passwordCheckWait bounds how long a sign-in waits for a free password
// check slot before it is answered 503.
const passwordCheckWait = 5 * time.Second

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

// decodeStrict reads exactly one JSON object sent as application/json,
// refusing unknown fields and anything after the object.
func decodeStrict(c echo.Context, v any, shape string) error {
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEApplicationJSON {
		return apiError(http.StatusUnsupportedMediaType, codeInvalid, "Content-Type must be application/json")
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("data after the JSON object")
	}
	if err == nil {
		// dec.More ignores a stray closing bracket; one more token must be EOF.
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = errors.New("data after the JSON object")
		}
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return apiError(http.StatusRequestEntityTooLarge, codeInvalid, "body too large")
		}
		return apiError(http.StatusBadRequest, codeInvalid, "body must be "+shape)
	}
	return nil
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
	// The login's CSRF defence (it has no session yet): a browser Origin must
	// be this host or an allowed origin.
	if !origin.OriginAllowed(c.Request(), s.cfg.AllowedOrigins) {
		return apiError(http.StatusForbidden, codeCSRF, "sign-in from a foreign origin")
	}
	var b loginBody
	if err := decodeStrict(c, &b, `{"username","password"}`); err != nil {
		return err
	}
	name := normalUserName(b.Username)
	ip := c.RealIP()
	keys := []string{"ip:" + ip, "user:" + name}
	// Reserve the attempt before the slow check: parallel guesses count
	// against the limit as they start, not as they finish.
	if wait, ok := s.limiter.Acquire(keys...); !ok {
		return retryAfter(c, wait)
	}
	ctx := c.Request().Context()
	u, err := s.checkPassword(ctx, name, b.Password)
	switch {
	case errors.Is(err, auth.ErrBusy):
		s.limiter.Release(false, keys...)
		c.Response().Header().Set("Retry-After", "1")
		return apiError(http.StatusServiceUnavailable, codeUnavailable, "too many sign-ins in progress; try again")
	case err != nil && !errors.Is(err, auth.ErrMismatch):
		s.limiter.Release(false, keys...)
		return fmt.Errorf("sign in: %w", err)
	case err != nil:
		wait := s.limiter.Release(true, keys...)
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
	s.limiter.Release(false, keys...)
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

// checkPassword verifies name's password in one of the hasher's slots. It
// returns auth.ErrMismatch for a wrong name or password (spending the same
// time on unknown names: no user enumeration), auth.ErrBusy when no slot
// freed in time, or a store error.
func (s *Server) checkPassword(ctx context.Context, name, password string) (store.User, error) {
	ctx, cancel := context.WithTimeout(ctx, passwordCheckWait)
	defer cancel()
	u, err := s.store.GetUser(ctx, name)
	switch {
	case errors.Is(err, store.ErrNotFound) || name == "" || len(password) > auth.MaxPasswordLen:
		return store.User{}, s.hasher.VerifyDummy(ctx, password)
	case err != nil:
		return store.User{}, err
	}
	err = s.hasher.Verify(ctx, password, u.PasswordHash)
	if err != nil && !errors.Is(err, auth.ErrMismatch) && !errors.Is(err, auth.ErrBusy) {
		s.log.Error("stored password hash unusable", "user", name, "err", err)
		err = auth.ErrMismatch
	}
	return u, err
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
