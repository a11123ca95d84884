package oidc_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/callboard/callboard/server/oidc"
	"github.com/callboard/callboard/server/store"
)

func TestFirstSignInCreatesTheUserWithTheMappedRole(t *testing.T) {
	e := start(t)
	b, code, page := e.signIn(t, &idpUser{sub: "s-1", name: "Alice", groups: []string{"engineering", "cb-mods", "staff"}})
	if code != http.StatusFound {
		t.Fatalf("callback: %d %s", code, page)
	}
	if name, role := b.me(e.ts.Base); name != "alice" || role != "moderator" {
		t.Fatalf("signed in as %q %q, want alice moderator (the highest mapped role)", name, role)
	}
	u, err := e.ts.Store.GetUser(context.Background(), "alice")
	if err != nil || !u.SSO || u.Role != store.RoleModerator || u.PasswordHash != "" {
		t.Fatalf("user %+v %v", u, err)
	}
	if kind, user, result := e.lastSSOAudit(t, 1); kind != "login" || user != "alice" || result != "ok" {
		t.Fatalf("audit %s %s %s", kind, user, result)
	}
	// An SSO user has no password to guess.
	if code := e.ts.Anonymous().TryLogin(t, "alice", "").StatusCode; code != http.StatusUnauthorized && code != http.StatusBadRequest {
		t.Fatalf("password sign-in of an SSO user: %d", code)
	}
}

func TestRoleChangeAtTheProviderAppliesOnNextSignIn(t *testing.T) {
	e := start(t)
	b, _, _ := e.signIn(t, &idpUser{sub: "s-2", name: "bob", groups: []string{"staff"}})
	if _, role := b.me(e.ts.Base); role != "viewer" {
		t.Fatalf("first role %q", role)
	}
	b, _, _ = e.signIn(t, &idpUser{sub: "s-2", name: "bob", groups: []string{"cb-admins"}})
	if _, role := b.me(e.ts.Base); role != "admin" {
		t.Fatalf("after promotion %q", role)
	}
	// Taken out of every mapped group: refused, and the old session ends.
	_, code, page := e.signIn(t, &idpUser{sub: "s-2", name: "bob", groups: []string{"engineering"}})
	if code != http.StatusForbidden || !strings.Contains(page, "No access to callboard") {
		t.Fatalf("no role: %d %s", code, page)
	}
	if name, _ := b.me(e.ts.Base); name != "" {
		t.Fatal("the session of a user without role still works")
	}
}

func TestUserWithoutMappedGroupIsRefused(t *testing.T) {
	e := start(t)
	b, code, page := e.signIn(t, &idpUser{sub: "s-3", name: "carol", groups: []string{"engineering", "design"}})
	if code != http.StatusForbidden || !strings.Contains(page, "none of the groups") || !strings.Contains(page, "Mock IdP") {
		t.Fatalf("callback: %d %s", code, page)
	}
	if name, _ := b.me(e.ts.Base); name != "" {
		t.Fatalf("signed in as %q", name)
	}
	if _, err := e.ts.Store.GetUser(context.Background(), "carol"); err == nil {
		t.Fatal("a user without role was created")
	}
	if kind, user, result := e.lastSSOAudit(t, 1); kind != "login_failed" || user != "carol" || result != "no_role" {
		t.Fatalf("audit %s %s %s", kind, user, result)
	}
}

func TestBrokenIDTokensAreRefused(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(*mockoidc.IDTokenClaims)
	}{
		{"wrong audience", func(c *mockoidc.IDTokenClaims) { c.Audience = jwt.ClaimStrings{"another-app"} }},
		{"expired", func(c *mockoidc.IDTokenClaims) {
			c.IssuedAt = jwt.NewNumericDate(time.Now().Add(-2 * time.Hour))
			c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Hour))
		}},
		{"bad nonce", func(c *mockoidc.IDTokenClaims) { c.Nonce = "forged-nonce" }},
		{"no nonce", func(c *mockoidc.IDTokenClaims) { c.Nonce = "" }},
		{"other issuer", func(c *mockoidc.IDTokenClaims) { c.Issuer = "https://evil.example" }},
	}
	e := start(t)
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, code, page := e.signIn(t, &idpUser{sub: "s-4", name: "dave", groups: []string{"cb-admins"}, tamper: tc.tamper})
			if code != http.StatusForbidden || !strings.Contains(page, "Sign-in failed") {
				t.Fatalf("callback: %d %s", code, page)
			}
			if name, _ := b.me(e.ts.Base); name != "" {
				t.Fatalf("signed in as %q", name)
			}
			kind, _, result := e.lastSSOAudit(t, i+1)
			if want := map[bool]string{true: "bad_nonce", false: "invalid_id_token"}[strings.Contains(tc.name, "nonce")]; kind != "login_failed" || result != want {
				t.Fatalf("audit %s %s, want login_failed %s", kind, result, want)
			}
		})
	}
	if _, err := e.ts.Store.GetUser(context.Background(), "dave"); err == nil {
		t.Fatal("a refused token created the user")
	}
}

func TestStateIsSingleUseAndBoundToTheBrowser(t *testing.T) {
	e := start(t)
	u := &idpUser{sub: "s-5", name: "erin", groups: []string{"staff"}}

	// Another browser cannot finish this browser's sign-in.
	b := e.browser(t)
	cb := e.toCallback(b, u)
	other := e.browser(t)
	if code, page := other.finish(cb); code != http.StatusBadRequest || !strings.Contains(page, "expired") {
		t.Fatalf("callback in another browser: %d %s", code, page)
	}
	// ... nor use it up: the browser that started it still can.
	if code, page := b.finish(cb); code != http.StatusFound {
		t.Fatalf("the rightful browser after another's attempt: %d %s", code, page)
	}

	// A replayed callback, even with the binding cookie, finds nothing.
	b = e.browser(t)
	cb = e.toCallback(b, u)
	ck, err := b.oidcCookie(e.ts.Base)
	if err != nil {
		t.Fatal(err)
	}
	if code, page := b.finish(cb); code != http.StatusFound {
		t.Fatalf("first use: %d %s", code, page)
	}
	replay := e.browser(t)
	replay.jar.SetCookies(mustURL(t, e.ts.Base+oidc.CallbackPath), []*http.Cookie{ck})
	if code, page := replay.finish(cb); code != http.StatusBadRequest || !strings.Contains(page, "already used") {
		t.Fatalf("replay: %d %s", code, page)
	}
	if name, _ := replay.me(e.ts.Base); name != "" {
		t.Fatalf("the replay signed in as %q", name)
	}
	if _, _, result := e.lastSSOAudit(t, 4); result != "bad_state" {
		t.Fatalf("audit result %q", result)
	}
}

func TestLocalAccountIsNotTakenOver(t *testing.T) {
	e := start(t)
	_, code, page := e.signIn(t, &idpUser{sub: "s-6", name: "root", groups: []string{"cb-admins"}})
	if code != http.StatusForbidden || !strings.Contains(page, "local callboard account") {
		t.Fatalf("callback: %d %s", code, page)
	}
}

func TestProvidersAndLocalLoginSwitch(t *testing.T) {
	e := start(t)
	var p struct {
		LocalLogin bool
		OIDC       *struct{ Name, Start string }
	}
	if code := e.ts.GetJSON(t, "/api/v1/auth/providers", &p); code != 200 || !p.LocalLogin || p.OIDC == nil ||
		p.OIDC.Name != "Mock IdP" || p.OIDC.Start != oidc.StartPath {
		t.Fatalf("providers %d %+v", code, p)
	}
}
