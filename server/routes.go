package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/callboard/callboard/server/store"
)

// routes builds the Echo app. Every route and who may call it lives here
// (docs/auth.md): public are sign-in, me, /healthz and the UI's static
// files; everything else needs a session of at least some role, or for the
// ingest route a bearer token with a scope.
func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// Direct peer address unless trusted proxies are configured: v4 trusts
	// X-Forwarded-For by default, which would let clients spoof the IP in
	// logs, rate limits and the audit.
	e.IPExtractor = s.ipExtractor()
	e.HTTPErrorHandler = s.errorHandler

	e.Use(middleware.Recover())
	e.Use(s.requestLogger())
	e.Use(s.securityHeaders)
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{
		Skipper:   func(c echo.Context) bool { return c.Path() == "/ws" || c.Request().URL.Path == "/ws" },
		MinLength: 1024,
	}))

	viewer := s.requireSession(store.RoleViewer)
	admin := s.requireSession(store.RoleAdmin)

	e.GET("/healthz", s.healthz)
	e.GET("/ws", s.serveWS, viewer)

	// Transcript ingest for external STT: bearer token, larger body (4000
	// characters of CJK text are up to 12 KB of UTF-8).
	e.POST("/api/v1/nodes/:node/calls/:call/utterances", s.ingestUtterance,
		middleware.BodyLimit("32K"), s.requireToken(ScopeIngestUtterances))

	api := e.Group("/api/v1", middleware.BodyLimit("4K"))
	api.POST("/auth/login", s.login)
	api.GET("/auth/me", s.me)
	api.POST("/auth/logout", s.logout, viewer)

	api.GET("/state", s.getState, viewer)
	api.GET("/nodes/:node/calls/:call/transcript", s.getTranscript, viewer)
	api.GET("/history/calls", s.listHistoryCalls, viewer)
	api.GET("/history/calls/:node/:call", s.getHistoryCall, viewer)
	api.GET("/history/calls/:node/:call/export", s.exportHistoryCall, viewer)
	// One route per entry of the action catalogue (adapters/catalogue.go),
	// each with the entry's role (checked in the handler, which audits it).
	s.registerActions(e, middleware.BodyLimit("4K"), viewer)

	api.GET("/users", s.listUsers, admin)
	api.POST("/users", s.createUser, admin)
	api.DELETE("/users/:name", s.deleteUser, admin)
	api.GET("/sessions", s.listSessions, admin)
	api.DELETE("/sessions/:id", s.revokeSession, admin)
	api.GET("/tokens", s.listTokens, admin)
	api.POST("/tokens", s.createToken, admin)
	api.DELETE("/tokens/:id", s.revokeToken, admin)
	api.GET("/audit", s.getAudit, admin)
	api.GET("/audit.csv", s.getAuditCSV, admin)

	api.Any("/*", func(c echo.Context) error { return apiError(http.StatusNotFound, codeNotFound, "no such API endpoint") }, viewer)

	e.Match([]string{http.MethodGet, http.MethodHead}, "/*", s.serveUI)
	return e
}

// isAPIPath reports whether a path belongs to the JSON API (never the SPA fallback).
func isAPIPath(p string) bool { return p == "/api" || strings.HasPrefix(p, "/api/") }
