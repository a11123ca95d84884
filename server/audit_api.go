package server

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/store"
)

type auditJSON struct {
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
	r, err := parseRange(c, 1000)
	if err != nil {
		return f, err
	}
	f.From, f.To, f.Limit = r.From, r.To, r.limitOr(200)
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return f, apiError(http.StatusBadRequest, codeInvalid, "before must be an entry id")
		}
		f.Before = n
	}
	return f, nil
}

func (s *Server) queryAudit(c echo.Context) ([]store.AuditEntry, error) {
	f, err := auditFilter(c)
	if err != nil {
		return nil, err
	}
	// Let the admin see entries queued a moment ago (their own included).
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	s.audit.Sync(ctx)
	cancel()
	return s.store.QueryAudit(c.Request().Context(), f)
}

func (s *Server) getAudit(c echo.Context) error {
	entries, err := s.queryAudit(c)
	if err != nil {
		return err
	}
	out := make([]auditJSON, len(entries))
	for i, e := range entries {
		out[i] = auditJSON(e)
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": out})
}

// csvCell defuses spreadsheet formulas: a cell starting with = + - @ (or a
// tab or carriage return) is prefixed with a quote (OWASP CSV injection).
func csvCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func (s *Server) getAuditCSV(c echo.Context) error {
	entries, err := s.queryAudit(c)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="callboard-audit.csv"`)
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write([]string{"id", "at", "user", "role", "ip", "kind", "action", "node", "target", "result", "detail"})
	for _, e := range entries {
		row := []string{strconv.FormatInt(e.ID, 10), e.At.Format(time.RFC3339Nano), e.User, e.Role, e.IP, e.Kind, e.Action, e.Node, e.Target, e.Result, e.Detail}
		for i := range row {
			row[i] = csvCell(row[i])
		}
		_ = w.Write(row)
	}
	w.Flush()
	return w.Error()
}
