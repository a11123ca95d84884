package eslfake

import (
	"bufio"
	"crypto/subtle"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// filter is a connection's event subscription.
type filter struct {
	on   bool // an event command was accepted
	json bool
	sub  Subscription
}

func (f *filter) any() bool { return f.on }

func (f *filter) matches(name, subclass string) bool { return f.sub.Matches(name, subclass) }

// conn is one client connection. Writes go through a queue drained by a
// single writer goroutine so a slow client never blocks the state machine.
type conn struct {
	nc net.Conn

	qmu        sync.Mutex
	queue      [][]byte
	notify     chan struct{}
	closeAfter bool // close once the queue is flushed
	dead       bool

	// guarded by Server.mu
	authed bool
	filter filter
}

func newConn(nc net.Conn) *conn { return &conn{nc: nc, notify: make(chan struct{}, 1)} }

func (c *conn) enqueue(b []byte) {
	c.qmu.Lock()
	if !c.dead && !c.closeAfter {
		c.queue = append(c.queue, b)
	}
	c.qmu.Unlock()
	c.wake()
}

func (c *conn) wake() {
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// finish queues the last bytes and closes the connection after writing them.
func (c *conn) finish(last []byte) {
	c.qmu.Lock()
	if !c.dead && !c.closeAfter {
		c.queue = append(c.queue, last)
		c.closeAfter = true
	}
	c.qmu.Unlock()
	c.wake()
}

func (c *conn) abort() {
	c.qmu.Lock()
	c.dead = true
	c.queue = nil
	c.qmu.Unlock()
	c.nc.Close()
	c.wake()
}

func (c *conn) writeLoop() {
	for range c.notify {
		c.qmu.Lock()
		q, closeAfter, dead := c.queue, c.closeAfter, c.dead
		c.queue = nil
		c.qmu.Unlock()
		if dead {
			return
		}
		for _, b := range q {
			if _, err := c.nc.Write(b); err != nil {
				c.abort()
				return
			}
		}
		if closeAfter {
			c.qmu.Lock()
			rest := len(c.queue)
			c.qmu.Unlock()
			if rest == 0 {
				c.abort()
				return
			}
			c.wake()
		}
	}
}

// readCommand reads one command: its lines up to the blank line, and a body
// when a Content-Length header is present (sendevent).
func readCommand(r *bufio.Reader) (line string, hdrs []header, body []byte, err error) {
	first := true
	for {
		l, err := r.ReadString('\n')
		if err != nil {
			return "", nil, nil, err
		}
		l = strings.TrimRight(l, "\r\n")
		if l == "" {
			if first {
				continue // stray blank lines between commands
			}
			break
		}
		if first {
			line, first = l, false
			continue
		}
		name, value, _ := strings.Cut(l, ":")
		hdrs = append(hdrs, header{strings.TrimSpace(name), strings.TrimSpace(value)})
	}
	for _, h := range hdrs {
		if strings.EqualFold(h.name, "Content-Length") {
			n, err := strconv.Atoi(h.value)
			if err != nil || n < 0 || n > 1<<20 {
				return "", nil, nil, fmt.Errorf("bad content-length %q", h.value)
			}
			body = make([]byte, n)
			if _, err := io.ReadFull(r, body); err != nil {
				return "", nil, nil, err
			}
		}
	}
	return line, hdrs, body, nil
}

func commandReply(text string) []byte {
	return []byte("Content-Type: command/reply\nReply-Text: " + text + "\n\n")
}

func apiResponse(body string) []byte {
	return []byte("Content-Type: api/response\nContent-Length: " + strconv.Itoa(len(body)) + "\n\n" + body)
}

func (s *Server) serve(c *conn) {
	finished := false // after exit/bad auth the writer closes once flushed
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		if !finished {
			c.abort()
		}
	}()
	c.enqueue([]byte("Content-Type: auth/request\n\n"))
	r := bufio.NewReader(c.nc)
	for {
		line, hdrs, body, err := readCommand(r)
		if err != nil {
			return
		}
		cmd, arg, _ := strings.Cut(line, " ")
		cmd = strings.ToLower(cmd)
		// At debug: demo mode's INFO log stays readable; CALLBOARD_LOG_LEVEL=debug
		// shows what reached the PBX (the browser tests run the demo so).
		if cmd == "auth" {
			s.log.Debug("esl fake command", "line", "auth ***")
		} else {
			s.log.Debug("esl fake command", "line", line)
		}
		s.mu.Lock()
		authed := c.authed
		s.mu.Unlock()
		switch {
		case cmd == "exit":
			c.finish(append(commandReply("+OK bye"), disconnectNotice...))
			finished = true
			return
		case !authed && cmd == "auth":
			if subtle.ConstantTimeCompare([]byte(arg), []byte(s.opts.Password)) != 1 {
				c.finish(append(commandReply("-ERR invalid"), disconnectNotice...))
				finished = true
				return
			}
			s.mu.Lock()
			c.authed = true
			s.mu.Unlock()
			c.enqueue(commandReply("+OK accepted"))
			continue
		case !authed:
			c.enqueue([]byte(replyNotFound))
			continue
		}
		s.recordCommand(line)
		switch cmd {
		case "event":
			s.subscribe(c, arg)
		case "noevents":
			s.mu.Lock()
			c.filter = filter{json: c.filter.json}
			s.mu.Unlock()
			c.enqueue(commandReply("+OK no longer listening for events"))
		case "api":
			s.stallReply()
			c.enqueue(apiResponse(s.API(arg)))
		case "bgapi":
			s.stallReply()
			job := newUUID()
			c.enqueue(commandReply("+OK Job-UUID: " + job + "\nJob-UUID: " + job))
			s.backgroundJob(job, arg)
		case "sendevent":
			c.enqueue(commandReply("+OK " + s.sendEvent(arg, hdrs, body)))
		default:
			c.enqueue([]byte(replyNotFound))
		}
	}
}

func (s *Server) stallReply() {
	if d := time.Duration(s.stall.Load()); d > 0 {
		select {
		case <-time.After(d):
		case <-s.closing:
		}
	}
}

// subscribe handles "event plain|json NAMES... [CUSTOM sub...]". Like
// FreeSWITCH, successive event commands add to the subscription. The reply
// is queued under the same lock that turns the filter on, so no event can
// overtake it (events are queued under s.mu too).
func (s *Server) subscribe(c *conn, arg string) {
	format, sub := ParseSubscription(arg)
	if format != "plain" && format != "json" {
		c.enqueue(commandReply("-ERR invalid event format"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &c.filter
	f.json, f.on = format == "json", true
	f.sub.add(sub)
	c.enqueue(commandReply("+OK event listener enabled " + format))
}

// backgroundJob runs a bgapi command and fires its BACKGROUND_JOB event.
func (s *Server) backgroundJob(job, arg string) {
	out := s.API(arg)
	cmd, cmdArg, _ := strings.Cut(arg, " ")
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.newEvent("BACKGROUND_JOB", "", "mod_event_socket.c", "api_exec", 1572)
	e.add("Job-UUID", job)
	e.add("Job-Command", cmd)
	if cmdArg != "" {
		e.add("Job-Command-Arg", cmdArg)
	}
	e.body = []byte(out)
	s.fire(e)
}
