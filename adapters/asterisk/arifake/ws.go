package arifake

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Asterisk does not check Origin; the native client sends http://localhost/.
var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// wsConn is one /ari/events subscriber with an unbounded outgoing queue, so
// that a flood is delivered in full however slowly the client reads.
type wsConn struct {
	ws           *websocket.Conn
	apps         []string
	subscribeAll bool

	mu     sync.Mutex
	queue  [][]byte
	wake   chan struct{}
	closed bool
}

func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	app := r.URL.Query().Get("app")
	if app == "" {
		writeMessage(w, http.StatusBadRequest, "Missing parameter app")
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader already answered
	}
	c := &wsConn{ws: ws, apps: strings.Split(app, ","), subscribeAll: r.URL.Query().Get("subscribeAll") == "true", wake: make(chan struct{}, 1)}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	go c.writeLoop()
	// Read until the client goes away; answer its close frame like Asterisk.
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			break
		}
	}
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.shut()
}

func (c *wsConn) enqueue(b []byte) {
	c.mu.Lock()
	if !c.closed {
		c.queue = append(c.queue, b)
	}
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *wsConn) shut() {
	c.mu.Lock()
	already := c.closed
	c.closed = true
	c.mu.Unlock()
	if !already {
		_ = c.ws.Close()
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
}

func (c *wsConn) writeLoop() {
	for range c.wake {
		c.mu.Lock()
		batch, closed := c.queue, c.closed
		c.queue = nil
		c.mu.Unlock()
		if closed {
			return
		}
		for _, b := range batch {
			_ = c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
				c.shut()
				return
			}
		}
	}
}

func (s *Server) appConnectedLocked(app string) bool {
	for c := range s.conns {
		for _, a := range c.apps {
			if a == app {
				return true
			}
		}
	}
	return false
}

// emitLocked sends one event of type typ to every subscriber, adding the
// envelope fields (type, timestamp, asterisk_id, application).
func (s *Server) emitLocked(typ string, fields map[string]any) {
	if s.lose != nil && s.lose(typ) {
		return
	}
	ev := make(map[string]any, len(fields)+4)
	for k, v := range fields {
		ev[k] = v
	}
	ev["type"] = typ
	ev["timestamp"] = stamp(time.Now())
	ev["asterisk_id"] = s.opts.EntityID
	for c := range s.conns {
		ev["application"] = c.apps[0]
		b, err := json.Marshal(ev)
		if err != nil {
			s.log.Error("arifake marshal event", "type", typ, "err", err)
			return
		}
		c.enqueue(b)
	}
}

// DropWebsockets cuts every events connection without a close frame, as an
// Asterisk restart or crash does (the client sees 1006).
func (s *Server) DropWebsockets() {
	s.mu.Lock()
	conns := make([]*wsConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
		delete(s.conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.shut()
	}
}

// Subscribers is the number of connected events websockets.
func (s *Server) Subscribers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}
