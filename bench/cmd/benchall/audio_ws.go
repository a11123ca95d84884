package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The end-to-end audio run's wire format: 20 ms of 16 kHz s16le mono per
// relay message, so that each message is exactly one hub frame and the
// server's per-stream sequence number is the message's index.
const (
	audioRate       = 16000
	audioFrameBytes = audioRate / 50 * 2 // 640
	audioFrameDur   = 20 * time.Millisecond
	audioHeaderSize = 8 // server/audio.HeaderSize: version, side, rate, seq
)

// relayStream is one relay's socket into the ingest endpoint. Frame k
// carries k in its first 4 PCM bytes (a marker checked against the seq the
// server assigns) and sent[k] is when it was handed to the socket.
type relayStream struct {
	conn   *websocket.Conn
	sent   []int64 // ns since the run's base; written by run, read after it
	frames int
	err    error // write error
	closed error // what the server's side said (read loop)
	rdone  chan struct{}
}

// dialRelay opens the ingest socket for one call's left side.
func dialRelay(ctx context.Context, addr, call, token string, slots int) (*relayStream, error) {
	u := "ws://" + addr + "/api/v1/audio/fs1/" + url.PathEscape(call) + "/left?rate=" + strconv.Itoa(audioRate) + "&token=" + url.QueryEscape(token)
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, WriteBufferSize: 2048, ReadBufferSize: 512}
	conn, _, err := d.DialContext(ctx, u, nil)
	if err != nil {
		return nil, fmt.Errorf("relay %s: %w", call, err)
	}
	r := &relayStream{conn: conn, sent: make([]int64, slots), rdone: make(chan struct{})}
	// Reading answers the server's pings and catches a refusal (4401...).
	go func() {
		defer close(r.rdone)
		for {
			if _, _, err := conn.NextReader(); err != nil {
				r.closed = err
				return
			}
		}
	}()
	return r, nil
}

// run sends frames at start, start+20 ms, ... until stop, as a relay fed by
// a media thread does: one frame per tick, late ones sent at once.
func (r *relayStream) run(base, start, stop time.Time) {
	pcm := make([]byte, audioFrameBytes)
	for i := 4; i+1 < len(pcm); i += 2 { // a quiet 1 kHz-ish tone after the marker
		v := int16(3000 * math.Sin(float64(i/2)*2*math.Pi/16))
		binary.LittleEndian.PutUint16(pcm[i:], uint16(v))
	}
	for k := range r.sent {
		at := start.Add(time.Duration(k) * audioFrameDur)
		if !at.Before(stop) {
			return
		}
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		binary.LittleEndian.PutUint32(pcm, uint32(k))
		r.sent[k] = int64(time.Since(base))
		if err := r.conn.WriteMessage(websocket.BinaryMessage, pcm); err != nil {
			r.err = err
			return
		}
		r.frames++
	}
}

func (r *relayStream) close() {
	_ = r.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	select {
	case <-r.rdone:
	case <-time.After(2 * time.Second):
	}
	_ = r.conn.Close()
	<-r.rdone
}

// listenStream is one browser's listen socket. recv[k] is when frame k
// (by its marker) was read; the server's seq must equal the marker.
type listenStream struct {
	conn       *websocket.Conn
	recv       []int64
	started    bool
	frames     int
	levels     int
	mismatched int   // seq != marker, or a bad header
	err        error // how reading ended
	done       chan struct{}
}

// dialListen opens the listen socket as the browser does: session cookie,
// same-origin Origin header, no sides (all of them).
func dialListen(ctx context.Context, p *proc, call string, slots int, base time.Time) (*listenStream, error) {
	u := "ws://" + p.addr + "/api/v1/nodes/fs1/calls/" + url.PathEscape(call) + "/audio"
	h := p.header.Clone()
	h.Set("Origin", "http://"+p.addr)
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 4096, WriteBufferSize: 512}
	conn, resp, err := d.DialContext(ctx, u, h)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("listen %s: %w (HTTP %d)", call, err, resp.StatusCode)
		}
		return nil, fmt.Errorf("listen %s: %w", call, err)
	}
	l := &listenStream{conn: conn, recv: make([]int64, slots), done: make(chan struct{})}
	go l.read(base)
	return l, nil
}

func (l *listenStream) read(base time.Time) {
	defer close(l.done)
	buf := make([]byte, audioHeaderSize+audioFrameBytes)
	for {
		mt, r, err := l.conn.NextReader()
		if err != nil {
			l.err = err
			return
		}
		if mt == websocket.TextMessage {
			b, _ := io.ReadAll(r)
			switch {
			case bytes.HasPrefix(b, []byte(`{"type":"start"`)):
				l.started = true
			case bytes.HasPrefix(b, []byte(`{"type":"level"`)):
				l.levels++
			}
			continue
		}
		n, err := io.ReadFull(r, buf)
		now := int64(time.Since(base))
		if err != nil || n != len(buf) || buf[0] != 1 || buf[1] != 1 || binary.LittleEndian.Uint16(buf[2:]) != audioRate {
			l.mismatched++
			_, _ = io.Copy(io.Discard, r)
			continue
		}
		seq, marker := binary.LittleEndian.Uint32(buf[4:]), binary.LittleEndian.Uint32(buf[audioHeaderSize:])
		if seq != marker {
			l.mismatched++
		}
		if int(marker) < len(l.recv) {
			l.recv[marker] = now
		}
		l.frames++
	}
}

func (l *listenStream) close() {
	_ = l.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	select {
	case <-l.done:
	case <-time.After(2 * time.Second):
	}
	_ = l.conn.Close()
	<-l.done
}

// dialAll runs dial for 0..n-1, 32 at a time, and returns the first error.
func dialAll(n int, dial func(i int) error) error {
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := dial(i); err != nil {
				mu.Lock()
				first = cmp.Or(first, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return first
}

// apiDo sends a signed-in request to the bench server and decodes the JSON
// answer into out when the status is want.
func apiDo(ctx context.Context, p *proc, method, path string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://"+p.addr+path, rd)
	if err != nil {
		return err
	}
	req.Header = p.header.Clone()
	req.Header.Set("X-CSRF-Token", p.csrf)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, b)
	}
	return json.Unmarshal(b, out)
}

// liveCallIDs is the ids of the calls in GET /api/v1/state.
func liveCallIDs(ctx context.Context, p *proc) ([]string, error) {
	var st struct {
		Calls []struct {
			Node string `json:"node"`
			ID   string `json:"id"`
		} `json:"calls"`
	}
	if err := apiDo(ctx, p, http.MethodGet, "/api/v1/state", nil, http.StatusOK, &st); err != nil {
		return nil, err
	}
	var ids []string
	for _, c := range st.Calls {
		if c.Node == "fs1" {
			ids = append(ids, c.ID)
		}
	}
	return ids, nil
}

// relayToken creates an API token for the relays; metrics:read lets the
// run wait for the streams to be published (callboard_audio_streams).
func relayToken(ctx context.Context, p *proc) (string, error) {
	var t struct {
		Token string `json:"token"`
	}
	body := map[string]any{"name": "bench-audio-relay", "scopes": []string{"ingest:audio", "metrics:read"}}
	if err := apiDo(ctx, p, http.MethodPost, "/api/v1/tokens", body, http.StatusCreated, &t); err != nil {
		return "", err
	}
	return t.Token, nil
}

// waitStreams polls /metrics until callboard_audio_streams is n. A listener
// that came before its call's stream would start an on-demand PBX source.
func waitStreams(ctx context.Context, p *proc, token string, n int) error {
	deadline := time.Now().Add(20 * time.Second)
	want := "callboard_audio_streams " + strconv.Itoa(n) + "\n"
	last := ""
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.addr+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), want) {
			return nil
		}
		if i := strings.Index(string(b), "callboard_audio_streams "); i >= 0 {
			last, _, _ = strings.Cut(string(b[i:]), "\n")
		} else {
			last = fmt.Sprintf("HTTP %d, no gauge in %.60q", resp.StatusCode, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("relay streams not published: " + last)
}
