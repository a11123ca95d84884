package api

import (
	"net/http"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/internal/web"
)

// maxIDLen bounds every target identifier (node, call, conference, member,
// agent) before any adapter sees it; the adapters' own patterns are
// stricter and apply after.
const maxIDLen = 128

// checkRef is the server's own first look at a target's identifiers: short,
// UTF-8, printable and without spaces. It runs before the node is asked
// whether it supports the action, so a malformed identifier is answered
// 400 whatever the action (issue 15: validate first, then 501).
func checkRef(r adapters.Ref) error {
	for _, f := range []struct{ name, v string }{{"call", r.Call}, {"conference", r.Conference}, {"member", r.Member}, {"agent", r.Agent}} {
		if f.v == "" {
			continue
		}
		if len(f.v) > maxIDLen || !utf8.ValidString(f.v) || slices.ContainsFunc([]rune(f.v), badIDRune) {
			return web.Error(http.StatusBadRequest, web.CodeInvalid, "malformed "+f.name+" identifier")
		}
	}
	return nil
}

func badIDRune(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) || r == utf8.RuneError }

// supported answers 501 when node does not offer the action at all.
func supported(node adapters.Node, spec adapters.ActionSpec) error {
	if slices.Contains(node.Actions(), spec.Name) {
		return nil
	}
	return web.Error(http.StatusNotImplemented, web.CodeUnsupported,
		"action "+string(spec.Name)+" is not supported on node "+web.Clip(node.ID(), maxIDLen))
}
