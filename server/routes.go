package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/callboard/callboard/server/admin"
	"github.com/callboard/callboard/server/alerts"
	"github.com/callboard/callboard/server/api"
	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/historyapi"
	"github.com/callboard/callboard/server/ingest"
	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/login"
	"github.com/callboard/callboard/server/session"
	"github.com/callboard/callboard/server/static"
	"github.com/callboard/callboard/server/store"
)

// routes builds the handler packages and the Echo app. Every route and who
// may call it lives here (docs/auth.md): public are sign-in, me, /healthz
// and the UI's static files; everything else needs a session of at least
// some role, or for the ingest route a bearer token with a scope.
func (s *Server) routes() *echo.Echo {
	nodes := web.Nodes(s.nodes)
	phones, _ := s.store.(store.PhoneStore) // the SQLite store is one
	languages, _ := s.store.(store.LanguageStore)
	apiH := api.New(api.Deps{State: s.state, Nodes: nodes, Sessions: s.sessions, Audit: s.audit, History: s.history, Phones: phones, Languages: languages,
		Complete: s.completeTranscript, ActionTimeout: s.cfg.ActionTimeout, Now: s.now, Log: s.log, Events: s.out.tap})
	loginH := login.New(login.Deps{Sessions: s.sessions, Store: s.store, Hasher: s.hasher, Limiter: s.limiter, Audit: s.audit,
		AllowedOrigins: s.cfg.AllowedOrigins, SessionMaxAge: s.cfg.Auth.SessionMaxAge, Now: s.now, Log: s.log})
	adminH := admin.New(admin.Deps{Sessions: s.sessions, Store: s.store, Hasher: s.hasher, Audit: s.audit, Now: s.now, Log: s.log})
	ingestH := ingest.New(ingest.Deps{State: s.state, Nodes: nodes, Audit: s.audit, Now: s.now, Log: s.log})
	historyH := historyapi.New(historyapi.Deps{Store: s.hstore, Recorder: s.history, State: s.state, Complete: s.completeTranscript})
	uiH := static.New(s.cfg.UI)

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// Direct peer address unless trusted proxies are configured: v4 trusts
	// X-Forwarded-For by default, which would let clients spoof the IP in
	// logs, rate limits and the audit.
	e.IPExtractor = s.ipExtractor()
	e.HTTPErrorHandler = web.ErrorHandler(s.log)

	e.Use(middleware.Recover())
	e.Use(s.requestLogger())
	e.Use(s.securityHeaders)
	e.Use(noStore)
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{
		// /metrics: promhttp compresses on its own (it must, on a separate
		// metrics listener); a second layer here reached scrapers as gzip
		// inside gzip under a single Content-Encoding.
		Skipper: func(c echo.Context) bool {
			return c.Path() == "/ws" || c.Request().URL.Path == "/ws" || isAudioSocket(c.Path()) || c.Path() == "/metrics"
		},
		MinLength: 1024,
	}))

	viewer := s.sessions.Require(store.RoleViewer)
	adminOnly := s.sessions.Require(store.RoleAdmin)

	e.GET("/healthz", apiH.Healthz)
	e.GET("/ws", s.serveWS, viewer)

	// Transcript ingest for external STT: bearer token, larger body (4000
	// characters of CJK text are up to 12 KB of UTF-8).
	e.POST("/api/v1/nodes/:node/calls/:call/utterances", ingestH.IngestUtterance,
		middleware.BodyLimit("32K"), s.sessions.RequireToken(auth.ScopeIngestUtterances))

	// Live call audio (audio.go): relays stream into the ingest websocket
	// with an ingest:audio token (header or ?token=, checked in the handler
	// so that refusals are close codes); moderators listen, audited.
	e.GET("/api/v1/audio/:node/:call/:side", s.audio.ingest.Echo)
	e.GET("/api/v1/nodes/:node/calls/:call/audio", s.listenAudio, s.sessions.Require(store.RoleModerator))

	v1 := e.Group("/api/v1", middleware.BodyLimit("4K"))
	v1.POST("/auth/login", loginH.Login, s.gateLocalLogin)
	s.routesOIDC(v1)
	v1.GET("/auth/me", loginH.Me)
	v1.POST("/auth/logout", loginH.Logout, viewer)

	v1.GET("/state", apiH.GetState, viewer)
	v1.GET("/nodes/:node/calls/:call/transcript", apiH.GetTranscript, viewer)
	v1.GET("/history/calls", historyH.ListCalls, viewer)
	v1.GET("/history/calls/:node/:call", historyH.GetCall, viewer)
	v1.GET("/history/calls/:node/:call/export", historyH.ExportCall, viewer)
	v1.GET("/history/queue-calls", historyH.ListQueueCalls, viewer)
	v1.GET("/history/queue-calls/export", historyH.ExportQueueCalls, viewer)
	v1.GET("/history/queue-daily", historyH.QueueDaily, viewer)
	v1.GET("/history/queue-daily/export", historyH.ExportQueueDaily, viewer)
	// One route per entry of the action catalogue (adapters/catalogue.go),
	// each with the entry's role (checked in the handler, which audits it);
	// an entry with a token scope (originate) also admits such a token.
	apiH.RegisterActions(e, middleware.BodyLimit("4K"), viewer)
	v1.GET("/me/phone", apiH.GetPhone, viewer)
	v1.PUT("/me/phone", apiH.PutPhone, viewer)
	v1.GET("/me/language", apiH.GetLanguage, viewer)
	v1.PUT("/me/language", apiH.PutLanguage, viewer)

	v1.GET("/users", adminH.ListUsers, adminOnly)
	v1.POST("/users", adminH.CreateUser, adminOnly)
	v1.DELETE("/users/:name", adminH.DeleteUser, adminOnly)
	v1.GET("/sessions", adminH.ListSessions, adminOnly)
	v1.DELETE("/sessions/:id", adminH.RevokeSession, adminOnly)
	v1.GET("/tokens", adminH.ListTokens, adminOnly)
	v1.POST("/tokens", adminH.CreateToken, adminOnly)
	v1.DELETE("/tokens/:id", adminH.RevokeToken, adminOnly)
	v1.GET("/audit", adminH.GetAudit, adminOnly)
	v1.GET("/audit.csv", adminH.GetAuditCSV, adminOnly)

	// Alerts screen (admin) and /metrics (token scope metrics:read, unless
	// it has its own listener): server/out.go.
	if s.out.alerts != nil {
		alerts.NewAPI(s.out.alerts, s.audit).Register(v1, adminOnly)
	}
	if s.cfg.Out.MetricsListen == "" {
		e.GET("/metrics", echo.WrapHandler(s.out.metrics.Handler()), s.sessions.RequireToken(auth.ScopeMetricsRead))
	}

	v1.Any("/*", func(c echo.Context) error {
		return web.Error(http.StatusNotFound, web.CodeNotFound, "no such API endpoint")
	}, viewer)

	e.Match([]string{http.MethodGet, http.MethodHead}, "/*", uiH.Serve)
	return e
}

// serveWS hands the upgrade to the hub, tagged with the session so the hub
// can close it when the session ends.
func (s *Server) serveWS(c echo.Context) error {
	s.hub.ServeSession(c.Response(), c.Request(), session.Of(c).Session.ID)
	return nil
}
