package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

// Range is the from/to/limit part of a list query.
type Range struct {
	From, To time.Time // zero when absent
	Limit    int       // 0 when absent: the caller's default applies
}

// ParseRange reads the optional from and to (RFC 3339) and limit
// (1..maxLimit) query parameters.
func ParseRange(c echo.Context, maxLimit int) (Range, error) {
	var r Range
	q := c.QueryParams()
	for _, tm := range []struct {
		name string
		dst  *time.Time
	}{{"from", &r.From}, {"to", &r.To}} {
		if v := q.Get(tm.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return r, Error(http.StatusBadRequest, CodeInvalid, tm.name+" must be an RFC 3339 time")
			}
			*tm.dst = t
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return r, Error(http.StatusBadRequest, CodeInvalid, fmt.Sprintf("limit must be 1..%d", maxLimit))
		}
		r.Limit = n
	}
	return r, nil
}

// LimitOr is the parsed limit, or def when none was given.
func (r Range) LimitOr(def int) int {
	if r.Limit == 0 {
		return def
	}
	return r.Limit
}
