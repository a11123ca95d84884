package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/callboard/callboard/server/alerts"
	"github.com/callboard/callboard/server/bus"
	"github.com/callboard/callboard/server/live"
	"github.com/callboard/callboard/server/metrics"
	"github.com/callboard/callboard/server/natsout"
	"github.com/callboard/callboard/server/store"
)

// OutConfig is what callboard tells the rest of the company (issue 14):
// domain events on NATS, /metrics, alerts.
type OutConfig struct {
	// NATS, when set, publishes domain events (docs/events.md).
	NATS *natsout.Config
	// MetricsListen, when set, serves /metrics without auth on its own
	// plain-HTTP listener (bind it to a private address); otherwise /metrics
	// is on the main listener behind a bearer token with scope metrics:read.
	MetricsListen string
	// Alerts tunes delivery and seeds rules and destinations.
	Alerts AlertsConfig
}

// AlertsConfig tunes alert delivery (zero: alerts package defaults) and
// seeds the database from the config file.
type AlertsConfig struct {
	TelegramAPI    string
	MaxAttempts    int
	BackoffBase    time.Duration
	BackoffMax     time.Duration
	RequestTimeout time.Duration
	PollInterval   time.Duration
	TickInterval   time.Duration
	Destinations   []alerts.SeedDestination
	Rules          []alerts.SeedRule
}

// out holds the outputs fed by the domain-event tap.
type out struct {
	tap     *bus.Tap
	nats    *natsout.Publisher // nil: off
	alerts  *alerts.Service    // nil: the store keeps no alerts
	metrics *metrics.Metrics
}

// initOut builds the tap and what reads it before the live state exists.
func (s *Server) initOut() error {
	s.out.tap = bus.NewTap(s.now)
	if s.cfg.Out.NATS != nil {
		nc := *s.cfg.Out.NATS
		nc.Logger = s.log
		s.out.nats = natsout.New(nc, s.out.tap)
	}
	as, ok := s.store.(store.AlertStore)
	if !ok {
		return nil
	}
	a := s.cfg.Out.Alerts
	s.out.alerts = alerts.New(alerts.Options{Store: as, Tap: s.out.tap, Notify: s.notifyAlert, TelegramAPI: a.TelegramAPI,
		MaxAttempts: a.MaxAttempts, BackoffBase: a.BackoffBase, BackoffMax: a.BackoffMax, RequestTimeout: a.RequestTimeout,
		PollInterval: a.PollInterval, TickInterval: a.TickInterval, Now: s.now, Logger: s.log})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.out.alerts.Seed(ctx, a.Destinations, a.Rules); err != nil {
		return err
	}
	return nil
}

// observer is what the live state reports applied events to: the history
// recorder, then the tap, then the end of removed calls' audio.
func (s *Server) observer() live.Observer {
	if s.history != nil {
		return bus.Observers(s.history, s.out.tap, audioEnder{s})
	}
	return bus.Observers(s.out.tap, audioEnder{s})
}

// initMetrics builds the registry once the hub exists.
func (s *Server) initMetrics() {
	src := metrics.Sources{WSClients: s.hub.Len, WSMessages: s.hub.Messages, WSBytes: s.hub.Bytes}
	if s.history != nil {
		src.HistoryQueue = s.history.QueueLen
		src.HistoryErrors = func() uint64 { return s.history.Health().WriteErrors }
		src.HistoryDropped = func() uint64 { return s.history.Health().Dropped }
	}
	if a := s.out.alerts; a != nil {
		src.AlertsFired = func() uint64 { return a.Stats().Fired }
		src.AlertsDelivered = func() uint64 { return a.Stats().Delivered }
		src.AlertsFailed = func() uint64 { return a.Stats().Failed }
		src.AlertsDead = func() uint64 { return a.Stats().Dead }
		as := s.store.(store.AlertStore)
		src.AlertsOutbox = func() map[string]int {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			m, err := as.CountOutbox(ctx)
			if err != nil {
				return nil
			}
			return m
		}
	}
	if p := s.out.nats; p != nil {
		src.NATSPublished = func() uint64 { return p.Stats().Published }
		src.NATSDropped = func() uint64 { return p.Stats().Dropped }
		src.NATSConnected = func() bool { return p.Stats().Connected }
	}
	ids := make([]string, 0, len(s.order))
	for _, n := range s.order {
		ids = append(ids, n.ID())
	}
	s.out.metrics = metrics.New(s.out.tap, ids, src)
}

// notifyAlert shows a fired alert to every signed-in browser as a toast.
func (s *Server) notifyAlert(f alerts.Fired) {
	msg, err := json.Marshal(struct {
		Type  string       `json:"type"`
		Alert alerts.Fired `json:"alert"`
	}{"alert", f})
	if err == nil {
		s.hub.Broadcast(msg)
	}
}

// runOut runs the outputs until ctx ends.
func (s *Server) runOut(ctx context.Context) {
	done := make(chan struct{}, 4)
	n := 0
	start := func(f func()) { n++; go func() { defer func() { done <- struct{}{} }(); f() }() }
	start(func() { s.out.metrics.Run(ctx) })
	if s.out.nats != nil {
		start(func() {
			if err := s.out.nats.Run(ctx); err != nil {
				s.log.Error("nats publisher stopped", "err", err)
			}
		})
	}
	if s.out.alerts != nil {
		start(func() { s.out.alerts.Run(ctx) })
	}
	if s.cfg.Out.MetricsListen != "" {
		start(func() { s.serveMetrics(ctx) })
	}
	for range n {
		<-done
	}
}

// serveMetrics serves /metrics alone on MetricsListen.
func (s *Server) serveMetrics(ctx context.Context) {
	ln, err := net.Listen("tcp", s.cfg.Out.MetricsListen)
	if err != nil {
		s.log.Error("metrics listener", "err", fmt.Errorf("listen on %s: %w", s.cfg.Out.MetricsListen, err))
		return
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.out.metrics.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	s.mu.Lock()
	s.metricsAddr = ln.Addr().String()
	s.mu.Unlock()
	s.log.Info("metrics listening", "addr", ln.Addr().String())
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		s.log.Error("metrics listener", "err", err)
	}
}

// MetricsAddr is the separate metrics listener's address once listening.
func (s *Server) MetricsAddr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.metricsAddr
}
