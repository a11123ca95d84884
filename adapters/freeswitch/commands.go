package freeswitch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/percipia/eslgo"
	"github.com/percipia/eslgo/command"
)

// apiCommand is "api <line>". eslgo's command.API always appends a space
// and the arguments, which would change the exact line the PBX receives.
type apiCommand string

func (c apiCommand) BuildMessage() string { return "api " + string(c) }

// link is one authenticated ESL connection. Commands on it are serialised:
// eslgo matches replies to commands by arrival order only.
type link struct {
	conn    *eslgo.Conn
	timeout time.Duration
	sem     chan struct{} // one command in flight

	dead   chan struct{} // closed when the link must not be used any more
	once   sync.Once
	reason string // why; set before dead is closed
}

func newLink(timeout time.Duration) *link {
	return &link{timeout: timeout, sem: make(chan struct{}, 1), dead: make(chan struct{})}
}

// fail marks the link dead; the session then closes it and reconnects.
func (l *link) fail(reason string) {
	l.once.Do(func() {
		l.reason = reason
		close(l.dead)
	})
}

func (l *link) failed() bool {
	select {
	case <-l.dead:
		return true
	default:
		return false
	}
}

// send runs one command and returns its reply. Any failure (a timeout
// included) kills the link: a reply still in flight would otherwise be handed
// to the next command by eslgo. The caller's ctx only bounds the wait for the
// turn; once sent, a command runs to its reply or its timeout, because
// abandoning it early would desynchronise the connection just the same.
func (l *link) send(ctx context.Context, cmd command.Command, what string) (*eslgo.RawResponse, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.dead:
		return nil, fmt.Errorf("%s: connection lost (%s): %w", what, l.reason, adapters.ErrUnavailable)
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: waiting for the previous command: %w: %w", what, ctx.Err(), adapters.ErrUnavailable)
	}
	defer func() { <-l.sem }()
	if l.failed() {
		return nil, fmt.Errorf("%s: connection lost (%s): %w", what, l.reason, adapters.ErrUnavailable)
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.timeout)
	defer cancel()
	resp, err := l.conn.SendCommand(cctx, cmd)
	if err != nil {
		reason := "connection lost"
		if errors.Is(err, context.DeadlineExceeded) {
			reason = fmt.Sprintf("no reply within %s", l.timeout)
		}
		l.fail(what + ": " + reason)
		return nil, fmt.Errorf("%s: %s: %w", what, reason, adapters.ErrUnavailable)
	}
	return resp, nil
}

// api runs "api <line>" and returns the reply text.
func (l *link) api(ctx context.Context, line string) (string, error) {
	resp, err := l.send(ctx, apiCommand(line), "api "+firstWords(line))
	if err != nil {
		return "", err
	}
	return resp.GetReply(), nil
}

// bgapiCommand is "bgapi <line>": the reply is "+OK Job-UUID: ..." at once
// and the command's own reply comes later as a BACKGROUND_JOB event.
type bgapiCommand string

func (c bgapiCommand) BuildMessage() string { return "bgapi " + string(c) }

// bgapi runs "bgapi <line>" and returns the command/reply text.
func (l *link) bgapi(ctx context.Context, line string) (string, error) {
	resp, err := l.send(ctx, bgapiCommand(line), "bgapi "+firstWords(line))
	if err != nil {
		return "", err
	}
	return resp.GetHeader("Reply-Text"), nil
}

// firstWords names a command in errors without its arguments.
func firstWords(line string) string {
	f := strings.Fields(line)
	if len(f) > 2 {
		f = f[:2]
	}
	return strings.Join(f, " ")
}

// Validate checks an action's identifiers and media name without any I/O.
func (n *Node) Validate(a adapters.Action) error {
	if _, ok, err := n.supervisionPlan(a, nil, nil); ok {
		return err
	}
	_, err := n.commandLines(a, nil)
	return err
}

// Do validates and executes an action and returns the PBX's reply text.
func (n *Node) Do(ctx context.Context, a adapters.Action) (string, error) {
	if p, ok, err := n.supervisionPlan(a, n.legsOf, n.listenerOf); ok {
		if err != nil {
			return "", err
		}
		return n.doSupervision(ctx, a, p)
	}
	lines, err := n.commandLines(a, n.legsOf)
	if err != nil {
		return "", err
	}
	what := describe(a)
	l := n.currentLink()
	if l == nil {
		return "", fmt.Errorf("%s: node %s is not connected: %w", what, n.cfg.ID, adapters.ErrUnavailable)
	}
	if len(lines) == 1 {
		reply, err := l.api(ctx, lines[0])
		if err != nil {
			return "", fmt.Errorf("%s: %w", what, err)
		}
		if err := replyError(what, reply); err != nil {
			return "", err
		}
		return strings.TrimSpace(reply), nil
	}
	// Hangup of a multi-leg call: killing one leg often takes the others
	// down with it, so "no such channel" on a later leg is expected. The
	// call is gone when at least one kill succeeded.
	var replies []string
	var firstErr error
	ok := false
	for _, line := range lines {
		reply, err := l.api(ctx, line)
		if err != nil {
			return "", fmt.Errorf("%s: %w", what, err)
		}
		if err := replyError(what, reply); err != nil {
			if firstErr == nil || (errors.Is(firstErr, adapters.ErrNotFound) && !errors.Is(err, adapters.ErrNotFound)) {
				firstErr = err
			}
			continue
		}
		ok = true
		replies = append(replies, strings.TrimSpace(reply))
	}
	if !ok {
		return "", firstErr
	}
	return strings.Join(replies, "\n"), nil
}

// describe names an action for error texts. Its identifiers have been
// validated by then.
func describe(a adapters.Action) string {
	switch a := a.(type) {
	case adapters.MuteMember:
		return fmt.Sprintf("%s member %s in %s", a.Kind(), a.Member, a.Conference)
	case adapters.DeafMember:
		return fmt.Sprintf("%s member %s in %s", a.Kind(), a.Member, a.Conference)
	case adapters.KickMember:
		return fmt.Sprintf("kick member %s from %s", a.Member, a.Conference)
	case adapters.PlayToMember:
		return fmt.Sprintf("play %s to member %s in %s", a.Media, a.Member, a.Conference)
	case adapters.PlayToConference:
		return fmt.Sprintf("play %s to %s", a.Media, a.Conference)
	case adapters.LockConference:
		return fmt.Sprintf("%s %s", a.Kind(), a.Conference)
	case adapters.HangupCall:
		return fmt.Sprintf("hang up call %s", a.Call)
	case adapters.SetAgentStatus:
		return fmt.Sprintf("set agent %s status %s", a.Agent, a.Status)
	}
	return string(a.Kind())
}
