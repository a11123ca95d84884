package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/bus"
	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/live"
	"github.com/callboard/callboard/server/session"
	"github.com/callboard/callboard/server/store"
)

// ActionReply answers a successful action.
type ActionReply struct {
	OK    bool   `json:"ok"`
	Reply string `json:"reply"`
}

// maxActionBody bounds an action's body read; the route's BodyLimit (4K)
// answers 413 first, this only guards against a route registered without it.
const maxActionBody = 8 << 10

// RegisterActions adds one route per catalogue entry. auth resolves the
// session and checks CSRF; the entry's role is checked in the handler so a
// refused attempt is audited like any other outcome.
//
// An entry with a Scope also admits a bearer API token holding that scope
// (e.g. originate and calls:originate): sessionAuth is replaced by
// session.RequireSessionOrToken for it, here and nowhere else.
func (h *Handler) RegisterActions(e *echo.Echo, limit echo.MiddlewareFunc, sessionAuth echo.MiddlewareFunc) {
	for _, spec := range adapters.Catalogue() {
		auth := sessionAuth
		if spec.Scope != "" {
			auth = h.d.Sessions.RequireSessionOrToken(store.RoleViewer, spec.Scope)
		}
		e.Add(spec.Method, spec.Path(), h.action(spec), limit, auth)
	}
}

// action serves one catalogue entry and audits it under the entry's name:
// who, which node and target, and the verdict ("ok", or the error code of
// the reply: forbidden, invalid, not_found, refused, unavailable, ...).
func (h *Handler) action(spec adapters.ActionSpec) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		ref := refOf(c)
		e := session.Entry(c, "action", h.d.Now())
		if tok := session.TokenOf(c); tok.ID != "" {
			e.User, e.Role = "token:"+tok.Name, "token"
		}
		e.Action = string(spec.Name)
		e.Node, e.Target = web.Clip(ref.Node, 128), web.Clip(spec.Target.Describe(ref), 300)
		reply, err := h.takeAction(c, spec)
		e.Result, e.Detail = "ok", reply
		if err != nil {
			e.Result, e.Detail = web.Verdict(err)
			if reply != "" { // takeAction's own words for the audit
				e.Detail = reply
			}
		}
		e.Detail = web.Clip(e.Detail, 512)
		h.d.Audit.Record(e)
		if h.d.Events != nil { // the domain-event tap (NATS, metrics, alerts)
			h.d.Events.PublishAction(e.Node, bus.Action{Name: e.Action, Target: e.Target, User: e.User, Result: e.Result,
				Detail: e.Detail, DurationMs: float64(time.Since(start).Microseconds()) / 1000})
		}
		if err != nil {
			return err
		}
		if spec.Name == adapters.ActOriginate {
			return h.placed(c, ref.Node, e.User, reply)
		}
		return c.JSON(http.StatusOK, ActionReply{OK: true, Reply: reply})
	}
}

// refOf reads the target's path parameters, unescaped where possible (a
// malformed escape is left as is here and refused by takeAction).
func refOf(c echo.Context) adapters.Ref {
	get := func(n string) string { v, _ := web.Param(c, n); return v }
	return adapters.Ref{Node: get("node"), Call: get("call"), Conference: get("conf"), Member: get("member"), Agent: get("agent")}
}

// takeAction: role, node, path, body, Validate (nothing reaches the PBX on
// failure), target live, then node.Do with a timeout. It returns the PBX's
// reply; on failure the string, when not empty, is the audit's detail
// (e.g. the refused role) in place of the error's message.
func (h *Handler) takeAction(c echo.Context, spec adapters.ActionSpec) (string, error) {
	// A token got here only with the entry's scope (RegisterActions).
	if tok := session.TokenOf(c); tok.ID != "" && spec.Scope != "" {
		// admitted
	} else if p := session.Of(c); p == nil || !p.Session.Role.AtLeast(store.Role(spec.Role)) {
		role := "none"
		if p != nil {
			role = string(p.Session.Role)
		}
		return "role " + role, session.ErrForbidden()
	}
	node, err := h.d.Nodes.Node(c)
	if err != nil {
		return "", err
	}
	ref, err := h.ref(c)
	if err != nil {
		return "", err
	}
	if err := checkRef(ref); err != nil {
		return "", err
	}
	args, err := h.args(c, spec)
	if err != nil {
		return "", err
	}
	c.Set(ctxArgs, args)
	if err := supported(node, spec); err != nil {
		return "", err
	}
	a := spec.Build(ref, args)
	if err := node.Validate(a); err != nil {
		return "", h.fromNodeError(node.ID(), err)
	}
	key, exists := liveTarget(spec.Target, ref)
	var found bool
	if err := web.Query(c, h.d.State, func(v *live.View) { found = exists(v) }); err != nil {
		return "", err
	}
	if !found {
		return "", web.Error(http.StatusNotFound, web.CodeNotFound, "unknown "+string(spec.Target)+" "+key)
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), h.d.ActionTimeout)
	defer cancel()
	target := spec.Target.Describe(ref)
	attributed := h.attribute(c, node.ID(), a)
	reply, err := node.Do(ctx, a)
	attributed(err == nil)
	if err != nil {
		h.d.Log.Info("action failed", "node", node.ID(), "action", spec.Name, "target", target, "err", err)
		return "", h.fromNodeError(node.ID(), fmt.Errorf("%s %s: %w", spec.Name, target, err))
	}
	h.d.Log.Info("action done", "node", node.ID(), "action", spec.Name, "target", target)
	return reply, nil
}

// args reads and checks the body of an action with parameters (one without
// ignores its body, unread). Over the route's BodyLimit is 413.
func (h *Handler) args(c echo.Context, spec adapters.ActionSpec) (adapters.Args, error) {
	if len(spec.Params) == 0 {
		return adapters.Args{}, nil
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxActionBody))
	if err == nil && hasPhone(spec) {
		body, err = h.fillPhone(c, body)
		if err != nil {
			return nil, err
		}
	}
	if err != nil {
		var ee *echo.HTTPError
		if errors.As(err, &ee) {
			return nil, ee
		}
		return nil, web.Error(http.StatusBadRequest, web.CodeInvalid, "unreadable body")
	}
	if len(body) > 0 { // an empty body is refused by ParseArgs (400)
		if err := web.RequireJSON(c); err != nil {
			return nil, err
		}
		if err := web.CheckJSON(body, nil); err != nil {
			return nil, web.Error(http.StatusBadRequest, web.CodeInvalid, err.Error())
		}
	}
	args, err := spec.ParseArgs(body)
	if err != nil {
		return nil, web.Error(http.StatusBadRequest, web.CodeInvalid, err.Error())
	}
	return args, nil
}

// ref reads the route's target parameters, refusing malformed escapes.
func (h *Handler) ref(c echo.Context) (adapters.Ref, error) {
	var r adapters.Ref
	for _, p := range []struct {
		name string
		dst  *string
	}{{"node", &r.Node}, {"call", &r.Call}, {"conf", &r.Conference}, {"member", &r.Member}, {"agent", &r.Agent}} {
		if c.Param(p.name) == "" {
			continue
		}
		v, err := web.Param(c, p.name)
		if err != nil {
			return r, err
		}
		*p.dst = v
	}
	return r, nil
}

// liveTarget is the live-state key of an action's target and how to tell
// it is live. A node target is live when configured (checked by web.Nodes.Node).
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
	case adapters.TargetAgent:
		key = live.AgentKey(r.Node, r.Agent)
		return key, func(v *live.View) bool { return v.HasAgent(key) }
	}
	return r.Node, func(*live.View) bool { return true }
}

// maxEchoLen bounds the adapter's words echoed to the client (they may
// quote what the client sent).
const maxEchoLen = 300

// fromNodeError maps an adapter error to its protocol status by sentinel.
// The PBX's own words (a refusal, an invalid or unknown target) go to the
// client verbatim: the moderator needs them. A node being unreachable or
// slow is said in general terms: the adapter's text names addresses, which
// only the log gets.
func (h *Handler) fromNodeError(node string, err error) error {
	msg := web.Clip(err.Error(), maxEchoLen)
	switch {
	case errors.Is(err, adapters.ErrInvalid):
		return web.Error(http.StatusBadRequest, web.CodeInvalid, msg)
	case errors.Is(err, adapters.ErrNotFound):
		return web.Error(http.StatusNotFound, web.CodeNotFound, msg)
	case errors.Is(err, adapters.ErrRefused):
		return web.Error(http.StatusConflict, web.CodeRefused, msg)
	case errors.Is(err, adapters.ErrUnsupported):
		return web.Error(http.StatusNotImplemented, web.CodeUnsupported, msg)
	}
	h.d.Log.Warn("node error", "node", node, "err", err)
	// Checked before ErrUnavailable: a timeout may wrap both.
	if errors.Is(err, context.DeadlineExceeded) {
		return web.Error(http.StatusBadGateway, web.CodeUnavailable, "node "+node+" did not answer in time")
	}
	return web.Error(http.StatusBadGateway, web.CodeUnavailable, "node "+node+" is unavailable")
}

// attribute tells the history recorder who is about to take action a, so
// the conference timeline names them; done(ok) withdraws it on failure.
func (h *Handler) attribute(c echo.Context, node string, a adapters.Action) (done func(ok bool)) {
	p := session.Of(c)
	if h.d.History == nil || p == nil {
		return func(bool) {}
	}
	withdraw := h.d.History.Attribute(node, a, p.Session.User)
	return func(ok bool) {
		if !ok {
			withdraw()
		}
	}
}
