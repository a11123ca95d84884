package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/asterisk"
	"github.com/callboard/callboard/adapters/asterisk/arifake"
	"github.com/callboard/callboard/adapters/freeswitch"
	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/store/sqlite"
)

type options struct {
	duration, interval time.Duration
	clients, scenarios int
	speed              float64
	dataDir            string
}

func main() {
	var o options
	flag.DurationVar(&o.duration, "duration", 2*time.Minute, "how long to run")
	flag.DurationVar(&o.interval, "interval", 15*time.Second, "how often to print figures")
	flag.IntVar(&o.clients, "clients", 50, "websocket browsers")
	flag.IntVar(&o.scenarios, "scenarios", 4, "FreeSWITCH demo scenarios played at once")
	flag.Float64Var(&o.speed, "speed", 0.02, "demo delay factor (0.02 = 50x faster)")
	flag.StringVar(&o.dataDir, "data-dir", "", "database directory (default: a temporary one)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

// counters are what the browsers saw.
type counters struct {
	messages, ops, gaps, closes, reconnects, errs atomic.Int64
}

func run(ctx context.Context, o options) error {
	if o.dataDir == "" {
		dir, err := os.MkdirTemp("", "callboard-soak-")
		if err != nil {
			return fmt.Errorf("data dir: %w", err)
		}
		defer os.RemoveAll(dir)
		o.dataDir = dir
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	st, err := sqlite.Open(ctx, o.dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	password := randomHex()
	hasher, err := auth.NewHasher(auth.DefaultParams)
	if err != nil {
		return err
	}
	if _, err := server.Bootstrap(ctx, st, hasher, "admin", password, io.Discard); err != nil {
		return err
	}
	nodes, stopFakes, err := fakes(ctx, o, log)
	if err != nil {
		return err
	}
	defer stopFakes()
	srv, err := server.New(server.Config{Listen: "127.0.0.1:0", Store: st, Logger: log}, nodes)
	if err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- srv.Run(runCtx) }()
	select {
	case <-srv.Ready():
	case err := <-done:
		return err
	}
	base := "http://" + srv.Addr()
	cookie, err := login(base, password)
	if err != nil {
		return err
	}
	var c counters
	var wg sync.WaitGroup
	for i := range o.clients {
		wg.Go(func() { browse(runCtx, srv.Addr(), base, cookie, i, &c) })
	}
	report(runCtx, o, base, cookie, &c)
	cancel()
	wg.Wait()
	if err := <-done; err != nil {
		return fmt.Errorf("server: %w", err)
	}
	if n := c.gaps.Load() + c.errs.Load(); n > 0 {
		return fmt.Errorf("%d protocol errors (seq gaps %d, other %d)", n, c.gaps.Load(), c.errs.Load())
	}
	fmt.Println("soak: no errors")
	return nil
}

func randomHex() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// fakes starts the simulated PBXs with their scenarios and the real adapters.
func fakes(ctx context.Context, o options, log *slog.Logger) ([]adapters.Node, func(), error) {
	fsPW, astPW := randomHex(), randomHex()
	pbx := eslfake.New(eslfake.Options{Password: fsPW, Logger: log, Hostname: "soak-fs"})
	if err := pbx.Start(); err != nil {
		return nil, nil, fmt.Errorf("start FreeSWITCH fake: %w", err)
	}
	for i := range o.scenarios {
		go func() { _ = eslfake.RunDemoScaled(ctx, pbx, mrand.New(mrand.NewPCG(uint64(i), 7)), o.speed) }()
	}
	fsNode, err := freeswitch.New(freeswitch.Config{ID: "soak-fs", Address: pbx.Addr(), Password: fsPW, Logger: log})
	if err != nil {
		pbx.Close()
		return nil, nil, err
	}
	ari, err := arifake.New(arifake.Options{Username: "callboard", Password: astPW, Logger: log})
	if err != nil {
		pbx.Close()
		return nil, nil, fmt.Errorf("start Asterisk fake: %w", err)
	}
	go func() { _ = arifake.RunDemo(ctx, ari, mrand.New(mrand.NewPCG(99, 7))) }()
	astNode, err := asterisk.New(asterisk.Config{ID: "soak-ast", URL: ari.URL(), Username: "callboard", Password: astPW,
		Application: "callboard", SubscribeAll: true, Logger: log})
	if err != nil {
		pbx.Close()
		_ = ari.Close()
		return nil, nil, err
	}
	return []adapters.Node{fsNode, astNode}, func() { pbx.Close(); _ = ari.Close() }, nil
}

func login(base, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"username": "admin", "password": password})
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("login: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("login: status %d", resp.StatusCode)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == "callboard_session" {
			return ck.Value, nil
		}
	}
	return "", errors.New("login: no session cookie")
}

// browse is one browser: it follows the protocol (snapshot, contiguous
// deltas), opens the transcript of every third new call, and reconnects
// after a close, until ctx ends.
func browse(ctx context.Context, addr, origin, cookie string, n int, c *counters) {
	hdr := http.Header{"Origin": {origin}, "Cookie": {"callboard_session=" + cookie}}
	for ctx.Err() == nil {
		conn, _, err := websocket.DefaultDialer.DialContext(ctx, "ws://"+addr+"/ws", hdr)
		if err != nil {
			if ctx.Err() == nil {
				c.errs.Add(1)
				time.Sleep(time.Second)
			}
			continue
		}
		stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
		follow(ctx, conn, n, c)
		stop()
		_ = conn.Close()
		if ctx.Err() == nil {
			c.reconnects.Add(1)
		}
	}
}

func follow(ctx context.Context, conn *websocket.Conn, n int, c *counters) {
	var seq uint64
	opened := 0
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			if ctx.Err() == nil {
				c.closes.Add(1)
			}
			return
		}
		c.messages.Add(1)
		var m struct {
			Type      string
			From, Seq uint64
			Ops       []struct{ Op, Kind, Key string }
		}
		if err := json.Unmarshal(data, &m); err != nil {
			c.errs.Add(1)
			return
		}
		switch m.Type {
		case "snapshot":
			seq = m.Seq
			continue
		case "delta", "transcript":
			if m.From != seq {
				c.gaps.Add(1)
			}
			seq = m.Seq
		case "error":
			c.errs.Add(1)
		}
		c.ops.Add(int64(len(m.Ops)))
		for _, op := range m.Ops {
			if op.Kind == "call" && op.Op == "upsert" && opened < 32 && (len(op.Key)+n)%3 == 0 {
				opened++
				_ = conn.WriteJSON(map[string]string{"type": "open", "call": op.Key})
			}
		}
	}
}

// report prints figures every interval until the duration is over.
func report(ctx context.Context, o options, base, cookie string, c *counters) {
	start := time.Now()
	tick := time.NewTicker(o.interval)
	defer tick.Stop()
	end := time.After(o.duration)
	fmt.Printf("%8s %9s %9s %10s %8s %9s %9s %6s %6s %6s %s\n",
		"elapsed", "rss_mb", "heap_mb", "goroutines", "ws_msg/s", "ops/s", "hist_err", "gaps", "closes", "errs", "history_calls")
	var lastMsgs, lastOps int64
	last := start
	for {
		select {
		case <-ctx.Done():
			return
		case <-end:
			return
		case <-tick.C:
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		now := time.Now()
		secs := now.Sub(last).Seconds()
		msgs, ops := c.messages.Load(), c.ops.Load()
		writeErrs, calls := serverFigures(base, cookie)
		fmt.Printf("%8s %9.1f %9.1f %10d %8.0f %9.0f %9s %6d %6d %6d %s\n",
			now.Sub(start).Round(time.Second), rssMB(), float64(ms.HeapAlloc)/(1<<20), runtime.NumGoroutine(),
			float64(msgs-lastMsgs)/secs, float64(ops-lastOps)/secs, writeErrs, c.gaps.Load(), c.closes.Load(), c.errs.Load(), calls)
		lastMsgs, lastOps, last = msgs, ops, now
	}
}

// serverFigures reads history write errors from /healthz and the number of
// calls on the first history page (capped at 200).
func serverFigures(base, cookie string) (writeErrors, calls string) {
	get := func(path string, v any) error {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.AddCookie(&http.Cookie{Name: "callboard_session", Value: cookie})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		return json.NewDecoder(resp.Body).Decode(v)
	}
	var h struct {
		History struct{ WriteErrors int64 } `json:"history"`
	}
	writeErrors, calls = "?", "?"
	if get("/healthz", &h) == nil {
		writeErrors = strconv.FormatInt(h.History.WriteErrors, 10)
	}
	var l struct{ Calls []json.RawMessage }
	if get("/api/v1/history/calls?limit=200", &l) == nil {
		calls = strconv.Itoa(len(l.Calls))
	}
	return writeErrors, calls
}

// rssMB is this process's resident set size from /proc (Linux).
func rssMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return -1
}
