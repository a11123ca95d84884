package login_test

import (
	"testing"
	"time"

	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/internal/servertest"
)

func TestLoginRateLimit(t *testing.T) {
	t.Run("per user and IP", func(t *testing.T) {
		ts := servertest.Start(t, server.Config{})
		anon := ts.Anonymous()
		for i := range 5 {
			if code := anon.TryLogin(t, "root", "wrong password!").StatusCode; code != 401 {
				t.Fatalf("failure %d: %d", i+1, code)
			}
		}
		// locked: even the right password is not checked
		resp := anon.TryLogin(t, "root", servertest.Password)
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "60" {
			t.Fatalf("after 5 failures: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		ts.Clock.Advance(61 * time.Second)
		if code := anon.TryLogin(t, "root", servertest.Password).StatusCode; code != 200 {
			t.Fatalf("after the lockout: %d", code)
		}
		// lockouts grow: the next 5 failures lock for 2 minutes
		for range 5 {
			anon.TryLogin(t, "root", "wrong password!")
		}
		if resp := anon.TryLogin(t, "root", servertest.Password); resp.Header.Get("Retry-After") != "120" {
			t.Fatalf("second lockout Retry-After %q", resp.Header.Get("Retry-After"))
		}
	})
	t.Run("per IP across names, per name across IPs", func(t *testing.T) {
		ts := servertest.Start(t, server.Config{TrustedProxies: []string{"127.0.0.1"}})
		from := func(ip string) *servertest.Client {
			c := ts.Anonymous()
			c.Headers.Set("X-Forwarded-For", ip)
			return c
		}
		for i := range 5 {
			from("198.51.100.7").TryLogin(t, "ghost"+string(rune('a'+i)), "wrong password!")
		}
		if code := from("198.51.100.7").TryLogin(t, "root", servertest.Password).StatusCode; code != 429 {
			t.Fatalf("IP with 5 failures: %d", code)
		}
		if code := from("198.51.100.8").TryLogin(t, "root", servertest.Password).StatusCode; code != 200 {
			t.Fatalf("another IP: %d", code)
		}
		for i := range 5 {
			from("203.0.113."+string(rune('1'+i))).TryLogin(t, "root", "wrong password!")
		}
		if code := from("203.0.113.99").TryLogin(t, "root", servertest.Password).StatusCode; code != 429 {
			t.Fatalf("user with 5 failures from 5 IPs: %d", code)
		}
	})
}
