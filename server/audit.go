package server

import (
	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/store"
)

// entry starts an audit entry for the request's principal (if any).
func (s *Server) entry(c echo.Context, kind string) store.AuditEntry {
	e := store.AuditEntry{At: s.now().UTC(), IP: c.RealIP(), Kind: kind, Action: kind, Result: "ok"}
	if p := principalOf(c); p != nil {
		e.User, e.Role = p.session.User, string(p.session.Role)
	}
	return e
}

// clip bounds what a client controls before it is stored.
func clip(v string, n int) string {
	if len(v) > n {
		return v[:n]
	}
	return v
}
