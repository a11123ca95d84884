package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

func main() {
	if len(os.Args) > 1 {
		var err error
		switch os.Args[1] {
		case "ingest":
			err = runIngestChild(os.Args[2:])
		case "server":
			err = runServerChild(os.Args[2:])
		default:
			err = orchestrate(os.Args[1:])
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchall:", err)
			os.Exit(1)
		}
		return
	}
	if err := orchestrate(nil); err != nil {
		fmt.Fprintln(os.Stderr, "benchall:", err)
		os.Exit(1)
	}
}

type config struct {
	runs     int
	only     map[string]bool
	out      string
	trace    string
	scale    float64 // multiplies run lengths (0.2 for a smoke run)
	profile  bool    // CPU-profile the first 1,000-client callboard run
	repoRoot string
}

func (c config) want(section string) bool { return len(c.only) == 0 || c.only[section] }

func orchestrate(args []string) error {
	fs := flag.NewFlagSet("benchall", flag.ContinueOnError)
	runs := fs.Int("runs", 5, "runs per figure (the table shows median, min, max)")
	only := fs.String("only", "", "comma-separated sections: micro,ingest,fanout,audio,wallboard,poll,action,memory,ui")
	out := fs.String("out", "bench/results/latest.md", "where the table is written")
	trace := fs.String("trace", "adapters/freeswitch/testdata/events-plain.raw", "FreeSWITCH plain event capture (relative to the repository root)")
	scale := fs.Float64("scale", 1, "run-length multiplier")
	profile := fs.Bool("profile", false, "write bench/results/fanout-cpu.prof from the first 1,000-client callboard run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	cfg := config{runs: *runs, out: *out, trace: *trace, scale: *scale, profile: *profile, only: map[string]bool{}}
	for _, s := range strings.Split(*only, ",") {
		if s = strings.TrimSpace(s); s != "" {
			cfg.only[s] = true
		}
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	cfg.repoRoot = root
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return fmt.Errorf("run benchall from the repository root")
	}
	start := time.Now()
	loadStart := loadAvg()
	var rows []row
	var notes []string
	for _, sec := range sections {
		if !cfg.want(sec.name) {
			continue
		}
		progress("== %s", sec.name)
		r, n, err := sec.run(cfg)
		if err != nil {
			progress("section %s failed: %v", sec.name, err)
			notes = append(notes, fmt.Sprintf("- section %s failed: %v", sec.name, err))
		}
		rows = append(rows, r...)
		notes = append(notes, n...)
	}
	header := fmt.Sprintf("# callboard `make bench` results\n\nMachine: %d CPUs (nproc), %s RAM, %s %s/%s. Runs per figure: %d (median, min, max). Total time: %s. "+
		"Load average (1/5/15 min) at start %s, at end %s: other work on the machine inflates latencies.\n",
		runtime.NumCPU(), memTotal(), runtime.Version(), runtime.GOOS, runtime.GOARCH, cfg.runs, time.Since(start).Round(time.Second), loadStart, loadAvg())
	table := renderTable(rows, header)
	if len(notes) > 0 {
		table += "\nNotes:\n" + strings.Join(notes, "\n") + "\n"
	}
	fmt.Print(table)
	if err := os.MkdirAll(filepath.Dir(cfg.out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(cfg.out, []byte(table), 0o644)
}

type section struct {
	name string
	run  func(config) ([]row, []string, error)
}

var sections = []section{
	{"micro", runMicro},
	{"ingest", runIngest},
	{"fanout", runFanout},
	{"audio", runAudio},
	{"wallboard", runWallboard},
	{"poll", runPoll},
	{"action", runAction},
	{"memory", runMemory},
	{"ui", runUI},
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], "/")
}

func memTotal() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "MemTotal:") {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, "MemTotal:")), "%d", &kb)
			return fmt.Sprintf("%.1f GiB", float64(kb)/1024/1024)
		}
	}
	return "?"
}
