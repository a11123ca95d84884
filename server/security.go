package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/audit"
	"github.com/callboard/callboard/server/auth"
)

// AuthConfig tunes sign-in and sessions. Zero values take the defaults.
type AuthConfig struct {
	SessionMaxAge      time.Duration // absolute session lifetime; default 12h
	SessionIdleTimeout time.Duration // idle expiry; default 30m
	// SessionCheckInterval is how often open websockets' sessions are
	// re-checked (expiry, revocation); default 15s.
	SessionCheckInterval time.Duration
	Limiter              auth.LimiterConfig // sign-in lockout per address, delays per user name
	PasswordParams       auth.Params        // argon2id cost; zero: auth.DefaultParams
	AuditBuffer          int                // queued audit entries before drops; default 4096
	// Now is the clock (tests inject one); default time.Now.
	Now func() time.Time
}

func (s *Server) initSecurity() error {
	a := &s.cfg.Auth
	if s.cfg.Store == nil {
		return errors.New("server: a store is required (users, sessions, audit)")
	}
	if a.SessionMaxAge <= 0 {
		a.SessionMaxAge = 12 * time.Hour
	}
	if a.SessionIdleTimeout <= 0 {
		a.SessionIdleTimeout = 30 * time.Minute
	}
	if a.SessionCheckInterval <= 0 {
		a.SessionCheckInterval = 15 * time.Second
	}
	if a.PasswordParams == (auth.Params{}) {
		a.PasswordParams = auth.DefaultParams
	}
	if a.Now == nil {
		a.Now = time.Now
	}
	if a.Limiter.Now == nil {
		a.Limiter.Now = a.Now
	}
	s.now = a.Now
	s.store = s.cfg.Store
	h, err := auth.NewHasher(a.PasswordParams)
	if err != nil {
		return fmt.Errorf("server: password hasher: %w", err)
	}
	s.hasher = h
	if ls, ok := s.store.(auth.LimitStore); ok && a.Limiter.Store == nil {
		a.Limiter.Store = ls // lockouts survive a restart
	}
	s.limiter = auth.NewLimiter(a.Limiter)
	if err := s.limiter.Load(context.Background()); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	s.audit = audit.New(s.store, s.log, a.AuditBuffer)
	for i, p := range s.cfg.TrustedProxies {
		n, err := parseCIDR(p)
		if err != nil {
			return fmt.Errorf("server: trusted_proxies[%d]: %w", i, err)
		}
		s.proxies = append(s.proxies, n)
	}
	if (s.cfg.TLSCert == "") != (s.cfg.TLSKey == "") {
		return errors.New("server: tls_cert and tls_key must be set together")
	}
	if s.tlsEnabled() {
		// Fail at start, not at the first connection.
		if _, err := tls.LoadX509KeyPair(s.cfg.TLSCert, s.cfg.TLSKey); err != nil {
			return fmt.Errorf("server: load TLS certificate %s: %w", s.cfg.TLSCert, err)
		}
	}
	return nil
}

func (s *Server) tlsEnabled() bool { return s.cfg.TLSCert != "" && s.cfg.TLSKey != "" }

// parseCIDR accepts "10.0.0.0/8" or a single address.
func parseCIDR(v string) (*net.IPNet, error) {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "/") {
		ip := net.ParseIP(v)
		if ip == nil {
			return nil, fmt.Errorf("%q is neither a CIDR nor an IP address", v)
		}
		bits := 128
		if ip.To4() != nil {
			ip, bits = ip.To4(), 32
		}
		return &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)}, nil
	}
	_, n, err := net.ParseCIDR(v)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", v, err)
	}
	return n, nil
}

// ipExtractor trusts X-Forwarded-For only from the configured proxies (and
// never from loopback, link-local or private peers by default: Echo's
// defaults trust those).
func (s *Server) ipExtractor() echo.IPExtractor {
	if len(s.proxies) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range s.proxies {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// fromTrustedProxy reports whether the direct peer is a configured proxy.
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	for _, n := range s.proxies {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

// secureRequest: native TLS, or a trusted proxy that terminated TLS. Echo's
// c.Scheme() believes X-Forwarded-Proto from anyone, so it is not used.
func (s *Server) secureRequest(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	return s.fromTrustedProxy(r) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// contentSecurityPolicy allows only same-origin script, style, connections
// (including the websocket) and images (plus data: URIs). No inline script or
// style: the Vite build emits external files only.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if s.secureRequest(c.Request()) {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		return next(c)
	}
}
