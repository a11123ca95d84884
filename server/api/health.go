package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/history"
	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/live"
)

// HealthBody is the answer of /healthz.
type HealthBody struct {
	Status string                `json:"status"` // ok when every node is up, else degraded
	Nodes  []adapters.NodeStatus `json:"nodes"`
	// History is the history writer's state; absent when history is off.
	History *history.Health `json:"history,omitempty"`
}

// Healthz is public for load balancers and monitors, so anonymously it shows
// only states and counts: a node's reason (PBX addresses) and the history
// writer's last error (file paths) need a signed-in session.
func (h *Handler) Healthz(c echo.Context) error {
	var nodes []*live.NodeEntity
	if err := web.Query(c, h.d.State, func(v *live.View) { nodes = v.Nodes() }); err != nil {
		return err
	}
	p, err := h.d.Sessions.Current(c)
	if err != nil {
		h.d.Log.Warn("healthz: read session", "err", err)
	}
	detailed := p != nil
	body := HealthBody{Status: "ok", Nodes: make([]adapters.NodeStatus, 0, len(nodes)), History: h.historyHealth()}
	if body.History != nil && body.History.Failing {
		body.Status = "degraded"
	}
	if body.History != nil && !detailed {
		body.History.LastError = ""
	}
	for _, n := range nodes {
		st := n.NodeStatus
		if !detailed {
			st.Reason = ""
		}
		body.Nodes = append(body.Nodes, st)
		if n.State != adapters.StateUp {
			body.Status = "degraded"
		}
	}
	if detailed {
		c.Response().Header().Set("Cache-Control", "no-store")
	}
	return c.JSON(http.StatusOK, body)
}

// historyHealth is the recorder's state (nil when history is off).
func (h *Handler) historyHealth() *history.Health {
	if h.d.History == nil {
		return nil
	}
	hh := h.d.History.Health()
	return &hh
}
