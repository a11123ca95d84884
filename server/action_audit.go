package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

const ctxReply = "callboard.reply"

// isActionRoute: the POSTs of docs/protocol.md that act on a PBX.
func isActionRoute(c echo.Context) bool {
	p := c.Path()
	return c.Request().Method == http.MethodPost && strings.HasPrefix(p, "/api/v1/nodes/") && strings.HasSuffix(p, "/:verb")
}

// audited records every action with the PBX's verdict: "ok", or the error
// code of the reply (invalid, not_found, refused, unavailable, ...).
func (s *Server) audited(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		result, detail := "ok", ""
		if r, ok := c.Get(ctxReply).(string); ok {
			detail = r
		}
		if err != nil {
			var he *httpError
			var ee *echo.HTTPError
			switch {
			case errors.As(err, &he):
				result, detail = he.code, he.msg
			case errors.As(err, &ee):
				result, detail = codeForStatus(ee.Code), http.StatusText(ee.Code)
			default:
				result, detail = codeInternal, "internal error"
			}
		}
		s.auditAction(c, result, detail)
		return err
	}
}

// auditAction derives node, target and verb from the path (unescaped, bounded).
func (s *Server) auditAction(c echo.Context, result, detail string) {
	e := s.entry(c, "action")
	get := func(n string) string { v, _ := param(c, n); return clip(v, 128) }
	e.Node, e.Action = get("node"), get("verb")
	switch {
	case c.Param("member") != "":
		e.Target = "member " + get("conf") + "/" + get("member")
	case c.Param("conf") != "":
		e.Target = "conference " + get("conf")
	case c.Param("call") != "":
		e.Target = "call " + get("call")
	}
	e.Result, e.Detail = result, clip(detail, 512)
	s.audit.Record(e)
}
