package freeswitch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/percipia/eslgo"
)

// traceDir holds the real FreeSWITCH captures (see its README.md).
const traceDir = "testdata"

// tracePath names a capture in testdata; a missing file fails the test where
// it is read.
func tracePath(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(traceDir, name)
}

// traceEvents parses a .raw capture into events exactly as eslgo would: the
// outer frame by Content-Type/Content-Length, the inner text/event-plain body
// with textproto (canonical keys, raw URL-encoded values) and its own
// Content-Length body.
func traceEvents(t testing.TB, name string) []*eslgo.Event {
	t.Helper()
	data, err := os.ReadFile(tracePath(t, name))
	if err != nil {
		t.Fatal(err)
	}
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(data)))
	var out []*eslgo.Event
	for {
		h, err := r.ReadMIMEHeader()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: frame header: %v", name, err)
		}
		var body []byte
		if cl := h.Get("Content-Length"); cl != "" {
			n, err := strconv.Atoi(cl)
			if err != nil {
				t.Fatalf("%s: content-length %q", name, cl)
			}
			body = make([]byte, n)
			if _, err := io.ReadFull(r.R, body); err != nil {
				t.Fatalf("%s: frame body: %v", name, err)
			}
		}
		if h.Get("Content-Type") != "text/event-plain" {
			continue
		}
		out = append(out, plainEvent(t, body))
	}
	return out
}

// plainEvent parses one text/event-plain body like eslgo's readPlainEvent.
func plainEvent(t testing.TB, body []byte) *eslgo.Event {
	t.Helper()
	br := bufio.NewReader(bytes.NewReader(body))
	h, err := textproto.NewReader(br).ReadMIMEHeader()
	if err != nil && err != io.EOF {
		t.Fatalf("event header: %v", err)
	}
	ev := &eslgo.Event{Headers: h}
	if cl := h.Get("Content-Length"); cl != "" {
		n, err := strconv.Atoi(cl)
		if err != nil {
			t.Fatalf("event content-length %q", cl)
		}
		ev.Body = make([]byte, n)
		if _, err := io.ReadFull(br, ev.Body); err != nil {
			t.Fatalf("event body: %v", err)
		}
	}
	return ev
}

// traceReply returns the api/response body of the first command in a
// commands*.jsonl capture whose sent line (without "api " and the blank
// line) equals cmd, skipping the first skip matches.
func traceReply(t testing.TB, file, cmd string, skip int) string {
	t.Helper()
	data, err := os.ReadFile(tracePath(t, file))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var rec struct{ Sent, Reply string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if strings.TrimSpace(rec.Sent) != "api "+cmd {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		_, body, ok := strings.Cut(rec.Reply, "\n\n")
		if !ok {
			t.Fatalf("%s: reply to %q has no header end", file, cmd)
		}
		return body
	}
	t.Fatalf("%s: no command %q", file, cmd)
	return ""
}
