// Tests of security.go over HTTP: trusted proxies (client IP, Secure
// cookie, HSTS), native TLS and the security headers on every answer.
package server_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/internal/stubnode"
	"github.com/callboard/callboard/server/session"
)

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
			ts := servertest.Start(t, server.Config{TrustedProxies: tc.proxies})
			c := ts.Anonymous()
			c.Headers.Set("X-Forwarded-For", "203.0.113.5")
			c.Headers.Set("X-Forwarded-Proto", "https")
			ts.AddUser(t, "spoofer", "viewer")
			resp := c.TryLogin(t, "spoofer", servertest.Password)
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
			ts.GetJSON(t, "/api/v1/sessions", &body)
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
	ts := servertest.Start(t, server.Config{TLSCert: cert, TLSKey: key}, stubnode.New("fs1", servertest.FS1Snapshot()))
	if !strings.HasPrefix(ts.Base, "https://") {
		t.Fatal("not TLS")
	}
	resp := ts.Anonymous().TryLogin(t, "root", servertest.Password)
	if resp.StatusCode != 200 || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("login over TLS: %d, HSTS %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == session.CookieName && (!ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode) {
			t.Fatalf("cookie %+v", ck)
		}
	}
	if _, err := server.New(server.Config{Store: ts.Store, TLSCert: cert, TLSKey: cert}, nil); err == nil {
		t.Fatal("a bad key pair must fail at start")
	}
}

func TestSecurityHeaders(t *testing.T) {
	ts := servertest.Start(t, server.Config{})
	for _, p := range []string{"/", "/api/v1/state", "/api/v1/auth/me", "/healthz"} {
		resp, _ := ts.Anonymous().Do(t, http.MethodGet, p, "")
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
