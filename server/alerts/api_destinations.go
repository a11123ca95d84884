package alerts

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/session"
	"github.com/callboard/callboard/server/store"
)

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
	if err := web.DecodeStrict(c, &in, `{"name","kind","url","secret"?,"chatId"?}`); err != nil {
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
