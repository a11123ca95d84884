package sipaudio

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Endpoint is the SIP UAS. Create it with Listen; Expect issues the
// one-time users it answers.
type Endpoint struct {
	cfg     Config
	log     *slog.Logger
	ua      *sipgo.UserAgent
	srv     *sipgo.Server
	dialogs *sipgo.DialogServerCache
	contact sip.ContactHeader
	conn    net.PacketConn
	listen  net.IP // RTP sockets bind here
	advIP   net.IP
	advPort int

	mu      sync.Mutex
	pending map[string]*Call // token -> call not yet INVITEd
	calls   map[*Call]struct{}
	closed  bool
	served  chan struct{}
}

// ErrFull is returned by Expect when MaxCalls calls are expected or active.
var ErrFull = errors.New("sip audio endpoint: too many calls")

// ErrClosed is returned by Expect after Close.
var ErrClosed = errors.New("sip audio endpoint: closed")

// Listen validates cfg, binds its UDP socket and serves SIP until Close.
func Listen(cfg Config) (*Endpoint, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	listenIP, _ := hostPortIP(cfg.Listen, true)
	conn, err := net.ListenPacket("udp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("sip audio: listen on %s: %w", cfg.Listen, err)
	}
	bound := conn.LocalAddr().(*net.UDPAddr)
	e := &Endpoint{cfg: cfg, log: cfg.Logger.With("component", "sipaudio"), conn: conn, listen: listenIP,
		advIP: listenIP, advPort: bound.Port, pending: map[string]*Call{}, calls: map[*Call]struct{}{}, served: make(chan struct{})}
	if cfg.Advertise != "" {
		e.advIP, _ = hostPortIP(cfg.Advertise, false)
		if _, p, err := net.SplitHostPort(cfg.Advertise); err == nil && p != "0" {
			e.advPort, _ = strconv.Atoi(p)
		}
	}
	hostPort := net.JoinHostPort(e.advIP.String(), strconv.Itoa(e.advPort))
	e.ua, err = sipgo.NewUA(sipgo.WithUserAgent("callboard"), sipgo.WithUserAgentHostname(e.advIP.String()))
	if err == nil {
		e.srv, err = sipgo.NewServer(e.ua, sipgo.WithServerLogger(e.log))
	}
	var cli *sipgo.Client
	if err == nil {
		cli, err = sipgo.NewClient(e.ua, sipgo.WithClientHostname(e.advIP.String()), sipgo.WithClientPort(e.advPort),
			sipgo.WithClientLogger(e.log))
	}
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("sip audio: sip stack: %w", err)
	}
	e.contact = sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "callboard", Host: e.advIP.String(), Port: e.advPort}}
	e.dialogs = sipgo.NewDialogServerCache(cli, e.contact)
	e.srv.OnInvite(e.guard(e.onInvite))
	e.srv.OnAck(e.guard(func(req *sip.Request, tx sip.ServerTransaction) { _ = e.dialogs.ReadAck(req, tx) }))
	e.srv.OnBye(e.guard(e.onBye))
	e.srv.OnUpdate(e.guard(e.onUpdate))
	e.srv.OnNoRoute(e.guard(func(req *sip.Request, tx sip.ServerTransaction) {
		respond(tx, req, sip.StatusMethodNotAllowed, "Method Not Allowed")
	}))
	go func() {
		defer close(e.served)
		_ = e.srv.ServeUDP(conn)
	}()
	e.log.Info("sip audio endpoint listening", "listen", bound.String(), "advertise", hostPort, "codec", cfg.Codec)
	return e, nil
}

// HostPort is the "ip:port" FreeSWITCH is to call.
func (e *Endpoint) HostPort() string {
	return net.JoinHostPort(e.advIP.String(), strconv.Itoa(e.advPort))
}

// Close ends every call and stops serving.
func (e *Endpoint) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	calls := make([]*Call, 0, len(e.calls))
	for c := range e.calls {
		calls = append(calls, c)
	}
	e.mu.Unlock()
	for _, c := range calls {
		c.Close(0)
	}
	err := e.ua.Close()
	_ = e.conn.Close()
	<-e.served
	if err != nil {
		return fmt.Errorf("sip audio: close: %w", err)
	}
	return nil
}

// Expect issues a one-time user: the next INVITE to it is answered and its
// audio handed to onAudio (s16le mono at the codec's rate, from the receive
// goroutine; the slice is reused after onAudio returns). Close the call
// when done; an unused token also expires after the TTL.
func (e *Endpoint) Expect(onAudio func(rate int, pcm []byte)) (*Call, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("sip audio: token: %w", err)
	}
	c := &Call{User: "cb-" + hex.EncodeToString(b[:]), ep: e, onAudio: onAudio,
		answered: make(chan struct{}), done: make(chan struct{})}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, ErrClosed
	}
	if len(e.calls) >= e.cfg.MaxCalls {
		return nil, ErrFull
	}
	e.pending[c.User] = c
	e.calls[c] = struct{}{}
	c.mu.Lock()
	c.expiry = time.AfterFunc(e.cfg.TTL, func() { c.fail(errors.New("no INVITE before the token expired")) })
	c.mu.Unlock()
	return c, nil
}

// claim takes the pending call of a Request-URI user, once.
func (e *Endpoint) claim(user string) *Call {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.pending[user]
	delete(e.pending, user)
	return c
}

// forget drops a call from the endpoint's books.
func (e *Endpoint) forget(c *Call) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.pending[c.User] == c {
		delete(e.pending, c.User)
	}
	delete(e.calls, c)
}

// guard refuses every request from a source outside Config.Peers (403;
// an ACK gets no answer) before it reaches a handler.
func (e *Endpoint) guard(h sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		if !e.allowed(sourceIP(req)) {
			e.log.Warn("sip audio: request from an unexpected address refused", "method", string(req.Method), "source", req.Source())
			if !req.IsAck() {
				respond(tx, req, sip.StatusForbidden, "Forbidden")
			}
			return
		}
		h(req, tx)
	}
}

func (e *Endpoint) allowed(ip netip.Addr) bool {
	if len(e.cfg.Peers) == 0 {
		return true
	}
	for _, p := range e.cfg.Peers {
		if p.Contains(ip.Unmap()) {
			return true
		}
	}
	return false
}

func sourceIP(req *sip.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(req.Source())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

func respond(tx sip.ServerTransaction, req *sip.Request, code int, reason string) {
	_ = tx.Respond(sip.NewResponseFromRequest(req, code, reason, nil))
}

// Calls is the number of calls expected or up.
func (e *Endpoint) Calls() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.calls)
}
