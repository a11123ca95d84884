package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// audioStreamOps is how many 20 ms frames BenchmarkStreams200 pushes per
// stream: 500 ops are 10 s of audio on 200 streams.
const audioStreamOps = 500

// runAudio runs server/audio's benchmarks as a compiled test binary (issue
// 12): the in-process hub's relay latency (p50/p99) and 200 listened
// streams on one core, with the child's CPU time per second of audio and
// its peak RSS (getrusage); then the same through a real server and real
// websockets (runAudioE2E), which is what the targets are about.
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
		// The benchmark's own VmHWM: getrusage's maxrss of a child carries
		// this process's high-water mark across exec on Linux.
		peak, ok := m["peak-RSS-MiB"]
		if !ok {
			return nil, nil, fmt.Errorf("BenchmarkStreams200 reported no peak-RSS-MiB")
		}
		rss = append(rss, peak)
		progress("audio run %d: relay p99 %.1f µs, 200 streams %.1f%% CPU of one core, RSS %.0f MiB", i+1, p99[i], cpu[i], rss[i])
	}
	note := fmt.Sprintf("in-process hub (server/audio, no server, no sockets): 200 streams × 16 kHz, %d ops = %.0f s of audio, GOMAXPROCS=1; websocket reads and writes not included (see the e2e rows)", audioStreamOps, float64(audioStreamOps)*0.02)
	rows := []row{
		{section: "audio", metric: "audio in-process hub: relay latency p50 (Write -> Next)", s: p50, unit: "µs"},
		{section: "audio", metric: "audio in-process hub: relay latency p99 (Write -> Next)", s: p99, unit: "µs"},
		{section: "audio", metric: "audio in-process hub, 200 streams: CPU per second of audio", s: cpu, unit: "% of 1 core", note: note},
		{section: "audio", metric: "audio in-process hub, 200 streams: wall time per second of audio", s: wall, unit: "%", note: "inflated by other load on the machine; the CPU figure is not"},
		{section: "audio", metric: "audio in-process hub, 200 streams: peak RSS of the test process", s: rss, unit: "MiB"},
	}
	e2e, notes, err := runAudioE2E(cfg)
	return append(rows, e2e...), notes, err
}

// runAudioE2E is the end-to-end figure of issue 12 (audio_e2e.go): relay
// websocket in, callboard server pinned to one core, listen websocket out.
func runAudioE2E(cfg config) ([]row, []string, error) {
	measure := max(time.Duration(float64(10*time.Second)*cfg.scale), 2*time.Second)
	pin := newPinning(runtime.NumCPU())
	var p50, p99, mx, cpu, rss, lost, other series
	var notes []string
	for i := 0; i < cfg.runs; i++ {
		r, err := audioE2ERun(measure, pin)
		if err != nil {
			return nil, notes, fmt.Errorf("audio e2e run %d: %w", i+1, err)
		}
		progress("audio e2e run %d: %d frames sent, %d delivered, latency p50 %.2f p99 %.2f max %.1f ms, server %.2f cores %.0f MB, other processes on its core %.2f cores, load client %.2f cores, %d level messages, %d malformed",
			i+1, r.sent, r.delivered, r.p50, r.p99, r.max, r.cpuCores, r.rssMB, r.otherCores, r.loadCores, r.levels, r.malformed)
		p50, p99, mx = append(p50, r.p50), append(p99, r.p99), append(mx, r.max)
		cpu, rss, lost, other = append(cpu, r.cpuCores), append(rss, r.rssMB), append(lost, r.lostPct), append(other, r.otherCores)
		if r.malformed > 0 {
			notes = append(notes, fmt.Sprintf("- audio e2e run %d: %d listener frames with a bad header or a seq other than the relay's frame index", i+1, r.malformed))
		}
	}
	tag := "audio e2e, 200 streams (websockets in and out): "
	note := fmt.Sprintf("%d answered calls on the fake FreeSWITCH; per call a relay websocket into /api/v1/audio/fs1/{call}/left (640-byte frames = 20 ms of 16 kHz, 50/s paced by the clock, streams spread over the 20 ms) "+
		"and a browser listen websocket (session cookie, same-origin Origin, all sides): 10,000 messages/s in, 12,000 out (50 frames + 10 level messages per listener). "+
		"Latency from the relay's write to the listener's read of the same frame, all frames of %s after 2 s warm-up (about %d per run); a frame not read within 1 s after the window counts as infinitely late. %s", audioStreams, measure, int(measure/audioFrameDur)*audioStreams, pin)
	return []row{
		{section: "audio", metric: tag + "latency p50", s: p50, unit: "ms", note: note},
		{section: "audio", metric: tag + "latency p99", s: p99, unit: "ms", target: "<= 20", ok: func(v float64) bool { return v <= 20 }},
		{section: "audio", metric: tag + "latency max", s: mx, unit: "ms"},
		{section: "audio", metric: tag + "server CPU", s: cpu, unit: "cores",
			note: "for scale: bench/results/latest.md when this was written had fan-out at 1,000 /ws browsers and 2,000 ESL events/s on 0.47 cores and 106 MB"},
		{section: "audio", metric: tag + "server RSS", s: rss, unit: "MB"},
		{section: "audio", metric: tag + "frames not delivered", s: lost, unit: "%"},
		{section: "audio", metric: tag + "other processes on the server's core", s: other, unit: "cores",
			note: "CPU 0 busy time (/proc/stat) less the server's own; when this and the server's CPU add up to about 1 core the server queued for its core, and the latency rows measure the machine's load"},
	}, notes, nil
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
