package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// DecodeStrict reads exactly one JSON object sent as application/json,
// refusing unknown fields and anything after the object. shape names the
// expected object in the error message.
func DecodeStrict(c echo.Context, v any, shape string) error {
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEApplicationJSON {
		return Error(http.StatusUnsupportedMediaType, CodeInvalid, "Content-Type must be application/json")
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("data after the JSON object")
	}
	if err == nil {
		// dec.More ignores a stray closing bracket; one more token must be EOF.
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = errors.New("data after the JSON object")
		}
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

// Clip bounds what a client controls before it is stored.
func Clip(v string, n int) string {
	if len(v) > n {
		return v[:n]
	}
	return v
}

// CSVCell defuses spreadsheet formulas: a cell starting with = + - @ (or a
// tab or carriage return) is prefixed with a quote (OWASP CSV injection).
func CSVCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
