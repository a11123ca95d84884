package eslfake

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tracesDir holds the real FreeSWITCH captures, shared with the adapter's
// tests (see its README.md).
const tracesDir = "../testdata"

func traceFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(tracesDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// frame is one ESL frame as a raw client sees it.
type frame struct {
	outer map[string]string
	body  []byte
	raw   []byte
}

// eventHeaders parses an event-plain body into ordered headers.
func (f frame) event() (hs []header, body []byte) {
	head, rest, _ := bytes.Cut(f.body, []byte("\n\n"))
	for _, l := range strings.Split(string(head), "\n") {
		k, v, _ := strings.Cut(l, ": ")
		hs = append(hs, header{k, v})
	}
	return hs, rest
}

func firstValue(hs []header, name string) string {
	for _, h := range hs {
		if h.name == name {
			return h.value
		}
	}
	return ""
}

type client struct {
	t  *testing.T
	nc net.Conn
	r  *bufio.Reader
}

func newServer(t *testing.T) *Server {
	t.Helper()
	s := New(Options{Password: "ClueCon"})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func dial(t *testing.T, s *Server) *client {
	t.Helper()
	nc, err := net.DialTimeout("tcp", s.Addr(), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	c := &client{t: t, nc: nc, r: bufio.NewReader(nc)}
	if f := c.read(); string(f.raw) != "Content-Type: auth/request\n\n" {
		t.Fatalf("greeting = %q", f.raw)
	}
	return c
}

// login dials, authenticates and optionally subscribes.
func login(t *testing.T, s *Server, sub string) *client {
	c := dial(t, s)
	c.expectRaw("auth ClueCon", "Content-Type: command/reply\nReply-Text: +OK accepted\n\n")
	if sub != "" {
		c.expectRaw(sub, "Content-Type: command/reply\nReply-Text: +OK event listener enabled plain\n\n")
	}
	return c
}

func (c *client) send(cmd string) {
	c.t.Helper()
	if _, err := io.WriteString(c.nc, cmd+"\n\n"); err != nil {
		c.t.Fatal(err)
	}
}

func (c *client) read() frame {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(3 * time.Second))
	var raw bytes.Buffer
	f := frame{outer: map[string]string{}}
	for {
		l, err := c.r.ReadString('\n')
		raw.WriteString(l)
		if err != nil {
			c.t.Fatalf("read frame: %v (got %q)", err, raw.String())
		}
		if l == "\n" {
			break
		}
		k, v, _ := strings.Cut(strings.TrimSuffix(l, "\n"), ": ")
		f.outer[k] = v
	}
	if n, ok := f.outer["Content-Length"]; ok {
		size, _ := strconv.Atoi(n)
		f.body = make([]byte, size)
		if _, err := io.ReadFull(c.r, f.body); err != nil {
			c.t.Fatalf("read body: %v", err)
		}
		raw.Write(f.body)
	}
	f.raw = raw.Bytes()
	return f
}

func (c *client) expectRaw(cmd, want string) {
	c.t.Helper()
	c.send(cmd)
	if got := string(c.read().raw); got != want {
		c.t.Fatalf("%s: got %q, want %q", cmd, got, want)
	}
}

// api sends "api cmd" and returns the body, skipping nothing (the client must
// not be subscribed, or use readEvent to drain events).
func (c *client) api(cmd string) string {
	c.t.Helper()
	c.send("api " + cmd)
	for {
		f := c.read()
		if f.outer["Content-Type"] == "api/response" {
			return string(f.body)
		}
	}
}

// nextEvent returns the next event whose headers satisfy match.
func (c *client) nextEvent(match func([]header) bool) ([]header, []byte) {
	c.t.Helper()
	for {
		f := c.read()
		if f.outer["Content-Type"] != "text/event-plain" {
			continue
		}
		hs, body := f.event()
		if match(hs) {
			return hs, body
		}
	}
}

func named(name string) func([]header) bool {
	return func(hs []header) bool {
		return firstValue(hs, "Event-Name") == name || firstValue(hs, "Action") == name
	}
}

// expectEOF asserts the server closes the connection after the bytes read.
func (c *client) expectEOF() {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(2 * time.Second))
	if b, err := c.r.ReadByte(); err != io.EOF {
		c.t.Fatalf("want EOF, got %q %v", b, err)
	}
}

// replies holds the real replies per command, in capture order.
type replies map[string][]string

// next pops the next real reply to cmd (the last one repeats).
func (r replies) next(t *testing.T, cmd string) string {
	t.Helper()
	rs := r[cmd]
	if len(rs) == 0 {
		t.Fatalf("%q not in commands.jsonl", cmd)
	}
	if len(rs) > 1 {
		r[cmd] = rs[1:]
	}
	return rs[0]
}

// realCommands maps each sent command (without the trailing blank line) to
// the real replies from the control connection in commands.jsonl.
func realCommands(t *testing.T) replies {
	t.Helper()
	out := replies{}
	for _, l := range bytes.Split(bytes.TrimSpace(traceFile(t, "commands.jsonl")), []byte("\n")) {
		var o struct{ Sent, Reply, Conn string }
		if err := json.Unmarshal(l, &o); err != nil {
			t.Fatal(err)
		}
		if o.Conn == "ctl" {
			key := strings.TrimSuffix(o.Sent, "\n\n")
			out[key] = append(out[key], o.Reply)
		}
	}
	return out
}

// realEvents parses every event in a plain trace.
func realEvents(t *testing.T, name string) [][]header {
	t.Helper()
	data := traceFile(t, name)
	var out [][]header
	for len(data) > 0 {
		head, rest, ok := bytes.Cut(data, []byte("\n\n"))
		if !ok {
			break
		}
		outer := map[string]string{}
		for _, l := range strings.Split(string(head), "\n") {
			k, v, _ := strings.Cut(l, ": ")
			outer[k] = v
		}
		n, _ := strconv.Atoi(outer["Content-Length"])
		body := rest[:n]
		data = rest[n:]
		if outer["Content-Type"] == "text/event-plain" {
			hs, _ := frame{body: body}.event()
			out = append(out, hs)
		}
	}
	return out
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}
