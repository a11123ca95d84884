package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/callboard/callboard/server/bus"
)

var busDropped = prometheus.NewDesc("callboard_bus_dropped_total", "Domain events dropped per bus subscriber (its buffer was full).", []string{"subscriber"}, nil)

type busCollector struct{ tap *bus.Tap }

func newBusCollector(tap *bus.Tap) prometheus.Collector { return busCollector{tap} }

func (c busCollector) Describe(ch chan<- *prometheus.Desc) { ch <- busDropped }

func (c busCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.tap.Subscriptions() {
		ch <- prometheus.MustNewConstMetric(busDropped, prometheus.CounterValue, float64(s.Dropped()), s.Name())
	}
}

var outboxDesc = prometheus.NewDesc("callboard_alert_outbox", "Alert outbox rows per state.", []string{"state"}, nil)

type outbox func() map[string]int

func outboxCollector(fn func() map[string]int) prometheus.Collector { return outbox(fn) }

func (o outbox) Describe(ch chan<- *prometheus.Desc) { ch <- outboxDesc }

func (o outbox) Collect(ch chan<- prometheus.Metric) {
	for state, n := range o() {
		ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(n), state)
	}
}
