package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/percipia/eslgo"
	"github.com/percipia/eslgo/command"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/freeswitch"
	"github.com/callboard/callboard/bench/internal/esltrace"
	"github.com/callboard/callboard/server/live"
)

// adapterSubscription mirrors the FreeSWITCH adapter's named event list, so
// the no-op eslgo connection gets exactly the adapter's stream.
var adapterSubscription = append([]string{
	"CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_BRIDGE", "CHANNEL_UNBRIDGE", "CHANNEL_CALLSTATE",
	"CHANNEL_EXECUTE", "CHANNEL_HANGUP_COMPLETE", "CHANNEL_DESTROY",
	"CUSTOM", "conference::maintenance",
}, freeswitch.DefaultSTTSubclasses...)

type ingestResult struct {
	DoneUnixNano int64   `json:"done"`
	CPUSeconds   float64 `json:"cpu"` // process CPU from the first event to the marker
	Changes      int     `json:"changes"`
	Received     int64   `json:"received"`
}

// runIngestChild is the measured process (GOMAXPROCS=1 set by the parent):
// it connects to the replayer and reports when the marker has gone through.
func runIngestChild(args []string) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	addr := fs.String("esl", "", "replayer address")
	password := fs.String("password", "", "ESL password")
	mode := fs.String("mode", "adapter", "adapter or noop")
	events := fs.Int("events", 0, "measured events the replayer sends")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if p := os.Getenv("BENCH_CPUPROFILE"); p != "" {
		stop, err := startCPUProfile(p + "." + *mode)
		if err != nil {
			return err
		}
		defer stop()
	}
	var res ingestResult
	var err error
	switch *mode {
	case "adapter":
		res, err = ingestAdapter(ctx, *addr, *password)
	case "noop":
		res, err = ingestNoop(ctx, *addr, *password, *events)
	default:
		err = fmt.Errorf("unknown mode %q", *mode)
	}
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

// markerSink counts changes and spots the marker call.
type markerSink struct {
	changes int
	done    chan time.Time
	once    sync.Once
}

func (s *markerSink) Publish(chs []live.Change) {
	s.changes += len(chs)
	for _, c := range chs {
		if c.Kind == live.KindCall && strings.Contains(c.Key, "/"+esltrace.MarkerPrefix) {
			s.once.Do(func() { s.done <- time.Now() })
		}
	}
}

func ingestAdapter(ctx context.Context, addr, password string) (ingestResult, error) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	node, err := freeswitch.New(freeswitch.Config{ID: "fs1", Address: addr, Password: password, Logger: log})
	if err != nil {
		return ingestResult{}, err
	}
	sink := &markerSink{done: make(chan time.Time, 1)}
	st := live.New(live.Options{Sink: sink, Nodes: []live.NodeInfo{{ID: "fs1", Kind: node.Kind(), Actions: node.Actions()}}})
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { _ = st.Run(ctx) })
	var cpu0 float64
	first := true
	wg.Go(func() {
		_ = node.Run(ctx, func(ev adapters.Event) {
			switch ev.(type) {
			case adapters.StatusChanged, adapters.Snapshot:
			default:
				if first {
					first, cpu0 = false, selfCPU()
				}
			}
			st.Emit(ctx, ev)
		})
	})
	defer wg.Wait()
	defer cancel()
	select {
	case t := <-sink.done:
		var changes int
		_ = st.Query(ctx, func(*live.View) { changes = sink.changes })
		return ingestResult{DoneUnixNano: t.UnixNano(), Changes: changes, CPUSeconds: selfCPU() - cpu0}, nil
	case <-ctx.Done():
		return ingestResult{}, fmt.Errorf("ingest: marker never reached the live state")
	}
}

func ingestNoop(ctx context.Context, addr, password string, events int) (ingestResult, error) {
	var n atomic.Int64
	done := make(chan time.Time, 1)
	want := int64(events + 1)
	opts := eslgo.DefaultInboundOptions
	opts.Logger = eslgo.NilLogger{}
	opts.Password = password
	opts.Context = ctx
	conn, err := opts.Dial(addr)
	if err != nil {
		return ingestResult{}, fmt.Errorf("dial replayer: %w", err)
	}
	defer conn.Close()
	var cpu0 atomic.Uint64
	conn.RegisterEventListener(eslgo.EventListenAll, func(*eslgo.Event) {
		switch n.Add(1) {
		case 1:
			cpu0.Store(math.Float64bits(selfCPU()))
		case want:
			done <- time.Now()
		}
	})
	if _, err := conn.SendCommand(ctx, command.Event{Format: "plain", Listen: adapterSubscription}); err != nil {
		return ingestResult{}, fmt.Errorf("subscribe: %w", err)
	}
	select {
	case t := <-done:
		return ingestResult{DoneUnixNano: t.UnixNano(), Received: n.Load(), CPUSeconds: selfCPU() - math.Float64frombits(cpu0.Load())}, nil
	case <-ctx.Done():
		return ingestResult{}, fmt.Errorf("noop ingest: got %d of %d events", n.Load(), want)
	}
}

// ingestRun replays events frames to one child process and returns events
// per wall-clock second and per CPU second of the measured process.
func ingestRun(templates []esltrace.Template, mode string, events int) (wall, perCPU float64, err error) {
	startOn := "conference json_list"
	if mode == "noop" {
		startOn = "event"
	}
	rp := &esltrace.Replayer{Templates: templates, Password: "ClueCon", Events: events, StartOn: startOn}
	if err := rp.Start(); err != nil {
		return 0, 0, err
	}
	defer rp.Close()
	cmd := exec.Command(selfExe(), "ingest", "-esl", rp.Addr(), "-password", "ClueCon", "-mode", mode, "-events", strconv.Itoa(events))
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, 0, fmt.Errorf("ingest child (%s): %w", mode, err)
	}
	var res ingestResult
	if err := json.Unmarshal(out, &res); err != nil {
		return 0, 0, fmt.Errorf("ingest child output %q: %w", out, err)
	}
	started, err := rp.Started()
	if err != nil {
		return 0, 0, err
	}
	d := time.Unix(0, res.DoneUnixNano).Sub(started)
	return float64(events+1) / d.Seconds(), float64(events+1) / res.CPUSeconds, nil
}

func selfExe() string {
	p, err := os.Executable()
	if err != nil {
		return os.Args[0]
	}
	return p
}

var _ = runtime.GOMAXPROCS

func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
