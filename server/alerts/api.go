package alerts

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/audit"
	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/session"
	"github.com/callboard/callboard/server/store"
)

// RuleJSON is a rule on the wire.
type RuleJSON struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Kind         string    `json:"kind"`
	Severity     string    `json:"severity"`
	Pattern      string    `json:"pattern"`
	Regex        bool      `json:"regex"`
	Speaker      string    `json:"speaker"`
	Threshold    int64     `json:"threshold"`
	Enabled      bool      `json:"enabled"`
	Destinations []string  `json:"destinations"`
	CreatedAt    time.Time `json:"createdAt,omitzero"`
	UpdatedAt    time.Time `json:"updatedAt,omitzero"`
}

// DestinationJSON is a destination on the wire: the secret is never sent
// back, and chat URLs (which embed their secret) only as scheme and host.
type DestinationJSON struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	URL       string    `json:"url"`
	ChatID    string    `json:"chatId,omitempty"`
	HasSecret bool      `json:"hasSecret"`
	CreatedAt time.Time `json:"createdAt"`
}

type destinationIn struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	URL    string `json:"url"`
	Secret string `json:"secret"`
	ChatID string `json:"chatId"`
}

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

func decodeBody(c echo.Context, v any) error {
	dec := json.NewDecoder(io.LimitReader(c.Request().Body, 16<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return web.Error(http.StatusBadRequest, web.CodeInvalid, "malformed JSON body: "+clip(err.Error(), 200))
	}
	return nil
}

func badRequest(err error) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return web.Error(http.StatusBadRequest, web.CodeInvalid, ve.Error())
	}
	return err
}

func toRuleJSON(r store.AlertRule) RuleJSON {
	d := r.Destinations
	if d == nil {
		d = []string{}
	}
	return RuleJSON{ID: r.ID, Name: r.Name, Kind: r.Kind, Severity: r.Severity, Pattern: r.Pattern, Regex: r.Regex, Speaker: r.Speaker,
		Threshold: r.Threshold, Enabled: r.Enabled, Destinations: d, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func (h *API) listRules(c echo.Context) error {
	rules, err := h.s.opts.Store.ListAlertRules(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]RuleJSON, len(rules))
	for i, r := range rules {
		out[i] = toRuleJSON(r)
	}
	return c.JSON(http.StatusOK, map[string]any{"rules": out, "kinds": Kinds, "severities": Severities})
}

// ruleFromBody reads and validates a rule.
func (h *API) ruleFromBody(c echo.Context) (store.AlertRule, error) {
	var in RuleJSON
	if err := decodeBody(c, &in); err != nil {
		return store.AlertRule{}, err
	}
	r := store.AlertRule{Name: strings.TrimSpace(in.Name), Kind: in.Kind, Severity: in.Severity, Pattern: in.Pattern, Regex: in.Regex,
		Speaker: in.Speaker, Threshold: in.Threshold, Enabled: in.Enabled, Destinations: in.Destinations}
	known, err := h.s.destinationIDs(c)
	if err != nil {
		return r, err
	}
	if _, err := Validate(r, known); err != nil {
		return r, badRequest(err)
	}
	return r, nil
}

func (s *Service) destinationIDs(c echo.Context) (map[string]bool, error) {
	dests, err := s.opts.Store.ListAlertDestinations(c.Request().Context())
	if err != nil {
		return nil, err
	}
	known := make(map[string]bool, len(dests))
	for _, d := range dests {
		known[d.ID] = true
	}
	return known, nil
}

func (h *API) createRule(c echo.Context) error {
	r, err := h.ruleFromBody(c)
	if err != nil {
		return err
	}
	r.CreatedAt = h.s.opts.Now().UTC()
	r.UpdatedAt = r.CreatedAt
	id, err := h.s.opts.Store.CreateAlertRule(c.Request().Context(), r)
	if errors.Is(err, store.ErrExists) {
		return web.Error(http.StatusConflict, web.CodeInvalid, "name: a rule named "+strconv.Quote(r.Name)+" exists")
	}
	if err != nil {
		return err
	}
	r.ID = id
	h.record(c, "alert_rule_created", r.Name, "ok")
	if err := h.s.Reload(c.Request().Context()); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toRuleJSON(r))
}

func idParam(c echo.Context) (int64, error) {
	v, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || v <= 0 {
		return 0, web.Error(http.StatusBadRequest, web.CodeInvalid, "malformed id")
	}
	return v, nil
}

func (h *API) updateRule(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	r, err := h.ruleFromBody(c)
	if err != nil {
		return err
	}
	r.ID, r.UpdatedAt = id, h.s.opts.Now().UTC()
	err = h.s.opts.Store.UpdateAlertRule(c.Request().Context(), r)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return web.Error(http.StatusNotFound, web.CodeNotFound, "no such rule")
	case errors.Is(err, store.ErrExists):
		return web.Error(http.StatusConflict, web.CodeInvalid, "name: a rule named "+strconv.Quote(r.Name)+" exists")
	case err != nil:
		return err
	}
	h.record(c, "alert_rule_updated", r.Name, "ok")
	if err := h.s.Reload(c.Request().Context()); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toRuleJSON(r))
}

func (h *API) deleteRule(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := h.s.opts.Store.DeleteAlertRule(c.Request().Context(), id); errors.Is(err, store.ErrNotFound) {
		return web.Error(http.StatusNotFound, web.CodeNotFound, "no such rule")
	} else if err != nil {
		return err
	}
	h.record(c, "alert_rule_deleted", strconv.FormatInt(id, 10), "ok")
	if err := h.s.Reload(c.Request().Context()); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func maskURL(kind, raw string) string {
	if kind == DestWebhook {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host + "/…"
}

func toDestinationJSON(d store.AlertDestination) DestinationJSON {
	return DestinationJSON{ID: d.ID, Name: d.Name, Kind: d.Kind, URL: maskURL(d.Kind, d.URL), ChatID: d.ChatID,
		HasSecret: d.Secret != "", CreatedAt: d.CreatedAt}
}

func (h *API) listDestinations(c echo.Context) error {
	dests, err := h.s.opts.Store.ListAlertDestinations(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]DestinationJSON, len(dests))
	for i, d := range dests {
		out[i] = toDestinationJSON(d)
	}
	return c.JSON(http.StatusOK, map[string]any{"destinations": out})
}

// ValidateDestination checks a destination.
func ValidateDestination(d store.AlertDestination) error {
	if n := strings.TrimSpace(d.Name); n == "" || len(n) > MaxNameLen {
		return invalid("name", "must be 1..%d characters", MaxNameLen)
	}
	switch d.Kind {
	case DestWebhook, DestSlack:
		u, err := url.Parse(d.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(d.URL) > 2048 {
			return invalid("url", "must be an http(s) URL")
		}
	case DestTelegram:
		if d.Secret == "" || strings.ContainsAny(d.Secret, "/?#% ") || len(d.Secret) > 256 {
			return invalid("secret", "the bot token is required (digits:letters)")
		}
		if d.ChatID == "" || len(d.ChatID) > 64 {
			return invalid("chatId", "the chat id is required")
		}
	default:
		return invalid("kind", "%q is not one of webhook, slack, telegram", d.Kind)
	}
	if len(d.Secret) > 256 {
		return invalid("secret", "longer than 256 bytes")
	}
	return nil
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (h *API) createDestination(c echo.Context) error {
	var in destinationIn
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	d := store.AlertDestination{ID: newID(), Name: strings.TrimSpace(in.Name), Kind: in.Kind, URL: strings.TrimSpace(in.URL),
		Secret: in.Secret, ChatID: strings.TrimSpace(in.ChatID), CreatedAt: h.s.opts.Now().UTC()}
	if err := ValidateDestination(d); err != nil {
		return badRequest(err)
	}
	if err := h.s.opts.Store.CreateAlertDestination(c.Request().Context(), d); errors.Is(err, store.ErrExists) {
		return web.Error(http.StatusConflict, web.CodeInvalid, "name: a destination named "+strconv.Quote(d.Name)+" exists")
	} else if err != nil {
		return err
	}
	h.record(c, "alert_destination_created", d.Name, "ok")
	return c.JSON(http.StatusCreated, toDestinationJSON(d))
}

func (h *API) deleteDestination(c echo.Context) error {
	id := c.Param("id")
	if err := h.s.opts.Store.DeleteAlertDestination(c.Request().Context(), id); errors.Is(err, store.ErrNotFound) {
		return web.Error(http.StatusNotFound, web.CodeNotFound, "no such destination")
	} else if err != nil {
		return err
	}
	h.record(c, "alert_destination_deleted", id, "ok")
	if err := h.s.Reload(c.Request().Context()); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// testDestination queues a test alert for one destination through the
// outbox, like any alert; the Alerts screen shows its delivery.
func (h *API) testDestination(c echo.Context) error {
	id := c.Param("id")
	known, err := h.s.destinationIDs(c)
	if err != nil {
		return err
	}
	if !known[id] {
		return web.Error(http.StatusNotFound, web.CodeNotFound, "no such destination")
	}
	user := ""
	if p := session.Of(c); p != nil {
		user = p.Session.User
	}
	a := store.Alert{At: h.s.opts.Now().UTC(), RuleName: "test", Severity: "info", Kind: "test",
		Summary: "test alert sent by " + user + " from the Alerts screen"}
	aid, err := h.s.opts.Store.AddAlert(c.Request().Context(), a, []string{id})
	if err != nil {
		return err
	}
	h.s.wake()
	h.record(c, "alert_test", id, "ok")
	return c.JSON(http.StatusAccepted, map[string]any{"alertId": aid})
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
