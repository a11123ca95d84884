package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// series is one measured figure over several runs.
type series []float64

func (s series) sorted() []float64 { c := slices.Clone(s); slices.Sort(c); return c }

func (s series) median() float64 {
	c := s.sorted()
	if len(c) == 0 {
		return math.NaN()
	}
	if len(c)%2 == 1 {
		return c[len(c)/2]
	}
	return (c[len(c)/2-1] + c[len(c)/2]) / 2
}

func (s series) min() float64 { return slices.Min(s) }
func (s series) max() float64 { return slices.Max(s) }

// percentile of latencies; +Inf entries stand for messages never delivered.
func percentile(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return math.NaN()
	}
	c := slices.Clone(d)
	slices.Sort(c)
	i := int(math.Ceil(p/100*float64(len(c)))) - 1
	i = max(0, min(i, len(c)-1))
	if c[i] == undelivered {
		return math.Inf(1)
	}
	return float64(c[i]) / float64(time.Millisecond)
}

// undelivered marks a stamped event no client saw before the drain deadline.
const undelivered = time.Duration(math.MaxInt64)

// row is one line of the results table.
type row struct {
	section, metric string
	s               series
	unit            string
	target          string // e.g. ">= 20000"; empty when there is none
	ok              func(median float64) bool
	note            string
}

func fmtNum(v float64, unit string) string {
	switch {
	case math.IsInf(v, 1):
		return "undelivered"
	case math.IsNaN(v):
		return "n/a"
	case math.Abs(v) >= 1000:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 100:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func renderTable(rows []row, header string) string {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("\n| # | measure | median | min | max | unit | target | met | note |\n|---|---|---:|---:|---:|---|---|---|---|\n")
	for _, r := range rows {
		med, lo, hi := "n/a", "n/a", "n/a"
		met := ""
		if len(r.s) > 0 {
			med, lo, hi = fmtNum(r.s.median(), r.unit), fmtNum(r.s.min(), r.unit), fmtNum(r.s.max(), r.unit)
			if r.ok != nil {
				met = "no"
				if r.ok(r.s.median()) {
					met = "yes"
				}
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.section, r.metric, med, lo, hi, r.unit, r.target, met, r.note)
	}
	return b.String()
}
