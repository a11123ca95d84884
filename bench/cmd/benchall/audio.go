package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// audioStreamOps is how many 20 ms frames BenchmarkStreams200 pushes per
// stream: 500 ops are 10 s of audio on 200 streams.
const audioStreamOps = 500

// runAudio runs server/audio's benchmarks as a compiled test binary (issue
// 12): relay latency (frame in to frame out, p50/p99) and 200 listened
// streams on one core, with the child's CPU time per second of audio and
// its peak RSS (getrusage), beside the websocket fan-out figures.
func runAudio(cfg config) ([]row, []string, error) {
	dir, err := os.MkdirTemp("", "benchaudio")
	if err != nil {
		return nil, nil, fmt.Errorf("temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "audio.test")
	build := exec.Command("go", "test", "-c", "-o", bin, "./server/audio")
	build.Dir, build.Stderr = cfg.repoRoot, os.Stderr
	if err := build.Run(); err != nil {
		return nil, nil, fmt.Errorf("build audio benchmarks: %w", err)
	}
	var p50, p99, wall, cpu, rss series
	for i := 0; i < cfg.runs; i++ {
		m, _, err := audioBench(bin, "BenchmarkRelayLatency", "5000x", "2")
		if err != nil {
			return nil, nil, err
		}
		p50, p99 = append(p50, m["p50-µs"]), append(p99, m["p99-µs"])
		m, ru, err := audioBench(bin, "BenchmarkStreams200", strconv.Itoa(audioStreamOps)+"x", "1")
		if err != nil {
			return nil, nil, err
		}
		used := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		audioSecs := float64(audioStreamOps) * 0.020
		wall = append(wall, m["wall%-of-realtime"])
		cpu = append(cpu, 100*used.Seconds()/audioSecs)
		rss = append(rss, float64(ru.Maxrss)/1024) // KiB on Linux
		progress("audio run %d: relay p99 %.1f µs, 200 streams %.1f%% CPU of one core, RSS %.0f MiB", i+1, p99[i], cpu[i], rss[i])
	}
	note := fmt.Sprintf("in-process hub (server/audio), 200 streams × 16 kHz, %d ops = %.0f s of audio, GOMAXPROCS=1; websocket writes not included", audioStreamOps, float64(audioStreamOps)*0.02)
	return []row{
		{section: "audio", metric: "audio relay latency p50 (frame in -> out)", s: p50, unit: "µs"},
		{section: "audio", metric: "audio relay latency p99 (frame in -> out)", s: p99, unit: "µs", target: "<= 20000 (20 ms)", ok: func(v float64) bool { return v <= 20000 }},
		{section: "audio", metric: "audio 200 listened streams: CPU per second of audio", s: cpu, unit: "% of 1 core", note: note},
		{section: "audio", metric: "audio 200 listened streams: wall time per second of audio", s: wall, unit: "%", note: "inflated by other load on the machine; the CPU figure is not"},
		{section: "audio", metric: "audio 200 listened streams: peak RSS of the process", s: rss, unit: "MiB"},
	}, nil, nil
}

// audioBench runs one benchmark of the test binary and returns its
// reported metrics (unit -> value) and the child's resource usage.
func audioBench(bin, name, benchtime, cpus string) (map[string]float64, *syscall.Rusage, error) {
	cmd := exec.Command(bin, "-test.run", "^$", "-test.bench", "^"+name+"$", "-test.benchtime", benchtime, "-test.cpu", cpus, "-test.benchmem")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w\n%s", name, err, out)
	}
	m := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], name) {
			continue
		}
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				m[f[i+1]] = v
			}
		}
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ru == nil {
		ru = &syscall.Rusage{}
	}
	return m, ru, nil
}
