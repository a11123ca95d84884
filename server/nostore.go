package server

import (
	"strings"

	"github.com/labstack/echo/v4"
)

// noStore marks every API answer (state, me, sign-in, users, sessions,
// tokens, audit, history, errors) Cache-Control: no-store: it is personal
// or privileged data that no browser or proxy cache may keep after sign-out.
// Handlers that set their own Cache-Control later (none looser) win.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if strings.HasPrefix(c.Request().URL.Path, "/api/") {
			c.Response().Header().Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}
