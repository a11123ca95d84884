package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// microPackages hold the hot-path Go benchmarks: event mapping and the wire
// scanner (adapter), state apply (live), delta encoding and publish (hub).
var microPackages = []string{"./adapters/freeswitch", "./server/live", "./server/hub"}

// runMicro runs `go test -bench` and reports ns/op (and ns/event where a
// benchmark reports it) as median, min, max over the runs.
func runMicro(cfg config) ([]row, []string, error) {
	args := append([]string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-benchtime", "200ms",
		"-count", strconv.Itoa(cfg.runs)}, microPackages...)
	cmd := exec.Command("go", args...)
	cmd.Dir = cfg.repoRoot
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, nil, fmt.Errorf("go test -bench: %w\n%s", err, out)
	}
	type key struct{ name, unit string }
	vals := map[key]series{}
	var order []key
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimSuffix(f[0], "-"+strconv.Itoa(len(f[0])))
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		for i := 2; i+1 < len(f); i += 2 {
			unit := f[i+1]
			if unit != "ns/op" && unit != "ns/event" && unit != "allocs/op" {
				continue
			}
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			k := key{name, unit}
			if _, ok := vals[k]; !ok {
				order = append(order, k)
			}
			vals[k] = append(vals[k], v)
		}
	}
	var rows []row
	for _, k := range order {
		rows = append(rows, row{section: "micro", metric: "go test -bench " + k.name, s: vals[k], unit: k.unit})
	}
	return rows, nil, nil
}
