package server_test

import (
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httputil"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/callboard/callboard/server/oidc"
	"github.com/callboard/callboard/server/store"
)

// oidcClientSecret is the SSO client secret TestSecretsNeverLeave looks for.
const oidcClientSecret = "oidc-Client-Secret-5e1d07"

// startIdP runs an OIDC provider on loopback that knows callboard by
// oidcClientSecret, and the server's config for it.
func startIdP(t *testing.T) *oidc.Config {
	t.Helper()
	idp, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	idp.ClientSecret = oidcClientSecret
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := idp.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idp.Shutdown() })
	c := idp.Config()
	return &oidc.Config{Issuer: c.Issuer, ClientID: c.ClientID, ClientSecret: oidcClientSecret, ProviderName: "Mock IdP",
		Scopes: []string{"profile", "email", "groups"}, Roles: map[string]store.Role{"engineering": store.RoleViewer}, LocalLogin: true}
}

// ssoSignIn signs a browser in through the provider (its default user,
// jane.doe in group engineering) and records every answer callboard gave.
func ssoSignIn(t *testing.T, base string, rec *exchangeLog) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	hc.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if resp := r.Response; resp != nil {
			head, _ := httputil.DumpResponse(resp, false)
			rec.add("sso redirect "+resp.Request.URL.Path, nil, head)
		}
		return nil
	}
	for _, p := range []string{oidc.StartPath, "/api/v1/auth/me", oidc.CallbackPath + "?state=x&code=y"} {
		resp, err := hc.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if p == "/api/v1/auth/me" && resp.StatusCode != http.StatusOK {
			t.Fatalf("sso sign-in: me %d %s", resp.StatusCode, body)
		}
		head, _ := httputil.DumpResponse(resp, false)
		rec.add("sso GET "+p, nil, append(head, body...))
	}
}
