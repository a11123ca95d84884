package oidc_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/callboard/callboard/internal/testutil"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/admin"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/oidc"
	"github.com/callboard/callboard/server/store"
)

// idpUser is a user at the test provider; tamper changes the ID token's
// standard claims (audience, expiry, nonce) to play a broken or hostile
// provider.
type idpUser struct {
	sub, name string
	groups    []string
	tamper    func(*mockoidc.IDTokenClaims)
}

type idpClaims struct {
	*mockoidc.IDTokenClaims
	PreferredUsername string   `json:"preferred_username,omitempty"`
	Groups            []string `json:"groups,omitempty"`
}

func (u *idpUser) ID() string { return u.sub }

func (u *idpUser) Userinfo([]string) ([]byte, error) {
	return json.Marshal(map[string]any{"sub": u.sub, "preferred_username": u.name, "groups": u.groups})
}

func (u *idpUser) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	if u.tamper != nil {
		u.tamper(base)
	}
	return &idpClaims{IDTokenClaims: base, PreferredUsername: u.name, Groups: u.groups}, nil
}

// env is a callboard server with SSO against a real OIDC provider
// (mockoidc) on loopback.
type env struct {
	ts  *servertest.Server
	idp *mockoidc.MockOIDC
}

func start(t *testing.T, mutate ...func(*oidc.Config)) *env {
	t.Helper()
	idp, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idp.Shutdown() })
	c := idp.Config()
	cfg := &oidc.Config{
		Issuer: c.Issuer, ClientID: c.ClientID, ClientSecret: c.ClientSecret, ProviderName: "Mock IdP",
		Scopes:     []string{"profile", "email", "groups"},
		Roles:      map[string]store.Role{"cb-admins": store.RoleAdmin, "cb-mods": store.RoleModerator, "staff": store.RoleViewer},
		LocalLogin: true,
	}
	for _, m := range mutate {
		m(cfg)
	}
	return &env{ts: servertest.Start(t, server.Config{OIDC: cfg}), idp: idp}
}

// browser is a browser with cookies that stops at the callback, so a test
// can look at (and replay) it.
type browser struct {
	t   *testing.T
	hc  *http.Client
	jar *cookiejar.Jar
}

func (e *env) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if r.URL.Path == oidc.CallbackPath {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return &browser{t: t, hc: hc, jar: jar}
}

func (b *browser) get(u string) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.hc.Get(u)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// toCallback starts a sign-in as u and returns the provider's redirect
// back to callboard (not yet followed).
func (e *env) toCallback(b *browser, u *idpUser) string {
	b.t.Helper()
	e.idp.QueueUser(u)
	resp, body := b.get(e.ts.Base + oidc.StartPath)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.Contains(loc, oidc.CallbackPath) {
		b.t.Fatalf("start: %d %s %s", resp.StatusCode, loc, body)
	}
	return loc
}

// finish follows the callback; it returns the status and page.
func (b *browser) finish(callback string) (int, string) {
	b.t.Helper()
	hc := *b.hc
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Get(callback)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// me is the browser's signed-in user and role ("" if none).
func (b *browser) me(base string) (string, string) {
	b.t.Helper()
	resp, body := b.get(base + "/api/v1/auth/me")
	if resp.StatusCode != http.StatusOK {
		return "", ""
	}
	var m struct{ User struct{ Name, Role string } }
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		b.t.Fatal(err)
	}
	return m.User.Name, m.User.Role
}

// signIn runs the whole flow; it returns the callback's status and page.
func (e *env) signIn(t *testing.T, u *idpUser) (*browser, int, string) {
	b := e.browser(t)
	code, page := b.finish(e.toCallback(b, u))
	return b, code, page
}

// lastSSOAudit waits for the newest audit entry of an SSO sign-in and
// returns its kind, user and result.
func (e *env) lastSSOAudit(t *testing.T, n int) (kind, user, result string) {
	t.Helper()
	testutil.Eventually(t, "the sso audit entries", func() bool {
		var got []admin.AuditJSON
		for _, a := range e.ts.Audit(t, "") {
			if a.Detail == "sso" {
				got = append(got, a)
			}
		}
		if len(got) < n {
			return false
		}
		kind, user, result = got[0].Kind, got[0].User, got[0].Result
		return true
	})
	return kind, user, result
}

var errNoCookie = errors.New("no oidc cookie")

// oidcCookie is the browser's binding cookie for the flow.
func (b *browser) oidcCookie(base string) (*http.Cookie, error) {
	u, _ := url.Parse(base + "/api/v1/auth/oidc/callback")
	for _, c := range b.jar.Cookies(u) {
		if c.Name == "callboard_oidc" {
			return c, nil
		}
	}
	return nil, errNoCookie
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
