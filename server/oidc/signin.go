package oidc

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/store"
)

// signIn maps the verified claims to a user, creating or updating it, and
// starts a session.
func (h *Handler) signIn(c echo.Context, claims map[string]any) (store.User, error) {
	ctx := c.Request().Context()
	raw, _ := claims[h.d.Config.UsernameClaim].(string)
	name := auth.NormalUserName(raw)
	if !auth.UserNamePattern.MatchString(name) {
		return store.User{}, &refusal{result: "bad_username", status: http.StatusForbidden, page: pageBadName,
			err: fmt.Errorf("claim %s is not a usable user name", h.d.Config.UsernameClaim)}
	}
	role := h.d.Config.mapRole(claimStrings(claims[h.d.Config.RolesClaim]))
	u, err := h.d.Users.GetUser(ctx, name)
	switch {
	case err == nil && !u.SSO:
		// Never take over a local account (a local admin named like an
		// IdP user would otherwise be handed to whoever the IdP says).
		return store.User{}, &refusal{result: "local_account", user: name, status: http.StatusForbidden, page: pageLocalAccount}
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return store.User{}, fmt.Errorf("oidc sign-in: %w", err)
	}
	exists := err == nil
	if role == "" {
		if exists {
			// The provider took the user's last mapped group away: its
			// sessions end too.
			h.endSessions(c, name)
		}
		return store.User{}, &refusal{result: "no_role", user: name, status: http.StatusForbidden, page: pageNoRole}
	}
	switch {
	case !exists:
		u = store.User{Name: name, Role: role, CreatedAt: h.d.Now(), SSO: true}
		if err := h.d.Users.CreateUser(ctx, u); err != nil {
			return store.User{}, fmt.Errorf("oidc sign-in: create %s: %w", name, err)
		}
		h.d.Log.Info("sso user created", "user", name, "role", role)
	case u.Role != role:
		if err := h.d.Users.SetSSORole(ctx, name, role); err != nil {
			return store.User{}, fmt.Errorf("oidc sign-in: role of %s: %w", name, err)
		}
		h.d.Log.Info("sso user role changed", "user", name, "from", u.Role, "to", role)
		u.Role = role
	}
	if err := h.startSession(c, u); err != nil {
		return store.User{}, err
	}
	return u, nil
}

// startSession is the password sign-in's session, for an SSO user.
func (h *Handler) startSession(c echo.Context, u store.User) error {
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
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(h.d.SessionMaxAge), IP: c.RealIP()}
	if err := h.d.Users.CreateSession(c.Request().Context(), sess); err != nil {
		return fmt.Errorf("oidc sign-in: %w", err)
	}
	h.d.Sessions.SetCookie(c, secret, sess.ExpiresAt)
	return nil
}

func (h *Handler) endSessions(c echo.Context, name string) {
	ctx := c.Request().Context()
	ids, err := h.d.Users.SessionIDsOfUser(ctx, name)
	if err != nil {
		h.d.Log.Warn("oidc: sessions of a user without role", "user", name, "err", err)
		return
	}
	for _, id := range ids {
		h.d.Sessions.End(ctx, id)
	}
}
