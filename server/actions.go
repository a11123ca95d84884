package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/live"
)

type actionReply struct {
	OK    bool   `json:"ok"`
	Reply string `json:"reply"`
}

type playBody struct {
	Media string `json:"media"`
}

func unknownVerb(verb string) error {
	return apiError(http.StatusNotFound, codeNotFound, fmt.Sprintf("unknown action %q", verb))
}

// mediaFromBody reads {"media":"name"}.
func mediaFromBody(c echo.Context) (string, error) {
	var b playBody
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return "", apiError(http.StatusBadRequest, codeInvalid, "body must be {\"media\":\"name\"}")
	}
	if b.Media == "" {
		return "", apiError(http.StatusBadRequest, codeInvalid, "media missing")
	}
	return b.Media, nil
}

// params reads several path parameters.
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

func (s *Server) memberAction(c echo.Context) error {
	node, err := s.node(c)
	if err != nil {
		return err
	}
	p, err := params(c, "conf", "member", "verb")
	if err != nil {
		return err
	}
	conf, member := p[0], p[1]
	var a adapters.Action
	switch p[2] {
	case "mute", "unmute":
		a = adapters.MuteMember{Conference: conf, Member: member, Muted: p[2] == "mute"}
	case "deaf", "undeaf":
		a = adapters.DeafMember{Conference: conf, Member: member, Deaf: p[2] == "deaf"}
	case "kick":
		a = adapters.KickMember{Conference: conf, Member: member}
	case "play":
		media, err := mediaFromBody(c)
		if err != nil {
			return err
		}
		a = adapters.PlayToMember{Conference: conf, Member: member, Media: media}
	default:
		return unknownVerb(p[2])
	}
	key := live.MemberKey(node.ID(), conf, member)
	return s.act(c, node, a, "member "+key, func(v *live.View) bool { return v.HasMember(key) })
}

func (s *Server) conferenceAction(c echo.Context) error {
	node, err := s.node(c)
	if err != nil {
		return err
	}
	p, err := params(c, "conf", "verb")
	if err != nil {
		return err
	}
	conf := p[0]
	var a adapters.Action
	switch p[1] {
	case "lock", "unlock":
		a = adapters.LockConference{Conference: conf, Locked: p[1] == "lock"}
	case "moh-start", "moh-stop":
		a = adapters.MusicOnHold{Conference: conf, On: p[1] == "moh-start"}
	case "play":
		media, err := mediaFromBody(c)
		if err != nil {
			return err
		}
		a = adapters.PlayToConference{Conference: conf, Media: media}
	default:
		return unknownVerb(p[1])
	}
	key := live.ConferenceKey(node.ID(), conf)
	return s.act(c, node, a, "conference "+key, func(v *live.View) bool { return v.HasConference(key) })
}

func (s *Server) callAction(c echo.Context) error {
	node, err := s.node(c)
	if err != nil {
		return err
	}
	p, err := params(c, "call", "verb")
	if err != nil {
		return err
	}
	if p[1] != "hangup" {
		return unknownVerb(p[1])
	}
	key := live.CallKey(node.ID(), p[0])
	return s.act(c, node, adapters.HangupCall{Call: p[0]}, "call "+key, func(v *live.View) bool { return v.HasCall(key) })
}

// act validates (nothing reaches the PBX on failure), checks the target is
// live, then executes with a timeout and maps the verdict.
func (s *Server) act(c echo.Context, node adapters.Node, a adapters.Action, target string, exists func(*live.View) bool) error {
	if err := node.Validate(a); err != nil {
		return s.fromNodeError(node.ID(), err)
	}
	var found bool
	if err := s.query(c, func(v *live.View) { found = exists(v) }); err != nil {
		return err
	}
	if !found {
		return apiError(http.StatusNotFound, codeNotFound, "unknown "+target)
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), s.cfg.ActionTimeout)
	defer cancel()
	attributed := s.attribute(c, node.ID(), a)
	reply, err := node.Do(ctx, a)
	attributed(err == nil)
	if err != nil {
		s.log.Info("action failed", "node", node.ID(), "action", a.Kind(), "target", target, "err", err)
		return s.fromNodeError(node.ID(), fmt.Errorf("%s %s: %w", a.Kind(), target, err))
	}
	s.log.Info("action done", "node", node.ID(), "action", a.Kind(), "target", target)
	c.Set(ctxReply, reply)
	return c.JSON(http.StatusOK, actionReply{OK: true, Reply: reply})
}
