package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/session"
	"github.com/callboard/callboard/server/store"
)

// The UI language of each user (issue 15): one of store.Languages, or ""
// to follow the browser's Accept-Language. A strict allowlist: the value
// ends up in <html lang> and picks a message set, nothing else is stored.

// LanguageBody is GET and PUT /api/v1/me/language.
type LanguageBody struct {
	Language string `json:"language"`
}

// GetLanguage is the signed-in user's language ("" when not set).
func (h *Handler) GetLanguage(c echo.Context) error {
	if h.d.Languages == nil {
		return web.Error(http.StatusServiceUnavailable, web.CodeUnavailable, "language settings need a store")
	}
	lang, err := h.d.Languages.UserLanguage(c.Request().Context(), session.Of(c).Session.User)
	if err != nil {
		return err
	}
	if !store.IsLanguage(lang) {
		lang = ""
	}
	return c.JSON(http.StatusOK, LanguageBody{Language: lang})
}

// PutLanguage sets (or with "" clears) the signed-in user's language; audited.
func (h *Handler) PutLanguage(c echo.Context) error {
	if h.d.Languages == nil {
		return web.Error(http.StatusServiceUnavailable, web.CodeUnavailable, "language settings need a store")
	}
	var b LanguageBody
	if err := web.DecodeStrict(c, &b, `{"language":"<tag>"}`); err != nil {
		return err
	}
	if b.Language != "" && !store.IsLanguage(b.Language) {
		return web.Error(http.StatusBadRequest, web.CodeInvalid, "language must be one of "+strings.Join(store.Languages, ", ")+` or ""`)
	}
	e := session.Entry(c, "settings", h.d.Now())
	e.Action, e.Target, e.Detail = "set-language", "user "+e.User, b.Language
	err := h.d.Languages.SetUserLanguage(c.Request().Context(), e.User, b.Language)
	if err != nil {
		e.Result, e.Detail = web.Verdict(err)
	}
	h.d.Audit.Record(e)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}
