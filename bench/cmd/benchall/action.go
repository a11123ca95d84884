package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// mutedWatcher reads one websocket and reports when a member's muted flag
// reaches the value a worker waits for.
type mutedWatcher struct {
	mu    sync.Mutex
	waits map[string]mutedWait
}

type mutedWait struct {
	muted bool
	seen  chan time.Time
}

func (w *mutedWatcher) expect(key string, muted bool) chan time.Time {
	ch := make(chan time.Time, 1)
	w.mu.Lock()
	w.waits[key] = mutedWait{muted: muted, seen: ch}
	w.mu.Unlock()
	return ch
}

var mutedField = []byte(`"muted":`)

func (w *mutedWatcher) read(conn *websocket.Conn) {
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			return
		}
		now := time.Now()
		for {
			i := bytes.Index(msg, memberOpPrefix)
			if i < 0 {
				break
			}
			msg = msg[i+len(memberOpPrefix):]
			end := bytes.IndexByte(msg, '"')
			j := bytes.Index(msg, mutedField)
			if end < 0 || j < 0 {
				break
			}
			key := string(msg[:end])
			muted := bytes.HasPrefix(msg[j+len(mutedField):], []byte("true"))
			w.mu.Lock()
			if wt, ok := w.waits[key]; ok && wt.muted == muted {
				wt.seen <- now
				delete(w.waits, key)
			}
			w.mu.Unlock()
			msg = msg[j:]
		}
	}
}

var memberOpPrefix = []byte(`{"op":"upsert","kind":"member","key":"`)

// actionRun sends n mute/unmute actions through REST, workers at a time
// (each on its own member), and times each until a websocket sees it.
func actionRun(n, workers int) ([]time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	pbx, refs, err := newConferencePBX(workers)
	if err != nil {
		return nil, err
	}
	defer pbx.Close()
	p, err := startCallboard(ctx, pbx.Addr(), fakePassword, false, "", workers, workers)
	if err != nil {
		return nil, err
	}
	defer p.stop()
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, p.wsURL, p.header)
	if err != nil {
		return nil, fmt.Errorf("watcher dial: %w", err)
	}
	defer conn.Close()
	conn.SetReadLimit(64 << 20)
	w := &mutedWatcher{waits: map[string]mutedWait{}}
	go w.read(conn)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}

	lat := make([][]time.Duration, workers)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for wi := range workers {
		wg.Go(func() {
			r := refs[wi]
			muted := false
			for k := 0; k < n/workers; k++ {
				muted = !muted
				verb := "unmute"
				if muted {
					verb = "mute"
				}
				seen := w.expect(r.key, muted)
				url := fmt.Sprintf("http://%s/api/v1/nodes/fs1/conferences/%s/members/%s/%s", p.addr, r.conf, strconv.Itoa(r.id), verb)
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
				req.Header = p.header.Clone()
				req.Header.Set("X-CSRF-Token", p.csrf)
				start := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					errs <- err
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("%s: HTTP %d %s", verb, resp.StatusCode, body)
					return
				}
				select {
				case at := <-seen:
					lat[wi] = append(lat[wi], at.Sub(start))
					// A moderator's next click comes 50-100 ms later at the
					// soonest; faster clicks would share a coalescing window.
					time.Sleep(50*time.Millisecond + rand.N(50*time.Millisecond))
				case <-time.After(10 * time.Second):
					errs <- fmt.Errorf("%s of %s never reached the websocket", verb, r.key)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	return all, nil
}

func runAction(cfg config) ([]row, []string, error) {
	n := max(int(200*cfg.scale), 50)
	var p50, p99 series
	var pooled []time.Duration
	for i := 0; i < cfg.runs; i++ {
		lat, err := actionRun(n, 1)
		if err != nil {
			return nil, nil, err
		}
		pooled = append(pooled, lat...)
		p50, p99 = append(p50, percentile(lat, 50)), append(p99, percentile(lat, 99))
		progress("action run %d: %d actions, p50 %.1f ms p99 %.1f ms", i+1, len(lat), p50[i], p99[i])
	}
	note := fmt.Sprintf("%d actions per run, one moderator clicking every 50-100 ms, no other traffic; over all %d actions: p50 %.1f ms, p99 %.1f ms",
		n, len(pooled), percentile(pooled, 50), percentile(pooled, 99))
	return []row{
		{section: "5", metric: "action round trip (REST mute -> ESL -> event -> websocket) p50", s: p50, unit: "ms", note: note},
		{section: "5", metric: "action round trip p99", s: p99, unit: "ms", target: "<= 50", ok: func(v float64) bool { return v <= 50 }},
	}, nil, nil
}
