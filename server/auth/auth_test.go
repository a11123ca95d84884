package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

var cheap = Params{Memory: 64, Time: 1, Threads: 1}

func TestPasswordHash(t *testing.T) {
	h, err := Hash("correct horse battery", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") || strings.Contains(h, "correct") {
		t.Fatalf("hash %q", h)
	}
	h2, _ := Hash("correct horse battery", cheap)
	if h == h2 {
		t.Fatal("same salt twice")
	}
	if err := Verify("correct horse battery", h); err != nil {
		t.Fatalf("right password: %v", err)
	}
	if err := Verify("correct horse batterY", h); !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong password: %v", err)
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=0,t=1,p=1$c2FsdA$a2V5a2V5a2V5a2V5a2V5", strings.Replace(h, "v=19", "v=16", 1)} {
		if err := Verify("x", bad); err == nil || errors.Is(err, ErrMismatch) {
			t.Fatalf("malformed %q: %v", bad, err)
		}
	}
	hs, err := NewHasher(cheap)
	if err != nil {
		t.Fatal(err)
	}
	if err := hs.VerifyDummy(context.Background(), "callboard-dummy-password"); !errors.Is(err, ErrMismatch) {
		t.Fatal("dummy check must always fail")
	}
}

func TestPolicy(t *testing.T) {
	for pw, ok := range map[string]bool{"short": false, "twelve chars": true, strings.Repeat("x", 257): false} {
		if (CheckPolicy(pw) == nil) != ok {
			t.Fatalf("%q: ok=%v", pw, !ok)
		}
	}
}

func TestSecrets(t *testing.T) {
	a, _ := NewSecret(SessionPrefix)
	b, _ := NewSecret(SessionPrefix)
	if a == b || !strings.HasPrefix(a, "cbs_") || len(a) != 4+43 {
		t.Fatalf("secrets %q %q", a, b)
	}
	if string(HashSecret(a)) == string(HashSecret(b)) || len(HashSecret(a)) != 32 {
		t.Fatal("hash")
	}
	if CSRFToken(a) == CSRFToken(b) || strings.Contains(CSRFToken(a), a) || CSRFToken(a) != CSRFToken(a) {
		t.Fatal("csrf token")
	}
}

func TestLimiterLockoutGrows(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(LimiterConfig{Now: func() time.Time { return now }})
	for i := range 4 {
		if d := l.Fail("ip:a", "user:x"); d != 0 {
			t.Fatalf("locked after %d failures", i+1)
		}
	}
	if d := l.Fail("ip:a", "user:x"); d != time.Minute {
		t.Fatalf("first lockout %v", d)
	}
	if l.Blocked("ip:b") != 0 || l.Blocked("user:x") != time.Minute {
		t.Fatal("blocked keys")
	}
	now = now.Add(30 * time.Second)
	if d := l.Blocked("ip:b", "user:x"); d != 30*time.Second {
		t.Fatalf("remaining %v", d)
	}
	l.Succeed("user:x") // success does not lift a running lockout
	if l.Blocked("user:x") == 0 {
		t.Fatal("lockout lifted by success")
	}
	now = now.Add(31 * time.Second)
	for range 5 {
		l.Fail("user:x")
	}
	if d := l.Blocked("user:x"); d != 2*time.Minute {
		t.Fatalf("second lockout %v, want doubled", d)
	}
	// failures spread over more than the window do not lock
	now = now.Add(3 * time.Minute)
	l.Succeed("user:x")
	for range 8 {
		l.Fail("user:y")
		now = now.Add(20 * time.Second)
	}
	if l.Blocked("user:y") != 0 {
		// 3 per minute at most: never 5 in one window
		t.Fatal("slow failures locked out")
	}
}

func TestLimiterMemoryBound(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(LimiterConfig{MaxKeys: 100, Now: func() time.Time { return now }})
	for i := range 1000 {
		l.Fail("user:" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + time.Duration(i).String())
	}
	l.mu.Lock()
	n := len(l.keys)
	l.mu.Unlock()
	if n > 100 {
		t.Fatalf("%d keys kept", n)
	}
}
