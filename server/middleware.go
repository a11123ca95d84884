package server

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/callboard/callboard/server/internal/web"
)

// maxLoggedErr bounds an error in the request log (it may quote the client).
const maxLoggedErr = 512

// requestLogger logs one structured line per request; the client-chosen
// parts (path, error text) are clipped, so a request cannot write a
// megabyte line. Health checks log at debug.
func (s *Server) requestLogger() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogMethod:    true,
		LogURIPath:   true,
		LogRoutePath: true,
		LogStatus:    true,
		LogLatency:   true,
		LogRemoteIP:  true,
		LogError:     true,
		HandleError:  true, // status comes from our error handler
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			switch {
			case v.Status == http.StatusNotImplemented:
				// An action the node does not offer: the client's mistake.
				level = slog.LevelWarn
			case v.Status >= 500:
				level = slog.LevelError
			case v.URIPath == "/healthz":
				level = slog.LevelDebug
			}
			attrs := []slog.Attr{
				slog.String("method", v.Method),
				slog.String("path", web.Clip(v.URIPath, web.MaxLoggedPath)),
				slog.String("route", v.RoutePath),
				slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency),
				slog.String("remote_ip", v.RemoteIP),
			}
			if v.Error != nil {
				attrs = append(attrs, slog.String("err", web.Clip(v.Error.Error(), maxLoggedErr)))
			}
			s.log.LogAttrs(context.Background(), level, "http request", attrs...)
			return nil
		},
	})
}
