package freeswitch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"time"
	_ "unsafe" // go:linkname

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/runloop"
	"github.com/percipia/eslgo"
	"github.com/percipia/eslgo/command"
)

// subscription is the named event list (never ALL). CUSTOM subclasses follow
// the CUSTOM keyword on the same line.
func (n *Node) subscription() []string {
	list := []string{
		"CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_BRIDGE", "CHANNEL_UNBRIDGE", "CHANNEL_CALLSTATE",
		"CHANNEL_EXECUTE", "CHANNEL_HANGUP_COMPLETE", "CHANNEL_DESTROY",
		"DTMF", "BACKGROUND_JOB",
		"CUSTOM", "conference::maintenance", ccSubclass,
	}
	for _, r := range n.rules {
		if !slices.Contains(list, r.Event) {
			list = append(list, r.Event)
		}
	}
	return list
}

// reasonBacklogOverflow is the down reason when the consumer stopped taking
// events for so long that the session dropped its backlog.
const reasonBacklogOverflow = "event backlog overflow"

// connector is the node as the run loop's runloop.Connector.
type connector struct{ n *Node }

// session is one ESL connection, as a runloop.Session.
type session struct {
	n          *Node
	l          *link
	stream     *orderedStream
	cancel     context.CancelFunc
	mp         *mapper
	utterances []adapters.Event // transcript lines seen while the snapshot was taken
}

// Connect dials, authenticates and subscribes. Subscribing comes before the
// snapshot's listing: events that race with the listing are buffered and
// replayed over it. They are full-state upserts, so replaying one the
// listing already reflects changes nothing.
func (c connector) Connect(ctx context.Context) (runloop.Session, error) {
	n := c.n
	sctx, cancel := context.WithCancel(ctx)
	stream := newOrderedStream(n.hold, n.maxBacklog)
	stream.onOverflow = func() {
		n.log.Warn("freeswitch event backlog overflow: events are not being consumed; dropping the backlog and resyncing", "max_events", n.maxBacklog)
	}
	l, err := n.dial(sctx, stream.push, newWireScanner(stream.announce))
	if err != nil {
		cancel()
		return nil, err
	}
	s := &session{n: n, l: l, stream: stream, cancel: cancel}
	go func() { // a stuck consumer: fail the link, the reconnect resyncs
		select {
		case <-stream.overflowed:
			l.fail(reasonBacklogOverflow)
		case <-sctx.Done():
		}
	}()
	go stream.run(sctx)
	resp, err := l.send(sctx, command.Event{Format: "plain", Listen: n.subscription()}, "subscribe")
	if err != nil {
		s.Close()
		return nil, errors.New(n.redact(err.Error()))
	}
	if !resp.IsOk() {
		s.Close()
		return nil, fmt.Errorf("subscribe: %s", n.redact(strings.TrimSpace(resp.GetReply())))
	}
	return s, nil
}

// Snapshot lists channels and conferences into a fresh model, applies the
// events buffered meanwhile and makes the link available to actions.
func (s *session) Snapshot(ctx context.Context) (adapters.Snapshot, error) {
	n := s.n
	s.mp = newMapper(n.cfg.ID, n.rules, n.cfg.BotPromptVariable, n.log)
	if err := n.loadSnapshot(ctx, s.l, s.mp); err != nil {
		return adapters.Snapshot{}, errors.New(n.redact(err.Error()))
	}
	s.utterances = nil
drain:
	for {
		select {
		case ev := <-s.stream.out:
			for _, e := range s.mp.apply(ev) {
				if _, ok := e.(adapters.UtteranceAdded); ok {
					s.utterances = append(s.utterances, e)
				}
			}
		default:
			break drain
		}
	}
	snap := s.mp.m.snapshot()
	s.mp.cc.fill(&snap)
	n.setLink(s.l, s.mp.m.callLegs())
	return snap, nil
}

// Serve emits the lines drained during the snapshot, then events until the
// link dies or ctx ends.
func (s *session) Serve(ctx context.Context, emit func(adapters.Event)) error {
	n, l := s.n, s.l
	for _, u := range s.utterances {
		emit(u)
	}
	s.utterances = nil
	go n.probe(ctx, l)
	for {
		if l.failed() { // before any buffered event: they are stale after an overflow
			return errors.New(l.reason)
		}
		select {
		case ev := <-s.stream.out:
			evs := s.mp.apply(ev)
			n.trackCalls(evs)
			for _, e := range evs {
				emit(e)
			}
		case <-l.dead:
			return errors.New(l.reason)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Close drops the link; actions answer ErrUnavailable until the next one.
func (s *session) Close() {
	s.n.setLink(nil, nil)
	s.l.fail("closed")
	s.l.conn.Close()
	s.cancel()
}

// loadSnapshot lists channels (and dumps them, see dump.go) and conferences
// into the mapper's empty model.
func (n *Node) loadSnapshot(ctx context.Context, l *link, mp *mapper) error {
	chansReply, err := l.api(ctx, "show channels as json")
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	chans, err := parseChannels(chansReply)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	dumps, gone, err := n.dumpChannels(ctx, l, chans)
	if err != nil {
		return err
	}
	confsReply, err := l.api(ctx, "conference json_list")
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	confs, err := parseConferences(confsReply)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	mp.loadSnapshot(chans, dumps, gone, confs, time.Now())
	return n.loadCallcenter(ctx, l, mp.cc)
}

// probe checks liveness with `api status`. eslgo stops reading silently on
// a reset or a frame it does not know; a probe without reply kills the link.
func (n *Node) probe(ctx context.Context, l *link) {
	t := time.NewTicker(n.cfg.ProbeInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.dead:
			return
		case <-t.C:
			if _, err := l.api(ctx, "status"); err != nil {
				l.fail("liveness probe failed: " + err.Error())
				return
			}
		}
	}
}

// eslNewConnection is eslgo's own connection constructor: it starts the
// receive and event loops on a net.Conn we dialled. eslgo's public Dial also
// starts an auth loop and a disconnect loop that read the connection's
// channel map without its lock while Close deletes from it (a data race the
// race detector reports on every close), and it dials without a timeout.
// Dialling and authenticating here avoids both; EOF is seen by watchedConn.
//
//go:linkname eslNewConnection github.com/percipia/eslgo.newConnection
func eslNewConnection(c net.Conn, outbound bool, opts eslgo.Options) *eslgo.Conn

// watchedConn reports the first read error (EOF, reset) of the socket:
// eslgo's receive loop stops silently on most of them.
// It also feeds what it reads to the wireScanner (eslgo's receive loop is
// its only reader), which tells the reorder buffer the wire order.
type watchedConn struct {
	net.Conn
	onError func(error)
	scan    *wireScanner
}

func (c watchedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && c.scan != nil {
		c.scan.feed(p[:n])
	}
	if err != nil {
		c.onError(err)
	}
	return n, err
}

// dial connects and authenticates, each step bounded by DialTimeout. Events
// go to onEvent once subscribed.
func (n *Node) dial(ctx context.Context, onEvent func(*eslgo.Event), scan *wireScanner) (*link, error) {
	l := newLink(n.cfg.CommandTimeout)
	d := net.Dialer{Timeout: n.cfg.DialTimeout}
	nc, err := d.DialContext(ctx, "tcp", n.cfg.Address)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %s", n.cfg.Address, n.redact(err.Error()))
	}
	wc := watchedConn{Conn: nc, scan: scan, onError: func(err error) {
		if errors.Is(err, io.EOF) {
			l.fail("connection closed by the PBX")
			return
		}
		l.fail("connection lost: " + n.redact(err.Error()))
	}}
	conn := eslNewConnection(wc, false, eslgo.Options{Context: ctx, Logger: eslLogger{n}, ExitTimeout: time.Second})
	conn.RegisterEventListener(eslgo.EventListenAll, onEvent)
	l.conn = conn
	// FreeSWITCH greets with auth/request on connect; eslgo parks that in a
	// buffered channel, so the auth command can go right away.
	actx, cancel := context.WithTimeout(ctx, n.cfg.DialTimeout)
	defer cancel()
	resp, err := conn.SendCommand(actx, command.Auth{Password: n.cfg.Password})
	switch {
	case err != nil:
		conn.Close()
		return nil, fmt.Errorf("connect to %s: no answer to auth within %s", n.cfg.Address, n.cfg.DialTimeout)
	case !resp.IsOk():
		conn.Close()
		return nil, fmt.Errorf("connect to %s: authentication refused (check the ESL password)", n.cfg.Address)
	}
	return l, nil
}

// eslLogger sends eslgo's printf-style logs to slog at debug level (its
// warnings are mostly the expected noise of a connection we closed).
type eslLogger struct{ n *Node }

func (e eslLogger) line(format string, args []any) string {
	return e.n.redact(strings.TrimSpace(fmt.Sprintf(format, args...)))
}
func (e eslLogger) Debug(format string, args ...any) {
	e.n.log.Debug(e.line(format, args), "src", "eslgo")
}
func (e eslLogger) Info(format string, args ...any) {
	e.n.log.Debug(e.line(format, args), "src", "eslgo")
}
func (e eslLogger) Warn(format string, args ...any) {
	e.n.log.Debug(e.line(format, args), "src", "eslgo")
}
func (e eslLogger) Error(format string, args ...any) {
	e.n.log.Warn(e.line(format, args), "src", "eslgo")
}
