package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// DecodeStrict reads exactly one JSON object sent as application/json,
// refusing unknown, duplicate and case-variant keys, invalid UTF-8 and
// anything after the object (CheckJSON). shape names the
// expected object in the error message.
func DecodeStrict(c echo.Context, v any, shape string) error {
	if err := RequireJSON(c); err != nil {
		return err
	}
	body, err := io.ReadAll(c.Request().Body)
	if err == nil {
		err = CheckJSON(body, JSONFields(v))
	}
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		err = dec.Decode(v)
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return Error(http.StatusRequestEntityTooLarge, CodeInvalid, "body too large")
		}
		return Error(http.StatusBadRequest, CodeInvalid, "body must be "+shape)
	}
	return nil
}

// RequireJSON answers 415 unless the request says application/json.
func RequireJSON(c echo.Context) error {
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEApplicationJSON {
		return Error(http.StatusUnsupportedMediaType, CodeInvalid, "Content-Type must be application/json")
	}
	return nil
}

// Clip bounds what a client controls before it is stored.
// It cuts on a rune boundary: the result stays valid UTF-8.
func Clip(v string, n int) string {
	if len(v) <= n {
		return v
	}
	for n > 0 && !utf8.RuneStart(v[n]) {
		n--
	}
	return v[:n]
}

// CSVCell defuses spreadsheet formulas: a cell starting with = + - @ (or a
// tab or carriage return) is prefixed with a quote (OWASP CSV injection).
func CSVCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
