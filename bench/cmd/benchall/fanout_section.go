package main

import (
	"fmt"
	"path/filepath"
	"time"
)

const fanoutMembers = 400

// runFanout measures callboard and the Node relay alternately, same stream,
// same load client, at 100 and 1,000 websockets.
func runFanout(cfg config) ([]row, []string, error) {
	measure := time.Duration(float64(4*time.Second) * cfg.scale)
	var rows []row
	var notes []string
	for _, n := range []int{100, 1000} {
		var p50, p95, p99, cpu, rss, lostCB series
		var np50, np99, ncpu, nrss, lostNode, rp99, rcpu, nrate series
		for i := 0; i < cfg.runs; i++ {
			prof := ""
			if n == 1000 && i == 0 && cfg.profile {
				prof = filepath.Join(cfg.repoRoot, "bench/results/fanout-cpu.prof")
			}
			cb, err := fanoutRun(cfg, "callboard", n, fanoutMembers, measure, prof)
			if err != nil {
				return rows, notes, fmt.Errorf("callboard %d clients: %w", n, err)
			}
			nd, err := fanoutRun(cfg, "node", n, fanoutMembers, measure, "")
			if err != nil {
				return rows, notes, fmt.Errorf("node relay %d clients: %w", n, err)
			}
			progress("fan-out %d clients run %d: callboard p50 %.1f p99 %.1f ms cpu %.2f rss %.0f MB lost %.3f load %.2f | node p50 %.1f p99 %.1f ms cpu %.2f lost %.3f load %.2f (%d events)",
				n, i+1, cb.p50, cb.p99, cb.cpuCores, cb.rssMB, cb.undelivered, cb.loadCores, nd.p50, nd.p99, nd.cpuCores, nd.undelivered, nd.loadCores, cb.events)
			p50, p95, p99 = append(p50, cb.p50), append(p95, cb.p95), append(p99, cb.p99)
			cpu, rss, lostCB = append(cpu, cb.cpuCores), append(rss, cb.rssMB), append(lostCB, 100*cb.undelivered)
			np50, np99, ncpu, nrss = append(np50, nd.p50), append(np99, nd.p99), append(ncpu, nd.cpuCores), append(nrss, nd.rssMB)
			lostNode, nrate = append(lostNode, 100*nd.undelivered), append(nrate, nd.perClientRate)
			rp99, rcpu = append(rp99, cb.p99/nd.p99), append(rcpu, cb.cpuCores/nd.cpuCores)
		}
		sec := "2"
		tag := fmt.Sprintf("fan-out %d ws: ", n)
		note := fmt.Sprintf("%d ESL events/s, %s measured, %d members", eventRate, measure, fanoutMembers)
		var p99ok, cpuok func(float64) bool
		p99t, cput := "", ""
		if n == 1000 {
			p99ok, cpuok = func(v float64) bool { return v <= 100 }, func(v float64) bool { return v <= 1 }
			p99t, cput = "<= 100", "<= 1"
		}
		rows = append(rows,
			row{section: sec, metric: tag + "callboard latency p50", s: p50, unit: "ms", note: note},
			row{section: sec, metric: tag + "callboard latency p95", s: p95, unit: "ms"},
			row{section: sec, metric: tag + "callboard latency p99", s: p99, unit: "ms", target: p99t, ok: p99ok},
			row{section: sec, metric: tag + "callboard server CPU", s: cpu, unit: "cores", target: cput, ok: cpuok},
			row{section: sec, metric: tag + "callboard server RSS", s: rss, unit: "MB"},
			row{section: sec, metric: tag + "callboard changes not delivered", s: lostCB, unit: "%"},
			row{section: "3", metric: tag + "Node relay latency p50", s: np50, unit: "ms"},
			row{section: "3", metric: tag + "Node relay latency p99", s: np99, unit: "ms"},
			row{section: "3", metric: tag + "Node relay CPU", s: ncpu, unit: "cores"},
			row{section: "3", metric: tag + "Node relay RSS", s: nrss, unit: "MB"},
			row{section: "3", metric: tag + "Node relay events not delivered (in run + 2 s)", s: lostNode, unit: "%"},
			row{section: "3", metric: tag + "Node relay events delivered per browser", s: nrate, unit: "ev/s", note: fmt.Sprintf("of %d/s sent by the PBX", eventRate)},
			row{section: "3", metric: tag + "p99 ratio callboard/Node", s: rp99, unit: "x", target: "<= 0.5", ok: func(v float64) bool { return v <= 0.5 },
				note: "0 when Node's p99 is undelivered (more than 1% not delivered within the run + 2 s)"},
			row{section: "3", metric: tag + "CPU ratio callboard/Node", s: rcpu, unit: "x"},
		)
	}
	return rows, notes, nil
}
