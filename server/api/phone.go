package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/session"
)

// "My phone": each user's endpoint for listen, whisper and barge (and
// click-to-call's default "from"). One value per user, shape-checked here
// (adapters.EndpointShape); each node's dial rules check it when an action
// uses it, so a phone outside a node's endpoint pattern is a 400 from that
// node with its own words.
//
// The supervise actions (every catalogue entry with a "phone" parameter)
// always use the caller's own phone: the server fills "phone" from the
// setting. A body may omit it; a body naming a different phone is refused
// (403) rather than silently replaced, so nobody can ring or hang up
// another supervisor's phone, and a script sending a stale value learns it.

// PhoneBody is GET and PUT /api/v1/me/phone.
type PhoneBody struct {
	Phone string `json:"phone"`
}

// GetPhone is the signed-in user's phone ("" when not set).
func (h *Handler) GetPhone(c echo.Context) error {
	if h.d.Phones == nil {
		return web.Error(http.StatusServiceUnavailable, web.CodeUnavailable, "phone settings need a store")
	}
	phone, err := h.d.Phones.UserPhone(c.Request().Context(), session.Of(c).Session.User)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, PhoneBody{Phone: phone})
}

// PutPhone sets (or with "" clears) the signed-in user's phone; audited.
func (h *Handler) PutPhone(c echo.Context) error {
	if h.d.Phones == nil {
		return web.Error(http.StatusServiceUnavailable, web.CodeUnavailable, "phone settings need a store")
	}
	var b PhoneBody
	if err := web.DecodeStrict(c, &b, `{"phone":"<endpoint>"}`); err != nil {
		return err
	}
	b.Phone = strings.TrimSpace(b.Phone)
	if b.Phone != "" && !adapters.EndpointShape.MatchString(b.Phone) {
		return web.Error(http.StatusBadRequest, web.CodeInvalid, "phone must be an extension or endpoint name (letters, digits, . _ -)")
	}
	e := session.Entry(c, "settings", h.d.Now())
	e.Action, e.Target, e.Detail = "set-phone", "user "+e.User, b.Phone
	err := h.d.Phones.SetUserPhone(c.Request().Context(), e.User, b.Phone)
	if err != nil {
		e.Result, e.Detail = web.Verdict(err)
	}
	h.d.Audit.Record(e)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}

// hasPhone: the entry's "phone" is the caller's own (listen, whisper, barge,
// stop-listening).
func hasPhone(spec adapters.ActionSpec) bool {
	for _, p := range spec.Params {
		if p.Name == "phone" {
			return true
		}
	}
	return false
}

// fillPhone puts the caller's phone into body, refusing another one.
func (h *Handler) fillPhone(c echo.Context, body []byte) ([]byte, error) {
	p := session.Of(c)
	if p == nil || h.d.Phones == nil {
		return nil, web.Error(http.StatusBadRequest, web.CodeInvalid, "no phone set: set My phone first")
	}
	mine, err := h.d.Phones.UserPhone(c.Request().Context(), p.Session.User)
	if err != nil {
		return nil, err
	}
	if mine == "" {
		return nil, web.Error(http.StatusBadRequest, web.CodeInvalid, "no phone set: set My phone first")
	}
	raw := map[string]json.RawMessage{}
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
			return nil, web.Error(http.StatusBadRequest, web.CodeInvalid, "body must be a JSON object")
		}
	}
	if v, ok := raw["phone"]; ok && string(v) != "null" {
		var s string
		if json.Unmarshal(v, &s) != nil || s != mine {
			return nil, web.Error(http.StatusForbidden, web.CodeForbidden, "phone is your own My phone setting ("+mine+"); another phone cannot be used")
		}
	}
	raw["phone"], _ = json.Marshal(mine)
	out, err := json.Marshal(raw)
	if err != nil {
		return nil, errors.Join(errors.New("encode body"), err)
	}
	return out, nil
}
