package eslfake

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	disconnectNotice = "Content-Type: text/disconnect-notice\nContent-Length: 67\n\nDisconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"
	replyNotFound    = "Content-Type: command/reply\nReply-Text: -ERR command not found\n\n"
)

// Server is a fake FreeSWITCH event socket with a small call/conference
// state machine. All methods are safe for concurrent use.
type Server struct {
	opts     Options
	log      *slog.Logger
	coreUUID string

	ln      net.Listener
	wg      sync.WaitGroup
	stall   atomic.Int64 // reply delay in ns
	closing chan struct{}

	// mu guards everything below. Events are sequenced and queued to
	// connections under mu, so every connection sees Event-Sequence order.
	mu        sync.Mutex
	conns     map[*conn]struct{}
	seq       int64
	channels  map[string]*channel
	endpoints map[string]string // dial string -> originate failure cause (originate.go)
	confs     map[string]*conference
	memberSeq int
	sessions  int
	cmds      []string
	cmdSignal chan struct{} // closed and replaced when a command arrives
	cc        *ccState      // mod_callcenter; nil until a queue is added (callcenter.go)
	sipLegs   []*sipLeg     // real SIP eavesdrop legs (sipuac.go)
	closed    bool
}

// New returns an unstarted server.
func New(opts Options) *Server {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Hostname == "" {
		opts.Hostname = "demo"
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Server{
		opts: opts, log: log, coreUUID: newUUID(), closing: make(chan struct{}),
		conns: map[*conn]struct{}{}, seq: 429, channels: map[string]*channel{},
		confs: map[string]*conference{}, cmdSignal: make(chan struct{}),
	}
}

// Start listens and serves connections in the background.
func (s *Server) Start() error {
	if s.opts.Password == "" {
		return fmt.Errorf("start esl fake: password is required")
	}
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return fmt.Errorf("start esl fake on %s: %w", s.opts.Addr, err)
	}
	s.ln = ln
	s.wg.Add(1)
	go s.acceptLoop()
	if s.opts.HeartbeatInterval > 0 {
		s.wg.Add(1)
		go s.heartbeatLoop(s.opts.HeartbeatInterval)
	}
	return nil
}

// Addr is the listening address ("127.0.0.1:port"); empty before Start.
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops listening and closes every connection.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.closing)
	for _, l := range s.sipLegs {
		l.end() // their goroutines BYE and return
	}
	s.mu.Unlock()
	var err error
	if s.ln != nil {
		err = s.ln.Close()
	}
	s.DisconnectAll()
	s.wg.Wait()
	if err != nil {
		return fmt.Errorf("close esl fake listener: %w", err)
	}
	return nil
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		c := newConn(nc)
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(2)
		go func() { defer s.wg.Done(); c.writeLoop() }()
		go func() { defer s.wg.Done(); s.serve(c) }()
	}
}

func (s *Server) heartbeatLoop(d time.Duration) {
	defer s.wg.Done()
	t := time.NewTicker(d)
	defer t.Stop()
	start := time.Now()
	for {
		select {
		case <-s.closing:
			return
		case <-t.C:
			s.mu.Lock()
			e := s.newEvent("HEARTBEAT", "", "switch_core.c", "send_heartbeat", 95)
			up := time.Since(start)
			e.add("Event-Info", "System Ready")
			e.add("Up-Time", fmt.Sprintf("0 years, 0 days, %d hours, %d minutes, %d seconds, %d milliseconds, 0 microseconds",
				int(up.Hours()), int(up.Minutes())%60, int(up.Seconds())%60, up.Milliseconds()%1000))
			e.add("FreeSWITCH-Version", "1.10.12-release+git~20240802T210227Z~a88d069d6f~64bit")
			e.add("Uptime-msec", fmt.Sprint(up.Milliseconds()))
			e.add("Session-Count", fmt.Sprint(len(s.channels)))
			e.add("Max-Sessions", "1000")
			e.add("Session-Per-Sec", "30")
			e.add("Session-Since-Startup", fmt.Sprint(s.sessions))
			e.add("Idle-CPU", "98.000000")
			s.fire(e)
			s.mu.Unlock()
		}
	}
}

// DisconnectAll abruptly closes every client connection.
func (s *Server) DisconnectAll() {
	s.mu.Lock()
	cs := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		cs = append(cs, c)
		delete(s.conns, c)
	}
	s.mu.Unlock()
	for _, c := range cs {
		c.abort()
	}
}

// InjectRaw writes b verbatim to every authenticated, event-subscribed connection.
func (s *Server) InjectRaw(b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.authed && c.filter.any() {
			c.enqueue(append([]byte(nil), b...))
		}
	}
}

// StallReplies delays every api/bgapi reply by d (0 turns it off).
func (s *Server) StallReplies(d time.Duration) { s.stall.Store(int64(d)) }

// Commands returns every command line received after auth, in order.
func (s *Server) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.cmds...)
}

// WaitForCommand returns the first received command containing substr,
// waiting for it if needed.
func (s *Server) WaitForCommand(ctx context.Context, substr string) (string, error) {
	for {
		s.mu.Lock()
		for _, c := range s.cmds {
			if strings.Contains(c, substr) {
				s.mu.Unlock()
				return c, nil
			}
		}
		sig := s.cmdSignal
		s.mu.Unlock()
		select {
		case <-sig:
		case <-ctx.Done():
			return "", fmt.Errorf("wait for command %q: %w", substr, ctx.Err())
		}
	}
}

// maxCommandLog bounds the command log of a long-running demo (the liveness
// probe alone sends one a few seconds): past it the oldest half is dropped.
const maxCommandLog = 20000

func (s *Server) recordCommand(line string) {
	s.mu.Lock()
	if len(s.cmds) >= maxCommandLog {
		s.cmds = append(s.cmds[:0], s.cmds[len(s.cmds)/2:]...)
	}
	s.cmds = append(s.cmds, line)
	close(s.cmdSignal)
	s.cmdSignal = make(chan struct{})
	s.mu.Unlock()
}

// newEvent starts an event with the core header block and the next
// Event-Sequence. Caller holds s.mu and must fire it right away.
func (s *Server) newEvent(name, subclass, file, fn string, line int) *event {
	e := &event{}
	if subclass != "" {
		e.add("Event-Subclass", subclass)
	}
	e.add("Event-Name", name)
	s.addCore(e, file, fn, line)
	return e
}

func (s *Server) addCore(e *event, file, fn string, line int) {
	now := time.Now()
	e.add("Core-UUID", s.coreUUID)
	e.add("FreeSWITCH-Hostname", s.opts.Hostname)
	e.add("FreeSWITCH-Switchname", s.opts.Hostname)
	e.add("FreeSWITCH-IPv4", "127.0.0.1")
	e.add("FreeSWITCH-IPv6", "::1")
	e.add("Event-Date-Local", now.Format("2006-01-02 15:04:05"))
	e.add("Event-Date-GMT", now.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT"))
	e.add("Event-Date-Timestamp", fmt.Sprint(now.UnixMicro()))
	e.add("Event-Calling-File", file)
	e.add("Event-Calling-Function", fn)
	e.add("Event-Calling-Line-Number", fmt.Sprint(line))
	s.seq++
	e.add("Event-Sequence", fmt.Sprint(s.seq))
}

// fire queues e to every subscribed connection. Caller holds s.mu.
func (s *Server) fire(e *event) { s.fireAs(e, e.get("Event-Name"), e.get("Event-Subclass")) }

// fireAs queues e, filtering as event name/subclass (which need not match
// its headers: PRIVATE_COMMAND starts with Event-Name COMMAND).
func (s *Server) fireAs(e *event, name, sub string) {
	var plain, js []byte
	for c := range s.conns {
		if !c.authed || !c.filter.matches(name, sub) {
			continue
		}
		if c.filter.json {
			if js == nil {
				js = e.jsonFrame()
			}
			c.enqueue(js)
		} else {
			if plain == nil {
				plain = e.plainFrame()
			}
			c.enqueue(plain)
		}
	}
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
