package freeswitch

import (
	"bytes"
	"strconv"
)

// wireScanner follows the ESL byte stream as eslgo's single receive loop
// reads it and reports, in wire order, the Event-Sequence of every plain
// event frame. eslgo then hands events over from one goroutine each, in any
// order; knowing the wire order lets the reorder buffer release each event as
// soon as every event sent before it has arrived, instead of holding gaps in
// the sequence (normal with a filtered subscription) for the whole window.
//
// It only scans: outer header lines and the start of each line of an event's
// header block (bounded buffers, no per-header allocation). If it ever
// misreads the stream, the reorder buffer's time window still bounds the wait.
type wireScanner struct {
	onSeqs func([]uint64)

	inBody  bool
	line    []byte // current outer header line (bounded)
	length  int    // Content-Length of the current frame
	isEvent bool   // Content-Type: text/event-plain

	remaining int    // body bytes left
	looking   bool   // an event body whose Event-Sequence is not found yet
	acc       []byte // the event's bytes so far, while looking (bounded)
	searched  int    // acc[:searched] holds no complete match
	found     []uint64
	skipLine  bool // current outer line overflowed: ignore it
}

const (
	maxOuterLine = 256
	seqHeader    = "\nEvent-Sequence: "
	maxAcc       = 16 << 10 // Event-Sequence comes within the first ~1 KiB
)

func newWireScanner(onSeqs func([]uint64)) *wireScanner {
	return &wireScanner{onSeqs: onSeqs, line: make([]byte, 0, maxOuterLine)}
}

// feed consumes the next bytes read from the connection.
func (w *wireScanner) feed(p []byte) {
	w.found = w.found[:0]
	for len(p) > 0 {
		if w.inBody {
			p = w.body(p)
		} else {
			p = w.outer(p)
		}
	}
	if len(w.found) > 0 {
		w.onSeqs(w.found)
	}
}

func (w *wireScanner) outer(p []byte) []byte {
	i := bytes.IndexByte(p, '\n')
	chunk := p
	if i >= 0 {
		chunk = p[:i]
	}
	if len(w.line)+len(chunk) > maxOuterLine {
		w.skipLine = true
	} else {
		w.line = append(w.line, chunk...)
	}
	if i < 0 {
		return nil
	}
	line := bytes.TrimSuffix(w.line, []byte("\r"))
	switch {
	case w.skipLine:
	case len(line) == 0:
		w.endHeaders()
	case bytes.HasPrefix(line, []byte("Content-Length: ")):
		w.length, _ = strconv.Atoi(string(bytes.TrimSpace(line[len("Content-Length: "):])))
	case bytes.HasPrefix(line, []byte("Content-Type: ")):
		w.isEvent = string(bytes.TrimSpace(line[len("Content-Type: "):])) == "text/event-plain"
	}
	w.line, w.skipLine = w.line[:0], false
	return p[i+1:]
}

// endHeaders ends a frame's outer headers: its body follows, if any.
func (w *wireScanner) endHeaders() {
	if w.length > 0 {
		w.inBody, w.remaining = true, w.length
		w.looking, w.acc, w.searched = w.isEvent, w.acc[:0], 0
	}
	w.length, w.isEvent = 0, false
}

// body skips the frame's body; in an event it finds the first
// Event-Sequence header (one bytes.Index over what arrived so far).
func (w *wireScanner) body(p []byte) []byte {
	n := min(w.remaining, len(p))
	chunk, rest := p[:n], p[n:]
	w.remaining -= n
	if w.looking {
		w.acc = append(w.acc, chunk...)
		w.search()
	}
	if w.remaining == 0 {
		w.inBody, w.looking = false, false
	}
	return rest
}

func (w *wireScanner) search() {
	i := bytes.Index(w.acc[w.searched:], []byte(seqHeader))
	if i < 0 {
		w.searched = max(w.searched, len(w.acc)-len(seqHeader)+1)
		if len(w.acc) > maxAcc {
			w.looking = false // no Event-Sequence where it would be
		}
		return
	}
	start := w.searched + i
	digits := w.acc[start+len(seqHeader):]
	end := bytes.IndexByte(digits, '\n')
	if end < 0 {
		w.searched = start // the number continues in the next read
		return
	}
	w.looking = false
	if n, err := strconv.ParseUint(string(digits[:end]), 10, 64); err == nil && n > 0 {
		w.found = append(w.found, n)
	}
}
