package main

import (
	"fmt"
	"path/filepath"

	"github.com/callboard/callboard/bench/internal/esltrace"
)

// runIngest alternates adapter and no-op runs so drift hits both alike.
func runIngest(cfg config) ([]row, []string, error) {
	tpl, err := esltrace.Load(filepath.Join(cfg.repoRoot, cfg.trace))
	if err != nil {
		return nil, nil, err
	}
	events := max(int(60000*cfg.scale), 2000)
	var adapter, noop, ratio, adapterCPU, noopCPU, ratioCPU series
	for i := 0; i < cfg.runs; i++ {
		a, ac, err := ingestRun(tpl, "adapter", events)
		if err != nil {
			return nil, nil, err
		}
		n, nc, err := ingestRun(tpl, "noop", events)
		if err != nil {
			return nil, nil, err
		}
		progress("ingest run %d: adapter %.0f ev/s (%.0f per CPU s), eslgo no-op %.0f ev/s (%.0f per CPU s)", i+1, a, ac, n, nc)
		adapter, noop, ratio = append(adapter, a), append(noop, n), append(ratio, 100*a/n)
		adapterCPU, noopCPU, ratioCPU = append(adapterCPU, ac), append(noopCPU, nc), append(ratioCPU, 100*ac/nc)
	}
	note := fmt.Sprintf("%d trace events per run, GOMAXPROCS=1", events)
	return []row{
		{section: "1", metric: "ingest: adapter -> live state", s: adapter, unit: "ev/s", target: ">= 20000", ok: func(v float64) bool { return v >= 20000 }, note: note},
		{section: "1", metric: "ingest: eslgo no-op listener (library limit)", s: noop, unit: "ev/s", note: note},
		{section: "1", metric: "ingest: adapter / library limit", s: ratio, unit: "%", target: ">= 80", ok: func(v float64) bool { return v >= 80 }},
		{section: "1", metric: "ingest per CPU second: adapter -> live state", s: adapterCPU, unit: "ev/CPU-s", note: "CPU time of the measured process: robust to other load on the machine"},
		{section: "1", metric: "ingest per CPU second: eslgo no-op listener", s: noopCPU, unit: "ev/CPU-s"},
		{section: "1", metric: "ingest per CPU second: adapter / library limit", s: ratioCPU, unit: "%", target: ">= 80", ok: func(v float64) bool { return v >= 80 }},
	}, nil, nil
}
