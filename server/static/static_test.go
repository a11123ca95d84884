package static_test

import (
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/internal/servertest"
)

func TestStaticUI(t *testing.T) {
	ui := fstest.MapFS{
		"index.html":           {Data: []byte(`<!doctype html><script type="module" src="/assets/app-1a2b.js"></script>`)},
		"assets/app-1a2b.js":   {Data: []byte(`console.log("app")`)},
		"assets/app-1a2b.css":  {Data: []byte(`body{}`)},
		"favicon.svg":          {Data: []byte(`<svg/>`)},
		"assets/sub/font.woff": {Data: []byte(`woff`)},
	}
	ts := servertest.Start(t, server.Config{UI: ui})
	const immutable = "public, max-age=31536000, immutable"
	tests := []struct {
		method, path string
		wantStatus   int
		wantBody     string // substring
		wantCache    string
		wantType     string // prefix
	}{
		{"GET", "/", 200, "/assets/app-1a2b.js", "no-cache", "text/html"},
		{"GET", "/index.html", 200, "<!doctype html>", "no-cache", "text/html"},
		{"GET", "/assets/app-1a2b.js", 200, `console.log("app")`, immutable, "text/javascript"},
		{"GET", "/assets/app-1a2b.css", 200, `body{}`, immutable, "text/css"},
		{"GET", "/assets/sub/font.woff", 200, `woff`, immutable, ""},
		{"GET", "/favicon.svg", 200, `<svg/>`, "no-cache", "image/svg+xml"},
		{"GET", "/calls/fs1/abc", 200, "<!doctype html>", "no-cache", "text/html"}, // HTML5 fallback
		{"GET", "/assets/app-old.js", 404, "not_found", "", "application/json"},    // stale hashed asset
		{"GET", "/../../etc/passwd", 200, "<!doctype html>", "no-cache", "text/html"},
		{"HEAD", "/", 200, "", "no-cache", "text/html"},
		{"GET", "/api/v1/unknown", 404, "not_found", "", "application/json"},
		{"POST", "/", 405, "", "", ""},
	}
	for _, tc := range tests {
		resp, data := ts.Do(t, tc.method, tc.path, "")
		if resp.StatusCode != tc.wantStatus {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, resp.StatusCode, tc.wantStatus)
			continue
		}
		if !strings.Contains(string(data), tc.wantBody) {
			t.Errorf("%s %s: body %q lacks %q", tc.method, tc.path, data, tc.wantBody)
		}
		if tc.wantCache != "" && resp.Header.Get("Cache-Control") != tc.wantCache {
			t.Errorf("%s %s: Cache-Control %q, want %q", tc.method, tc.path, resp.Header.Get("Cache-Control"), tc.wantCache)
		}
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.wantType) {
			t.Errorf("%s %s: Content-Type %q, want %q", tc.method, tc.path, resp.Header.Get("Content-Type"), tc.wantType)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'self'") ||
			resp.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s %s: security headers missing: %v", tc.method, tc.path, resp.Header)
		}
	}
}

func TestUINotBuilt(t *testing.T) {
	for name, ui := range map[string]fstest.MapFS{"nil": nil, "no index.html": {".keep": {}}} {
		cfg := server.Config{}
		if ui != nil {
			cfg.UI = ui
		}
		ts := servertest.Start(t, cfg)
		for _, p := range []string{"/", "/some/route"} {
			resp, data := ts.Do(t, http.MethodGet, p, "")
			if resp.StatusCode != 200 || !strings.Contains(string(data), "make ui") {
				t.Errorf("%s %s: %d %s", name, p, resp.StatusCode, data)
			}
		}
	}
}

func TestGzipSkipsWebsocketButCompressesAssets(t *testing.T) {
	big := strings.Repeat("console.log('x');\n", 200)
	ts := servertest.Start(t, server.Config{UI: fstest.MapFS{"index.html": {Data: []byte("<html>")}, "assets/a.js": {Data: []byte(big)}}})
	req, _ := http.NewRequest(http.MethodGet, ts.Base+"/assets/a.js", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("asset not gzipped: %v", resp.Header)
	}
}
