package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
)

type wallboardProbe struct {
	Batches       []float64 `json:"batches"`
	LongTasks     []float64 `json:"longTasks"`
	Frames        []float64 `json:"frames"`  // intervals between animation frames, ms
	Renders       []float64 `json:"renders"` // render of a store change, rAF to painted, ms
	Ticks         []float64 `json:"ticks"`   // the one-second clock's ticks, ms
	LoAF          []float64 `json:"loaf"`    // long animation frames (> 50 ms), ms
	Path          string    `json:"path"`
	Wallboard     bool      `json:"wallboard"`
	Tiles         int       `json:"tiles"`
	AgentRows     int       `json:"agentRows"`
	FirstUpdateMs float64   `json:"firstUpdateMs"`
	Errors        []string  `json:"errors"`
	// Spent is the renderer's own accounting over the window, seconds
	// (CDP Performance.getMetrics: RecalcStyleDuration, LayoutDuration,
	// ScriptDuration, TaskDuration).
	Spent map[string]float64 `json:"spent"`
	// AgentsInView is a second window with the agent grid scrolled into
	// view (its own samples; the page fields repeat).
	AgentsInView *wallboardProbe `json:"agentsInView"`

	// Filled in by wallboardUIRun from the ESL event counter.
	ccRate, ccRateNoCount, allRate float64
	board                          string // the fake's callers and agents at the end
}

// wallboardUIRun opens /wallboard in Chromium on a callboard whose fake
// holds wbQueues queues and their agents while queueLoad drives wbRate
// callcenter::info events a second.
func wallboardUIRun(cfg config, measure time.Duration) (wallboardProbe, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	pbx := eslfake.New(eslfake.Options{Password: fakePassword, Hostname: "bench"})
	if err := pbx.Start(); err != nil {
		return wallboardProbe{}, err
	}
	defer pbx.Close()
	load, err := newQueueLoad(pbx) // before the server connects: its snapshot holds them
	if err != nil {
		return wallboardProbe{}, err
	}
	p, err := startCallboard(ctx, pbx.Addr(), fakePassword, false, filepath.Join(cfg.repoRoot, "ui/dist"), 0, 0)
	if err != nil {
		return wallboardProbe{}, err
	}
	defer p.stop()
	if err := waitFor(ctx, p, stateWant{queues: wbQueues, agents: wbQueues * wbPerQueue}); err != nil {
		return wallboardProbe{}, err
	}
	counter, err := countEvents(ctx, pbx.Addr())
	if err != nil {
		return wallboardProbe{}, err
	}
	defer counter.conn.Close()

	lctx, lcancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var loadErr error
	started := time.Now()
	cc0, all0, mc0 := counter.snapshot()
	wg.Go(func() { loadErr = load.run(lctx, wbRate) })
	cmd := exec.CommandContext(ctx, "node", filepath.Join(cfg.repoRoot, "bench/ui/wallboard_bench.mjs"),
		"http://"+p.addr, benchUser, benchPassword, strconv.Itoa(int(measure.Seconds())))
	cmd.Dir = cfg.repoRoot
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	lcancel()
	wg.Wait()
	elapsed := time.Since(started).Seconds()
	time.Sleep(300 * time.Millisecond) // the counter's last events arrive
	cc1, all1, mc1 := counter.snapshot()
	if err != nil {
		return wallboardProbe{}, fmt.Errorf("chromium probe: %w", err)
	}
	if loadErr != nil {
		return wallboardProbe{}, fmt.Errorf("queue load: %w", loadErr)
	}
	var r wallboardProbe
	if err := json.Unmarshal(out, &r); err != nil {
		return wallboardProbe{}, fmt.Errorf("chromium probe output %q: %w", out, err)
	}
	// The rate spans page load and the measured window: the load is paced
	// the same throughout.
	r.ccRate = float64(cc1-cc0) / elapsed
	r.ccRateNoCount = float64(cc1-cc0-(mc1-mc0)) / elapsed
	r.allRate = float64(all1-all0) / elapsed
	r.board = fmt.Sprintf("%d callers waiting, %d ringing an agent, %d talking, %d agents away",
		len(load.waiting), len(load.offered), len(load.talking), len(load.away))
	return r, nil
}

// pctl is the p quantile (0..1) of sorted s, nearest rank below.
func pctl(s []float64, p float64) float64 { return s[min(len(s)-1, int(p*float64(len(s))))] }

// quantiles are p50, p95 and max of a run's samples (at least one).
type quantiles struct{ p50, p95, max series }

func (q *quantiles) add(v []float64) {
	s := series(v).sorted()
	q.p50, q.p95, q.max = append(q.p50, pctl(s, 0.5)), append(q.p95, pctl(s, 0.95)), append(q.max, s[len(s)-1])
}

func (q *quantiles) last() string {
	n := len(q.p50) - 1
	return fmt.Sprintf("p50 %.1f ms p95 %.1f ms max %.1f ms", q.p50[n], q.p95[n], q.max[n])
}

// checkWallboard fails a run whose page is not the full wallboard or that
// measured nothing.
func checkWallboard(r wallboardProbe) error {
	switch {
	case !r.Wallboard || r.Path != "/wallboard":
		return fmt.Errorf("the page is %q, not the wallboard", r.Path)
	case r.Tiles != wbQueues || r.AgentRows != wbQueues*wbPerQueue:
		return fmt.Errorf("%d queue tiles and %d agent rows on the page, want %d and %d", r.Tiles, r.AgentRows, wbQueues, wbQueues*wbPerQueue)
	case len(r.Batches) == 0 || len(r.Renders) == 0 || len(r.Ticks) == 0 || len(r.Frames) == 0:
		return fmt.Errorf("%d deltas, %d renders, %d clock ticks, %d frames in the window", len(r.Batches), len(r.Renders), len(r.Ticks), len(r.Frames))
	case r.AgentsInView != nil:
		if err := checkWallboard(*r.AgentsInView); err != nil {
			return fmt.Errorf("agent grid in view: %w", err)
		}
	}
	return nil
}

// runWallboardUI is the browser half of the wallboard section.
func runWallboardUI(cfg config) ([]row, []string, error) {
	measure := max(time.Duration(float64(10*time.Second)*cfg.scale), 3*time.Second)
	var batch, render, tick, frame quantiles
	var slow, longN, longMs, first, rate, rateNoCount, rateAll series
	var style, layout, script, busy series
	var aRender, aTick quantiles
	var aSlow, aBusy, aLayout, aScript series
	var notes []string
	for i := 0; i < cfg.runs; i++ {
		r, err := wallboardUIRun(cfg, measure)
		if err == nil {
			err = checkWallboard(r)
		}
		if err != nil {
			return nil, notes, fmt.Errorf("wallboard ui run %d: %w", i+1, err)
		}
		batch.add(r.Batches)
		render.add(r.Renders)
		tick.add(r.Ticks)
		frame.add(r.Frames)
		over, total := countOver(r.Frames, 50), 0.0
		for _, d := range r.LongTasks {
			total += d
		}
		slow, longN, longMs = append(slow, float64(over)), append(longN, float64(len(r.LongTasks))), append(longMs, total)
		first, rate = append(first, r.FirstUpdateMs), append(rate, r.ccRate)
		share := func(p wallboardProbe, k string) float64 { return p.Spent[k] / measure.Seconds() * 100 }
		style, layout = append(style, share(r, "RecalcStyleDuration")), append(layout, share(r, "LayoutDuration"))
		script, busy = append(script, share(r, "ScriptDuration")), append(busy, share(r, "TaskDuration"))
		if r.AgentsInView == nil {
			return nil, notes, fmt.Errorf("wallboard ui run %d: no agent-grid window", i+1)
		}
		a := *r.AgentsInView
		aRender.add(a.Renders)
		aTick.add(a.Ticks)
		aSlow = append(aSlow, float64(countOver(a.Frames, 50)))
		aBusy, aLayout, aScript = append(aBusy, share(a, "TaskDuration")), append(aLayout, share(a, "LayoutDuration")), append(aScript, share(a, "ScriptDuration"))
		rateNoCount, rateAll = append(rateNoCount, r.ccRateNoCount), append(rateAll, r.allRate)
		progress("wallboard ui run %d: %d tiles, %d agent rows; %.0f callcenter::info events/s (%.0f without members-count, %.0f ESL events/s in all); at the end %s",
			i+1, r.Tiles, r.AgentRows, r.ccRate, r.ccRateNoCount, r.allRate, r.board)
		progress("  %d deltas, handler %s; %d renders %s; %d clock ticks %s", len(r.Batches), batch.last(), len(r.Renders), render.last(), len(r.Ticks), tick.last())
		progress("  %d frames, interval %s, %d > 50 ms, %d long animation frames; %d long tasks (%.0f ms); first update %.0f ms; %d page errors",
			len(r.Frames), frame.last(), over, len(r.LoAF), len(r.LongTasks), total, r.FirstUpdateMs, len(r.Errors))
		progress("  main thread busy %.0f%%: style %.0f%%, layout %.0f%%, script %.0f%% (the rest: paint, compositing, parsing, GC)",
			busy[i], style[i], layout[i], script[i])
		progress("  agent grid in view: %d renders %s; clock ticks %s; %.0f frames > 50 ms; busy %.0f%%, layout %.0f%%, script %.0f%%",
			len(a.Renders), aRender.last(), aTick.last(), aSlow[i], aBusy[i], aLayout[i], aScript[i])
		if len(r.Errors) > 0 {
			notes = append(notes, fmt.Sprintf("- wallboard ui run %d page errors: %v", i+1, r.Errors))
		}
	}
	note := fmt.Sprintf("/wallboard at 1920×1080, %d queues, %d agents, %.0f queue events/s achieved (median of the callcenter::info events the fake sent, "+
		"target %d; %.0f/s without members-count, which the adapter ignores; %.0f ESL events/s with the callers' channel events), %s per run",
		wbQueues, wbQueues*wbPerQueue, rate.median(), wbRate, rateNoCount.median(), rateAll.median(), measure)
	const s = "wallboard"
	return []row{
		{section: s, metric: "wallboard Chromium: main-thread time per update batch (delta) p50", s: batch.p50, unit: "ms", note: note},
		{section: s, metric: "wallboard Chromium: time per update batch p95", s: batch.p95, unit: "ms",
			note: "the handler applies the delta to the store; the render follows in the next animation frame, and is counted here only when that frame runs before the handler's end marker"},
		{section: s, metric: "wallboard Chromium: time per update batch max", s: batch.max, unit: "ms"},
		{section: s, metric: "wallboard Chromium: render of a store change p50", s: render.p50, unit: "ms",
			note: "from the animation-frame callback that bumps the store version to after Svelte's flush, style, layout and paint"},
		{section: s, metric: "wallboard Chromium: render of a store change p95", s: render.p95, unit: "ms"},
		{section: s, metric: "wallboard Chromium: render of a store change max", s: render.max, unit: "ms"},
		{section: s, metric: "wallboard Chromium: one-second clock tick p50", s: tick.p50, unit: "ms", note: "longest waits and 500 times in state re-rendered"},
		{section: s, metric: "wallboard Chromium: one-second clock tick max", s: tick.max, unit: "ms"},
		{section: s, metric: "wallboard Chromium: animation frame interval p50", s: frame.p50, unit: "ms", note: "requestAnimationFrame loop; 16.7 ms at 60 Hz"},
		{section: s, metric: "wallboard Chromium: frame interval p95", s: frame.p95, unit: "ms"},
		{section: s, metric: "wallboard Chromium: frame interval max", s: frame.max, unit: "ms"},
		{section: s, metric: "wallboard Chromium: frames > 50 ms in the window", s: slow, unit: "count"},
		{section: s, metric: "wallboard Chromium: long tasks (> 50 ms) in the window", s: longN, unit: "count"},
		{section: s, metric: "wallboard Chromium: long-task time in the window", s: longMs, unit: "ms"},
		{section: s, metric: "wallboard Chromium: main thread busy", s: busy, unit: "% of the window",
			note: "the renderer's own accounting (CDP Performance.getMetrics TaskDuration); the next three rows are parts of it"},
		{section: s, metric: "wallboard Chromium: style recalculation", s: style, unit: "% of the window"},
		{section: s, metric: "wallboard Chromium: layout", s: layout, unit: "% of the window"},
		{section: s, metric: "wallboard Chromium: script", s: script, unit: "% of the window"},
		{section: s, metric: "wallboard Chromium, agent grid in view: render of a store change p50", s: aRender.p50, unit: "ms",
			note: "a second window of the same length, the 500-row agent grid scrolled into view"},
		{section: s, metric: "wallboard Chromium, agent grid in view: render p95", s: aRender.p95, unit: "ms"},
		{section: s, metric: "wallboard Chromium, agent grid in view: one-second clock tick p50", s: aTick.p50, unit: "ms"},
		{section: s, metric: "wallboard Chromium, agent grid in view: frames > 50 ms", s: aSlow, unit: "count"},
		{section: s, metric: "wallboard Chromium, agent grid in view: main thread busy", s: aBusy, unit: "% of the window"},
		{section: s, metric: "wallboard Chromium, agent grid in view: layout", s: aLayout, unit: "% of the window"},
		{section: s, metric: "wallboard Chromium, agent grid in view: script", s: aScript, unit: "% of the window"},
		{section: s, metric: "wallboard Chromium: page load to first live update", s: first, unit: "ms"},
		{section: s, metric: "wallboard: queue events/s achieved (callcenter::info)", s: rate, unit: "events/s"},
	}, notes, nil
}

// countOver counts the samples above limit.
func countOver(v []float64, limit float64) int {
	n := 0
	for _, d := range v {
		if d > limit {
			n++
		}
	}
	return n
}
