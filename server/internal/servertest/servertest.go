package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/internal/testutil"
	"github.com/callboard/callboard/server/api"
	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/internal/stubnode"
	"github.com/callboard/callboard/server/login"
	"github.com/callboard/callboard/server/session"
	"github.com/callboard/callboard/server/store"
	"github.com/callboard/callboard/server/store/sqlite"
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
	base   string
	stop   func() error // cancels Run and returns its result
	client *testClient  // signed in as "root", an admin
	logs   *lockedBuffer
	clock  *testClock
	users  int // users created by clientAs
}

// cheapParams keep argon2id fast under -race; production uses auth.DefaultParams.
var cheapParams = auth.Params{Memory: 64, Time: 1, Threads: 1}

// testPassword is the password of every user the tests create.
const testPassword = "correct horse battery staple"

// testClock is an injectable, advanceable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// lockedBuffer collects log output from many goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer runs a Server on a free loopback port and waits until every
// stub node's initial events are in the live state.
func startServer(t *testing.T, cfg Config, nodes ...*stubnode.Node) *testServer {
	t.Helper()
	an := make([]adapters.Node, len(nodes))
	for i, n := range nodes {
		an[i] = n
	}
	return startServerNodes(t, cfg, an, nil)
}

// startServerNodes runs a Server over any nodes; logs go to logs (nil: a new buffer).
func startServerNodes(t *testing.T, cfg Config, an []adapters.Node, logs *lockedBuffer) *testServer {
	t.Helper()
	nodes := an
	cfg.Listen = "127.0.0.1:0"
	if logs == nil {
		logs = &lockedBuffer{}
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
		cfg.Auth.PasswordParams = cheapParams
	}
	clock := &testClock{t: time.Now().UTC()}
	if cfg.Auth.Now == nil {
		cfg.Auth.Now = clock.Now
	}
	if cfg.CoalesceInterval == 0 {
		cfg.CoalesceInterval = 5 * time.Millisecond
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
	scheme := "http://"
	if cfg.TLSCert != "" {
		scheme = "https://"
	}
	ts := &testServer{Server: s, base: scheme + s.Addr(), logs: logs, clock: clock}
	ts.addUser(t, "root", store.RoleAdmin)
	ts.client = ts.login(t, "root")
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
		if code := ts.getJSON(t, "/healthz", &h); code != http.StatusOK || h.Status != "ok" {
			return false
		}
		var st struct{ Members []json.RawMessage }
		ts.getJSON(t, "/api/v1/state", &st)
		return len(nodes) == 0 || len(st.Members) > 0
	})
	return ts
}

// do sends a request as the admin "root".
func (ts *testServer) do(t *testing.T, method, path, body string) (*http.Response, []byte) {
	t.Helper()
	return ts.client.do(t, method, path, body)
}

// addUser creates a user with testPassword straight in the store.
func (ts *testServer) addUser(t *testing.T, name string, role store.Role) {
	t.Helper()
	u, err := NewUser(ts.hasher, name, role, testPassword, ts.now())
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.store.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
}

// testClient is a browser: a cookie, the CSRF token, and whatever headers.
type testClient struct {
	ts      *testServer
	http    *http.Client
	user    string
	cookie  string // session cookie value ("" for anonymous)
	csrf    string
	headers http.Header
	tap     func(resp *http.Response, body []byte) // sees every exchange
}

func (ts *testServer) anonymous() *testClient {
	hc := &http.Client{Timeout: 10 * time.Second}
	if strings.HasPrefix(ts.base, "https://") {
		hc.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // test server's self-signed cert
	}
	return &testClient{ts: ts, http: hc, headers: http.Header{}}
}

// login signs in as name (with testPassword) and returns the signed-in client.
func (ts *testServer) login(t *testing.T, name string) *testClient {
	t.Helper()
	return ts.signIn(t, ts.anonymous(), name, testPassword)
}

// signIn signs c in.
func (ts *testServer) signIn(t *testing.T, c *testClient, name, password string) *testClient {
	t.Helper()
	b, _ := json.Marshal(login.LoginBody{Username: name, Password: password})
	resp, data := c.do(t, http.MethodPost, "/api/v1/auth/login", string(b))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login %s: %d %s", name, resp.StatusCode, data)
	}
	var me struct {
		CSRFToken string `json:"csrfToken"`
	}
	if err := json.Unmarshal(data, &me); err != nil || me.CSRFToken == "" {
		t.Fatalf("login reply %s", data)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == session.CookieName {
			c.cookie = ck.Value
		}
	}
	if c.cookie == "" {
		t.Fatal("no session cookie")
	}
	c.csrf = me.CSRFToken
	c.user = name
	return c
}

func (c *testClient) do(t *testing.T, method, path, body string) (*http.Response, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.ts.base+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: session.CookieName, Value: c.cookie})
	}
	if c.csrf != "" {
		req.Header.Set(session.CSRFHeader, c.csrf)
	}
	for k, v := range c.headers {
		req.Header[k] = v
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if c.tap != nil {
		c.tap(resp, data)
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
