package arifake

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configure a fake ARI server.
type Options struct {
	Addr     string // listen address; default 127.0.0.1:0
	Username string // default "dash"
	Password string // default "dashpass"
	EntityID string // asterisk_id in events; default "02:fc:00:00:00:01"
	// PlaybackDuration is how long a playback "plays" before PlaybackFinished.
	// Default 50 ms.
	PlaybackDuration time.Duration
	Logger           *slog.Logger
}

// Request is one logged REST request with its merged query and JSON body
// parameters (the native client sends parameters as a JSON body).
type Request struct {
	Method string
	Path   string
	Params map[string]string
}

// String is "METHOD /path".
func (r Request) String() string { return r.Method + " " + r.Path }

// Server is a running fake ARI.
type Server struct {
	opts Options
	log  *slog.Logger
	ln   net.Listener
	http *http.Server

	mu        sync.Mutex
	channels  map[string]*channel
	order     []string // channel ids in creation order
	bridges   map[string]*bridge
	border    []string
	seq       int
	localSeq  int
	lose      func(typ string) bool // events for which it is true are not sent
	epoch     int64
	conns     map[*wsConn]struct{}
	requests  []Request
	failNext  []int
	startedAt time.Time
	playbacks sync.WaitGroup
	closed    bool
	refused   map[string]Refusal // endpoint -> how dialling it fails (callcontrol.go)
	snoopSeq  int
	// missingExten are extensions the fake dialplan does not have.
	missingExten map[string]bool
}

// New starts a fake ARI listening on opts.Addr.
func New(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Username == "" {
		opts.Username = "dash"
	}
	if opts.Password == "" {
		opts.Password = "dashpass"
	}
	if opts.EntityID == "" {
		opts.EntityID = "02:fc:00:00:00:01"
	}
	if opts.PlaybackDuration <= 0 {
		opts.PlaybackDuration = 50 * time.Millisecond
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("arifake listen %s: %w", opts.Addr, err)
	}
	s := &Server{
		opts: opts, log: log, ln: ln,
		channels: map[string]*channel{}, bridges: map[string]*bridge{},
		missingExten: map[string]bool{"nosuchexten": true},
		conns:        map[*wsConn]struct{}{}, epoch: time.Now().Unix(), startedAt: time.Now(),
	}
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("arifake serve", "err", err)
		}
	}()
	return s, nil
}

// Addr is the listening host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the ARI base URL, http://host:port/ari.
func (s *Server) URL() string { return "http://" + s.Addr() + "/ari" }

// WebsocketURL is the events URL without query, ws://host:port/ari/events.
func (s *Server) WebsocketURL() string { return "ws://" + s.Addr() + "/ari/events" }

// Close stops the server and drops every websocket.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.DropWebsockets()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	s.playbacks.Wait()
	return err
}

// Requests lists the REST requests received so far as "METHOD /path".
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.requests))
	for i, r := range s.requests {
		out[i] = r.String()
	}
	return out
}

// RequestLog lists the REST requests received so far with their parameters.
func (s *Server) RequestLog() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request{}, s.requests...)
}

// FailNext makes the next REST request (after authentication) answer status
// with an error body, as an overloaded or broken Asterisk would.
func (s *Server) FailNext(status int) {
	s.mu.Lock()
	s.failNext = append(s.failNext, status)
	s.mu.Unlock()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Server", "Asterisk/22.10.1")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

func writeMessage(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}

// authorized accepts Basic auth or the api_key query parameter, like Asterisk.
func (s *Server) authorized(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok {
		key := r.URL.Query().Get("api_key")
		user, pass, ok = strings.Cut(key, ":")
	}
	if !ok {
		return false
	}
	u := subtle.ConstantTimeCompare([]byte(user), []byte(s.opts.Username))
	p := subtle.ConstantTimeCompare([]byte(pass), []byte(s.opts.Password))
	return u&p == 1
}

// maxRequestLog bounds the request log of a long-running demo: past it the
// oldest half is dropped.
const maxRequestLog = 20000

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="Asterisk REST Interface"`)
		w.Header().Set("Cache-Control", "no-cache, no-store")
		writeMessage(w, http.StatusUnauthorized, "Authentication required")
		return
	}
	if r.URL.Path == "/ari/events" {
		s.serveEvents(w, r)
		return
	}
	params, body, err := readParams(r)
	req := Request{Method: r.Method, Path: r.URL.Path, Params: params}
	// Every request at debug: demo mode's INFO log stays readable;
	// CALLBOARD_LOG_LEVEL=debug shows what reached the PBX (the browser tests
	// run the demo so).
	s.log.DebugContext(r.Context(), "ari fake request", "line", req.String(), "query", r.URL.RawQuery)
	s.mu.Lock()
	if len(s.requests) >= maxRequestLog {
		s.requests = append(s.requests[:0], s.requests[len(s.requests)/2:]...)
	}
	s.requests = append(s.requests, req)
	var fail int
	if len(s.failNext) > 0 {
		fail, s.failNext = s.failNext[0], s.failNext[1:]
	}
	s.mu.Unlock()
	if err != nil {
		writeMessage(w, http.StatusBadRequest, "Error parsing request body")
		return
	}
	if fail != 0 {
		writeMessage(w, fail, http.StatusText(fail))
		return
	}
	s.route(w, r.Method, strings.Split(strings.TrimPrefix(r.URL.Path, "/ari/"), "/"), params, body)
}

// readParams merges query parameters and a JSON object body, as Asterisk does.
// Array values (media, channel) are joined with commas.
func readParams(r *http.Request) (map[string]string, map[string]any, error) {
	params := map[string]string{}
	for k, v := range r.URL.Query() {
		if k != "api_key" && len(v) > 0 {
			params[k] = v[0]
		}
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || len(strings.TrimSpace(string(raw))) == 0 {
		return params, nil, nil
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		return params, nil, err
	}
	for k, v := range body {
		switch t := v.(type) {
		case string:
			params[k] = t
		case []any:
			parts := make([]string, 0, len(t))
			for _, p := range t {
				parts = append(parts, fmt.Sprint(p))
			}
			params[k] = strings.Join(parts, ",")
		case bool, float64:
			params[k] = fmt.Sprint(t)
		case map[string]any:
			// {"variables":{"CALLERID(name)":"..."}} is logged as
			// variables.CALLERID(name), so tests see what reached the PBX.
			for kk, vv := range t {
				params[k+"."+kk] = fmt.Sprint(vv)
			}
		}
	}
	return params, body, nil
}
