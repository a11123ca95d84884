package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
)

// audioStreams is the end-to-end run's listened calls (issue 12: 200).
const audioStreams = 200

type audioE2EResult struct {
	p50, p99, max     float64 // ms, frame in (relay write) to frame out (listener read)
	cpuCores, rssMB   float64 // the server child over the measured window
	loadCores         float64 // this process: relays, listeners, fake PBX
	otherCores        float64 // CPU 0 busy with other processes (NaN when not pinned)
	lostPct           float64
	sent, delivered   int
	levels, malformed int
}

// audioE2ERun measures the audio path through a real callboard server: 200
// answered calls on the fake FreeSWITCH, per call one relay websocket into
// the ingest endpoint paced at real time and one browser-style listen
// websocket, frames matched by the marker each relay writes into its PCM
// (checked against the seq the server puts in the frame header).
func audioE2ERun(measure time.Duration, pin pinning) (audioE2EResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	pbx := eslfake.New(eslfake.Options{Password: fakePassword, Hostname: "bench"})
	if err := pbx.Start(); err != nil {
		return audioE2EResult{}, err
	}
	defer pbx.Close()
	for i := range audioStreams {
		num := strconv.Itoa(100000 + i)
		uuid := pbx.AddChannel(eslfake.ChannelSpec{Caller: eslfake.Party{Name: "Caller " + num, Number: num}, Destination: "3000"})
		if err := pbx.Answer(uuid); err != nil {
			return audioE2EResult{}, err
		}
	}
	p, err := startCallboardCmd(ctx, pin.server(callboardCmd(pbx.Addr(), fakePassword, false, "")), audioStreams, 0)
	if err != nil {
		return audioE2EResult{}, err
	}
	defer p.stop()
	ids, err := liveCallIDs(ctx, p)
	if err != nil {
		return audioE2EResult{}, err
	}
	if len(ids) < audioStreams {
		return audioE2EResult{}, fmt.Errorf("%d calls in the state, want %d", len(ids), audioStreams)
	}
	token, err := relayToken(ctx, p)
	if err != nil {
		return audioE2EResult{}, err
	}

	warm := 2 * time.Second
	slots := int((warm+measure)/audioFrameDur) + 2
	base := time.Now()
	relays := make([]*relayStream, audioStreams)
	listens := make([]*listenStream, audioStreams)
	defer func() { // on an early return; closing twice is harmless
		for _, l := range listens {
			if l != nil {
				_ = l.conn.Close()
			}
		}
		for _, r := range relays {
			if r != nil {
				_ = r.conn.Close()
			}
		}
	}()
	// Relays first: a listener of a call without a stream would make the
	// server start an on-demand PBX source (the fake has none).
	if err := dialAll(audioStreams, func(i int) (err error) {
		relays[i], err = dialRelay(ctx, p.addr, ids[i], token, slots)
		return err
	}); err != nil {
		return audioE2EResult{}, err
	}
	if err := waitStreams(ctx, p, token, audioStreams); err != nil {
		return audioE2EResult{}, err
	}
	if err := dialAll(audioStreams, func(i int) (err error) {
		listens[i], err = dialListen(ctx, p, ids[i], slots, base)
		return err
	}); err != nil {
		return audioE2EResult{}, err
	}

	restore := pin.client()
	defer restore()
	// Streams are spread over one 20 ms period, as independent calls are.
	t0 := time.Now().Add(100 * time.Millisecond)
	from, to := t0.Add(warm), t0.Add(warm+measure)
	var wg sync.WaitGroup
	for i, r := range relays {
		start := t0.Add(audioFrameDur * time.Duration(i) / audioStreams)
		wg.Go(func() { r.run(base, start, to) })
	}
	time.Sleep(time.Until(from))
	cpu0, self0 := p.cpuSeconds(), selfCPU()
	busy0 := cpuBusySeconds(0)
	time.Sleep(time.Until(to))
	cpu1, self1 := p.cpuSeconds(), selfCPU()
	busy1 := cpuBusySeconds(0)
	rss := p.rssMB()
	wg.Wait()
	time.Sleep(time.Second) // the last frames' way out
	for _, l := range listens {
		l.close()
	}
	for _, r := range relays {
		r.close()
	}
	res, err := audioE2EReport(relays, listens, base, from, to, measure, cpu1-cpu0, self1-self0, rss)
	res.otherCores = math.NaN()
	if pin.taskset {
		res.otherCores = max(0, (busy1-busy0)-(cpu1-cpu0)) / measure.Seconds()
	}
	return res, err
}

// audioE2EReport matches sent and read frames of the measured window. A
// frame not read counts as infinitely late in the percentiles, as in the
// fan-out rows.
func audioE2EReport(relays []*relayStream, listens []*listenStream, base, from, to time.Time, measure time.Duration, cpu, self, rss float64) (audioE2EResult, error) {
	lo, hi := int64(from.Sub(base)), int64(to.Sub(base))
	res := audioE2EResult{cpuCores: cpu / measure.Seconds(), loadCores: self / measure.Seconds(), rssMB: rss}
	var lat []time.Duration
	for i, r := range relays {
		l := listens[i]
		if r.err != nil {
			return res, fmt.Errorf("relay %d: %w (server said: %v)", i, r.err, r.closed)
		}
		if !l.started {
			return res, fmt.Errorf("listener %d: no start message (%v)", i, l.err)
		}
		for k, at := range r.sent {
			if at < lo || at >= hi {
				continue
			}
			res.sent++
			if got := l.recv[k]; got != 0 {
				res.delivered++
				lat = append(lat, time.Duration(got-at))
			} else {
				lat = append(lat, undelivered)
			}
		}
		res.levels += l.levels
		res.malformed += l.mismatched
	}
	if res.sent == 0 {
		return res, fmt.Errorf("no frame sent in the measured window")
	}
	res.p50, res.p99, res.max = percentile(lat, 50), percentile(lat, 99), percentile(lat, 100)
	res.lostPct = 100 * float64(res.sent-res.delivered) / float64(res.sent)
	return res, nil
}

// cpuBusySeconds is the time CPU n spent on anything but idle and iowait
// (/proc/stat). Less the pinned server's CPU time, it is what other
// processes took from the server's core: latencies measured while that is
// high say more about the machine than about the server.
func cpuBusySeconds(n int) float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 6 || f[0] != "cpu"+strconv.Itoa(n) {
			continue
		}
		busy := 0.0
		for i, v := range f[1:] {
			if i == 3 || i == 4 || i >= 8 { // idle, iowait; guest time is in user already
				continue
			}
			t, _ := strconv.ParseFloat(v, 64)
			busy += t
		}
		return busy / clkTck
	}
	return 0
}

// pinning puts the server child on CPU 0 (GOMAXPROCS=1, and taskset -c 0
// when taskset exists) and, on a machine with more CPUs, this process (the
// relays and browsers) on the others, so that the load client does not
// take the server's core.
type pinning struct {
	taskset bool
	cpus    int
}

func newPinning(cpus int) pinning {
	_, err := exec.LookPath("taskset")
	return pinning{taskset: err == nil, cpus: cpus}
}

func (pn pinning) server(cmd *exec.Cmd) *exec.Cmd {
	if pn.taskset {
		cmd = exec.Command("taskset", append([]string{"-c", "0"}, cmd.Args...)...)
	}
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	return cmd
}

// client pins every thread of this process to CPUs 1..n-1 and returns the
// undo (the previous mask). Threads made later inherit the mask.
func (pn pinning) client() (restore func()) {
	if !pn.taskset || pn.cpus < 2 {
		return func() {}
	}
	pid := strconv.Itoa(os.Getpid())
	out, err := exec.Command("taskset", "-p", pid).Output()
	if err != nil {
		return func() {}
	}
	mask := strings.TrimSpace(string(out[strings.LastIndexByte(string(out), ':')+1:]))
	if err := exec.Command("taskset", "-a", "-p", "-c", fmt.Sprintf("1-%d", pn.cpus-1), pid).Run(); err != nil {
		progress("audio: could not pin the load client: %v", err)
		return func() {}
	}
	return func() { _ = exec.Command("taskset", "-a", "-p", mask, pid).Run() }
}

func (pn pinning) String() string {
	s := "Server GOMAXPROCS=1"
	if pn.taskset {
		s += " under `taskset -c 0`"
		if pn.cpus >= 2 {
			s += ", load client (relays, browsers, fake PBX) on the other CPUs"
		}
	}
	return s
}
