package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/percipia/eslgo"
	"github.com/percipia/eslgo/command"

	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
)

// pollRun is the classic PBX web page: `show channels as json` every
// second. New channels appear on the fake every 50 ms; staleness is how
// long after its creation a channel is first seen by a poll.
func pollRun(measure time.Duration) ([]time.Duration, error) {
	pbx := eslfake.New(eslfake.Options{Password: fakePassword, Hostname: "bench"})
	if err := pbx.Start(); err != nil {
		return nil, err
	}
	defer pbx.Close()
	opts := eslgo.DefaultInboundOptions
	opts.Logger = eslgo.NilLogger{}
	opts.Password = fakePassword
	conn, err := opts.Dial(pbx.Addr())
	if err != nil {
		return nil, fmt.Errorf("poller dial: %w", err)
	}
	defer conn.Close()
	time.Sleep(100 * time.Millisecond) // eslgo authenticates in the background

	var mu sync.Mutex
	created := map[string]time.Time{}
	ctx, cancel := context.WithTimeout(context.Background(), measure)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			num := strconv.Itoa(20000 + i)
			at := time.Now()
			uuid := pbx.AddChannel(eslfake.ChannelSpec{Caller: eslfake.Party{Name: "Poll " + num, Number: num}, Destination: "3000"})
			mu.Lock()
			created[uuid] = at
			mu.Unlock()
		}
	})
	var stale []time.Duration
	seen := map[string]bool{}
	// Polls start at a random phase relative to the creations, like a page
	// loaded at any moment.
	time.Sleep(time.Duration(time.Now().UnixNano() % int64(time.Second)))
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for ctx.Err() == nil {
		qctx, qcancel := context.WithTimeout(context.Background(), 5*time.Second)
		resp, err := conn.SendCommand(qctx, command.API{Command: "show", Arguments: "channels as json"})
		qcancel()
		if err != nil {
			return nil, fmt.Errorf("poll: %w", err)
		}
		now := time.Now()
		var rows struct {
			Rows []struct {
				UUID string `json:"uuid"`
			} `json:"rows"`
		}
		if err := json.Unmarshal(resp.Body, &rows); err != nil {
			return nil, fmt.Errorf("poll reply: %w", err)
		}
		mu.Lock()
		for _, r := range rows.Rows {
			if at, ok := created[r.UUID]; ok && !seen[r.UUID] {
				seen[r.UUID] = true
				stale = append(stale, now.Sub(at))
			}
		}
		mu.Unlock()
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}
	wg.Wait()
	return stale, nil
}

func runPoll(cfg config) ([]row, []string, error) {
	measure := time.Duration(float64(4*time.Second) * cfg.scale)
	measure = max(measure, 2*time.Second)
	var p50, p99 series
	for i := 0; i < cfg.runs; i++ {
		st, err := pollRun(measure)
		if err != nil {
			return nil, nil, err
		}
		p50, p99 = append(p50, percentile(st, 50)), append(p99, percentile(st, 99))
		progress("poll run %d: %d channels, staleness p50 %.0f ms p99 %.0f ms", i+1, len(st), p50[i], p99[i])
	}
	return []row{
		{section: "4", metric: "polling `show channels as json` every 1 s: staleness p50", s: p50, unit: "ms", note: "compare with push latency p50 in rows 2 and 5"},
		{section: "4", metric: "polling every 1 s: staleness p99", s: p99, unit: "ms"},
	}, nil, nil
}
