package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/server/internal/stubnode"
	"github.com/callboard/callboard/server/login"
	"github.com/callboard/callboard/server/session"
)

func (c *testClient) tryLogin(t *testing.T, user, password string) *http.Response {
	t.Helper()
	b, _ := json.Marshal(login.LoginBody{Username: user, Password: password})
	resp, _ := c.do(t, http.MethodPost, "/api/v1/auth/login", string(b))
	return resp
}

func TestLoginRateLimit(t *testing.T) {
	t.Run("per user and IP", func(t *testing.T) {
		ts := startServer(t, Config{})
		anon := ts.anonymous()
		for i := range 5 {
			if code := anon.tryLogin(t, "root", "wrong password!").StatusCode; code != 401 {
				t.Fatalf("failure %d: %d", i+1, code)
			}
		}
		// locked: even the right password is not checked
		resp := anon.tryLogin(t, "root", testPassword)
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "60" {
			t.Fatalf("after 5 failures: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		ts.clock.Advance(61 * time.Second)
		if code := anon.tryLogin(t, "root", testPassword).StatusCode; code != 200 {
			t.Fatalf("after the lockout: %d", code)
		}
		// lockouts grow: the next 5 failures lock for 2 minutes
		for range 5 {
			anon.tryLogin(t, "root", "wrong password!")
		}
		if resp := anon.tryLogin(t, "root", testPassword); resp.Header.Get("Retry-After") != "120" {
			t.Fatalf("second lockout Retry-After %q", resp.Header.Get("Retry-After"))
		}
	})
	t.Run("per IP across names, per name across IPs", func(t *testing.T) {
		ts := startServer(t, Config{TrustedProxies: []string{"127.0.0.1"}})
		from := func(ip string) *testClient {
			c := ts.anonymous()
			c.headers.Set("X-Forwarded-For", ip)
			return c
		}
		for i := range 5 {
			from("198.51.100.7").tryLogin(t, "ghost"+string(rune('a'+i)), "wrong password!")
		}
		if code := from("198.51.100.7").tryLogin(t, "root", testPassword).StatusCode; code != 429 {
			t.Fatalf("IP with 5 failures: %d", code)
		}
		if code := from("198.51.100.8").tryLogin(t, "root", testPassword).StatusCode; code != 200 {
			t.Fatalf("another IP: %d", code)
		}
		for i := range 5 {
			from("203.0.113."+string(rune('1'+i))).tryLogin(t, "root", "wrong password!")
		}
		if code := from("203.0.113.99").tryLogin(t, "root", testPassword).StatusCode; code != 429 {
			t.Fatalf("user with 5 failures from 5 IPs: %d", code)
		}
	})
}

func TestTrustedProxies(t *testing.T) {
	tests := []struct {
		name    string
		proxies []string
		wantIP  string
		secure  bool
	}{
		{"no proxies: X-Forwarded-For from the peer is ignored", nil, "127.0.0.1", false},
		{"untrusted peer: ignored", []string{"10.0.0.0/8"}, "127.0.0.1", false},
		{"trusted proxy: believed", []string{"127.0.0.0/8"}, "203.0.113.5", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, Config{TrustedProxies: tc.proxies})
			c := ts.anonymous()
			c.headers.Set("X-Forwarded-For", "203.0.113.5")
			c.headers.Set("X-Forwarded-Proto", "https")
			ts.addUser(t, "spoofer", "viewer")
			resp := c.tryLogin(t, "spoofer", testPassword)
			if resp.StatusCode != 200 {
				t.Fatalf("login %d", resp.StatusCode)
			}
			var secure bool
			for _, ck := range resp.Cookies() {
				secure = secure || (ck.Name == session.CookieName && ck.Secure)
			}
			hsts := resp.Header.Get("Strict-Transport-Security") != ""
			if secure != tc.secure || hsts != tc.secure {
				t.Fatalf("Secure cookie %v, HSTS %v, want %v", secure, hsts, tc.secure)
			}
			var body struct{ Sessions []struct{ User, IP string } }
			ts.getJSON(t, "/api/v1/sessions", &body)
			for _, s := range body.Sessions {
				if s.User == "spoofer" && s.IP != tc.wantIP {
					t.Fatalf("session IP %q, want %q", s.IP, tc.wantIP)
				}
			}
		})
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "callboard test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestNativeTLS(t *testing.T) {
	cert, key := selfSigned(t)
	ts := startServer(t, Config{TLSCert: cert, TLSKey: key}, stubnode.New("fs1", fs1Snapshot()))
	if !strings.HasPrefix(ts.base, "https://") {
		t.Fatal("not TLS")
	}
	resp := ts.anonymous().tryLogin(t, "root", testPassword)
	if resp.StatusCode != 200 || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("login over TLS: %d, HSTS %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == session.CookieName && (!ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode) {
			t.Fatalf("cookie %+v", ck)
		}
	}
	if _, err := New(Config{Store: ts.store, TLSCert: cert, TLSKey: cert}, nil); err == nil {
		t.Fatal("a bad key pair must fail at start")
	}
}

func TestSecurityHeaders(t *testing.T) {
	ts := startServer(t, Config{})
	for _, p := range []string{"/", "/api/v1/state", "/api/v1/auth/me", "/healthz"} {
		resp, _ := ts.anonymous().do(t, http.MethodGet, p, "")
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") ||
			!strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Fatalf("%s: CSP %q", p, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("Strict-Transport-Security") != "" {
			t.Fatalf("%s: headers %v", p, h)
		}
	}
}
