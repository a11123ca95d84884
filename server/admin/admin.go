package admin

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/audit"
	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/session"
	"github.com/callboard/callboard/server/store"
)

// Deps is what the handlers need.
type Deps struct {
	Sessions *session.Manager
	Store    store.Store
	Hasher   *auth.Hasher
	Audit    *audit.Writer
	Now      func() time.Time
	Log      *slog.Logger
}

// Handler serves the admin routes.
type Handler struct{ d Deps }

// New returns the handlers.
func New(d Deps) *Handler { return &Handler{d: d} }

var tokenNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$`)

// userJSON is a user as the API shows it.
type userJSON struct {
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"createdAt,omitzero"`
}

// ListUsers lists the users.
func (h *Handler) ListUsers(c echo.Context) error {
	users, err := h.d.Store.ListUsers(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]userJSON, len(users))
	for i, u := range users {
		out[i] = userJSON{Name: u.Name, Role: string(u.Role), CreatedAt: u.CreatedAt}
	}
	return c.JSON(http.StatusOK, map[string]any{"users": out})
}

type newUserBody struct {
	Name     string `json:"name"`
	Role     string `json:"role"`
	Password string `json:"password"`
}

// CreateUser creates a user.
func (h *Handler) CreateUser(c echo.Context) error {
	var b newUserBody
	if err := web.DecodeStrict(c, &b, `{"name","role","password"}`); err != nil {
		return err
	}
	u, err := auth.NewUser(h.d.Hasher, auth.NormalUserName(b.Name), store.Role(b.Role), b.Password, h.d.Now())
	if err != nil {
		return web.Error(http.StatusBadRequest, web.CodeInvalid, err.Error())
	}
	if err := h.d.Store.CreateUser(c.Request().Context(), u); err != nil {
		if errors.Is(err, store.ErrExists) {
			return web.Error(http.StatusConflict, web.CodeRefused, "user "+u.Name+" exists")
		}
		return err
	}
	e := session.Entry(c, "user_created", h.d.Now())
	e.Target, e.Detail = u.Name, "role "+string(u.Role)
	h.d.Audit.Record(e)
	return c.JSON(http.StatusCreated, userJSON{Name: u.Name, Role: string(u.Role), CreatedAt: u.CreatedAt})
}

// DeleteUser deletes a user and closes their websockets (never the last admin).
func (h *Handler) DeleteUser(c echo.Context) error {
	name, err := web.Param(c, "name")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	// Read the sessions first: the delete cascades to them.
	ids, err := h.d.Store.SessionIDsOfUser(ctx, name)
	if err != nil {
		return err
	}
	switch err := h.d.Store.DeleteUserKeepAdmin(ctx, name); {
	case errors.Is(err, store.ErrNotFound):
		return web.Error(http.StatusNotFound, web.CodeNotFound, "no such user")
	case errors.Is(err, store.ErrLastAdmin):
		return web.Error(http.StatusConflict, web.CodeRefused, "cannot delete the last admin")
	case err != nil:
		return err
	}
	for _, id := range ids {
		h.d.Sessions.CloseSockets(id)
	}
	e := session.Entry(c, "user_deleted", h.d.Now())
	e.Target = name
	h.d.Audit.Record(e)
	return c.NoContent(http.StatusNoContent)
}

type sessionJSON struct {
	ID         string    `json:"id"`
	User       string    `json:"user"`
	Role       string    `json:"role"`
	CreatedAt  time.Time `json:"createdAt"`
	LastSeenAt time.Time `json:"lastSeenAt"`
	ExpiresAt  time.Time `json:"expiresAt"`
	IP         string    `json:"ip"`
	Current    bool      `json:"current"`
}

// ListSessions lists the live sessions.
func (h *Handler) ListSessions(c echo.Context) error {
	all, err := h.d.Store.ListSessions(c.Request().Context())
	if err != nil {
		return err
	}
	me := session.Of(c).Session.ID
	now := h.d.Now()
	out := []sessionJSON{}
	for _, ss := range all {
		if h.d.Sessions.Expired(ss, now) {
			continue
		}
		out = append(out, sessionJSON{ID: ss.ID, User: ss.User, Role: string(ss.Role), CreatedAt: ss.CreatedAt,
			LastSeenAt: ss.LastSeenAt, ExpiresAt: ss.ExpiresAt, IP: ss.IP, Current: ss.ID == me})
	}
	return c.JSON(http.StatusOK, map[string]any{"sessions": out})
}

// RevokeSession ends a session and closes its websockets.
func (h *Handler) RevokeSession(c echo.Context) error {
	id, err := web.Param(c, "id")
	if err != nil {
		return err
	}
	if err := h.d.Store.DeleteSession(c.Request().Context(), id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return web.Error(http.StatusNotFound, web.CodeNotFound, "no such session")
		}
		return err
	}
	h.d.Sessions.CloseSockets(id)
	e := session.Entry(c, "session_revoked", h.d.Now())
	e.Target = web.Clip(id, 64)
	h.d.Audit.Record(e)
	return c.NoContent(http.StatusNoContent)
}

type tokenJSON struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Scopes     []string  `json:"scopes"`
	CreatedAt  time.Time `json:"createdAt"`
	LastUsedAt time.Time `json:"lastUsedAt,omitzero"`
	Token      string    `json:"token,omitempty"` // only in the answer to its creation
}

// ListTokens lists the API tokens (never their secret).
func (h *Handler) ListTokens(c echo.Context) error {
	all, err := h.d.Store.ListTokens(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]tokenJSON, len(all))
	for i, t := range all {
		out[i] = tokenJSON{ID: t.ID, Name: t.Name, Scopes: t.Scopes, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt}
	}
	return c.JSON(http.StatusOK, map[string]any{"tokens": out})
}

type newTokenBody struct {
	Name   string   `json:"name"`
	Scopes []string `json:"scopes"`
}

// CreateToken creates an API token; the answer is the only time its secret is shown.
func (h *Handler) CreateToken(c echo.Context) error {
	var b newTokenBody
	if err := web.DecodeStrict(c, &b, `{"name","scopes":[...]}`); err != nil {
		return err
	}
	if !tokenNamePattern.MatchString(b.Name) {
		return web.Error(http.StatusBadRequest, web.CodeInvalid, "name must match "+tokenNamePattern.String())
	}
	if len(b.Scopes) == 0 {
		return web.Error(http.StatusBadRequest, web.CodeInvalid, "scopes missing")
	}
	for _, sc := range b.Scopes {
		if !slices.Contains(auth.KnownScopes, sc) {
			return web.Error(http.StatusBadRequest, web.CodeInvalid, fmt.Sprintf("unknown scope %q", web.Clip(sc, 64)))
		}
	}
	secret, err := auth.NewSecret(auth.APITokenPrefix)
	if err != nil {
		return err
	}
	id, err := auth.NewID()
	if err != nil {
		return err
	}
	t := store.Token{ID: id, Name: b.Name, Scopes: slices.Compact(slices.Sorted(slices.Values(b.Scopes))), TokenHash: auth.HashSecret(secret),
		CreatedBy: session.Of(c).Session.User, CreatedAt: h.d.Now().UTC()}
	if err := h.d.Store.CreateToken(c.Request().Context(), t); err != nil {
		return err
	}
	e := session.Entry(c, "token_created", h.d.Now())
	e.Target, e.Detail = t.ID, t.Name
	h.d.Audit.Record(e)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, tokenJSON{ID: t.ID, Name: t.Name, Scopes: t.Scopes, CreatedAt: t.CreatedAt, Token: secret})
}

// RevokeToken revokes an API token.
func (h *Handler) RevokeToken(c echo.Context) error {
	id, err := web.Param(c, "id")
	if err != nil {
		return err
	}
	if err := h.d.Store.DeleteToken(c.Request().Context(), id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return web.Error(http.StatusNotFound, web.CodeNotFound, "no such token")
		}
		return err
	}
	e := session.Entry(c, "token_revoked", h.d.Now())
	e.Target = web.Clip(id, 64)
	h.d.Audit.Record(e)
	return c.NoContent(http.StatusNoContent)
}
