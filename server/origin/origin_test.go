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
		{"same origin", "cb.example.com", "https://cb.example.com", true},
		{"same origin other case", "cb.example.com:8080", "http://CB.example.com:8080", true},
		{"same host other port", "cb.example.com:8080", "http://cb.example.com:9090", false},
		{"foreign", "cb.example.com", "https://evil.example", false},
		{"allowed with trailing slash in config", "cb.example.com", "https://ops.example.com", true},
		{"allowed with trailing slash in header", "cb.example.com", "https://ops.example.com/", true},
		{"allowed other case", "cb.example.com", "http://localhost:5173", true},
		{"allowed host but other scheme", "cb.example.com", "http://ops.example.com", false},
		{"null origin", "cb.example.com", "null", false},
		{"malformed", "cb.example.com", "http://%zz", false},
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
