package main

import (
	"github.com/callboard/callboard/internal/config"
	"github.com/callboard/callboard/server/oidc"
	"github.com/callboard/callboard/server/store"
)

// oidcConfig turns the oidc section into the server's (nil: no SSO). The
// client secret is revealed here, for the token endpoint only.
func oidcConfig(c config.OIDC) *oidc.Config {
	if !c.Enabled() {
		return nil
	}
	roles := make(map[string]store.Role, len(c.Roles))
	for g, r := range c.Roles {
		roles[g] = store.Role(r)
	}
	return &oidc.Config{
		Issuer:        c.Issuer,
		ClientID:      c.ClientID,
		ClientSecret:  c.ClientSecret.Reveal(),
		RedirectURL:   c.RedirectURL,
		ProviderName:  c.ProviderName,
		Scopes:        c.Scopes,
		UsernameClaim: c.UsernameClaim,
		RolesClaim:    c.RolesClaim,
		Roles:         roles,
		LocalLogin:    c.LocalLoginEnabled(),
	}
}
