package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
)

// OIDCCallbackPath is where the provider sends the browser back (server/oidc).
const OIDCCallbackPath = "/api/v1/auth/oidc/callback"

// OIDC is the single sign-on section (server/oidc). It is on when issuer
// is set. The client secret, like a node password, comes from the
// environment or a file, never from the config file:
// CALLBOARD_OIDC_CLIENT_SECRET, client_secret_env or client_secret_file.
//
//	oidc:
//	  issuer: https://idp.example.com/realms/ops
//	  provider_name: Company SSO        # "Sign in with Company SSO"
//	  client_id: callboard
//	  client_secret_file: /run/secrets/callboard-oidc
//	  redirect_url: https://callboard.example.com/api/v1/auth/oidc/callback
//	  scopes: [profile, email, groups]  # besides openid; default profile, email
//	  username_claim: preferred_username
//	  roles_claim: groups
//	  roles: {callboard-admins: admin, noc: moderator, support: viewer}
//	  local_login: true                 # false: single sign-on only
type OIDC struct {
	Issuer             string            `yaml:"issuer"`
	ProviderName       string            `yaml:"provider_name"`
	ClientID           string            `yaml:"client_id"`
	ClientSecretEnv    string            `yaml:"client_secret_env"`
	ClientSecretFile   string            `yaml:"client_secret_file"`
	InlineClientSecret string            `yaml:"client_secret"` // refused
	RedirectURL        string            `yaml:"redirect_url"`
	Scopes             []string          `yaml:"scopes"`
	UsernameClaim      string            `yaml:"username_claim"`
	RolesClaim         string            `yaml:"roles_claim"`
	Roles              map[string]string `yaml:"roles"`
	LocalLogin         *bool             `yaml:"local_login"` // default true

	// ClientSecret is resolved by Load.
	ClientSecret Secret `yaml:"-"`
}

// Enabled reports whether single sign-on is configured.
func (o *OIDC) Enabled() bool { return o.Issuer != "" }

// LocalLoginEnabled is local_login, true unless switched off.
func (o *OIDC) LocalLoginEnabled() bool { return o.LocalLogin == nil || *o.LocalLogin }

// applyEnv takes CALLBOARD_OIDC_ISSUER, _CLIENT_ID, _REDIRECT_URL,
// _PROVIDER_NAME, _ROLES_CLAIM, _ROLES ("group=role,group=role"),
// _SCOPES and _LOCAL_LOGIN.
func (o *OIDC) applyEnv(getenv func(string) string) {
	for k, dst := range map[string]*string{"ISSUER": &o.Issuer, "CLIENT_ID": &o.ClientID, "REDIRECT_URL": &o.RedirectURL,
		"PROVIDER_NAME": &o.ProviderName, "ROLES_CLAIM": &o.RolesClaim, "USERNAME_CLAIM": &o.UsernameClaim} {
		if v := getenv("CALLBOARD_OIDC_" + k); v != "" {
			*dst = v
		}
	}
	if v := getenv("CALLBOARD_OIDC_SCOPES"); v != "" {
		o.Scopes = splitList(v)
	}
	if v := getenv("CALLBOARD_OIDC_ROLES"); v != "" {
		o.Roles = map[string]string{}
		for _, pair := range splitList(v) {
			k, r, _ := strings.Cut(pair, "=")
			o.Roles[strings.TrimSpace(k)] = strings.TrimSpace(r)
		}
	}
	if v := getenv("CALLBOARD_OIDC_LOCAL_LOGIN"); v != "" {
		b := v == "true" || v == "1" || v == "yes"
		o.LocalLogin = &b
	}
}

// resolveSecret reads the client secret: CALLBOARD_OIDC_CLIENT_SECRET,
// client_secret_env or client_secret_file, in that order.
func (o *OIDC) resolveSecret(getenv func(string) string) error {
	if o.InlineClientSecret != "" {
		return errors.New("oidc.client_secret: secrets are not read from the config file; use client_secret_env, client_secret_file or CALLBOARD_OIDC_CLIENT_SECRET")
	}
	if !o.Enabled() {
		return nil
	}
	if v := getenv("CALLBOARD_OIDC_CLIENT_SECRET"); v != "" {
		o.ClientSecret = NewSecret(v)
		return nil
	}
	if o.ClientSecretEnv != "" {
		if !envNamePattern.MatchString(o.ClientSecretEnv) {
			return fmt.Errorf("oidc.client_secret_env: %q is not an environment variable name", o.ClientSecretEnv)
		}
		v := getenv(o.ClientSecretEnv)
		if v == "" {
			return fmt.Errorf("oidc.client_secret_env: environment variable %s is empty or unset", o.ClientSecretEnv)
		}
		o.ClientSecret = NewSecret(v)
		return nil
	}
	if o.ClientSecretFile != "" {
		raw, err := os.ReadFile(o.ClientSecretFile)
		if err != nil {
			return fmt.Errorf("oidc.client_secret_file: %w", err)
		}
		v := strings.TrimRight(string(raw), "\r\n")
		if v == "" {
			return fmt.Errorf("oidc.client_secret_file: %s is empty", o.ClientSecretFile)
		}
		o.ClientSecret = NewSecret(v)
	}
	return nil
}

// validate checks the section; a misconfigured SSO fails at start.
func (o *OIDC) validate() error {
	if !o.Enabled() {
		if o.LocalLogin != nil && !*o.LocalLogin {
			return errors.New("oidc.local_login: false needs single sign-on (oidc.issuer); nobody could sign in")
		}
		return nil
	}
	if err := checkURL(o.Issuer, false); err != nil {
		return fmt.Errorf("oidc.issuer: %w", err)
	}
	if o.ClientID == "" {
		return errors.New("oidc.client_id: missing")
	}
	if o.ClientSecret.IsZero() {
		return errors.New("oidc: no client secret: set CALLBOARD_OIDC_CLIENT_SECRET, client_secret_env or client_secret_file")
	}
	if o.RedirectURL == "" {
		return fmt.Errorf("oidc.redirect_url: missing (https://<this host>%s, as registered at the provider)", OIDCCallbackPath)
	}
	if err := checkURL(o.RedirectURL, true); err != nil {
		return fmt.Errorf("oidc.redirect_url: %w", err)
	}
	if len(o.Roles) == 0 {
		return errors.New("oidc.roles: map at least one group to admin, moderator or viewer; without a mapping nobody gets in")
	}
	for g, r := range o.Roles {
		if g == "" {
			return errors.New("oidc.roles: an empty group name")
		}
		if r != "admin" && r != "moderator" && r != "viewer" {
			return fmt.Errorf("oidc.roles[%q]: %q is not admin, moderator or viewer", g, r)
		}
	}
	return nil
}

// checkURL wants https, or http on a loopback host (a provider on the same
// machine, tests); callback URLs must end in OIDCCallbackPath.
func checkURL(v string, callback bool) error {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || u.User != nil {
		return fmt.Errorf("%q is not an absolute URL", v)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return fmt.Errorf("%q: use https (http only on loopback)", v)
		}
	default:
		return fmt.Errorf("%q: use https", v)
	}
	if callback && u.Path != OIDCCallbackPath {
		return fmt.Errorf("%q: the path must be %s", v, OIDCCallbackPath)
	}
	return nil
}
