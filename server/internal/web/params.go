package web

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/live"
)

// Param returns a path parameter, unescaped: Echo routes on RawPath when the
// URL has escapes (a conference "3000@default" arrives as "3000%40default").
func Param(c echo.Context, name string) (string, error) {
	v := c.Param(name)
	if c.Request().URL.RawPath == "" {
		return v, nil
	}
	u, err := url.PathUnescape(v)
	if err != nil {
		return "", Error(http.StatusBadRequest, CodeInvalid, "malformed "+name+" in path")
	}
	return u, nil
}

// Params reads several path parameters, unescaped.
func Params(c echo.Context, names ...string) ([]string, error) {
	out := make([]string, len(names))
	for i, n := range names {
		v, err := Param(c, n)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// Query reads the live state; it fails with 503 while the state is not running.
func Query(c echo.Context, st *live.State, fn func(*live.View)) error {
	if err := st.Query(c.Request().Context(), fn); err != nil {
		return Error(http.StatusServiceUnavailable, CodeUnavailable, "live state unavailable")
	}
	return nil
}

// Nodes are the configured nodes by id.
type Nodes map[string]adapters.Node

// Node resolves the :node path parameter to a configured node (404 if none).
func (ns Nodes) Node(c echo.Context) (adapters.Node, error) {
	id, err := Param(c, "node")
	if err != nil {
		return nil, err
	}
	n, ok := ns[id]
	if !ok {
		return nil, Error(http.StatusNotFound, CodeNotFound, "unknown node "+id)
	}
	return n, nil
}

// NodeCall resolves the :node and :call path parameters (404 for an
// unknown node; the call is not looked up).
func (ns Nodes) NodeCall(c echo.Context) (adapters.Node, string, error) {
	node, err := ns.Node(c)
	if err != nil {
		return nil, "", err
	}
	call, err := Param(c, "call")
	if err != nil {
		return nil, "", err
	}
	return node, call, nil
}
