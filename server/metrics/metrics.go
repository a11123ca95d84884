// Package metrics exposes callboard's Prometheus metrics (/metrics, text
// format; docs/grafana-callboard.json is a dashboard over them).
//
// Counters that other packages already keep (hub, history, alerts, NATS)
// are read at scrape time through small functions (Sources), so those
// packages import nothing from Prometheus. Domain events, node states and
// action outcomes/latencies come from the bus (one subscription; if it ever
// overflows, callboard_bus_dropped_total says so). The audio package
// registers its stream gauge later with RegisterAudioStreams.
package metrics

import (
	"context"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/callboard/callboard/server/bus"
)

// Sources are read at every scrape; nil ones are not exported.
type Sources struct {
	WSClients       func() int
	WSMessages      func() uint64 // deltas and other messages written to browsers
	WSBytes         func() uint64
	HistoryQueue    func() int
	HistoryErrors   func() uint64
	HistoryDropped  func() uint64
	AlertsFired     func() uint64
	AlertsDelivered func() uint64
	AlertsFailed    func() uint64 // failed attempts (each retry counts)
	AlertsDead      func() uint64
	AlertsOutbox    func() map[string]int // rows per state
	NATSPublished   func() uint64
	NATSDropped     func() uint64
	NATSConnected   func() bool
}

// Metrics is the registry and the bus consumer.
type Metrics struct {
	reg    *prometheus.Registry
	sub    *bus.Subscription
	tap    *bus.Tap
	events *prometheus.CounterVec
	nodeUp *prometheus.GaugeVec
	acts   *prometheus.CounterVec
	lat    *prometheus.HistogramVec
}

var (
	audioMu sync.Mutex
	audioFn func() int
)

// RegisterAudioStreams lets the audio package report its open streams; the
// gauge callboard_audio_streams reads fn at every scrape (0 until set).
func RegisterAudioStreams(fn func() int) {
	audioMu.Lock()
	audioFn = fn
	audioMu.Unlock()
}

// New builds the registry. nodes are the configured node ids (reported down
// until their first "up").
func New(tap *bus.Tap, nodes []string, src Sources) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), tap: tap}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.events = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "callboard_events_total", Help: "Domain events per node and kind."}, []string{"node", "kind"})
	m.nodeUp = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "callboard_node_up", Help: "1 when the PBX node is connected, else 0."}, []string{"node"})
	m.acts = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "callboard_actions_total", Help: "Actions by name and result (ok or the verdict code)."}, []string{"action", "result"})
	m.lat = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "callboard_action_duration_seconds", Help: "Action latency, request to PBX verdict.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"action"})
	m.reg.MustRegister(m.events, m.nodeUp, m.acts, m.lat)
	for _, n := range nodes {
		m.nodeUp.WithLabelValues(n).Set(0)
	}
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "callboard_audio_streams", Help: "Audio streams open."}, func() float64 {
		audioMu.Lock()
		defer audioMu.Unlock()
		if audioFn == nil {
			return 0
		}
		return float64(audioFn())
	}))
	if tap != nil {
		m.sub = tap.Subscribe("metrics", 16384)
		m.reg.MustRegister(newBusCollector(tap))
	}
	m.registerSources(src)
	return m
}

func (m *Metrics) registerSources(src Sources) {
	counter := func(name, help string, fn func() uint64) {
		if fn != nil {
			m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(fn()) }))
		}
	}
	gauge := func(name, help string, fn func() float64) {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn))
	}
	if src.WSClients != nil {
		gauge("callboard_ws_clients", "Browsers connected over the websocket.", func() float64 { return float64(src.WSClients()) })
	}
	counter("callboard_ws_messages_total", "Messages (snapshots, deltas, transcripts) written to browsers.", src.WSMessages)
	counter("callboard_ws_bytes_total", "Bytes written to browsers.", src.WSBytes)
	if src.HistoryQueue != nil {
		gauge("callboard_history_queue", "History writes waiting.", func() float64 { return float64(src.HistoryQueue()) })
	}
	counter("callboard_history_write_errors_total", "Failed history writes.", src.HistoryErrors)
	counter("callboard_history_dropped_total", "History ops given up.", src.HistoryDropped)
	counter("callboard_alerts_fired_total", "Alerts fired.", src.AlertsFired)
	counter("callboard_alert_deliveries_total", "Alert deliveries accepted by their destination.", src.AlertsDelivered)
	counter("callboard_alert_delivery_failures_total", "Failed alert delivery attempts.", src.AlertsFailed)
	counter("callboard_alert_dead_letters_total", "Alert deliveries given up (dead-letter).", src.AlertsDead)
	if src.AlertsOutbox != nil {
		m.reg.MustRegister(outboxCollector(src.AlertsOutbox))
	}
	counter("callboard_nats_published_total", "Domain events published to NATS.", src.NATSPublished)
	counter("callboard_nats_dropped_total", "Domain events not published to NATS (buffer full or NATS down).", src.NATSDropped)
	if src.NATSConnected != nil {
		gauge("callboard_nats_connected", "1 when connected to NATS.", func() float64 {
			if src.NATSConnected() {
				return 1
			}
			return 0
		})
	}
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Run consumes the bus until ctx ends.
func (m *Metrics) Run(ctx context.Context) {
	if m.sub == nil {
		return
	}
	defer m.sub.Close()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-m.sub.C():
			m.observe(ev)
		}
	}
}

func (m *Metrics) observe(ev bus.Event) {
	switch ev.Kind {
	case bus.KindAction:
		if ev.Action != nil {
			m.acts.WithLabelValues(ev.Action.Name, ev.Action.Result).Inc()
			m.lat.WithLabelValues(ev.Action.Name).Observe(ev.Action.DurationMs / 1000)
		}
		return
	case bus.KindNode:
		v := 0.0
		if ev.Name == bus.NodeUp {
			v = 1
		}
		m.nodeUp.WithLabelValues(ev.Node).Set(v)
	}
	m.events.WithLabelValues(ev.Node, ev.Kind).Inc()
}
