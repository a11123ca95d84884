package server

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/store"
)

// UserNamePattern is what a user name may be (stored lowercase).
var UserNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{0,63}$`)

// ScopeIngestUtterances lets a token post transcript lines.
const ScopeIngestUtterances = "ingest:utterances"

var knownScopes = []string{ScopeIngestUtterances}

var tokenNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$`)

func (s *Server) listUsers(c echo.Context) error {
	users, err := s.store.ListUsers(c.Request().Context())
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

// NewUser validates and hashes a user for the store (also used by the CLI
// and the first-start bootstrap).
func NewUser(h *auth.Hasher, name string, role store.Role, password string, now time.Time) (store.User, error) {
	if !UserNamePattern.MatchString(name) {
		return store.User{}, fmt.Errorf("user name %q must match %s", name, UserNamePattern)
	}
	if !role.Valid() {
		return store.User{}, fmt.Errorf("role %q is not viewer, moderator or admin", role)
	}
	if err := auth.CheckPolicy(password); err != nil {
		return store.User{}, err
	}
	hash, err := h.Hash(password)
	if err != nil {
		return store.User{}, fmt.Errorf("hash password: %w", err)
	}
	return store.User{Name: name, Role: role, PasswordHash: hash, CreatedAt: now.UTC()}, nil
}

func (s *Server) createUser(c echo.Context) error {
	var b newUserBody
	if err := decodeStrict(c, &b, `{"name","role","password"}`); err != nil {
		return err
	}
	u, err := NewUser(s.hasher, normalUserName(b.Name), store.Role(b.Role), b.Password, s.now())
	if err != nil {
		return apiError(http.StatusBadRequest, codeInvalid, err.Error())
	}
	if err := s.store.CreateUser(c.Request().Context(), u); err != nil {
		if errors.Is(err, store.ErrExists) {
			return apiError(http.StatusConflict, codeRefused, "user "+u.Name+" exists")
		}
		return err
	}
	e := s.entry(c, "user_created")
	e.Target, e.Detail = u.Name, "role "+string(u.Role)
	s.audit.Record(e)
	return c.JSON(http.StatusCreated, userJSON{Name: u.Name, Role: string(u.Role), CreatedAt: u.CreatedAt})
}

func (s *Server) deleteUser(c echo.Context) error {
	name, err := param(c, "name")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	// Read the sessions first: the delete cascades to them.
	ids, err := s.store.SessionIDsOfUser(ctx, name)
	if err != nil {
		return err
	}
	switch err := s.store.DeleteUserKeepAdmin(ctx, name); {
	case errors.Is(err, store.ErrNotFound):
		return apiError(http.StatusNotFound, codeNotFound, "no such user")
	case errors.Is(err, store.ErrLastAdmin):
		return apiError(http.StatusConflict, codeRefused, "cannot delete the last admin")
	case err != nil:
		return err
	}
	for _, id := range ids {
		s.hub.CloseSession(id, CloseSessionEnded, "session ended")
	}
	e := s.entry(c, "user_deleted")
	e.Target = name
	s.audit.Record(e)
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

func (s *Server) listSessions(c echo.Context) error {
	all, err := s.store.ListSessions(c.Request().Context())
	if err != nil {
		return err
	}
	me := principalOf(c).session.ID
	now := s.now()
	out := []sessionJSON{}
	for _, ss := range all {
		if s.sessionExpired(ss, now) {
			continue
		}
		out = append(out, sessionJSON{ID: ss.ID, User: ss.User, Role: string(ss.Role), CreatedAt: ss.CreatedAt,
			LastSeenAt: ss.LastSeenAt, ExpiresAt: ss.ExpiresAt, IP: ss.IP, Current: ss.ID == me})
	}
	return c.JSON(http.StatusOK, map[string]any{"sessions": out})
}

func (s *Server) revokeSession(c echo.Context) error {
	id, err := param(c, "id")
	if err != nil {
		return err
	}
	if err := s.store.DeleteSession(c.Request().Context(), id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return apiError(http.StatusNotFound, codeNotFound, "no such session")
		}
		return err
	}
	s.hub.CloseSession(id, CloseSessionEnded, "session ended")
	e := s.entry(c, "session_revoked")
	e.Target = clip(id, 64)
	s.audit.Record(e)
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

func (s *Server) listTokens(c echo.Context) error {
	all, err := s.store.ListTokens(c.Request().Context())
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

func (s *Server) createToken(c echo.Context) error {
	var b newTokenBody
	if err := decodeStrict(c, &b, `{"name","scopes":[...]}`); err != nil {
		return err
	}
	if !tokenNamePattern.MatchString(b.Name) {
		return apiError(http.StatusBadRequest, codeInvalid, "name must match "+tokenNamePattern.String())
	}
	if len(b.Scopes) == 0 {
		return apiError(http.StatusBadRequest, codeInvalid, "scopes missing")
	}
	for _, sc := range b.Scopes {
		if !slices.Contains(knownScopes, sc) {
			return apiError(http.StatusBadRequest, codeInvalid, fmt.Sprintf("unknown scope %q", clip(sc, 64)))
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
		CreatedBy: principalOf(c).session.User, CreatedAt: s.now().UTC()}
	if err := s.store.CreateToken(c.Request().Context(), t); err != nil {
		return err
	}
	e := s.entry(c, "token_created")
	e.Target, e.Detail = t.ID, t.Name
	s.audit.Record(e)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, tokenJSON{ID: t.ID, Name: t.Name, Scopes: t.Scopes, CreatedAt: t.CreatedAt, Token: secret})
}

func (s *Server) revokeToken(c echo.Context) error {
	id, err := param(c, "id")
	if err != nil {
		return err
	}
	if err := s.store.DeleteToken(c.Request().Context(), id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return apiError(http.StatusNotFound, codeNotFound, "no such token")
		}
		return err
	}
	e := s.entry(c, "token_revoked")
	e.Target = clip(id, 64)
	s.audit.Record(e)
	return c.NoContent(http.StatusNoContent)
}
