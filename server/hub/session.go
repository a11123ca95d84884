package hub

import (
	"context"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"github.com/olahol/melody"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/live"
)

// clientMessage is what a browser may send.
type clientMessage struct {
	Type string `json:"type"`
	Call string `json:"call"`
	On   bool   `json:"on"` // meters
}

// transcriptMessage is the answer to "open" (and part of a resync).
type transcriptMessage struct {
	Type  string                `json:"type"` // "transcript"
	From  uint64                `json:"from"`
	Seq   uint64                `json:"seq"`
	Call  string                `json:"call"`
	Lines []*adapters.Utterance `json:"lines"`
}

type errorMessage struct {
	Type    string `json:"type"` // "error"
	Message string `json:"message"`
}

func (h *Hub) queryCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), h.opts.QueryTimeout)
}

// onConnect registers the browser and sends its snapshot. Reading the
// snapshot and registering happen in one live-state Query, so the journal
// keeps every change after the snapshot's seq for this browser.
func (h *Hub) onConnect(s *melody.Session) {
	c := clientOf(s)
	if c == nil {
		return
	}
	c.sess = s
	ctx, cancel := h.queryCtx()
	defer cancel()
	var snap *live.Snapshot
	err := h.src.Query(ctx, func(v *live.View) {
		snap = v.Snapshot()
		c.covered.Store(snap.Seq)
		h.mu.Lock()
		h.clients[c] = struct{}{}
		h.mu.Unlock()
	})
	if err != nil {
		h.log.Warn("websocket snapshot failed", "err", err)
		_ = s.CloseWithMsg(melody.FormatCloseMessage(CloseInternalError, "live state unavailable"))
		return
	}
	h.sendSnapshot(c, snap, nil)
}

// CloseInternalError is the websocket close code sent when the server cannot
// produce a browser's snapshot; the browser reconnects.
const CloseInternalError = 1011

// sendSnapshot encodes a snapshot (and the transcripts re-sent with it)
// outside any lock but the browser's own, then ends the busy phase. A
// snapshot that cannot be encoded closes the websocket: the browser would
// otherwise wait forever, skipped by the flusher while busy.
func (h *Hub) sendSnapshot(c *client, snap *live.Snapshot, transcripts map[string][]*adapters.Utterance) {
	msg, err := h.encodeSnapshot(snap)
	if err != nil {
		h.log.Error("encode snapshot; closing the websocket", "remote", c.sess.Request.RemoteAddr, "err", err)
		h.closeClient(c, CloseInternalError, "snapshot unavailable")
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	h.write(c, msg)
	c.sent = snap.Seq
	for call, lines := range transcripts {
		b, err := json.Marshal(transcriptMessage{Type: "transcript", From: snap.Seq, Seq: snap.Seq, Call: call, Lines: lines})
		if err != nil {
			h.log.Error("encode transcript", "call", call, "err", err)
			continue
		}
		h.write(c, b)
		c.open[call] = snap.Seq
	}
	c.covered.Store(snap.Seq)
	c.busy = false
}

// encodeSnapshot returns the snapshot's JSON. Every change advances seq, so
// browsers that connect at the same seq (a reconnect storm after a restart
// or a network blip) share one encoding and one buffer instead of each
// marshalling and holding its own copy of a possibly large state.
func (h *Hub) encodeSnapshot(snap *live.Snapshot) ([]byte, error) {
	h.snapMu.Lock()
	defer h.snapMu.Unlock()
	if h.snapJSON != nil && h.snapSeq == snap.Seq {
		return h.snapJSON, nil
	}
	snap.Sort()
	msg, err := json.Marshal(snap)
	if err != nil {
		return nil, err
	}
	h.snapSeq, h.snapJSON = snap.Seq, msg
	return msg, nil
}

// write queues one message; a full melody queue ends up in dropSlow through
// onError. Callers hold c.mu.
func (h *Hub) write(c *client, msg []byte) {
	if c.closing.Load() {
		return
	}
	h.count(msg)
	_ = c.sess.Write(msg)
}

func (h *Hub) onMessage(s *melody.Session, data []byte) {
	c := clientOf(s)
	if c == nil {
		return
	}
	if !utf8.Valid(data) { // RFC 6455 8.1: a text frame is UTF-8; 1007 otherwise
		h.closeClient(c, websocket.CloseInvalidFramePayloadData, "invalid UTF-8")
		return
	}
	var m clientMessage
	if err := json.Unmarshal(data, &m); err != nil {
		h.sendError(c, "malformed message: "+err.Error())
		return
	}
	switch m.Type {
	case "resync":
		h.resync(c)
	case "open":
		if !validCallKey(m.Call) {
			h.sendError(c, "open: call must be \"<node>/<callId>\"")
			return
		}
		h.open(c, m.Call)
	case "meters":
		c.mu.Lock()
		c.meters = m.On
		c.mu.Unlock()
	case "close":
		c.mu.Lock()
		delete(c.open, m.Call)
		c.mu.Unlock()
	default:
		h.sendError(c, "unknown message type "+strconv.Quote(m.Type))
	}
}

func validCallKey(k string) bool {
	if len(k) < 3 || len(k) > 256 {
		return false
	}
	for i := 1; i < len(k)-1; i++ {
		if k[i] == '/' {
			return true
		}
	}
	return false
}

func (h *Hub) sendError(c *client, text string) {
	b, _ := json.Marshal(errorMessage{Type: "error", Message: text})
	c.mu.Lock()
	h.write(c, b)
	c.mu.Unlock()
}

// beginBusy stops the flusher from advancing this browser while a snapshot or
// transcript is read; it returns false if it is already busy.
func (c *client) beginBusy() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.busy {
		return false
	}
	c.busy = true
	return true
}

func (c *client) endBusy() {
	c.mu.Lock()
	c.busy = false
	c.mu.Unlock()
}

// resync sends a fresh snapshot and re-sends every open transcript.
func (h *Hub) resync(c *client) {
	if !c.beginBusy() {
		return
	}
	c.mu.Lock()
	calls := make([]string, 0, len(c.open))
	for k := range c.open {
		calls = append(calls, k)
	}
	c.mu.Unlock()
	ctx, cancel := h.queryCtx()
	defer cancel()
	var snap *live.Snapshot
	transcripts := make(map[string][]*adapters.Utterance, len(calls))
	err := h.src.Query(ctx, func(v *live.View) {
		snap = v.Snapshot()
		for _, k := range calls {
			transcripts[k], _ = v.Transcript(k)
		}
	})
	if err != nil {
		c.endBusy()
		h.sendError(c, "resync failed: live state unavailable")
		return
	}
	for k, lines := range transcripts {
		transcripts[k] = h.complete(k, lines)
	}
	h.sendSnapshot(c, snap, transcripts)
}

// open answers with the call's transcript and from then on includes the
// call's utterance changes newer than the transcript in this browser's deltas.
func (h *Hub) open(c *client, call string) {
	c.mu.Lock()
	_, already := c.open[call]
	tooMany := !already && len(c.open) >= h.opts.MaxOpen
	c.mu.Unlock()
	if tooMany {
		h.sendError(c, "too many open transcripts; close one first")
		return
	}
	if !c.beginBusy() {
		return
	}
	ctx, cancel := h.queryCtx()
	defer cancel()
	var lines []*adapters.Utterance
	var at uint64
	err := h.src.Query(ctx, func(v *live.View) {
		lines, _ = v.Transcript(call)
		at = v.Seq()
	})
	if err != nil {
		c.endBusy()
		h.sendError(c, "open failed: live state unavailable")
		return
	}
	lines = h.complete(call, lines)
	c.mu.Lock()
	defer c.mu.Unlock()
	// covered is frozen while busy and at >= covered, so the journal still
	// holds every utterance of this call after at. The message advances the
	// browser to covered, like a delta with only this transcript in it.
	covered := c.covered.Load()
	b, err := json.Marshal(transcriptMessage{Type: "transcript", From: c.sent, Seq: covered, Call: call, Lines: lines})
	if err == nil {
		h.write(c, b)
		c.sent = covered
		c.open[call] = at
	}
	c.busy = false
}
