package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
)

// Error codes of the REST protocol (docs/protocol.md, docs/auth.md).
const (
	CodeInvalid      = "invalid"
	CodeNotFound     = "not_found"
	CodeRefused      = "refused"
	CodeUnavailable  = "unavailable"
	CodeUnsupported  = "unsupported"
	CodeInternal     = "internal"
	CodeUnauthorized = "unauthorized"
	CodeForbidden    = "forbidden"
	CodeCSRF         = "csrf"
	CodeRateLimited  = "rate_limited"
)

// MaxLoggedPath bounds a request path in a log line: the client chooses it.
const MaxLoggedPath = 256

// ErrorBody is the JSON of every REST error.
type ErrorBody struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

// HTTPError is an error that knows its status and protocol code.
type HTTPError struct {
	Status int
	Code   string
	Msg    string
}

func (e *HTTPError) Error() string { return e.Msg }

// Error is a protocol error answered with status and code.
func Error(status int, code, msg string) error { return &HTTPError{status, code, msg} }

// ErrorHandler renders every error as the protocol's JSON error (Echo's own
// 404/405/413 included); an unexpected error is logged and answered 500.
func ErrorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		var he *HTTPError
		var ee *echo.HTTPError
		switch {
		case errors.As(err, &he):
		case errors.As(err, &ee):
			he = &HTTPError{Status: ee.Code, Code: CodeForStatus(ee.Code), Msg: http.StatusText(ee.Code)}
			if m, ok := ee.Message.(string); ok && m != "" {
				he.Msg = m
			}
		default:
			log.Error("unhandled request error", "path", Clip(c.Request().URL.Path, MaxLoggedPath), "err", err)
			he = &HTTPError{Status: http.StatusInternalServerError, Code: CodeInternal, Msg: "internal error"}
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(he.Status)
			return
		}
		_ = c.JSON(he.Status, ErrorBody{Error: he.Msg, Code: he.Code})
	}
}

// Verdict is an error's protocol code and message (for the audit).
func Verdict(err error) (code, msg string) {
	var he *HTTPError
	var ee *echo.HTTPError
	switch {
	case errors.As(err, &he):
		return he.Code, he.Msg
	case errors.As(err, &ee):
		return CodeForStatus(ee.Code), http.StatusText(ee.Code)
	}
	return CodeInternal, "internal error"
}

// CodeForStatus is the protocol code of a bare HTTP status.
func CodeForStatus(status int) string {
	switch status {
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return CodeNotFound
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return CodeUnavailable
	case http.StatusNotImplemented:
		return CodeUnsupported
	case http.StatusConflict:
		return CodeRefused
	}
	if status >= 500 {
		return CodeInternal
	}
	return CodeInvalid
}
