package server

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/oidc"
)

// initOIDC builds the single sign-on handlers when Config.OIDC is set.
func (s *Server) initOIDC() error {
	if s.cfg.OIDC == nil {
		return nil
	}
	users, ok := s.store.(oidc.Users)
	if !ok {
		return errors.New("server: single sign-on needs a store that keeps SSO users (the SQLite store does)")
	}
	h, err := oidc.New(oidc.Deps{Config: *s.cfg.OIDC, Users: users, Sessions: s.sessions, Audit: s.audit,
		SessionMaxAge: s.cfg.Auth.SessionMaxAge, Secure: s.secureRequest, Now: s.now, Log: s.log})
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	s.oidc = h
	return nil
}

// routesOIDC adds the sign-in options (public) and, with SSO, its flow.
func (s *Server) routesOIDC(v1 *echo.Group) {
	v1.GET("/auth/providers", s.providers)
	if s.oidc != nil {
		v1.GET("/auth/oidc/start", s.oidc.Start)
		v1.GET("/auth/oidc/callback", s.oidc.Callback)
	}
}

// Providers tells the sign-in page what to offer.
type Providers struct {
	LocalLogin bool       `json:"localLogin"`
	OIDC       *oidc.Info `json:"oidc,omitempty"`
}

func (s *Server) providers(c echo.Context) error {
	p := Providers{LocalLogin: s.localLogin()}
	if s.oidc != nil {
		info := s.oidc.Info()
		p.OIDC = &info
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) localLogin() bool { return s.oidc == nil || s.oidc.LocalLogin() }

// gateLocalLogin refuses password sign-in when the configuration switched
// it off (single sign-on only).
func (s *Server) gateLocalLogin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !s.localLogin() {
			return web.Error(http.StatusForbidden, web.CodeForbidden, "password sign-in is switched off; use single sign-on")
		}
		return next(c)
	}
}
