package esltrace

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
)

// MarkerPrefix is the UUID prefix of the marker event sent after the
// measured stream: a CHANNEL_CREATE whose uuid starts with it.
const MarkerPrefix = "ffffffff-"

// Replayer is a one-connection ESL server that, once the client is ready,
// streams Events filtered frames of the trace at full speed, then a marker.
type Replayer struct {
	Templates []Template
	Password  string
	Events    int    // measured frames to send (after filtering)
	StartOn   string // "event" (after subscribing) or "conference json_list" (after the adapter's snapshot)

	ln   net.Listener
	done chan struct{}

	mu      sync.Mutex
	started time.Time
	err     error
}

// Start listens on a loopback port and serves exactly one client.
func (r *Replayer) Start() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("replayer listen: %w", err)
	}
	r.ln, r.done = ln, make(chan struct{})
	go r.serve()
	return nil
}

// Addr is the listen address.
func (r *Replayer) Addr() string { return r.ln.Addr().String() }

// Close stops the server.
func (r *Replayer) Close() { _ = r.ln.Close() }

// Done is closed once the whole stream (and the marker) is written.
func (r *Replayer) Done() <-chan struct{} { return r.done }

// Started is when the first event byte was written, and any stream error.
func (r *Replayer) Started() (time.Time, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.started, r.err
}

func (r *Replayer) serve() {
	nc, err := r.ln.Accept()
	if err != nil {
		r.fail(err)
		close(r.done)
		return
	}
	_ = r.ln.Close()
	defer nc.Close()
	w := bufio.NewWriterSize(nc, 256<<10)
	var wmu sync.Mutex
	write := func(s string) {
		wmu.Lock()
		_, _ = w.WriteString(s)
		_ = w.Flush()
		wmu.Unlock()
	}
	write("Content-Type: auth/request\n\n")
	br := bufio.NewReader(nc)
	streaming := false
	var filter eslfake.Subscription
	for {
		line, err := readCommandLine(br)
		if err != nil {
			if !streaming {
				r.fail(err)
				close(r.done)
			}
			return
		}
		cmd, arg, _ := strings.Cut(line, " ")
		reply := ""
		switch strings.ToLower(cmd) {
		case "auth":
			if arg != r.Password {
				write("Content-Type: command/reply\nReply-Text: -ERR invalid\n\n")
				return
			}
			reply = "Content-Type: command/reply\nReply-Text: +OK accepted\n\n"
		case "event":
			_, filter = eslfake.ParseSubscription(arg)
			reply = "Content-Type: command/reply\nReply-Text: +OK event listener enabled plain\n\n"
		case "api":
			reply = apiReply(arg)
		case "exit":
			write("Content-Type: command/reply\nReply-Text: +OK bye\n\n")
			return
		default:
			reply = "Content-Type: command/reply\nReply-Text: -ERR command not found\n\n"
		}
		write(reply)
		if !streaming && strings.HasPrefix(line, firstWordCmd(r.StartOn)) && strings.Contains(line, r.StartOn) {
			streaming = true
			go r.stream(w, &wmu, filter)
		}
	}
}

func firstWordCmd(startOn string) string {
	if startOn == "event" {
		return "event"
	}
	return "api"
}

func apiReply(arg string) string {
	body := "-ERR no such command\n"
	switch {
	case strings.HasPrefix(arg, "show channels as json"), strings.HasPrefix(arg, "show calls as json"):
		body = "{\"row_count\": 0}\n"
	case strings.HasPrefix(arg, "conference json_list"):
		body = "[]"
	case strings.HasPrefix(arg, "status"):
		body = "UP 0 years, 0 days, 0 hours, 1 minute, 0 seconds\nFreeSWITCH (Version 1.10.12-release 64bit) is ready\n"
	}
	return fmt.Sprintf("Content-Type: api/response\nContent-Length: %d\n\n%s", len(body), body)
}

func readCommandLine(br *bufio.Reader) (string, error) {
	first := ""
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			return "", err
		}
		l = strings.TrimRight(l, "\r\n")
		if l == "" {
			if first == "" {
				continue
			}
			return first, nil
		}
		if first == "" {
			first = l
		}
	}
}

func (r *Replayer) fail(err error) {
	r.mu.Lock()
	if r.err == nil {
		r.err = err
	}
	r.mu.Unlock()
}

// stream writes r.Events matching frames, looping over the trace, in
// chunks of ~64 KiB, then the marker.
func (r *Replayer) stream(w *bufio.Writer, wmu *sync.Mutex, f eslfake.Subscription) {
	defer close(r.done)
	var picked []*Template
	var marker *Template
	for i := range r.Templates {
		t := &r.Templates[i]
		if f.Matches(t.Name, t.Subclass) {
			picked = append(picked, t)
		}
		if marker == nil && t.Name == "CHANNEL_CREATE" {
			marker = t
		}
	}
	if len(picked) == 0 || marker == nil {
		r.fail(fmt.Errorf("no trace event matches the subscription"))
		return
	}
	// Sequence numbers keep the capture's spacing (filtered-out events leave
	// the same gaps as on the real server) and keep increasing across loops.
	// (FreeSWITCH itself sends a few events out of sequence order: kept.)
	first, last := r.Templates[0].Seq, r.Templates[0].Seq
	for _, t := range r.Templates {
		first, last = min(first, t.Seq), max(last, t.Seq)
	}
	base := uint64(1000)
	seq := base
	buf := make([]byte, 0, 96<<10)
	sent := 0
	loop := uint32(1)
	r.mu.Lock()
	r.started = time.Now()
	r.mu.Unlock()
	flush := func() bool {
		wmu.Lock()
		_, err := w.Write(buf)
		if err == nil {
			err = w.Flush()
		}
		wmu.Unlock()
		buf = buf[:0]
		if err != nil {
			r.fail(err)
			return false
		}
		return true
	}
	for sent < r.Events {
		for _, t := range picked {
			if sent == r.Events {
				break
			}
			seq = base + t.Seq - first
			buf = t.Append(buf, loop, seq)
			sent++
			if len(buf) >= 64<<10 && !flush() {
				return
			}
		}
		loop++
		base += last - first + 1
	}
	seq += 2
	buf = marker.Append(buf, 0xffffffff, seq)
	flush()
}
