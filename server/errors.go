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
func fromNodeError(err error) error {
	status, code := http.StatusBadGateway, codeUnavailable
	switch {
	case errors.Is(err, adapters.ErrInvalid):
		status, code = http.StatusBadRequest, codeInvalid
	case errors.Is(err, adapters.ErrNotFound):
		status, code = http.StatusNotFound, codeNotFound
	case errors.Is(err, adapters.ErrRefused):
		status, code = http.StatusConflict, codeRefused
	case errors.Is(err, adapters.ErrUnsupported):
		status, code = http.StatusNotImplemented, codeUnsupported
	case errors.Is(err, adapters.ErrUnavailable):
	case errors.Is(err, context.DeadlineExceeded):
		return apiError(status, code, "node did not answer in time")
	}
	return apiError(status, code, err.Error())
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
