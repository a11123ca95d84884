package wsload

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Format is how a server words a member's talking change.
type Format int

const (
	// Callboard deltas: {"op":"upsert","kind":"member","key":"fs1/conf/id","value":{..."talking":true...}}.
	Callboard Format = iota
	// RawEvent: one ESL event per message, as JSON of its headers (the seeds' relay).
	RawEvent
)

// Tracker records when each member's talking flag was flipped at the PBX.
type Tracker struct {
	mu    sync.RWMutex
	sends map[string][]send
}

type send struct {
	at       time.Time
	talking  bool
	measured bool
}

func NewTracker() *Tracker { return &Tracker{sends: map[string][]send{}} }

// Sent records a flip of key (a member key "fs1/conf/id") to talking.
func (t *Tracker) Sent(key string, talking bool, at time.Time, measured bool) {
	t.mu.Lock()
	t.sends[key] = append(t.sends[key], send{at: at, talking: talking, measured: measured})
	t.mu.Unlock()
}

// match finds the earliest flip of key to talking at or after index from.
func (t *Tracker) match(key string, talking bool, from int) (send, int, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	s := t.sends[key]
	for i := from; i < len(s); i++ {
		if s[i].talking == talking {
			return s[i], i, true
		}
	}
	return send{}, from, false
}

// unmatched counts measured flips of key from index from on.
func (t *Tracker) unmatched(key string, from int) int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	n := 0
	for _, s := range t.sends[key][min(from, len(t.sends[key])):] {
		if s.measured {
			n++
		}
	}
	return n
}

func (t *Tracker) keys() []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]string, 0, len(t.sends))
	for k := range t.sends {
		out = append(out, k)
	}
	return out
}

// Client is one websocket connection.
type Client struct {
	conn    *websocket.Conn
	sampled bool
	format  Format
	node    string
	tracker *Tracker

	mu        sync.Mutex
	next      map[string]int // key -> index of the next flip to match
	latencies []time.Duration
	bytes     atomic.Int64
	msgs      atomic.Int64
	done      chan struct{}
	err       error
}

// Dial connects one client and waits for its first message (the snapshot
// for callboard). header carries the session cookie.
func Dial(ctx context.Context, url string, header http.Header, format Format, node string, sampled bool, tr *Tracker) (*Client, error) {
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 32 << 10}
	conn, resp, err := d.DialContext(ctx, url, header)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial %s: %w (HTTP %d)", url, err, resp.StatusCode)
		}
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	conn.SetReadLimit(256 << 20)
	c := &Client{conn: conn, sampled: sampled, format: format, node: node, tracker: tr, next: map[string]int{}, done: make(chan struct{})}
	if format == Callboard {
		_ = conn.SetReadDeadline(time.Now().Add(60 * time.Second))
		_, r, err := conn.NextReader()
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("read snapshot: %w", err)
		}
		n, _ := io.Copy(io.Discard, r)
		c.bytes.Add(n)
		_ = conn.SetReadDeadline(time.Time{})
	}
	go c.read()
	return c, nil
}

func (c *Client) read() {
	defer close(c.done)
	for {
		if !c.sampled {
			_, r, err := c.conn.NextReader()
			if err != nil {
				c.err = err
				return
			}
			n, _ := io.Copy(io.Discard, r)
			c.bytes.Add(n)
			c.msgs.Add(1)
			continue
		}
		_, msg, err := c.conn.ReadMessage()
		if err != nil {
			c.err = err
			return
		}
		now := time.Now()
		c.bytes.Add(int64(len(msg)))
		c.msgs.Add(1)
		if c.format == Callboard {
			c.scanDelta(msg, now)
		} else {
			c.scanEvent(msg, now)
		}
	}
}

var memberOp = []byte(`{"op":"upsert","kind":"member","key":"`)
var talkingField = []byte(`"talking":`)

func (c *Client) scanDelta(msg []byte, now time.Time) {
	for {
		i := bytes.Index(msg, memberOp)
		if i < 0 {
			return
		}
		msg = msg[i+len(memberOp):]
		end := bytes.IndexByte(msg, '"')
		if end < 0 {
			return
		}
		key := string(msg[:end])
		j := bytes.Index(msg, talkingField)
		if j < 0 {
			return
		}
		c.observe(key, bytes.HasPrefix(msg[j+len(talkingField):], []byte("true")), now)
		msg = msg[j:]
	}
}

func jsonField(msg []byte, name string) []byte {
	pat := []byte(`"` + name + `":"`)
	i := bytes.Index(msg, pat)
	if i < 0 {
		return nil
	}
	v := msg[i+len(pat):]
	if end := bytes.IndexByte(v, '"'); end >= 0 {
		return v[:end]
	}
	return nil
}

func (c *Client) scanEvent(msg []byte, now time.Time) {
	action := jsonField(msg, "Action")
	var talking bool
	switch string(action) {
	case "start-talking":
		talking = true
	case "stop-talking":
	default:
		return
	}
	conf, id := jsonField(msg, "Conference-Name"), jsonField(msg, "Member-ID")
	if conf == nil || id == nil {
		return
	}
	c.observe(c.node+"/"+string(conf)+"/"+string(id), talking, now)
}

func (c *Client) observe(key string, talking bool, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, i, ok := c.tracker.match(key, talking, c.next[key])
	if !ok {
		return
	}
	c.next[key] = i + 1
	if s.measured {
		c.latencies = append(c.latencies, now.Sub(s.at))
	}
}

// Result is what one client measured.
type Result struct {
	Latencies   []time.Duration
	Undelivered int // measured flips never seen
	Bytes       int64
	Messages    int64
}

// Close ends the connection and returns what the client measured.
func (c *Client) Close() Result {
	_ = c.conn.Close()
	<-c.done
	c.mu.Lock()
	defer c.mu.Unlock()
	r := Result{Latencies: c.latencies, Bytes: c.bytes.Load(), Messages: c.msgs.Load()}
	if c.sampled {
		for _, k := range c.tracker.keys() {
			r.Undelivered += c.tracker.unmatched(k, c.next[k])
		}
	}
	return r
}

// Err is the read error that ended the client early, if any.
func (c *Client) Err() error {
	select {
	case <-c.done:
		return c.err
	default:
		return nil
	}
}

// Login signs in and returns the headers a websocket or REST client sends:
// the session cookie, and the CSRF token for state-changing requests.
func Login(ctx context.Context, base, user, password string) (cookie http.Header, csrf string, err error) {
	body := bytes.NewBufferString(`{"username":` + strconv.Quote(user) + `,"password":` + strconv.Quote(password) + `}`)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/auth/login", body)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("login: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("login: HTTP %d: %s", resp.StatusCode, b)
	}
	h := http.Header{}
	for _, ck := range resp.Cookies() {
		h.Add("Cookie", ck.Name+"="+ck.Value)
	}
	return h, string(jsonField(b, "csrfToken")), nil
}
