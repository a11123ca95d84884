package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/audit"
	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/history"
	"github.com/callboard/callboard/server/hub"
	"github.com/callboard/callboard/server/live"
	"github.com/callboard/callboard/server/oidc"
	"github.com/callboard/callboard/server/session"
	"github.com/callboard/callboard/server/store"
)

// Config configures a Server. Zero durations take the defaults.
type Config struct {
	Listen           string        // "127.0.0.1:8080"; port 0 picks a free port (see Addr)
	AllowedOrigins   []string      // origins allowed on /ws besides same-origin (Host header match)
	UI               fs.FS         // the built SPA (index.html + assets/...); nil or no index.html -> a "UI not built" page
	CoalesceInterval time.Duration // websocket delta period; default 50ms
	// MaxSocketsPerSession bounds the /ws websockets one session holds;
	// 0 is hub.DefaultMaxPerSession. Raised only by load tools whose one
	// session stands for many browsers.
	MaxSocketsPerSession int
	ActionTimeout        time.Duration // bound on one node.Do; default 10s
	Logger               *slog.Logger  // default slog.Default()

	// Store keeps users, sessions, tokens and the audit log (required; the
	// caller opens and closes it).
	Store store.Store
	// Auth tunes sessions, sign-in limits and password hashing.
	Auth AuthConfig
	// TrustedProxies are CIDRs (or single IPs) of reverse proxies whose
	// X-Forwarded-For and X-Forwarded-Proto are believed. Empty: the peer
	// address is the client.
	TrustedProxies []string
	// TLSCert and TLSKey, both set, make Run serve HTTPS natively.
	TLSCert, TLSKey string
	// History keeps call history and final transcript lines; nil uses Store
	// when it implements store.HistoryStore (the SQLite store does), else
	// history is off (history routes answer 503).
	History store.HistoryStore
	// HistoryRetention is how long history is kept; default 30 days.
	HistoryRetention time.Duration
	// AuditRetention is how long audit entries are kept; default 365 days.
	// Older ones are purged at start and then every AuditPurgeInterval.
	AuditRetention time.Duration
	// AuditPurgeInterval is how often the audit is trimmed; default 1h.
	AuditPurgeInterval time.Duration
	// Out: NATS, /metrics and alerts (out.go).
	Out OutConfig
	// OIDC turns on single sign-on (server/oidc); nil: passwords only.
	OIDC *oidc.Config
}

// DefaultAuditRetention is how long audit entries are kept unless configured.
const DefaultAuditRetention = 365 * 24 * time.Hour

// Server serves the dashboard for a fixed set of nodes.
type Server struct {
	cfg   Config
	log   *slog.Logger
	nodes map[string]adapters.Node
	order []adapters.Node
	state *live.State
	hub   *hub.Hub
	audio audioParts // live call audio (audio.go)
	echo  *echo.Echo

	store    store.Store
	hasher   *auth.Hasher
	limiter  *auth.Limiter
	audit    *audit.Writer
	history  *history.Recorder // nil when history is off
	hstore   store.HistoryStore
	proxies  []*net.IPNet
	now      func() time.Time
	sessions *session.Manager
	out      out           // domain-event tap and its outputs (out.go)
	oidc     *oidc.Handler // nil without single sign-on

	mu          sync.Mutex
	addr        string
	metricsAddr string
	ran         bool // Run was called; a Server runs once
	ready       chan struct{}
	readyOnce   sync.Once
}

// errRunTwice: the live state, hub and audit writer run once per Server.
var errRunTwice = errors.New("server: Run called twice")

// New builds a Server. Node ids must be unique, non-empty and free of '/'
// (they are the first segment of every key).
func New(cfg Config, nodes []adapters.Node) (*Server, error) {
	if cfg.CoalesceInterval <= 0 {
		cfg.CoalesceInterval = 50 * time.Millisecond
	}
	if cfg.ActionTimeout <= 0 {
		cfg.ActionTimeout = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.AuditRetention <= 0 {
		cfg.AuditRetention = DefaultAuditRetention
	}
	if cfg.AuditPurgeInterval <= 0 {
		cfg.AuditPurgeInterval = time.Hour
	}
	s := &Server{cfg: cfg, log: cfg.Logger, nodes: make(map[string]adapters.Node), ready: make(chan struct{})}
	if err := s.initSecurity(); err != nil {
		return nil, err
	}
	infos := make([]live.NodeInfo, 0, len(nodes))
	for _, n := range nodes {
		id := n.ID()
		if id == "" || strings.Contains(id, "/") {
			return nil, fmt.Errorf("node id %q: must be non-empty and without '/'", id)
		}
		if _, dup := s.nodes[id]; dup {
			return nil, fmt.Errorf("node id %q configured twice", id)
		}
		for _, k := range n.Actions() {
			// An action outside the catalogue would have no route, role,
			// audit name or UI label: refuse it at start, not at a click.
			if _, ok := adapters.LookupAction(k); !ok {
				return nil, fmt.Errorf("node %q supports action %q, which is not in the action catalogue (adapters/catalogue.go)", id, k)
			}
		}
		s.nodes[id] = n
		s.order = append(s.order, n)
		infos = append(infos, live.NodeInfo{ID: id, Kind: n.Kind(), Actions: n.Actions(), Media: n.Media()})
	}
	prefix, err := utterancePrefix()
	if err != nil {
		return nil, err
	}
	s.initHistory()
	if err := s.initOut(); err != nil {
		return nil, err
	}
	liveOpts := live.Options{Nodes: infos, UtteranceIDPrefix: prefix, Catalogue: adapters.Catalogue(), Observer: s.observer()}
	s.state = live.New(liveOpts)
	s.hub = hub.New(s.state, hub.Options{
		CoalesceInterval: cfg.CoalesceInterval,
		MaxPerSession:    cfg.MaxSocketsPerSession,
		AllowedOrigins:   cfg.AllowedOrigins,
		Logger:           cfg.Logger,
		Complete:         s.completeTranscript,
	})
	s.state.SetSink(s.hub)
	s.initMetrics()
	s.sessions = session.New(session.Deps{
		Store:         s.store,
		Sockets:       sockets{s}, // /ws and audio listen (audiosessions.go)
		Log:           s.log,
		Now:           s.now,
		IdleTimeout:   s.cfg.Auth.SessionIdleTimeout,
		CheckInterval: s.cfg.Auth.SessionCheckInterval,
		Secure:        s.secureRequest,
	})
	if err := s.initOIDC(); err != nil {
		return nil, err
	}
	s.initAudio()
	s.echo = s.routes()
	return s, nil
}

// Handler is the whole HTTP app (REST, /ws, UI). Run starts what feeds it.
func (s *Server) Handler() http.Handler { return s.echo }

// Addr is the actual listen address once Run is listening, else "".
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Ready is closed once Run is listening (Addr is then set), and also when
// Run fails before listening, so a waiter never hangs: check Addr or Run's
// error.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// CheckSessions runs one round of the session watcher now: expired
// sessions are deleted and websockets whose session is gone are closed with
// 4001. Run does this every Auth.SessionCheckInterval; this hook exists for
// the HTTP tests in other packages (server/internal/servertest), which move
// an injected clock and must not race a ticker.
func (s *Server) CheckSessions(ctx context.Context) { s.sessions.Check(ctx) }

func (s *Server) closeReady() { s.readyOnce.Do(func() { close(s.ready) }) }

// Run starts the live state, the websocket flusher and every node, serves
// HTTP on cfg.Listen, and on ctx done shuts everything down gracefully
// (websockets are closed explicitly: http.Server.Shutdown ignores hijacked
// connections). It returns nil after a clean shutdown.
// A Server runs once: a second Run returns an error.
func (s *Server) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.ran {
		s.mu.Unlock()
		return errRunTwice
	}
	s.ran = true
	s.mu.Unlock()
	defer s.closeReady()
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Listen, err)
	}
	s.mu.Lock()
	s.addr = ln.Addr().String()
	s.mu.Unlock()
	s.closeReady()
	s.log.Info("http listening", "addr", s.addr, "tls", s.tlsEnabled())

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { _ = s.state.Run(ctx) })
	wg.Go(func() { _ = s.hub.Run(ctx) })
	// The audit writer outlives the HTTP server so the last requests' entries
	// are written before Run returns.
	auditCtx, auditCancel := context.WithCancel(context.WithoutCancel(ctx))
	defer auditCancel()
	auditDone := make(chan struct{})
	go func() { defer close(auditDone); s.audit.Run(auditCtx) }()
	wg.Go(func() { s.sessions.Watch(ctx) })
	wg.Go(func() { s.runOut(ctx) })
	wg.Go(func() { s.audit.PurgeEvery(ctx, s.cfg.AuditRetention, s.cfg.AuditPurgeInterval, s.now) })
	historyCtx, historyCancel := context.WithCancel(context.WithoutCancel(ctx))
	defer historyCancel()
	historyDone := make(chan struct{})
	go func() {
		defer close(historyDone)
		if s.history != nil {
			s.history.Run(historyCtx)
		}
	}()
	for _, n := range s.order {
		wg.Go(func() {
			emit := func(ev adapters.Event) {
				s.endAudio(ev) // a call's audio ends with the call
				// Fails only when shutting down (ctx done, state stopped).
				if err := s.state.Emit(ctx, ev); err != nil && ctx.Err() == nil {
					s.log.Warn("node event dropped", "node", n.ID(), "err", err)
				}
			}
			if err := n.Run(ctx, emit); err != nil && ctx.Err() == nil {
				s.log.Error("node stopped", "node", n.ID(), "err", err)
			}
		})
	}

	srv := &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	if s.tlsEnabled() {
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	serveErr := make(chan error, 1)
	go func() {
		if s.tlsEnabled() {
			serveErr <- srv.ServeTLS(ln, s.cfg.TLSCert, s.cfg.TLSKey)
			return
		}
		serveErr <- srv.Serve(ln)
	}()

	var runErr error
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		runErr = fmt.Errorf("serve http: %w", err)
	}
	cancel()
	s.hub.Close() // idempotent with the hub's own close on ctx done
	s.audio.hub.Close()
	shutCtx, shutCancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer shutCancel()
	if err := srv.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		s.log.Warn("http shutdown", "err", err)
	}
	auditCancel()
	<-auditDone
	wg.Wait()
	// The live state has stopped: nothing more reaches the recorder, so its
	// final flush writes everything the browsers were shown.
	historyCancel()
	<-historyDone
	s.log.Info("server stopped")
	return runErr
}
