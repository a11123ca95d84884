// Package static serves the embedded single-page UI: files as they are
// (hashed /assets/* cached for a year, everything else revalidated), and
// index.html for any other non-API path so client-side routes survive a
// reload; a "UI not built" page when the binary has no UI.
package static

import (
	"bytes"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/internal/web"
)

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>callboard</title></head>
<body><h1>callboard</h1><p>The web UI was not built into this binary. Run <code>make ui</code> and rebuild.
The API (<code>/api/v1/state</code>) and <code>/healthz</code> work.</p></body></html>
`

// Handler serves the UI.
type Handler struct {
	ui fs.FS // nil when no usable UI
}

// New returns the handler for ui (the built SPA: index.html + assets/...);
// nil or no index.html serves the "UI not built" page.
func New(ui fs.FS) *Handler {
	h := &Handler{}
	if ui != nil {
		if st, err := fs.Stat(ui, "index.html"); err == nil && !st.IsDir() {
			h.ui = ui
		}
	}
	return h
}

// Serve serves the embedded SPA: existing files as they are (hashed
// /assets/* cached for a year, everything else revalidated), and index.html
// for any other non-API path so client-side routes survive a reload. A
// missing /assets/ file is a 404, not index.html (a stale hashed name must
// not be answered with HTML).
func (s *Handler) Serve(c echo.Context) error {
	p := c.Request().URL.Path
	if IsAPIPath(p) {
		return web.Error(http.StatusNotFound, web.CodeNotFound, "no such API endpoint")
	}
	h := c.Response().Header()
	if s.ui == nil {
		h.Set("Cache-Control", "no-cache")
		return c.HTML(http.StatusOK, notBuiltPage)
	}
	name := strings.TrimPrefix(path.Clean("/"+p), "/")
	if name != "" && name != "index.html" {
		if data, ok := s.readFile(name); ok {
			if strings.HasPrefix(name, "assets/") {
				h.Set("Cache-Control", "public, max-age=31536000, immutable")
			} else {
				h.Set("Cache-Control", "no-cache")
			}
			http.ServeContent(c.Response(), c.Request(), name, time.Time{}, bytes.NewReader(data))
			return nil
		}
		if strings.HasPrefix(name, "assets/") {
			return web.Error(http.StatusNotFound, web.CodeNotFound, "no such asset")
		}
	}
	data, ok := s.readFile("index.html")
	if !ok {
		return web.Error(http.StatusNotFound, web.CodeNotFound, "index.html missing")
	}
	h.Set("Cache-Control", "no-cache")
	http.ServeContent(c.Response(), c.Request(), "index.html", time.Time{}, bytes.NewReader(data))
	return nil
}

// readFile returns a regular file's bytes from the UI filesystem.
func (s *Handler) readFile(name string) ([]byte, bool) {
	if !fs.ValidPath(name) {
		return nil, false
	}
	st, err := fs.Stat(s.ui, name)
	if err != nil || st.IsDir() {
		return nil, false
	}
	data, err := fs.ReadFile(s.ui, name)
	return data, err == nil
}

// IsAPIPath reports whether a path belongs to the JSON API (never the SPA fallback).
func IsAPIPath(p string) bool { return p == "/api" || strings.HasPrefix(p, "/api/") }
