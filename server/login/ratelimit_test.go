package login_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/store"
	"github.com/callboard/callboard/server/store/sqlite"
)

// fastSlowdown keeps the user-name delays short in tests.
var fastSlowdown = auth.LimiterConfig{SlowBase: time.Millisecond, SlowMax: 4 * time.Millisecond}

func from(ts *servertest.Server, ip string) *servertest.Client {
	c := ts.Anonymous()
	c.Headers.Set("X-Forwarded-For", ip)
	return c
}

func TestLoginRateLimit(t *testing.T) {
	t.Run("per address", func(t *testing.T) {
		ts := servertest.Start(t, server.Config{Auth: server.AuthConfig{Limiter: fastSlowdown}})
		anon := ts.Anonymous()
		for i := range 5 {
			if code := anon.TryLogin(t, "root", "wrong password!").StatusCode; code != 401 {
				t.Fatalf("failure %d: %d", i+1, code)
			}
		}
		// locked: even the right password is not checked from this address
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
	t.Run("per address across names", func(t *testing.T) {
		ts := servertest.Start(t, server.Config{TrustedProxies: []string{"127.0.0.1"}, Auth: server.AuthConfig{Limiter: fastSlowdown}})
		for i := range 5 {
			from(ts, "198.51.100.7").TryLogin(t, "ghost"+string(rune('a'+i)), "wrong password!")
		}
		if code := from(ts, "198.51.100.7").TryLogin(t, "root", servertest.Password).StatusCode; code != 429 {
			t.Fatalf("IP with 5 failures: %d", code)
		}
		if code := from(ts, "198.51.100.8").TryLogin(t, "root", servertest.Password).StatusCode; code != 200 {
			t.Fatalf("another IP: %d", code)
		}
	})
}

// Hardening (issue 15, point 1): failures for a user from other addresses
// never refuse that user's right password; they only slow the name down.
func TestNobodyCanLockTheAdminOut(t *testing.T) {
	ts := servertest.Start(t, server.Config{TrustedProxies: []string{"127.0.0.1"}, Auth: server.AuthConfig{Limiter: fastSlowdown}})
	for i := range 5 {
		from(ts, "203.0.113.66").TryLogin(t, "root", "wrong password!")
		from(ts, "203.0.113."+string(rune('1'+i))).TryLogin(t, "root", "wrong password!")
	}
	if code := from(ts, "203.0.113.66").TryLogin(t, "root", servertest.Password).StatusCode; code != 429 {
		t.Fatalf("the attacking address: %d, want 429", code)
	}
	for _, ip := range []string{"192.0.2.10", "192.0.2.11", "2001:db8::1"} {
		if code := from(ts, ip).TryLogin(t, "root", servertest.Password).StatusCode; code != 200 {
			t.Fatalf("the admin from %s: %d, want 200", ip, code)
		}
	}
	// Ten requests an hour keep nothing locked for the admin either.
	for range 10 {
		ts.Clock.Advance(6 * time.Minute)
		from(ts, "203.0.113.77").TryLogin(t, "root", "wrong password!")
	}
	if code := from(ts, "192.0.2.12").TryLogin(t, "root", servertest.Password).StatusCode; code != 200 {
		t.Fatalf("the admin after an hour of attempts: %d, want 200", code)
	}
}

func TestUserNameSlowdownGrows(t *testing.T) {
	now := time.Now()
	l := auth.NewLimiter(auth.LimiterConfig{Now: func() time.Time { return now }})
	var got []time.Duration
	for range 6 {
		got = append(got, l.Delay("user:x"))
		l.Slow("user:x")
	}
	want := []time.Duration{0, 0, 0, 250 * time.Millisecond, 500 * time.Millisecond, time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("delays %v, want %v", got, want)
		}
	}
	l.Succeed("user:x")
	if d := l.Delay("user:x"); d != 0 {
		t.Fatalf("after a success: %v", d)
	}
}

// reopened is the same database for a second server: the users it already
// has (root) are not an error to create again.
type reopened struct{ *sqlite.DB }

func (r reopened) CreateUser(ctx context.Context, u store.User) error {
	if err := r.DB.CreateUser(ctx, u); err != nil && !errors.Is(err, store.ErrExists) {
		return err
	}
	return nil
}

func (r reopened) Close() error { return nil }

// Hardening (issue 15, point 1): a restart does not forgive a lockout.
func TestLockoutSurvivesRestart(t *testing.T) {
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	cfg := server.Config{Store: reopened{st}, TrustedProxies: []string{"127.0.0.1"}, Auth: server.AuthConfig{Limiter: fastSlowdown}}
	ts := servertest.Start(t, cfg)
	for range 5 {
		from(ts, "198.51.100.9").TryLogin(t, "root", "wrong password!")
	}
	if code := from(ts, "198.51.100.9").TryLogin(t, "root", servertest.Password).StatusCode; code != 429 {
		t.Fatalf("before the restart: %d", code)
	}
	if err := ts.Stop(); err != nil {
		t.Fatal(err)
	}
	ts2 := servertest.Start(t, cfg)
	if code := from(ts2, "198.51.100.9").TryLogin(t, "root", servertest.Password).StatusCode; code != 429 {
		t.Fatalf("after the restart: %d, want 429", code)
	}
}
