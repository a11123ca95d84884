package esltrace

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Template is one captured event frame, ready to be re-rendered with a new
// Event-Sequence and per-loop UUIDs.
type Template struct {
	Name     string // Event-Name (the first one: PRIVATE_COMMAND starts with COMMAND)
	Subclass string // Event-Subclass, URL-decoded
	Seq      uint64 // the captured Event-Sequence
	body     []byte // the event text (inside the outer frame)
	seqStart int    // offset of the Event-Sequence value in body
	seqEnd   int
	uuids    []int // offsets of UUIDs in body
}

var errNoSeq = errors.New("event without Event-Sequence")

var uuidRe = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// Load extracts the text/event-plain frames of a raw ESL capture.
func Load(path string) ([]Template, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load trace: %w", err)
	}
	r := bufio.NewReader(bytes.NewReader(raw))
	var out []Template
	for {
		hdr, body, err := readFrame(r)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("load trace %s: %w", path, err)
		}
		if hdr["Content-Type"] != "text/event-plain" {
			continue
		}
		t, err := newTemplate(body)
		if err == errNoSeq {
			continue // a sendevent re-fired by a channel: it cannot be re-sequenced
		}
		if err != nil {
			return nil, fmt.Errorf("load trace %s: %w", path, err)
		}
		out = append(out, t)
	}
}

func readFrame(r *bufio.Reader) (map[string]string, []byte, error) {
	hdr := map[string]string{}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			if err == io.EOF && line == "" && len(hdr) == 0 {
				return nil, nil, io.EOF
			}
			return nil, nil, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			if len(hdr) == 0 {
				continue
			}
			break
		}
		k, v, _ := strings.Cut(line, ":")
		hdr[k] = strings.TrimSpace(v)
	}
	var body []byte
	if cl := hdr["Content-Length"]; cl != "" {
		n, err := strconv.Atoi(cl)
		if err != nil {
			return nil, nil, fmt.Errorf("content-length %q: %w", cl, err)
		}
		body = make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil {
			return nil, nil, err
		}
	}
	return hdr, body, nil
}

func newTemplate(body []byte) (Template, error) {
	t := Template{body: body}
	for _, line := range strings.Split(string(body), "\n") {
		if line == "" {
			break
		}
		k, v, _ := strings.Cut(line, ": ")
		switch {
		case k == "Event-Name" && t.Name == "":
			t.Name = v
		case k == "Event-Subclass" && t.Subclass == "":
			t.Subclass, _ = url.PathUnescape(v)
		}
	}
	i := bytes.Index(body, []byte("\nEvent-Sequence: "))
	if i < 0 {
		return t, errNoSeq
	}
	t.seqStart = i + len("\nEvent-Sequence: ")
	t.seqEnd = t.seqStart + bytes.IndexByte(body[t.seqStart:], '\n')
	seq, err := strconv.ParseUint(string(body[t.seqStart:t.seqEnd]), 10, 64)
	if err != nil {
		return t, fmt.Errorf("event %s: Event-Sequence: %w", t.Name, err)
	}
	t.Seq = seq
	for _, loc := range uuidRe.FindAllIndex(body, -1) {
		t.uuids = append(t.uuids, loc[0])
	}
	return t, nil
}

// Append renders the frame (outer headers included) for loop number loop
// (>= 1) with Event-Sequence seq and appends it to dst.
func (t *Template) Append(dst []byte, loop uint32, seq uint64) []byte {
	var num [20]byte
	seqText := strconv.AppendUint(num[:0], seq, 10)
	delta := len(seqText) - (t.seqEnd - t.seqStart)
	dst = append(dst, "Content-Length: "...)
	dst = strconv.AppendInt(dst, int64(len(t.body)+delta), 10)
	dst = append(dst, "\nContent-Type: text/event-plain\n\n"...)
	start := len(dst)
	dst = append(dst, t.body[:t.seqStart]...)
	dst = append(dst, seqText...)
	dst = append(dst, t.body[t.seqEnd:]...)
	var prefix [8]byte
	hexPrefix(&prefix, loop)
	for _, off := range t.uuids {
		if off >= t.seqEnd {
			off += delta
		}
		copy(dst[start+off:], prefix[:])
	}
	return dst
}

func hexPrefix(p *[8]byte, v uint32) {
	const digits = "0123456789abcdef"
	for i := 7; i >= 0; i-- {
		p[i] = digits[v&0xf]
		v >>= 4
	}
}
