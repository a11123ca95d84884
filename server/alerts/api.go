package alerts

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/audit"
	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/session"
)

// The admin endpoints of the Alerts screen, by job: rules (api_rules.go),
// destinations (api_destinations.go), the outbox (api_outbox.go).

// API serves the admin endpoints of the Alerts screen.
type API struct {
	s     *Service
	audit *audit.Writer // may be nil
}

// NewAPI returns the handlers; audit may be nil.
func NewAPI(s *Service, a *audit.Writer) *API { return &API{s: s, audit: a} }

// Register adds the routes under g (/api/v1), each behind mw (admin).
func (h *API) Register(g *echo.Group, mw ...echo.MiddlewareFunc) {
	g.GET("/alerts/rules", h.listRules, mw...)
	g.POST("/alerts/rules", h.createRule, mw...)
	g.PUT("/alerts/rules/:id", h.updateRule, mw...)
	g.DELETE("/alerts/rules/:id", h.deleteRule, mw...)
	g.GET("/alerts/destinations", h.listDestinations, mw...)
	g.POST("/alerts/destinations", h.createDestination, mw...)
	g.DELETE("/alerts/destinations/:id", h.deleteDestination, mw...)
	g.POST("/alerts/destinations/:id/test", h.testDestination, mw...)
	g.GET("/alerts/outbox", h.listOutbox, mw...)
	g.POST("/alerts/outbox/:id/retry", h.retryOutbox, mw...)
}

func (h *API) record(c echo.Context, kind, target, result string) {
	if h.audit == nil {
		return
	}
	e := session.Entry(c, kind, h.s.opts.Now())
	e.Target, e.Result = web.Clip(target, 300), result
	h.audit.Record(e)
}

func badRequest(err error) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return web.Error(http.StatusBadRequest, web.CodeInvalid, ve.Error())
	}
	return err
}
