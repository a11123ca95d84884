package origin

import (
	"net/http"
	"net/url"
	"strings"
)

// Normal is the form allowed origins are compared in: lower case, no
// trailing slash.
func Normal(o string) string { return strings.ToLower(strings.TrimSuffix(o, "/")) }

// OriginAllowed admits requests without an Origin header (not a browser, or
// a same-origin GET), same-origin requests (the Origin's host equals the
// Host header) and the configured extra origins ("https://ops.example.com").
func OriginAllowed(r *http.Request, allowed []string) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	want := Normal(o)
	for _, a := range allowed {
		if Normal(a) == want {
			return true
		}
	}
	return false
}
