package asterisk

import (
	"context"
	"fmt"

	"github.com/CyCoreSystems/ari/v6"

	"github.com/callboard/callboard/adapters"
)

// errLock explains why lock is missing on Asterisk nodes.
var errLock = fmt.Errorf("bridges cannot be locked through ARI: %w", adapters.ErrUnsupported)

// Validate checks an action's identifiers and media name without any I/O.
func (n *Node) Validate(a adapters.Action) error {
	if ok, err := n.validateSupervision(a); ok {
		return err
	}
	field := func(name, v string) error {
		if err := validID(v); err != nil {
			return fmt.Errorf("%s %s: %w", a.Kind(), name, err)
		}
		return nil
	}
	switch a := a.(type) {
	case adapters.MuteMember:
		return firstErr(field("conference", a.Conference), field("member", a.Member))
	case adapters.DeafMember:
		return firstErr(field("conference", a.Conference), field("member", a.Member))
	case adapters.KickMember:
		return firstErr(field("conference", a.Conference), field("member", a.Member))
	case adapters.PlayToMember:
		return firstErr(field("conference", a.Conference), field("member", a.Member), n.checkMedia(a.Media))
	case adapters.PlayToConference:
		return firstErr(field("conference", a.Conference), n.checkMedia(a.Media))
	case adapters.MusicOnHold:
		return field("conference", a.Conference)
	case adapters.HangupCall:
		return field("call", a.Call)
	case adapters.LockConference:
		// Identifiers first (a malformed one is 400, not 501), and the
		// refusal does not echo the client's name back.
		return firstErr(field("conference", a.Conference), fmt.Errorf("%s: %w", a.Kind(), errLock))
	case nil:
		return fmt.Errorf("no action: %w", adapters.ErrInvalid)
	default:
		return fmt.Errorf("action %s: %w", a.Kind(), adapters.ErrUnsupported)
	}
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (n *Node) checkMedia(name string) error {
	if _, ok := n.cfg.Media[name]; !ok {
		return fmt.Errorf("media %q is not allowlisted on node %s: %w", name, n.cfg.ID, adapters.ErrInvalid)
	}
	return nil
}

// Do validates and executes an action through the native client.
func (n *Node) Do(ctx context.Context, a adapters.Action) (string, error) {
	if err := n.Validate(a); err != nil {
		return "", err
	}
	if reply, ok, err := n.doSupervision(ctx, a); ok {
		return reply, err
	}
	client := n.currentClient()
	if client == nil {
		return "", fmt.Errorf("%s on node %s: not connected: %w", a.Kind(), n.cfg.ID, adapters.ErrUnavailable)
	}
	chKey := func(id string) *ari.Key { return ari.NewKey(ari.ChannelKey, id) }
	brKey := func(id string) *ari.Key { return ari.NewKey(ari.BridgeKey, id) }
	switch a := a.(type) {
	case adapters.MuteMember:
		return n.muteLike(ctx, client, a.Conference, a.Member, ari.DirectionIn, a.Muted, "mute", func(m *marks) { m.muted = a.Muted })
	case adapters.DeafMember:
		return n.muteLike(ctx, client, a.Conference, a.Member, ari.DirectionOut, a.Deaf, "deaf", func(m *marks) { m.deaf = a.Deaf })
	case adapters.KickMember:
		bridge, err := n.state.lookupMember(a.Conference, a.Member)
		if err != nil {
			return "", fmt.Errorf("kick member %s from %s: %w", a.Member, a.Conference, err)
		}
		// Marked before the request: the ChannelLeftBridge event may be
		// handled before RemoveChannel returns. Undone if ARI says no, so a
		// later leave of the member's own is not reported as a kick.
		n.state.markKicked(a.Member)
		err = n.bounded(ctx, fmt.Sprintf("kick member %s from %s", a.Member, a.Conference), func() error {
			return client.Bridge().RemoveChannel(brKey(bridge), a.Member)
		})
		if err != nil {
			n.state.unmarkKicked(a.Member)
			return "", err
		}
		if !n.cfg.KickHangup {
			return fmt.Sprintf("removed channel %s from bridge %s", a.Member, bridge), nil
		}
		err = n.bounded(ctx, fmt.Sprintf("hang up kicked member %s", a.Member), func() error {
			return client.Channel().Hangup(chKey(a.Member), "normal")
		})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("removed channel %s from bridge %s and hung it up", a.Member, bridge), nil
	case adapters.PlayToMember:
		if _, err := n.state.lookupMember(a.Conference, a.Member); err != nil {
			return "", fmt.Errorf("play %s to member %s: %w", a.Media, a.Member, err)
		}
		var id string
		err := n.bounded(ctx, fmt.Sprintf("play %s to member %s in %s", a.Media, a.Member, a.Conference), func() error {
			h, err := client.Channel().Play(chKey(a.Member), "", n.cfg.Media[a.Media])
			if h != nil {
				id = h.ID()
			}
			return err
		})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("playback %s of %s on channel %s", id, a.Media, a.Member), nil
	case adapters.PlayToConference:
		bridge, err := n.state.lookupMember(a.Conference, "")
		if err != nil {
			return "", fmt.Errorf("play %s to %s: %w", a.Media, a.Conference, err)
		}
		var id string
		err = n.bounded(ctx, fmt.Sprintf("play %s to %s", a.Media, a.Conference), func() error {
			h, err := client.Bridge().Play(brKey(bridge), "", n.cfg.Media[a.Media])
			if h != nil {
				id = h.ID()
			}
			return err
		})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("playback %s of %s on bridge %s", id, a.Media, bridge), nil
	case adapters.MusicOnHold:
		bridge, err := n.state.lookupMember(a.Conference, "")
		if err != nil {
			return "", fmt.Errorf("music on hold in %s: %w", a.Conference, err)
		}
		what := fmt.Sprintf("%s in %s", a.Kind(), a.Conference)
		err = n.bounded(ctx, what, func() error {
			if a.On {
				return client.Bridge().MOH(brKey(bridge), n.cfg.MOHClass)
			}
			return client.Bridge().StopMOH(brKey(bridge))
		})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s on bridge %s", a.Kind(), bridge), nil
	case adapters.HangupCall:
		if !n.state.hasCall(a.Call) {
			return "", fmt.Errorf("hang up call %s: %w", a.Call, adapters.ErrNotFound)
		}
		err := n.bounded(ctx, "hang up call "+a.Call, func() error {
			return client.Channel().Hangup(chKey(a.Call), "normal")
		})
		if err != nil {
			return "", err
		}
		return "hung up channel " + a.Call, nil
	}
	return "", fmt.Errorf("action %s: %w", a.Kind(), adapters.ErrUnsupported)
}

// muteLike mutes or unmutes one direction of a member's channel and, once
// ARI said yes, records the state (ARI sends no mute event).
func (n *Node) muteLike(ctx context.Context, client ari.Client, conf, member string, dir ari.Direction, on bool, verb string, set func(*marks)) (string, error) {
	if !on {
		verb = "un" + verb
	}
	what := fmt.Sprintf("%s member %s in %s", verb, member, conf)
	if _, err := n.state.lookupMember(conf, member); err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	key := ari.NewKey(ari.ChannelKey, member)
	err := n.bounded(ctx, what, func() error {
		if on {
			return client.Channel().Mute(key, dir)
		}
		return client.Channel().Unmute(key, dir)
	})
	if err != nil {
		return "", err
	}
	n.pushOwn(n.state.mark(member, set))
	return fmt.Sprintf("%s channel %s (direction %s)", verb, member, dir), nil
}
