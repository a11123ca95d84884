package audio

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"
)

// Authorizer admits a request or says why not, with an error wrapping
// ErrUnauthorized or ErrForbidden. The server implements it over its token
// store (TokenFromRequest finds the secret; the scope is ScopeIngest).
type Authorizer func(r *http.Request) error

// CallLive says whether a call is live on a node (the live state knows it).
type CallLive func(k Key) bool

// IngestOptions configure the ingest handler. Hub, Authorize and CallLive
// are required.
type IngestOptions struct {
	Hub       *Hub
	Authorize Authorizer
	CallLive  CallLive
	// IdleTimeout closes a relay that sent nothing, not even a pong, for
	// this long (60 s). Pings go out every IdleTimeout/3.
	IdleTimeout time.Duration
	// Subprotocols offered to relays that ask for one (mod_audio_fork asks
	// for "audio.drachtio.org" and fails the handshake without it).
	Subprotocols []string
	Logger       *slog.Logger
}

// Ingest is the relay endpoint: one websocket per call and side, binary
// frames of s16le PCM, optionally after one JSON metadata text frame.
type Ingest struct {
	opts IngestOptions
	up   websocket.Upgrader
}

// NewIngest makes the ingest handler.
func NewIngest(opts IngestOptions) *Ingest {
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 60 * time.Second
	}
	if opts.Subprotocols == nil {
		opts.Subprotocols = []string{"audio.drachtio.org"}
	}
	if opts.Logger == nil {
		opts.Logger = opts.Hub.log
	}
	return &Ingest{opts: opts, up: websocket.Upgrader{
		ReadBufferSize: 4096, WriteBufferSize: 1024, Subprotocols: opts.Subprotocols,
		// Relays send no Origin; a browser page cannot use the endpoint
		// without a token, which it would have to be given.
		CheckOrigin: func(*http.Request) bool { return true },
	}}
}

// Echo serves GET /api/v1/audio/:node/:call/:side.
func (in *Ingest) Echo(c echo.Context) error {
	in.Serve(c.Response(), c.Request(), c.Param("node"), c.Param("call"), c.Param("side"))
	return nil
}

// ServeHTTP takes node, call and side from the last three path segments,
// for a plain net/http mux.
func (in *Ingest) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := strings.Split(strings.TrimSuffix(r.URL.Path, "/"), "/")
	if len(p) < 3 {
		http.NotFound(w, r)
		return
	}
	in.Serve(w, r, p[len(p)-3], p[len(p)-2], p[len(p)-1])
}

// TokenFromRequest is the API token of a relay: "Authorization: Bearer …",
// or the token (or access_token) query parameter, because most relays can
// set a URL but no header.
func TokenFromRequest(r *http.Request) string {
	if s, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return s
	}
	q := r.URL.Query()
	if t := q.Get("token"); t != "" {
		return t
	}
	return q.Get("access_token")
}

// rateParam reads rate, sample_rate or sampleRate (0 when absent).
func rateParam(get func(string) string) (int, error) {
	for _, name := range []string{"rate", "sample_rate", "sampleRate"} {
		if v := get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || !validRate(n) {
				return 0, fmt.Errorf("%s=%q: %w", name, v, ErrRate)
			}
			return n, nil
		}
	}
	return 0, nil
}

// Serve upgrades and relays one stream. Every refusal is a close frame with
// a code and reason after the upgrade, so that relays (which mostly log
// close codes, not HTTP statuses) say why, and one log line.
func (in *Ingest) Serve(w http.ResponseWriter, r *http.Request, node, call, sideName string) {
	conn, err := in.up.Upgrade(w, r, nil)
	if err != nil {
		in.opts.Logger.Info("audio ingest upgrade failed", "remote", r.RemoteAddr, "err", err)
		return
	}
	k := Key{Node: node, Call: call}
	log := in.opts.Logger.With("node", safe(node), "call", safe(call), "side", safe(sideName), "remote", r.RemoteAddr)
	refuse := func(code int, reason string) {
		log.Warn("audio ingest refused", "code", code, "reason", reason)
		closeWith(conn, code, reason)
	}
	if err := in.opts.Authorize(r); err != nil {
		code := closeCode(err)
		if code == closeInternal {
			code = CloseUnauthorized
		}
		refuse(code, err.Error())
		return
	}
	side, err := ParseSide(sideName)
	if err != nil {
		refuse(CloseBadFrame, "side must be left, right or mix")
		return
	}
	if !idPattern.MatchString(node) || !idPattern.MatchString(call) {
		refuse(CloseBadFrame, "bad node or call id")
		return
	}
	if !in.opts.CallLive(k) {
		refuse(CloseUnknownCall, "unknown call "+k.String())
		return
	}
	rate, err := rateParam(r.URL.Query().Get)
	if err != nil {
		refuse(CloseBadFrame, err.Error())
		return
	}
	src, err := in.opts.Hub.Publish(k, side, rate)
	if err != nil {
		refuse(closeCode(err), err.Error())
		return
	}
	in.relay(conn, src, log)
}

// safe bounds an untrusted URL segment for a log line.
func safe(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// metadata is the optional first text frame (mod_audio_fork sends the
// caller's JSON; mod_audio_stream style relays may name the rate).
type metadata struct {
	SampleRate  int `json:"sampleRate"`
	SampleRate2 int `json:"sample_rate"`
	Rate        int `json:"rate"`
}

func (in *Ingest) relay(conn *websocket.Conn, src *Source, log *slog.Logger) {
	defer src.Close()
	// The stream is unpublished before the close frame goes out, so a relay
	// that reconnects at once finds its side free.
	refuse := func(code int, reason string) {
		src.Close()
		closeWith(conn, code, reason)
	}
	max := in.opts.Hub.cfg.MaxFrameBytes
	// Above max by a margin so that our own check answers with a reason;
	// beyond it gorilla closes with a bare 1009.
	conn.SetReadLimit(int64(2*max + 4096))
	idle := in.opts.IdleTimeout
	_ = conn.SetReadDeadline(time.Now().Add(idle))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(idle)) })
	stopPing := make(chan struct{})
	defer close(stopPing)
	go func() {
		t := time.NewTicker(idle / 3)
		defer t.Stop()
		for {
			select {
			case <-stopPing:
				return
			case <-src.Done():
				// EndCall: tell the relay now rather than at its next frame.
				// A Close is ours (a refusal on the reading side) and that
				// side sends its own close code.
				if err := src.Err(); !errors.Is(err, ErrClosed) {
					closeWith(conn, closeCode(err), err.Error())
				}
				return
			case <-t.C:
				_ = conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(time.Second))
			}
		}
	}()
	frames, bytes := 0, 0
	for {
		mt, data, err := conn.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			switch {
			case errors.As(err, &ce):
				log.Info("audio ingest ended", "code", ce.Code, "frames", frames, "bytes", bytes)
			case src.Err() != nil:
				log.Info("audio ingest ended", "reason", src.Err().Error(), "frames", frames, "bytes", bytes)
			default:
				log.Info("audio ingest lost", "err", err, "frames", frames, "bytes", bytes)
				_ = conn.Close()
			}
			return
		}
		_ = conn.SetReadDeadline(time.Now().Add(idle))
		if mt == websocket.TextMessage {
			if frames > 0 {
				continue // later text frames (marks, events) carry no audio
			}
			var m metadata
			if json.Unmarshal(data, &m) != nil {
				continue // free-form metadata: nothing for us
			}
			if r := max3(m.SampleRate, m.SampleRate2, m.Rate); r != 0 {
				if err := src.SetRate(r); err != nil {
					log.Warn("audio ingest refused", "code", CloseBadFrame, "reason", err.Error())
					refuse(CloseBadFrame, err.Error())
					return
				}
			}
			continue
		}
		if len(data) > max {
			reason := fmt.Sprintf("frame of %d bytes over %d", len(data), max)
			log.Warn("audio ingest refused", "code", CloseTooBig, "reason", reason)
			refuse(CloseTooBig, reason)
			return
		}
		if err := src.Write(data); err != nil {
			code := closeCode(err)
			if code == CloseBadFrame {
				log.Warn("audio ingest refused", "code", code, "reason", err.Error())
			} else {
				log.Info("audio ingest ended", "code", code, "reason", err.Error(), "frames", frames)
			}
			refuse(code, err.Error())
			return
		}
		frames++
		bytes += len(data)
	}
}

func max3(a, b, c int) int { return max(a, b, c) }
