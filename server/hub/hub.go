package hub

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/olahol/melody"

	"github.com/callboard/callboard/server/live"
	"github.com/callboard/callboard/server/origin"
)

// CloseSlowConsumer is the websocket close code sent to a browser that could
// not keep up.
const CloseSlowConsumer = 4000

// Options configure a Hub. Zero values take the documented defaults.
type Options struct {
	CoalesceInterval  time.Duration       // flush period; default 50ms
	AllowedOrigins    []string            // origins allowed besides same-origin, e.g. "https://ops.example"
	MaxPending        int                 // journal entries a browser may lag behind; default 20000
	MessageBufferSize int                 // melody's per-session queue, in messages; default 256
	MaxOpen           int                 // transcripts one browser may have open; default 32
	QueryTimeout      time.Duration       // bound on live-state reads for snapshots; default 5s
	Complete          TranscriptCompleter // completes a transcript from history on open/resync; may be nil
	MaxPerSession     int                 // websockets one session may hold; default DefaultMaxPerSession
	Logger            *slog.Logger
}

// Source is the live state as the hub reads it.
type Source interface {
	Query(ctx context.Context, fn func(*live.View)) error
}

// Hub is the websocket fan-out. It implements live.Sink and http.Handler.
type Hub struct {
	opts Options
	src  Source
	m    *melody.Melody
	log  *slog.Logger

	mu      sync.Mutex // guards everything below
	journal []*entry   // seq order; nil marks an entry superseded by a newer one of the same key
	index   map[entryKey]int
	base    int    // absolute position of journal[0]
	tombs   int    // nil slots in journal
	last    uint64 // seq of the last published change
	clients map[*client]struct{}

	kick    chan struct{} // a change was published (Run may flush early)
	flushed uint64        // h.last as of the previous flush

	stats      stats // messages and bytes written (stats.go)
	perSession sessionLimit
	levels     levelBox // audio meters awaiting their flush (levels.go)

	snapMu   sync.Mutex // guards the last encoded snapshot
	snapSeq  uint64
	snapJSON []byte
}

type entryKey struct {
	kind live.Kind
	key  string
}

// entry is one coalesced change. json is written only by the flusher.
type entry struct {
	seq   uint64
	op    live.Op
	kind  live.Kind
	key   string
	call  string
	value any
	json  []byte
}

// client is one browser. mu serialises everything written to the session, so
// melody's queue order is the protocol order.
type client struct {
	sess    *melody.Session
	mu      sync.Mutex
	busy    bool              // a snapshot/transcript is being prepared; the flusher skips it
	sent    uint64            // seq of the last message sent ("from" of the next)
	open    map[string]uint64 // open transcripts: call key -> seq its transcript was read at
	covered atomic.Uint64     // every change <= covered was considered (written under mu)
	closing atomic.Bool
	session string // the sign-in session behind this browser (see ServeSession)
	meters  bool   // wants every call's audio levels (levels.go; under mu)
}

// New returns a Hub reading snapshots from src.
func New(src Source, opts Options) *Hub {
	if opts.CoalesceInterval <= 0 {
		opts.CoalesceInterval = 50 * time.Millisecond
	}
	if opts.MaxPending <= 0 {
		opts.MaxPending = 20000
	}
	if opts.MessageBufferSize <= 0 {
		opts.MessageBufferSize = 256
	}
	if opts.MaxOpen <= 0 {
		opts.MaxOpen = 32
	}
	if opts.MaxPerSession <= 0 {
		opts.MaxPerSession = DefaultMaxPerSession
	}
	if opts.QueryTimeout <= 0 {
		opts.QueryTimeout = 5 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	h := &Hub{
		opts:    opts,
		src:     src,
		m:       melody.New(),
		log:     opts.Logger,
		index:   make(map[entryKey]int),
		clients: make(map[*client]struct{}),
		kick:    make(chan struct{}, 1),
	}
	h.perSession.max = opts.MaxPerSession
	h.m.Upgrader.CheckOrigin = func(r *http.Request) bool { return origin.OriginAllowed(r, opts.AllowedOrigins) }
	h.m.Config.MaxMessageSize = 4096
	h.m.Config.MessageBufferSize = opts.MessageBufferSize
	h.m.HandleConnect(h.onConnect)
	h.m.HandleDisconnect(h.onDisconnect)
	h.m.HandleMessage(h.onMessage)
	h.m.HandleError(h.onError)
	return h
}

// ServeHTTP upgrades the request to a websocket. A foreign Origin gets 403.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.ServeSession(w, r, "") }

// ServeSession is ServeHTTP for a browser of an authenticated session, so
// that CloseSession can end its websockets.
func (h *Hub) ServeSession(w http.ResponseWriter, r *http.Request, session string) {
	if !h.perSession.acquire(session) {
		http.Error(w, "too many websockets for this session", http.StatusTooManyRequests)
		return
	}
	defer h.perSession.release(session) // melody returns when the websocket ends
	c := &client{busy: true, open: make(map[string]uint64), session: session}
	err := h.m.HandleRequestWithKeys(w, r, map[string]any{clientKey: c})
	if errors.Is(err, melody.ErrClosed) {
		http.Error(w, "server shutting down", http.StatusServiceUnavailable)
	} else if err != nil {
		// The upgrader already answered (403 for a foreign Origin, 400 for a bad handshake).
		h.log.Debug("websocket upgrade refused", "remote", r.RemoteAddr, "origin", r.Header.Get("Origin"), "err", err)
	}
}

const clientKey = "callboard.client"

func clientOf(s *melody.Session) *client {
	v, _ := s.Get(clientKey)
	c, _ := v.(*client)
	return c
}

// Len is the number of connected browsers.
func (h *Hub) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

// Publish appends changes to the journal. Called by the live state's owner
// goroutine; it only takes a short lock.
func (h *Hub) Publish(changes []live.Change) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ch := range changes {
		k := entryKey{ch.Kind, ch.Key}
		if pos, ok := h.index[k]; ok {
			h.journal[pos-h.base] = nil
			h.tombs++
		}
		h.journal = append(h.journal, &entry{seq: ch.Seq, op: ch.Op, kind: ch.Kind, key: ch.Key, call: ch.Call, value: ch.Value})
		h.index[k] = h.base + len(h.journal) - 1
		h.last = ch.Seq
	}
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// Run flushes deltas every CoalesceInterval until ctx ends, then closes every
// websocket (http.Server.Shutdown does not close hijacked connections).
//
// Flushes stay at least CoalesceInterval apart, but a change that arrives
// when the last flush is already that old goes out at once: an idle
// dashboard (a moderator's click, a call that starts) pays no coalescing
// delay, and under load every change still waits at most one interval.
func (h *Hub) Run(ctx context.Context) error {
	go h.runLevels(ctx)
	iv := h.opts.CoalesceInterval
	t := time.NewTimer(iv)
	defer t.Stop()
	var last time.Time // last flush that carried changes
	for {
		select {
		case <-ctx.Done():
			h.Close()
			return nil
		case <-h.kick:
			if time.Since(last) < iv {
				continue // the timer flushes at the end of this window
			}
		case <-t.C:
		}
		if h.flush() {
			last = time.Now() // idle ticks do not delay the next change
		}
		t.Reset(iv)
	}
}

// Close closes every websocket with 1001 "going away" and refuses new ones.
func (h *Hub) Close() {
	_ = h.m.CloseWithMsg(melody.FormatCloseMessage(1001, "server shutting down"))
}

// dropSlow closes a browser that cannot keep up.
func (h *Hub) dropSlow(c *client, why string) {
	if h.closeClient(c, CloseSlowConsumer, "slow consumer") {
		h.log.Warn("closing slow websocket consumer", "remote", c.sess.Request.RemoteAddr, "why", why)
	}
}

// closeClient closes a browser's websocket with code and reason, once; it
// reports whether this call closed it. The close frame is written straight
// to the connection (melody's queue may be what is full) from its own
// goroutine, bounded by a short deadline, and the connection is then
// closed, which ends melody's pumps and unregisters the session.
func (h *Hub) closeClient(c *client, code int, reason string) bool {
	if !c.closing.CompareAndSwap(false, true) {
		return false
	}
	conn := c.sess.WebsocketConnection()
	go func() {
		_ = conn.WriteControl(websocket.CloseMessage, melody.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
		_ = conn.Close()
	}()
	return true
}

func (h *Hub) onError(s *melody.Session, err error) {
	c := clientOf(s)
	if c == nil {
		return
	}
	if errors.Is(err, melody.ErrMessageBufferFull) {
		h.dropSlow(c, "message buffer full")
		return
	}
	h.log.Debug("websocket error", "remote", s.Request.RemoteAddr, "err", err)
}

func (h *Hub) onDisconnect(s *melody.Session) {
	c := clientOf(s)
	if c == nil {
		return
	}
	c.closing.Store(true)
	h.mu.Lock()
	delete(h.clients, c)
	h.mu.Unlock()
}
