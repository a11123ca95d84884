package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/callboard/callboard/bench/internal/wsload"
)

// proc is a measured server process (callboard or the Node relay).
type proc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	addr   string // HTTP/websocket address
	pprof  string // callboard only, "-" when off
	wsURL  string
	header http.Header // session cookie (callboard)
	csrf   string
	exited chan struct{}
}

const clkTck = 100 // USER_HZ on Linux

// cpuSeconds is the process's user+system CPU time so far (/proc/pid/stat,
// the same counters getrusage reports).
func (p *proc) cpuSeconds() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / clkTck
}

// rssMB is the resident set size now (VmRSS).
func (p *proc) rssMB() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			kb, _ := strconv.ParseFloat(strings.Fields(l)[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func (p *proc) stop() {
	_ = p.stdin.Close()
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// startProc runs cmd and waits for its first stdout line.
func startProc(cmd *exec.Cmd) (*proc, string, error) {
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, "", err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	p := &proc{cmd: cmd, stdin: stdin, exited: make(chan struct{})}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, out)
	}()
	go func() { _ = cmd.Wait(); close(p.exited) }()
	select {
	case l, ok := <-lines:
		if !ok {
			p.stop()
			return nil, "", fmt.Errorf("%s exited before it was ready", cmd.Path)
		}
		return p, l, nil
	case <-time.After(30 * time.Second):
		p.stop()
		return nil, "", fmt.Errorf("%s not ready after 30s", cmd.Path)
	}
}

// startCallboard starts the bench server on the fake at esl, signs in and
// waits until its live state holds wantMembers members and wantCalls calls.
func startCallboard(ctx context.Context, esl, password string, pprofOn bool, uiDir string, wantCalls, wantMembers int) (*proc, error) {
	return startCallboardCmd(ctx, callboardCmd(esl, password, pprofOn, uiDir), wantCalls, wantMembers)
}

// callboardCmd is the bench server's command line, for a caller that wraps
// it (the audio section pins it to one core).
func callboardCmd(esl, password string, pprofOn bool, uiDir string) *exec.Cmd {
	args := []string{"server", "-esl", esl, "-password", password}
	if pprofOn {
		args = append(args, "-pprof")
	}
	if uiDir != "" {
		args = append(args, "-ui", uiDir)
	}
	return exec.Command(selfExe(), args...)
}

// startCallboardCmd is startCallboard with the command given.
func startCallboardCmd(ctx context.Context, cmd *exec.Cmd, wantCalls, wantMembers int) (*proc, error) {
	p, line, err := startProc(cmd)
	if err != nil {
		return nil, err
	}
	f := strings.Fields(line)
	p.addr, p.pprof = f[0], f[1]
	p.wsURL = "ws://" + p.addr + "/ws"
	p.header, p.csrf, err = wsload.Login(ctx, "http://"+p.addr, benchUser, benchPassword)
	if err != nil {
		p.stop()
		return nil, err
	}
	if err := waitState(ctx, p, wantCalls, wantMembers); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}

// waitState polls GET /api/v1/state until the counts are reached.
func waitState(ctx context.Context, p *proc, calls, members int) error {
	return waitFor(ctx, p, stateWant{calls: calls, members: members})
}

// stateWant is the least the live state must hold (zero: anything).
type stateWant struct{ calls, members, queues, agents int }

// waitFor polls GET /api/v1/state until its node is up and it holds want.
func waitFor(ctx context.Context, p *proc, want stateWant) error {
	deadline := time.Now().Add(60 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.addr+"/api/v1/state", nil)
		req.Header = p.header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			var st struct {
				Nodes   []struct{ State string } `json:"nodes"`
				Calls   []json.RawMessage        `json:"calls"`
				Members []json.RawMessage        `json:"members"`
				Queues  []json.RawMessage        `json:"queues"`
				Agents  []json.RawMessage        `json:"agents"`
			}
			err = json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
			if err == nil && len(st.Nodes) > 0 && st.Nodes[0].State == "up" && len(st.Calls) >= want.calls && len(st.Members) >= want.members &&
				len(st.Queues) >= want.queues && len(st.Agents) >= want.agents {
				return nil
			}
			last = fmt.Sprintf("HTTP %d, %d calls, %d members, %d queues, %d agents, err %v",
				resp.StatusCode, len(st.Calls), len(st.Members), len(st.Queues), len(st.Agents), err)
		} else {
			last = err.Error()
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("server state not ready: %s", last)
}

// startNodeRelay starts the Node.js relay baseline on the fake at esl.
func startNodeRelay(root, esl, password string) (*proc, error) {
	args := append([]string{filepath.Join(root, "bench/node/relay.mjs"), esl, password}, adapterSubscription...)
	cmd := exec.Command("node", args...)
	cmd.Dir = root
	p, line, err := startProc(cmd)
	if err != nil {
		return nil, err
	}
	port, ok := strings.CutPrefix(line, "listening ")
	if !ok {
		p.stop()
		return nil, fmt.Errorf("node relay said %q", line)
	}
	p.addr = "127.0.0.1:" + port
	p.wsURL = "ws://" + p.addr + "/"
	p.header = http.Header{}
	return p, nil
}
