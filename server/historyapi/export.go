package historyapi

import (
	"encoding/csv"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/server/internal/web"
)

// exportFormat reads ?format= (json or csv; def when absent).
func exportFormat(c echo.Context, def string) (string, error) {
	format := c.QueryParam("format")
	if format == "" {
		format = def
	}
	if format != "json" && format != "csv" {
		return "", web.Error(http.StatusBadRequest, web.CodeInvalid, "format must be json or csv")
	}
	return format, nil
}

// download writes v as an attachment named name.format: JSON, or CSV with
// header and the rows (formula-safe cells, like the audit CSV). Every export
// of call and queue history goes through it.
func download(c echo.Context, name, format string, v any, header []string, rows func(write func(...string))) error {
	hd := c.Response().Header()
	hd.Set("Content-Disposition", `attachment; filename="`+name+`.`+format+`"`)
	hd.Set("Cache-Control", "no-store")
	if format == "json" {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
	}
	hd.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write(header)
	rows(func(row ...string) {
		for i := range row {
			row[i] = web.CSVCell(row[i])
		}
		_ = w.Write(row)
	})
	w.Flush()
	return w.Error()
}
