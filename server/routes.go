package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes builds the Echo app. Every route lives here so the auth middleware
// of a later issue can be attached per group: public (healthz, UI), api
// (reads and actions), ws.
func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// Direct peer address only: v4 trusts X-Forwarded-For by default, which
	// would let clients spoof the IP in logs and (later) rate limits and audit.
	e.IPExtractor = echo.ExtractIPDirect()
	e.HTTPErrorHandler = s.errorHandler

	e.Use(middleware.Recover())
	e.Use(s.requestLogger())
	e.Use(securityHeaders)
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{
		Skipper:   func(c echo.Context) bool { return c.Path() == "/ws" || c.Request().URL.Path == "/ws" },
		MinLength: 1024,
	}))

	e.GET("/healthz", s.healthz)
	e.GET("/ws", echo.WrapHandler(s.hub))

	api := e.Group("/api/v1", middleware.BodyLimit("4K"))
	api.GET("/state", s.getState)
	api.GET("/nodes/:node/calls/:call/transcript", s.getTranscript)
	api.POST("/nodes/:node/conferences/:conf/members/:member/:verb", s.memberAction)
	api.POST("/nodes/:node/conferences/:conf/:verb", s.conferenceAction)
	api.POST("/nodes/:node/calls/:call/:verb", s.callAction)
	api.Any("/*", func(c echo.Context) error { return apiError(http.StatusNotFound, codeNotFound, "no such API endpoint") })

	e.Match([]string{http.MethodGet, http.MethodHead}, "/*", s.serveUI)
	return e
}

// isAPIPath reports whether a path belongs to the JSON API (never the SPA fallback).
func isAPIPath(p string) bool { return p == "/api" || strings.HasPrefix(p, "/api/") }
