package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
	"github.com/callboard/callboard/bench/internal/wsload"
)

const (
	fakePassword = "bench-esl-password"
	eventRate    = 2000 // ESL events per second during fan-out
	confSize     = 100  // members per conference
)

type memberRef struct {
	conf string
	id   int
	key  string
	uuid string
}

// newConferencePBX starts a fake FreeSWITCH holding n answered conference
// members (and their calls), in conferences of confSize.
func newConferencePBX(n int) (*eslfake.Server, []memberRef, error) {
	pbx := eslfake.New(eslfake.Options{Password: fakePassword, Hostname: "bench"})
	if err := pbx.Start(); err != nil {
		return nil, nil, err
	}
	refs := make([]memberRef, 0, n)
	for i := range n {
		conf := "room" + strconv.Itoa(i/confSize)
		num := strconv.Itoa(10000 + i)
		uuid := pbx.AddChannel(eslfake.ChannelSpec{Caller: eslfake.Party{Name: "Caller " + num, Number: num}, Destination: "3000"})
		id, err := pbx.Join(conf, uuid)
		if err != nil {
			pbx.Close()
			return nil, nil, err
		}
		refs = append(refs, memberRef{conf: conf, id: id, key: "fs1/" + conf + "/" + strconv.Itoa(id), uuid: uuid})
	}
	return pbx, refs, nil
}

// toggler flips members' talking flags so the fake emits about rate ESL
// events per second (a start is start-talking plus floor-change, a stop one
// event), stamping each flip in tr before it is sent.
func toggler(ctx context.Context, pbx *eslfake.Server, refs []memberRef, rate int, tr *wsload.Tracker, measuredFrom, measuredTo time.Time) (events int) {
	const tick = 5 * time.Millisecond
	talking := make([]bool, len(refs))
	next := 0
	start := time.Now()
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return events
		case <-t.C:
		}
		// Paced on elapsed time, not ticks: a late tick catches up.
		budget := float64(rate)*time.Since(start).Seconds() - float64(events)
		for budget >= 1 {
			r := &refs[next]
			on := !talking[next]
			talking[next] = on
			now := time.Now()
			tr.Sent(r.key, on, now, !now.Before(measuredFrom) && now.Before(measuredTo))
			_ = pbx.SetTalking(r.conf, r.id, on)
			if on {
				budget -= 2
				events += 2
			} else {
				budget--
				events++
			}
			next = (next + 1) % len(refs)
		}
	}
}

type fanoutResult struct {
	p50, p95, p99 float64 // ms
	cpuCores      float64
	rssMB         float64
	undelivered   float64 // fraction of measured flips
	loadCores     float64 // the bench process (fake PBX + load client)
	perClientRate float64 // messages per second a browser received (from the first event to the end of the drain)
	events        int
}

// fanoutRun measures one server (callboard or the Node relay) with clients
// websockets while the fake emits eventRate events/s.
func fanoutRun(cfg config, server string, clients int, members int, measure time.Duration, profilePath string) (fanoutResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	pbx, refs, err := newConferencePBX(members)
	if err != nil {
		return fanoutResult{}, err
	}
	defer pbx.Close()
	var p *proc
	format := wsload.Callboard
	if server == "node" {
		format = wsload.RawEvent
		p, err = startNodeRelay(cfg.repoRoot, pbx.Addr(), fakePassword)
	} else {
		p, err = startCallboard(ctx, pbx.Addr(), fakePassword, profilePath != "", "", members, members)
	}
	if err != nil {
		return fanoutResult{}, err
	}
	defer p.stop()

	tr := wsload.NewTracker()
	sampleEvery := max(1, clients/100)
	cs, err := dialMany(ctx, p, clients, sampleEvery, format, tr)
	if err != nil {
		return fanoutResult{}, err
	}
	warm := time.Second
	start := time.Now()
	from, to := start.Add(warm), start.Add(warm+measure)
	tctx, tcancel := context.WithDeadline(ctx, to)
	var events int
	var wg sync.WaitGroup
	wg.Go(func() { events = toggler(tctx, pbx, refs, eventRate, tr, from, to) })
	time.Sleep(time.Until(from))
	cpu0, self0 := p.cpuSeconds(), selfCPU()
	var profErr error
	if profilePath != "" && p.pprof != "-" {
		wg.Go(func() { profErr = fetchProfile(p.pprof, measure, profilePath) })
	}
	time.Sleep(time.Until(to))
	cpu1, self1 := p.cpuSeconds(), selfCPU()
	rss := p.rssMB()
	tcancel()
	wg.Wait()
	if profErr != nil {
		progress("profile: %v", profErr)
	}
	drain := 2 * time.Second
	time.Sleep(drain)

	var lat []time.Duration
	lost := 0
	var msgs int64
	for _, c := range cs {
		r := c.Close()
		lat = append(lat, r.Latencies...)
		lost += r.Undelivered
		msgs += r.Messages
	}
	elapsed := time.Since(start)
	for range lost {
		lat = append(lat, undelivered)
	}
	res := fanoutResult{
		p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99),
		cpuCores: (cpu1 - cpu0) / measure.Seconds(), rssMB: rss, events: events,
		loadCores:     (self1 - self0) / measure.Seconds(),
		perClientRate: float64(msgs) / float64(len(cs)) / elapsed.Seconds(),
	}
	if len(lat) > 0 {
		res.undelivered = float64(lost) / float64(len(lat))
	}
	if len(lat) == 0 {
		res.p50, res.p95, res.p99 = math.NaN(), math.NaN(), math.NaN()
	}
	return res, nil
}

// dialMany connects n clients, 32 at a time; every sampleEvery-th is sampled.
func dialMany(ctx context.Context, p *proc, n, sampleEvery int, format wsload.Format, tr *wsload.Tracker) ([]*wsload.Client, error) {
	cs := make([]*wsload.Client, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			c, err := wsload.Dial(ctx, p.wsURL, p.header, format, "fs1", i%sampleEvery == 0, tr)
			if err != nil {
				errs <- err
				return
			}
			cs[i] = c
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		for _, c := range cs {
			if c != nil {
				c.Close()
			}
		}
		return nil, err
	}
	return cs, nil
}

// selfCPU is this process's CPU seconds (fake PBX and load client).
func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func fetchProfile(addr string, d time.Duration, path string) error {
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, int(d.Seconds())))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, resp.Body)
	return err
}
