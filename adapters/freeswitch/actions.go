package freeswitch

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/callboard/callboard/adapters"
)

// Identifier patterns. Everything that reaches a command line is checked
// against one of these first. They are ASCII-only character classes, so
// look-alikes (Cyrillic 'о', fullwidth digits) and every separator ESL or the
// conference API would interpret (space, newline, '&', '|', ';') are refused.
var (
	// Conference names as users write them: "room1001", "sales.team",
	// "support-2". Without the "@profile" suffix, which the API does not take.
	conferenceNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	memberIDPattern       = regexp.MustCompile(`^[0-9]{1,9}$`)
	uuidPattern           = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// supportedActions is what this driver can do on any FreeSWITCH.
var supportedActions = []adapters.ActionKind{
	adapters.ActMute, adapters.ActUnmute, adapters.ActDeaf, adapters.ActUndeaf, adapters.ActKick,
	adapters.ActPlayToMember, adapters.ActPlayToConference, adapters.ActLock, adapters.ActUnlock, adapters.ActHangup,
	adapters.ActOriginate, adapters.ActTransfer, adapters.ActHold, adapters.ActUnhold,
	adapters.ActListen, adapters.ActWhisper, adapters.ActBarge, adapters.ActStopListening,
	adapters.ActSetAgentStatus,
}

func invalid(field, value, why string) error {
	if len(value) > 80 {
		value = value[:80] + "..."
	}
	return fmt.Errorf("%s %q %s: %w", field, value, why, adapters.ErrInvalid)
}

func checkConference(name string) error {
	if !conferenceNamePattern.MatchString(name) || strings.Contains(name, "..") {
		return invalid("conference", name, "is not a valid conference name (letters, digits, '_', '.', '-'; at most 64)")
	}
	return nil
}

func checkMember(id string) error {
	if !memberIDPattern.MatchString(id) {
		return invalid("member", id, "is not a member id (1 to 9 digits)")
	}
	return nil
}

func checkCall(id string) error {
	if !uuidPattern.MatchString(id) {
		return invalid("call", id, "is not a call id (a channel uuid)")
	}
	return nil
}

// mediaTarget maps an allowlisted media name to this node's file or URI.
func (n *Node) mediaTarget(name string) (string, error) {
	target, ok := n.cfg.Media[name]
	if !ok {
		return "", invalid("media", name, "is not in this node's media allowlist")
	}
	return target, nil
}

// commandLines validates a and builds the api command lines (without the
// "api " prefix) that execute it. legsOf gives a call's leg uuids.
func (n *Node) commandLines(a adapters.Action, legsOf func(string) []string) ([]string, error) {
	switch a := a.(type) {
	case adapters.MuteMember:
		return memberCommand(a.Conference, a.Member, pick(a.Muted, "mute", "unmute"))
	case adapters.DeafMember:
		return memberCommand(a.Conference, a.Member, pick(a.Deaf, "deaf", "undeaf"))
	case adapters.KickMember:
		return memberCommand(a.Conference, a.Member, "kick")
	case adapters.PlayToMember:
		if err := checkConference(a.Conference); err != nil {
			return nil, err
		}
		if err := checkMember(a.Member); err != nil {
			return nil, err
		}
		target, err := n.mediaTarget(a.Media)
		if err != nil {
			return nil, err
		}
		return []string{fmt.Sprintf("conference %s play %s %s", a.Conference, target, a.Member)}, nil
	case adapters.PlayToConference:
		if err := checkConference(a.Conference); err != nil {
			return nil, err
		}
		target, err := n.mediaTarget(a.Media)
		if err != nil {
			return nil, err
		}
		return []string{fmt.Sprintf("conference %s play %s", a.Conference, target)}, nil
	case adapters.LockConference:
		if err := checkConference(a.Conference); err != nil {
			return nil, err
		}
		return []string{fmt.Sprintf("conference %s %s", a.Conference, pick(a.Locked, "lock", "unlock"))}, nil
	case adapters.HangupCall:
		if err := checkCall(a.Call); err != nil {
			return nil, err
		}
		legs := []string{a.Call}
		if legsOf != nil {
			if known := legsOf(a.Call); len(known) > 0 {
				legs = known
			}
		}
		lines := make([]string, 0, len(legs))
		for _, u := range legs {
			if err := checkCall(u); err != nil { // legs come from PBX events: check them too
				return nil, err
			}
			lines = append(lines, "uuid_kill "+u)
		}
		return lines, nil
	case adapters.SetAgentStatus:
		return agentStatusCommand(a)
	case nil:
		return nil, fmt.Errorf("action: none given: %w", adapters.ErrInvalid)
	}
	return nil, fmt.Errorf("action %q: %w", a.Kind(), adapters.ErrUnsupported)
}

func memberCommand(conf, member, verb string) ([]string, error) {
	if err := checkConference(conf); err != nil {
		return nil, err
	}
	if err := checkMember(member); err != nil {
		return nil, err
	}
	return []string{fmt.Sprintf("conference %s %s %s", conf, verb, member)}, nil
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

// replyError maps an api reply body to nil (success) or an adapters error.
// FreeSWITCH answers +OK on success, -ERR with a reason on failure, and for
// some malformed conference commands just its usage text.
func replyError(what, reply string) error {
	text := strings.TrimSpace(reply)
	switch {
	case strings.HasPrefix(text, "+OK"):
		return nil
	case strings.HasPrefix(text, "-ERR"):
		reason := strings.TrimSpace(strings.TrimPrefix(text, "-ERR"))
		lower := strings.ToLower(reason)
		if (strings.HasPrefix(lower, "conference ") && strings.HasSuffix(lower, " not found")) ||
			strings.HasPrefix(lower, "non-existant id") || strings.HasPrefix(lower, "non-existent id") ||
			strings.HasPrefix(lower, "no such channel") || lower == "invalid uuid" || lower == "agent not found!" {
			return fmt.Errorf("%s: %s: %w", what, reason, adapters.ErrNotFound)
		}
		return fmt.Errorf("%s: %s: %w", what, reason, adapters.ErrRefused)
	}
	if text == "" {
		text = "empty reply"
	}
	first, _, _ := strings.Cut(text, "\n")
	return fmt.Errorf("%s: %s: %w", what, first, adapters.ErrRefused)
}
