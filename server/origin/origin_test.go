package origin

import (
	"net/http/httptest"
	"testing"
)

func TestOriginAllowed(t *testing.T) {
	allowed := []string{"https://ops.example.com/", "http://LOCALHOST:5173"}
	tests := []struct {
		name, host, origin string
		want               bool
	}{
		{"no origin", "cb.example.com", "", true},
		{"same origin", "cb.example.com", "http://cb.example.com", true},
		{"same origin other case", "cb.example.com:8080", "http://CB.example.com:8080", true},
		{"same host other port", "cb.example.com:8080", "http://cb.example.com:9090", false},
		{"foreign", "cb.example.com", "https://evil.example", false},
		{"allowed with trailing slash in config", "cb.example.com", "https://ops.example.com", true},
		{"allowed with trailing slash in header", "cb.example.com", "https://ops.example.com/", true},
		{"allowed other case", "cb.example.com", "http://localhost:5173", true},
		{"allowed host but other scheme", "cb.example.com", "http://ops.example.com", false},
		{"null origin", "cb.example.com", "null", false},
		{"malformed", "cb.example.com", "http://%zz", false},
		// Hardening (issue 15, point 7): scheme and userinfo count.
		{"same host other scheme", "cb.example.com", "https://cb.example.com", false},
		{"userinfo", "cb.example.com", "http://evil@cb.example.com", false},
		{"userinfo on an allowed origin", "cb.example.com", "https://evil@ops.example.com", false},
		{"path", "cb.example.com", "http://cb.example.com/x", false},
		{"other scheme", "cb.example.com", "ftp://cb.example.com", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "http://"+tc.host+"/api/v1/auth/login", nil)
			r.Host = tc.host
			if tc.origin != "" {
				r.Header.Set("Origin", tc.origin)
			}
			if got := OriginAllowed(r, allowed); got != tc.want {
				t.Fatalf("OriginAllowed(Host %q, Origin %q) = %v, want %v", tc.host, tc.origin, got, tc.want)
			}
		})
	}
}

func TestOriginSchemeFollowsTheRequest(t *testing.T) {
	r := httptest.NewRequest("GET", "https://cb.example.com/ws", nil) // r.TLS set
	r.Header.Set("Origin", "https://cb.example.com")
	if !OriginAllowed(r, nil) {
		t.Fatal("https origin on a TLS request refused")
	}
	r.Header.Set("Origin", "http://cb.example.com")
	if OriginAllowed(r, nil) {
		t.Fatal("http origin on a TLS request admitted")
	}
	r = httptest.NewRequest("GET", "http://cb.example.com/ws", nil)
	r.Header.Set("X-Forwarded-Proto", "https")
	r.Header.Set("Origin", "https://cb.example.com")
	if !OriginAllowed(r, nil) {
		t.Fatal("https origin behind a TLS proxy refused")
	}
}
