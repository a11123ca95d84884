package server

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/history"
	"github.com/callboard/callboard/server/live"
)

// param returns a path parameter, unescaped: Echo routes on RawPath when the
// URL has escapes (a conference "3000@default" arrives as "3000%40default").
func param(c echo.Context, name string) (string, error) {
	v := c.Param(name)
	if c.Request().URL.RawPath == "" {
		return v, nil
	}
	u, err := url.PathUnescape(v)
	if err != nil {
		return "", apiError(http.StatusBadRequest, codeInvalid, "malformed "+name+" in path")
	}
	return u, nil
}

// params reads several path parameters, unescaped.
func params(c echo.Context, names ...string) ([]string, error) {
	out := make([]string, len(names))
	for i, n := range names {
		v, err := param(c, n)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// query reads the live state; it fails with 503 while the state is not running.
func (s *Server) query(c echo.Context, fn func(*live.View)) error {
	if err := s.state.Query(c.Request().Context(), fn); err != nil {
		return apiError(http.StatusServiceUnavailable, codeUnavailable, "live state unavailable")
	}
	return nil
}

func (s *Server) getState(c echo.Context) error {
	var snap *live.Snapshot
	if err := s.query(c, func(v *live.View) { snap = v.Snapshot() }); err != nil {
		return err
	}
	snap.Sort()
	return c.JSON(http.StatusOK, snap)
}

type transcriptBody struct {
	Call  string                `json:"call"`
	Lines []*adapters.Utterance `json:"lines"`
}

func (s *Server) getTranscript(c echo.Context) error {
	node, call, err := s.nodeCall(c)
	if err != nil {
		return err
	}
	key := live.CallKey(node.ID(), call)
	lines, ok, err := s.liveTranscript(c, key)
	if err != nil {
		return err
	}
	lines = s.completeTranscript(c.Request().Context(), key, lines)
	if !ok && len(lines) == 0 {
		return apiError(http.StatusNotFound, codeNotFound, "unknown call "+key)
	}
	return c.JSON(http.StatusOK, transcriptBody{Call: key, Lines: lines})
}

type healthBody struct {
	Status string                `json:"status"` // ok when every node is up, else degraded
	Nodes  []adapters.NodeStatus `json:"nodes"`
	// History is the history writer's state; absent when history is off.
	History *history.Health `json:"history,omitempty"`
}

// healthz is public for load balancers and monitors, so anonymously it shows
// only states and counts: a node's reason (PBX addresses) and the history
// writer's last error (file paths) need a signed-in session.
func (s *Server) healthz(c echo.Context) error {
	var nodes []*live.NodeEntity
	if err := s.query(c, func(v *live.View) { nodes = v.Nodes() }); err != nil {
		return err
	}
	p, err := s.currentSession(c)
	if err != nil {
		s.log.Warn("healthz: read session", "err", err)
	}
	detailed := p != nil
	body := healthBody{Status: "ok", Nodes: make([]adapters.NodeStatus, 0, len(nodes)), History: s.historyHealth()}
	if body.History != nil && body.History.Failing {
		body.Status = "degraded"
	}
	if body.History != nil && !detailed {
		body.History.LastError = ""
	}
	for _, n := range nodes {
		st := n.NodeStatus
		if !detailed {
			st.Reason = ""
		}
		body.Nodes = append(body.Nodes, st)
		if n.State != adapters.StateUp {
			body.Status = "degraded"
		}
	}
	if detailed {
		c.Response().Header().Set("Cache-Control", "no-store")
	}
	return c.JSON(http.StatusOK, body)
}

// node resolves the :node path parameter to a configured node (404 if none).
func (s *Server) node(c echo.Context) (adapters.Node, error) {
	id, err := param(c, "node")
	if err != nil {
		return nil, err
	}
	n, ok := s.nodes[id]
	if !ok {
		return nil, apiError(http.StatusNotFound, codeNotFound, "unknown node "+id)
	}
	return n, nil
}

// nodeCall resolves the :node and :call path parameters (404 for an
// unknown node; the call is not looked up).
func (s *Server) nodeCall(c echo.Context) (adapters.Node, string, error) {
	node, err := s.node(c)
	if err != nil {
		return nil, "", err
	}
	call, err := param(c, "call")
	if err != nil {
		return nil, "", err
	}
	return node, call, nil
}
