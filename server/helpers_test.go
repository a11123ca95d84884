package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/internal/stubnode"
)

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// fs1Snapshot is what the stub node fs1 reports on start.
func fs1Snapshot() adapters.Event {
	return adapters.Snapshot{
		Node: "fs1",
		Calls: []adapters.Call{
			{Node: "fs1", ID: "c1", State: adapters.CallActive, CreatedAt: t0},
		},
		Conferences: []adapters.Conference{
			{Node: "fs1", Name: "room", MemberCount: 2, CreatedAt: t0},
			{Node: "fs1", Name: "3000@default", MemberCount: 1, CreatedAt: t0},
		},
		Members: []adapters.Member{
			{Node: "fs1", Conference: "room", ID: "1", CallID: "c1", JoinedAt: t0},
			{Node: "fs1", Conference: "room", ID: "2", CallID: "c2", JoinedAt: t0},
			{Node: "fs1", Conference: "3000@default", ID: "7", CallID: "c7", JoinedAt: t0},
		},
	}
}

type testServer struct {
	*Server
	base string
	stop func() error // cancels Run and returns its result
}

// startServer runs a Server on a free loopback port and waits until every
// stub node's initial events are in the live state.
func startServer(t *testing.T, cfg Config, nodes ...*stubnode.Node) *testServer {
	t.Helper()
	cfg.Listen = "127.0.0.1:0"
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if cfg.CoalesceInterval == 0 {
		cfg.CoalesceInterval = 5 * time.Millisecond
	}
	an := make([]adapters.Node, len(nodes))
	for i, n := range nodes {
		an[i] = n
	}
	s, err := New(cfg, an)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	select {
	case <-s.Ready():
	case err := <-done:
		t.Fatalf("Run: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("server not listening")
	}
	ts := &testServer{Server: s, base: "http://" + s.Addr()}
	var stopped bool
	var runErr error
	ts.stop = func() error {
		if !stopped {
			stopped = true
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Run did not return after cancel")
			}
		}
		return runErr
	}
	t.Cleanup(func() { _ = ts.stop() })
	// every node reports "up" as its first event, then its snapshot
	deadline := time.Now().Add(5 * time.Second)
	for {
		var h healthBody
		if code := ts.getJSON(t, "/healthz", &h); code == http.StatusOK && h.Status == "ok" {
			var st struct{ Members []json.RawMessage }
			ts.getJSON(t, "/api/v1/state", &st)
			if len(nodes) == 0 || len(st.Members) > 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("nodes never came up")
		}
		time.Sleep(2 * time.Millisecond)
	}
	return ts
}

func (ts *testServer) do(t *testing.T, method, path, body string) (*http.Response, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ts.base+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, data
}

func (ts *testServer) getJSON(t *testing.T, path string, v any) int {
	t.Helper()
	resp, data := ts.do(t, http.MethodGet, path, "")
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("GET %s: %v in %s", path, err, data)
		}
	}
	return resp.StatusCode
}
