package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/audit"
	"github.com/callboard/callboard/server/bus"
	"github.com/callboard/callboard/server/history"
	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/live"
	"github.com/callboard/callboard/server/session"
	"github.com/callboard/callboard/server/store"
)

// Deps is what the handlers need.
type Deps struct {
	State    *live.State
	Nodes    web.Nodes
	Sessions *session.Manager
	Audit    *audit.Writer
	// History is the recorder, told who takes an action; nil when history is off.
	History *history.Recorder
	// Phones keeps each user's "my phone"; nil answers 503 on its routes.
	Phones store.PhoneStore
	// Languages keeps each user's UI language; nil answers 503 on its routes.
	Languages store.LanguageStore
	// Complete merges a call's stored transcript lines with the live ones.
	Complete      func(ctx context.Context, call string, lines []*adapters.Utterance) []*adapters.Utterance
	ActionTimeout time.Duration // bound on one node.Do
	// Events receives every action with its verdict; may be nil.
	Events *bus.Tap
	Now    func() time.Time
	Log    *slog.Logger
}

// Handler serves the live reads and the actions.
type Handler struct{ d Deps }

// New returns the handlers.
func New(d Deps) *Handler { return &Handler{d: d} }

// GetState is the whole live snapshot.
func (h *Handler) GetState(c echo.Context) error {
	var snap *live.Snapshot
	if err := web.Query(c, h.d.State, func(v *live.View) { snap = v.Snapshot() }); err != nil {
		return err
	}
	snap.Sort()
	return c.JSON(http.StatusOK, snap)
}

type transcriptBody struct {
	Call  string                `json:"call"`
	Lines []*adapters.Utterance `json:"lines"`
}

// GetTranscript is a call's transcript, live lines merged with stored ones.
func (h *Handler) GetTranscript(c echo.Context) error {
	node, call, err := h.d.Nodes.NodeCall(c)
	if err != nil {
		return err
	}
	key := live.CallKey(node.ID(), call)
	var lines []*adapters.Utterance
	var ok bool
	if err := web.Query(c, h.d.State, func(v *live.View) { lines, ok = v.Transcript(key) }); err != nil {
		return err
	}
	lines = h.d.Complete(c.Request().Context(), key, lines)
	if !ok && len(lines) == 0 {
		return web.Error(http.StatusNotFound, web.CodeNotFound, "unknown call "+key)
	}
	return c.JSON(http.StatusOK, transcriptBody{Call: key, Lines: lines})
}
