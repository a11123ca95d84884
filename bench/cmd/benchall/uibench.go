package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
)

const uiCalls = 1000

var initialAsset = regexp.MustCompile(`<(?:script[^>]*\ssrc|link[^>]*\shref)="(/assets/[^"]+\.(?:js|css))"`)

// initialGzipBytes sums the gzipped size (default level, as the server's
// gzip middleware) of the JS and CSS that index.html loads up front.
func initialGzipBytes(dist string) (js, css int, err error) {
	index, err := os.ReadFile(filepath.Join(dist, "index.html"))
	if err != nil {
		return 0, 0, fmt.Errorf("ui/dist not built (run `npm run build`): %w", err)
	}
	for _, m := range initialAsset.FindAllSubmatch(index, -1) {
		b, err := os.ReadFile(filepath.Join(dist, string(m[1])))
		if err != nil {
			return 0, 0, err
		}
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(b)
		_ = zw.Close()
		if filepath.Ext(string(m[1])) == ".css" {
			css += buf.Len()
		} else {
			js += buf.Len()
		}
	}
	return js, css, nil
}

type uiProbe struct {
	Batches       []float64 `json:"batches"`
	LongTasks     []float64 `json:"longTasks"`
	FirstUpdateMs float64   `json:"firstUpdateMs"`
	Rows          int       `json:"rows"`
	Errors        []string  `json:"errors"`
}

// uiRun opens the dashboard in Chromium with uiCalls live calls while calls
// churn (one hangs up and a new one rings then answers every 10 ms).
func uiRun(cfg config, measure time.Duration) (uiProbe, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	pbx := eslfake.New(eslfake.Options{Password: fakePassword, Hostname: "bench"})
	if err := pbx.Start(); err != nil {
		return uiProbe{}, err
	}
	defer pbx.Close()
	live := make([]string, 0, uiCalls)
	addCall := func(i int) error {
		num := strconv.Itoa(100000 + i)
		uuid := pbx.AddChannel(eslfake.ChannelSpec{Caller: eslfake.Party{Name: "Caller " + num, Number: num}, Destination: "3000"})
		live = append(live, uuid)
		return pbx.Answer(uuid)
	}
	for i := range uiCalls {
		if err := addCall(i); err != nil {
			return uiProbe{}, err
		}
	}
	p, err := startCallboard(ctx, pbx.Addr(), fakePassword, false, filepath.Join(cfg.repoRoot, "ui/dist"), uiCalls, 0)
	if err != nil {
		return uiProbe{}, err
	}
	defer p.stop()
	cctx, ccancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for i := uiCalls; ; i++ {
			select {
			case <-cctx.Done():
				return
			case <-t.C:
			}
			_ = pbx.Hangup(live[0], "NORMAL_CLEARING")
			live = live[1:]
			_ = addCall(i)
		}
	})
	defer func() { ccancel(); wg.Wait() }()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(cfg.repoRoot, "bench/ui/ui_bench.mjs"),
		"http://"+p.addr, benchUser, benchPassword, strconv.Itoa(int(measure.Seconds())))
	cmd.Dir = cfg.repoRoot
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return uiProbe{}, fmt.Errorf("chromium probe: %w", err)
	}
	var r uiProbe
	if err := json.Unmarshal(out, &r); err != nil {
		return uiProbe{}, fmt.Errorf("chromium probe output %q: %w", out, err)
	}
	return r, nil
}

func runUI(cfg config) ([]row, []string, error) {
	dist := filepath.Join(cfg.repoRoot, "ui/dist")
	js, css, err := initialGzipBytes(dist)
	if err != nil {
		return nil, nil, err
	}
	rows := []row{
		{section: "7", metric: "UI initial JS + CSS, gzipped", s: series{float64(js+css) / 1024}, unit: "KiB", target: "<= 150", ok: func(v float64) bool { return v <= 150 },
			note: fmt.Sprintf("JS %.1f KiB + CSS %.1f KiB (deterministic: one measurement)", float64(js)/1024, float64(css)/1024)},
	}
	measure := max(time.Duration(float64(5*time.Second)*cfg.scale), 2*time.Second)
	var p50, p95, maxB, longN, longMs, first series
	var notes []string
	for i := 0; i < cfg.runs; i++ {
		r, err := uiRun(cfg, measure)
		if err != nil {
			return rows, notes, err
		}
		if len(r.Batches) == 0 {
			return rows, notes, fmt.Errorf("chromium saw no delta")
		}
		b := slices.Clone(r.Batches)
		slices.Sort(b)
		at := func(p float64) float64 { return b[min(len(b)-1, int(p*float64(len(b))))] }
		total := 0.0
		for _, d := range r.LongTasks {
			total += d
		}
		p50, p95, maxB = append(p50, at(0.5)), append(p95, at(0.95)), append(maxB, b[len(b)-1])
		longN, longMs, first = append(longN, float64(len(r.LongTasks))), append(longMs, total), append(first, r.FirstUpdateMs)
		progress("ui run %d: %d deltas, per delta p50 %.1f ms p95 %.1f ms max %.1f ms, %d long tasks (%.0f ms), first update %.0f ms, %d table rows, %d page errors",
			i+1, len(b), at(0.5), at(0.95), b[len(b)-1], len(r.LongTasks), total, r.FirstUpdateMs, r.Rows, len(r.Errors))
		if len(r.Errors) > 0 {
			notes = append(notes, fmt.Sprintf("- ui run %d page errors: %v", i+1, r.Errors))
		}
	}
	note := fmt.Sprintf("%d live calls, 100 calls/s churn (~300 changes/s), %s per run", uiCalls, measure)
	rows = append(rows,
		row{section: "7", metric: "Chromium: main-thread time per update batch (delta) p50", s: p50, unit: "ms", note: note},
		row{section: "7", metric: "Chromium: time per update batch p95", s: p95, unit: "ms"},
		row{section: "7", metric: "Chromium: time per update batch max", s: maxB, unit: "ms"},
		row{section: "7", metric: "Chromium: long tasks (> 50 ms) in the window", s: longN, unit: "count"},
		row{section: "7", metric: "Chromium: long-task time in the window", s: longMs, unit: "ms"},
		row{section: "7", metric: "Chromium: page load to first live update (1,000-call snapshot)", s: first, unit: "ms"},
	)
	return rows, notes, nil
}
