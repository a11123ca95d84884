package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const oidcYAML = `oidc:
  issuer: https://idp.example.com/realms/ops
  provider_name: Company SSO
  client_id: callboard
  redirect_url: https://cb.example.com/api/v1/auth/oidc/callback
  roles: {cb-admins: admin, noc: moderator}
`

func TestOIDCSection(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	secretFile := write("secret", "file-Secret-1\n")

	cfg, err := Load(write("a.yaml", oidcYAML), env("CALLBOARD_OIDC_CLIENT_SECRET", "env-Secret-1"))
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.OIDC
	if !o.Enabled() || !o.LocalLoginEnabled() || o.ClientSecret.Reveal() != "env-Secret-1" || o.Roles["noc"] != "moderator" {
		t.Fatalf("%+v", o)
	}
	if s := fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg); strings.Contains(s, "env-Secret-1") {
		t.Fatal("client secret printed")
	}
	cfg, err = Load(write("b.yaml", oidcYAML+"  client_secret_file: "+secretFile+"\n  local_login: false\n"), env())
	if err != nil || cfg.OIDC.ClientSecret.Reveal() != "file-Secret-1" || cfg.OIDC.LocalLoginEnabled() {
		t.Fatalf("file secret: %v %+v", err, cfg)
	}

	bad := []struct{ name, yaml, want string }{
		{"inline secret", oidcYAML + "  client_secret: s3cret-inline\n", "oidc.client_secret: secrets are not read"},
		{"no secret", oidcYAML, "no client secret"},
		{"no roles", strings.Replace(oidcYAML, "  roles: {cb-admins: admin, noc: moderator}\n", "", 1) + "  client_secret_file: " + secretFile + "\n", "oidc.roles"},
		{"bad role", strings.Replace(oidcYAML, "noc: moderator", "noc: root", 1) + "  client_secret_file: " + secretFile + "\n", `oidc.roles["noc"]`},
		{"http issuer", strings.Replace(oidcYAML, "https://idp", "http://idp", 1) + "  client_secret_file: " + secretFile + "\n", "oidc.issuer"},
		{"callback path", strings.Replace(oidcYAML, "/api/v1/auth/oidc/callback", "/cb", 1) + "  client_secret_file: " + secretFile + "\n", "oidc.redirect_url"},
		{"local login off without sso", "oidc:\n  local_login: false\n", "oidc.local_login"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(write(strings.ReplaceAll(tc.name, " ", "_")+".yaml", tc.yaml), env())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cret-inline") {
				t.Fatal("secret in the error")
			}
		})
	}
}
