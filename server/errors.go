package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/adapters"
)

// Error codes of the REST protocol.
const (
	codeInvalid     = "invalid"
	codeNotFound    = "not_found"
	codeRefused     = "refused"
	codeUnavailable = "unavailable"
	codeUnsupported = "unsupported"
	codeInternal    = "internal"
)

// errorBody is the JSON of every REST error.
type errorBody struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

// httpError is an error that knows its status and protocol code.
type httpError struct {
	status int
	code   string
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func apiError(status int, code, msg string) error { return &httpError{status, code, msg} }

// fromNodeError maps an adapter error to its protocol status by sentinel.
// The PBX's own words (a refusal, an invalid or unknown target) go to the
// client verbatim: the moderator needs them. A node being unreachable or
// slow is said in general terms: the adapter's text names addresses, which
// only the log gets.
func (s *Server) fromNodeError(node string, err error) error {
	switch {
	case errors.Is(err, adapters.ErrInvalid):
		return apiError(http.StatusBadRequest, codeInvalid, err.Error())
	case errors.Is(err, adapters.ErrNotFound):
		return apiError(http.StatusNotFound, codeNotFound, err.Error())
	case errors.Is(err, adapters.ErrRefused):
		return apiError(http.StatusConflict, codeRefused, err.Error())
	case errors.Is(err, adapters.ErrUnsupported):
		return apiError(http.StatusNotImplemented, codeUnsupported, err.Error())
	}
	s.log.Warn("node error", "node", node, "err", err)
	// Checked before ErrUnavailable: a timeout may wrap both.
	if errors.Is(err, context.DeadlineExceeded) {
		return apiError(http.StatusBadGateway, codeUnavailable, "node "+node+" did not answer in time")
	}
	return apiError(http.StatusBadGateway, codeUnavailable, "node "+node+" is unavailable")
}

// errorHandler renders every error as the protocol's JSON error (Echo's own
// 404/405/413 included).
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var he *httpError
	var ee *echo.HTTPError
	switch {
	case errors.As(err, &he):
	case errors.As(err, &ee):
		he = &httpError{status: ee.Code, code: codeForStatus(ee.Code), msg: http.StatusText(ee.Code)}
		if m, ok := ee.Message.(string); ok && m != "" {
			he.msg = m
		}
	default:
		s.log.Error("unhandled request error", "path", c.Request().URL.Path, "err", err)
		he = &httpError{status: http.StatusInternalServerError, code: codeInternal, msg: "internal error"}
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(he.status)
		return
	}
	_ = c.JSON(he.status, errorBody{Error: he.msg, Code: he.code})
}

func codeForStatus(status int) string {
	switch status {
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return codeNotFound
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return codeUnavailable
	case http.StatusNotImplemented:
		return codeUnsupported
	case http.StatusConflict:
		return codeRefused
	}
	if status >= 500 {
		return codeInternal
	}
	return codeInvalid
}
