// Package servertest runs a whole callboard server for HTTP-level tests in
// the handler packages (server/api, server/admin, server/login, ...) and in
// package server itself: a real server.Server on a free loopback port, over
// stub nodes (server/internal/stubnode) or real adapters, with a fresh
// SQLite store, a cheap password hash, an advanceable clock and captured
// debug logs. Clients are browsers: a session cookie, the CSRF token and
// whatever headers a test sets.
//
// The tests that use it are external test packages (package api_test, ...):
// servertest imports server, which imports every handler package.
package servertest

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/internal/testutil"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/api"
	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/internal/stubnode"
	"github.com/callboard/callboard/server/store"
	"github.com/callboard/callboard/server/store/sqlite"
)

// T0 is the creation time of FS1Snapshot's calls, conferences and members.
var T0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// FS1Snapshot is what the stub node fs1 reports on start: call c1; the
// conference "room" with members 1 (call c1) and 2 (call c2); the conference
// "3000@default" with member 7.
func FS1Snapshot() adapters.Event {
	return adapters.Snapshot{
		Node: "fs1",
		Calls: []adapters.Call{
			{Node: "fs1", ID: "c1", State: adapters.CallActive, CreatedAt: T0},
		},
		Conferences: []adapters.Conference{
			{Node: "fs1", Name: "room", MemberCount: 2, CreatedAt: T0},
			{Node: "fs1", Name: "3000@default", MemberCount: 1, CreatedAt: T0},
		},
		Members: []adapters.Member{
			{Node: "fs1", Conference: "room", ID: "1", CallID: "c1", JoinedAt: T0},
			{Node: "fs1", Conference: "room", ID: "2", CallID: "c2", JoinedAt: T0},
			{Node: "fs1", Conference: "3000@default", ID: "7", CallID: "c7", JoinedAt: T0},
		},
	}
}

// Server is a running server.Server and what the tests need around it.
type Server struct {
	*server.Server
	Base   string                 // "http://127.0.0.1:port" (https with Config.TLSCert)
	Client *Client                // signed in as "root", an admin
	Logs   *testutil.LockedBuffer // the server's debug log
	Clock  *Clock                 // the server's clock unless the Config brought one
	Store  store.Store            // the Config's store, or the fresh one Start opened
	// Hasher hashes with the server's password parameters, for users
	// created straight in Store.
	Hasher *auth.Hasher

	now   func() time.Time
	stop  func() error
	users int // users created by ClientAs
}

// CheapParams keep argon2id fast under -race; production uses auth.DefaultParams.
var CheapParams = auth.Params{Memory: 64, Time: 1, Threads: 1}

// Password is the password of every user the helpers create.
const Password = "correct horse battery staple"

// Clock is an injectable, advanceable clock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Start runs a Server on a free loopback port and waits until every
// stub node's initial events are in the live state. The server stops when
// the test ends.
func Start(t *testing.T, cfg server.Config, nodes ...*stubnode.Node) *Server {
	t.Helper()
	an := make([]adapters.Node, len(nodes))
	for i, n := range nodes {
		an[i] = n
	}
	return StartNodes(t, cfg, an, nil)
}

// StartNodes runs a Server over any nodes; logs go to logs (nil: a new buffer).
// Unset in cfg: Listen (always loopback, port 0), Logger (debug, to logs),
// Store (a fresh SQLite store in t.TempDir()), Auth.PasswordParams
// (CheapParams), Auth.Now (Clock) and CoalesceInterval (5ms).
func StartNodes(t *testing.T, cfg server.Config, an []adapters.Node, logs *testutil.LockedBuffer) *Server {
	t.Helper()
	nodes := an
	cfg.Listen = "127.0.0.1:0"
	if logs == nil {
		logs = &testutil.LockedBuffer{}
	}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if cfg.Store == nil {
		st, err := sqlite.Open(context.Background(), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		cfg.Store = st
	}
	if cfg.Auth.PasswordParams == (auth.Params{}) {
		cfg.Auth.PasswordParams = CheapParams
	}
	clock := &Clock{t: time.Now().UTC()}
	if cfg.Auth.Now == nil {
		cfg.Auth.Now = clock.Now
	}
	if cfg.CoalesceInterval == 0 {
		cfg.CoalesceInterval = 5 * time.Millisecond
	}
	hasher, err := auth.NewHasher(cfg.Auth.PasswordParams)
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(cfg, an)
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
	scheme := "http://"
	if cfg.TLSCert != "" {
		scheme = "https://"
	}
	ts := &Server{Server: s, Base: scheme + s.Addr(), Logs: logs, Clock: clock, Store: cfg.Store, Hasher: hasher, now: cfg.Auth.Now}
	ts.AddUser(t, "root", store.RoleAdmin)
	ts.Client = ts.Login(t, "root")
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
	testutil.Eventually(t, "the nodes to come up", func() bool {
		var h api.HealthBody
		if code := ts.GetJSON(t, "/healthz", &h); code != http.StatusOK || h.Status != "ok" {
			return false
		}
		var st struct{ Members []json.RawMessage }
		ts.GetJSON(t, "/api/v1/state", &st)
		return len(nodes) == 0 || len(st.Members) > 0
	})
	return ts
}

// Stop cancels Run and returns its result (the first call's on later calls).
func (ts *Server) Stop() error { return ts.stop() }

// Now is the server's clock.
func (ts *Server) Now() time.Time { return ts.now() }

// Do sends a request as the admin "root".
func (ts *Server) Do(t *testing.T, method, path, body string) (*http.Response, []byte) {
	t.Helper()
	return ts.Client.Do(t, method, path, body)
}

// GetJSON GETs path as "root" and decodes a 200 answer into v; it returns
// the status.
func (ts *Server) GetJSON(t *testing.T, path string, v any) int {
	t.Helper()
	resp, data := ts.Do(t, http.MethodGet, path, "")
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("GET %s: %v in %s", path, err, data)
		}
	}
	return resp.StatusCode
}

// AddUser creates a user with Password straight in the store.
func (ts *Server) AddUser(t *testing.T, name string, role store.Role) {
	t.Helper()
	u, err := auth.NewUser(ts.Hasher, name, role, Password, ts.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.Store.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
}
