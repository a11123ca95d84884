package admin

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/store"
)

// AuditJSON is an audit entry as the API shows it.
type AuditJSON struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	User   string    `json:"user"`
	Role   string    `json:"role"`
	IP     string    `json:"ip"`
	Kind   string    `json:"kind"`
	Action string    `json:"action"`
	Node   string    `json:"node"`
	Target string    `json:"target"`
	Result string    `json:"result"`
	Detail string    `json:"detail"`
}

func auditFilter(c echo.Context) (store.AuditFilter, error) {
	q := c.QueryParams()
	f := store.AuditFilter{User: q.Get("user"), Kind: q.Get("kind"), Action: q.Get("action"), Node: q.Get("node"), Result: q.Get("result")}
	r, err := web.ParseRange(c, 1000)
	if err != nil {
		return f, err
	}
	f.From, f.To, f.Limit = r.From, r.To, r.LimitOr(200)
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return f, web.Error(http.StatusBadRequest, web.CodeInvalid, "before must be an entry id")
		}
		f.Before = n
	}
	return f, nil
}

func (h *Handler) queryAudit(c echo.Context) ([]store.AuditEntry, error) {
	f, err := auditFilter(c)
	if err != nil {
		return nil, err
	}
	// Let the admin see entries queued a moment ago (their own included).
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	h.d.Audit.Sync(ctx)
	cancel()
	return h.d.Store.QueryAudit(c.Request().Context(), f)
}

// GetAudit is the audit log as JSON, newest first.
func (h *Handler) GetAudit(c echo.Context) error {
	entries, err := h.queryAudit(c)
	if err != nil {
		return err
	}
	out := make([]AuditJSON, len(entries))
	for i, e := range entries {
		out[i] = AuditJSON(e)
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": out})
}

// GetAuditCSV is the audit log as a CSV download.
func (h *Handler) GetAuditCSV(c echo.Context) error {
	entries, err := h.queryAudit(c)
	if err != nil {
		return err
	}
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="callboard-audit.csv"`)
	hd.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write([]string{"id", "at", "user", "role", "ip", "kind", "action", "node", "target", "result", "detail"})
	for _, e := range entries {
		row := []string{strconv.FormatInt(e.ID, 10), e.At.Format(time.RFC3339Nano), e.User, e.Role, e.IP, e.Kind, e.Action, e.Node, e.Target, e.Result, e.Detail}
		for i := range row {
			row[i] = web.CSVCell(row[i])
		}
		_ = w.Write(row)
	}
	w.Flush()
	return w.Error()
}
