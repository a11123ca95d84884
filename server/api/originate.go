package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/adapters"
)

// OriginateReply answers an accepted originate: 202 with the new call's id.
// The call is not placed yet, only accepted by the PBX: how it ends arrives
// on the websocket as the "origination" entity of that id (state live,
// failed with the PBX's cause, or ended) and in call history. There is
// nothing to poll.
type OriginateReply struct {
	OK     bool   `json:"ok"`
	CallID string `json:"callId"`
}

// placed answers 202 and tells the live state who placed call id, so that
// the verdict (a CallEnded with the PBX's cause, possibly already applied)
// reaches the placer's browser through the one event path.
func (h *Handler) placed(c echo.Context, node, by, id string) error {
	from, to := placedParties(c)
	ev := adapters.CallPlaced{Node: node, CallID: id, From: from, To: to, By: by, At: h.d.Now()}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), 2*time.Second)
	defer cancel()
	if err := h.d.State.Emit(ctx, ev); err != nil {
		h.d.Log.Warn("originate: call placed not recorded", "node", node, "call", id, "err", err)
	}
	return c.JSON(http.StatusAccepted, OriginateReply{OK: true, CallID: id})
}

// ctxArgs keeps an action's checked arguments for placed.
const ctxArgs = "callboard.actionArgs"

func placedParties(c echo.Context) (from, to string) {
	a, _ := c.Get(ctxArgs).(adapters.Args)
	return a["from"], a["to"]
}
