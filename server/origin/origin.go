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
// a same-origin GET), same-origin requests and the configured extra origins
// ("https://ops.example.com"). Same-origin means the same scheme and host:
// the Origin's host equals the Host header and its scheme is the one the
// request came in on (https under TLS or behind a proxy that says
// X-Forwarded-Proto: https; a browser cannot set that header on a
// cross-site request). An Origin is only ever scheme://host[:port]: one
// with userinfo ("http://evil@host"), a path, a query or a fragment is
// forged and refused.
func OriginAllowed(r *http.Request, allowed []string) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	if err != nil || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") ||
		u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) && scheme == requestScheme(r) {
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

// requestScheme is the scheme the browser used to reach this server.
func requestScheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	if strings.EqualFold(strings.TrimSpace(proto), "https") {
		return "https"
	}
	return "http"
}
