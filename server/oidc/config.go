package oidc

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/callboard/callboard/server/store"
)

// Paths of the flow.
const (
	StartPath    = "/api/v1/auth/oidc/start"
	CallbackPath = "/api/v1/auth/oidc/callback"
)

// Config configures the provider. internal/config validates the file form.
type Config struct {
	Issuer       string // discovery base, e.g. https://idp.example.com/realms/ops
	ClientID     string
	ClientSecret string // only sent to the token endpoint
	// RedirectURL is the callback as registered at the provider
	// (https://callboard.example/api/v1/auth/oidc/callback). Empty: built
	// from the request's scheme and Host (tests and local development only;
	// the provider's redirect allowlist still applies).
	RedirectURL string
	// ProviderName is shown on the sign-in button ("Sign in with <name>").
	ProviderName string
	// Scopes requested besides "openid"; default profile, email.
	Scopes []string
	// UsernameClaim names the user; default preferred_username.
	UsernameClaim string
	// RolesClaim holds the groups or roles; default groups.
	RolesClaim string
	// Roles maps a value of RolesClaim to a callboard role.
	Roles map[string]store.Role
	// LocalLogin keeps the password sign-in available.
	LocalLogin bool
	// HTTPClient talks to the provider; default a client with a 10 s timeout.
	HTTPClient *http.Client
}

func (c *Config) defaults() {
	if len(c.Scopes) == 0 {
		c.Scopes = []string{"profile", "email"}
	}
	if c.UsernameClaim == "" {
		c.UsernameClaim = "preferred_username"
	}
	if c.RolesClaim == "" {
		c.RolesClaim = "groups"
	}
	if c.ProviderName == "" {
		c.ProviderName = "single sign-on"
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
}

func (c *Config) check() error {
	if c.Issuer == "" || c.ClientID == "" || c.ClientSecret == "" {
		return errors.New("oidc: issuer, client id and client secret are required")
	}
	if len(c.Roles) == 0 {
		return errors.New("oidc: no role mapping: nobody could sign in")
	}
	for v, r := range c.Roles {
		if !r.Valid() {
			return fmt.Errorf("oidc: roles[%q]: %q is not admin, moderator or viewer", v, r)
		}
	}
	return nil
}

// mapRole is the highest role any of values maps to ("" if none).
func (c *Config) mapRole(values []string) store.Role {
	var best store.Role
	for _, v := range values {
		if r, ok := c.Roles[v]; ok && (best == "" || r.AtLeast(best)) {
			best = r
		}
	}
	return best
}

// claimStrings reads a claim that is a string or a list of strings.
func claimStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
