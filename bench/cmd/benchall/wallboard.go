package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// wallboardEvents is how many queue events one BenchmarkWallboard run
// applies: 3,000 events are 30 s of load at 100 events/s.
const wallboardEvents = 3000

// runWallboard runs server/hub's BenchmarkWallboard as a compiled test
// binary (issue 13): 50 queues, 500 agents, queue events (callers joining
// and leaving, agents changing state) at 100/s through the live state and
// the hub to 4 connected browsers. It reports the server CPU per event
// (process user+sys, the browsers' reads included: an upper bound), what
// that is of one core at 100 events/s, and the bytes each browser receives
// per second of that load. Then the browser's side (wallboard_ui.go): the
// update cost per delta and per frame of /wallboard in Chromium.
func runWallboard(cfg config) ([]row, []string, error) {
	dir, err := os.MkdirTemp("", "benchwallboard")
	if err != nil {
		return nil, nil, fmt.Errorf("temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "hub.test")
	build := exec.Command("go", "test", "-c", "-o", bin, "./server/hub")
	build.Dir, build.Stderr = cfg.repoRoot, os.Stderr
	if err := build.Run(); err != nil {
		return nil, nil, fmt.Errorf("build wallboard benchmark: %w", err)
	}
	var cpu, core, bytes series
	for i := 0; i < cfg.runs; i++ {
		m, _, err := audioBench(bin, "BenchmarkWallboard", strconv.Itoa(wallboardEvents)+"x", "1")
		if err != nil {
			return nil, nil, fmt.Errorf("wallboard run %d: %w", i+1, err)
		}
		need := []string{"cpu-µs/event", "%core@100ev/s", "B/browser/s"}
		for _, k := range need {
			if _, ok := m[k]; !ok {
				return nil, nil, fmt.Errorf("wallboard run %d: BenchmarkWallboard reported no %s", i+1, k)
			}
		}
		cpu, core, bytes = append(cpu, m[need[0]]), append(core, m[need[1]]), append(bytes, m[need[2]])
		progress("wallboard run %d: %.1f µs CPU per event (%.2f%% of a core at 100 events/s), %.0f B per browser per s", i+1, cpu[i], core[i], bytes[i])
	}
	note := fmt.Sprintf("in-process live state + hub (server/hub BenchmarkWallboard), 50 queues, 500 agents, 4 browsers on loopback websockets, %d events, GOMAXPROCS=1; CPU includes the browsers' reads", wallboardEvents)
	rows := []row{
		{section: "wallboard", metric: "wallboard: server CPU per queue event", s: cpu, unit: "µs", note: note},
		{section: "wallboard", metric: "wallboard: server CPU at 100 queue events/s", s: core, unit: "% of 1 core"},
		{section: "wallboard", metric: "wallboard: bytes per browser per second", s: bytes, unit: "B/s"},
	}
	ui, notes, err := runWallboardUI(cfg)
	return append(rows, ui...), notes, err
}
