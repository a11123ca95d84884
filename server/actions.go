package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/live"
	"github.com/callboard/callboard/server/store"
)

type actionReply struct {
	OK    bool   `json:"ok"`
	Reply string `json:"reply"`
}

// maxActionBody bounds an action's body read; the route's BodyLimit (4K)
// answers 413 first, this only guards against a route registered without it.
const maxActionBody = 8 << 10

// registerActions adds one route per catalogue entry. auth resolves the
// session and checks CSRF; the entry's role is checked in the handler so a
// refused attempt is audited like any other outcome.
func (s *Server) registerActions(e *echo.Echo, auth ...echo.MiddlewareFunc) {
	for _, spec := range adapters.Catalogue() {
		e.Add(spec.Method, spec.Path(), s.action(spec), auth...)
	}
}

// action serves one catalogue entry and audits it under the entry's name:
// who, which node and target, and the verdict ("ok", or the error code of
// the reply: forbidden, invalid, not_found, refused, unavailable, ...).
func (s *Server) action(spec adapters.ActionSpec) echo.HandlerFunc {
	return func(c echo.Context) error {
		ref := refOf(c)
		e := s.entry(c, "action")
		e.Action = string(spec.Name)
		e.Node, e.Target = clip(ref.Node, 128), clip(spec.Target.Describe(ref), 300)
		reply, err := s.takeAction(c, spec)
		e.Result, e.Detail = "ok", reply
		if err != nil {
			e.Result, e.Detail = auditVerdict(err)
			if reply != "" { // takeAction's own words for the audit
				e.Detail = reply
			}
		}
		e.Detail = clip(e.Detail, 512)
		s.audit.Record(e)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, actionReply{OK: true, Reply: reply})
	}
}

// auditVerdict is an error's protocol code and message for the audit.
func auditVerdict(err error) (result, detail string) {
	var he *httpError
	var ee *echo.HTTPError
	switch {
	case errors.As(err, &he):
		return he.code, he.msg
	case errors.As(err, &ee):
		return codeForStatus(ee.Code), http.StatusText(ee.Code)
	}
	return codeInternal, "internal error"
}

// refOf reads the target's path parameters, unescaped where possible (a
// malformed escape is left as is here and refused by takeAction).
func refOf(c echo.Context) adapters.Ref {
	get := func(n string) string { v, _ := param(c, n); return v }
	return adapters.Ref{Node: get("node"), Call: get("call"), Conference: get("conf"), Member: get("member")}
}

// takeAction: role, node, path, body, Validate (nothing reaches the PBX on
// failure), target live, then node.Do with a timeout. It returns the PBX's
// reply; on failure the string, when not empty, is the audit's detail
// (e.g. the refused role) in place of the error's message.
func (s *Server) takeAction(c echo.Context, spec adapters.ActionSpec) (string, error) {
	if p := principalOf(c); p == nil || !p.session.Role.AtLeast(store.Role(spec.Role)) {
		role := "none"
		if p != nil {
			role = string(p.session.Role)
		}
		return "role " + role, errForbidden()
	}
	node, err := s.node(c)
	if err != nil {
		return "", err
	}
	ref, err := s.ref(c)
	if err != nil {
		return "", err
	}
	args, err := s.args(c, spec)
	if err != nil {
		return "", err
	}
	a := spec.Build(ref, args)
	if err := node.Validate(a); err != nil {
		return "", s.fromNodeError(node.ID(), err)
	}
	key, exists := liveTarget(spec.Target, ref)
	var found bool
	if err := s.query(c, func(v *live.View) { found = exists(v) }); err != nil {
		return "", err
	}
	if !found {
		return "", apiError(http.StatusNotFound, codeNotFound, "unknown "+string(spec.Target)+" "+key)
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), s.cfg.ActionTimeout)
	defer cancel()
	target := spec.Target.Describe(ref)
	attributed := s.attribute(c, node.ID(), a)
	reply, err := node.Do(ctx, a)
	attributed(err == nil)
	if err != nil {
		s.log.Info("action failed", "node", node.ID(), "action", spec.Name, "target", target, "err", err)
		return "", s.fromNodeError(node.ID(), fmt.Errorf("%s %s: %w", spec.Name, target, err))
	}
	s.log.Info("action done", "node", node.ID(), "action", spec.Name, "target", target)
	return reply, nil
}

// args reads and checks the body of an action with parameters (one without
// ignores its body, unread). Over the route's BodyLimit is 413.
func (s *Server) args(c echo.Context, spec adapters.ActionSpec) (adapters.Args, error) {
	if len(spec.Params) == 0 {
		return adapters.Args{}, nil
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxActionBody))
	if err != nil {
		var ee *echo.HTTPError
		if errors.As(err, &ee) {
			return nil, ee
		}
		return nil, apiError(http.StatusBadRequest, codeInvalid, "unreadable body")
	}
	args, err := spec.ParseArgs(body)
	if err != nil {
		return nil, apiError(http.StatusBadRequest, codeInvalid, err.Error())
	}
	return args, nil
}

// ref reads the route's target parameters, refusing malformed escapes.
func (s *Server) ref(c echo.Context) (adapters.Ref, error) {
	var r adapters.Ref
	for _, p := range []struct {
		name string
		dst  *string
	}{{"node", &r.Node}, {"call", &r.Call}, {"conf", &r.Conference}, {"member", &r.Member}} {
		if c.Param(p.name) == "" {
			continue
		}
		v, err := param(c, p.name)
		if err != nil {
			return r, err
		}
		*p.dst = v
	}
	return r, nil
}

// liveTarget is the live-state key of an action's target and how to tell
// it is live. A node target is live when configured (checked by s.node).
func liveTarget(t adapters.Target, r adapters.Ref) (key string, exists func(*live.View) bool) {
	switch t {
	case adapters.TargetMember:
		key = live.MemberKey(r.Node, r.Conference, r.Member)
		return key, func(v *live.View) bool { return v.HasMember(key) }
	case adapters.TargetConference:
		key = live.ConferenceKey(r.Node, r.Conference)
		return key, func(v *live.View) bool { return v.HasConference(key) }
	case adapters.TargetCall:
		key = live.CallKey(r.Node, r.Call)
		return key, func(v *live.View) bool { return v.HasCall(key) }
	}
	return r.Node, func(*live.View) bool { return true }
}
