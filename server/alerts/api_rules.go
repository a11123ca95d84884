package alerts

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/internal/web"
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
	if err := web.DecodeStrict(c, &in, `a rule {"name","kind","severity","pattern"?,"regex"?,"speaker"?,"threshold"?,"enabled","destinations"}`); err != nil {
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
