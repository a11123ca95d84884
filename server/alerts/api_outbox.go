package alerts

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/store"
)

// OutboxJSON is one delivery.
type OutboxJSON struct {
	ID              int64     `json:"id"`
	State           string    `json:"state"`
	Attempts        int       `json:"attempts"`
	NextAt          time.Time `json:"nextAt"`
	LastError       string    `json:"lastError,omitempty"`
	UpdatedAt       time.Time `json:"updatedAt"`
	Destination     string    `json:"destination"`
	DestinationName string    `json:"destinationName"`
	DestinationKind string    `json:"destinationKind"`
	Alert           Fired     `json:"alert"`
}

func toOutboxJSON(o store.OutboxItem) OutboxJSON {
	a := o.Alert
	return OutboxJSON{ID: o.ID, State: o.State, Attempts: o.Attempts, NextAt: o.NextAt, LastError: o.LastError, UpdatedAt: o.UpdatedAt,
		Destination: o.Destination, DestinationName: o.DestName, DestinationKind: o.DestKind,
		Alert: Fired{ID: a.ID, At: a.At, Rule: a.RuleName, Severity: a.Severity, Kind: a.Kind, Node: a.Node, CallID: a.CallID, Summary: a.Summary}}
}

func (h *API) listOutbox(c echo.Context) error {
	state := c.QueryParam("state")
	if state != "" && state != store.OutboxPending && state != store.OutboxDelivered && state != store.OutboxDead {
		return web.Error(http.StatusBadRequest, web.CodeInvalid, "state must be pending, delivered or dead")
	}
	ctx := c.Request().Context()
	items, err := h.s.opts.Store.ListOutbox(ctx, state, 200)
	if err != nil {
		return err
	}
	counts, err := h.s.opts.Store.CountOutbox(ctx)
	if err != nil {
		return err
	}
	out := make([]OutboxJSON, len(items))
	for i, o := range items {
		out[i] = toOutboxJSON(o)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out, "counts": counts})
}

func (h *API) retryOutbox(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := h.s.opts.Store.RetryOutbox(c.Request().Context(), id, h.s.opts.Now()); errors.Is(err, store.ErrNotFound) {
		return web.Error(http.StatusNotFound, web.CodeNotFound, "no dead delivery with that id (or its destination was deleted)")
	} else if err != nil {
		return err
	}
	h.s.wake()
	h.record(c, "alert_retry", strconv.FormatInt(id, 10), "ok")
	return c.NoContent(http.StatusNoContent)
}
