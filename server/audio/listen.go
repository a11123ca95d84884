package audio

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"
)

// ListenOptions configure the listener handler. Hub and CallLive are
// required; the server's session check (role, audit) wraps the handler.
type ListenOptions struct {
	Hub      *Hub
	CallLive CallLive
	// CheckOrigin is the server's Origin check for browser websockets.
	CheckOrigin func(r *http.Request) bool
	// WriteTimeout drops a browser that cannot take one frame in this long
	// (1 s); the ring drops one that falls a whole ring behind.
	WriteTimeout time.Duration
	Logger       *slog.Logger
	// SessionOf names the sign-in session behind a request (Echo), so that
	// CloseSession ends its sockets on sign-out, revocation or expiry
	// (sessions.go). Nil: sockets belong to no session.
	SessionOf func(c echo.Context) string
}

// Listen is the browser's audio websocket: binary frames (AppendFrame) and
// level text messages (AppendLevel), after one
// {"type":"start","node":…,"call":…} message.
type Listen struct {
	opts ListenOptions
	up   websocket.Upgrader

	mu   sync.Mutex
	open map[*websocket.Conn]string // open sockets -> their session (sessions.go)
}

// NewListen makes the listener handler.
func NewListen(opts ListenOptions) *Listen {
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = time.Second
	}
	if opts.Logger == nil {
		opts.Logger = opts.Hub.log
	}
	if opts.CheckOrigin == nil {
		opts.CheckOrigin = func(*http.Request) bool { return false }
	}
	return &Listen{opts: opts, open: make(map[*websocket.Conn]string), up: websocket.Upgrader{
		ReadBufferSize: 512, WriteBufferSize: 4096, CheckOrigin: opts.CheckOrigin,
	}}
}

// Echo serves GET /api/v1/nodes/:node/calls/:call/audio?sides=left,right.
func (ls *Listen) Echo(c echo.Context) error {
	session := ""
	if ls.opts.SessionOf != nil {
		session = ls.opts.SessionOf(c)
	}
	ls.serve(c.Response(), c.Request(), c.Param("node"), c.Param("call"), session)
	return nil
}

// parseSides reads "left,right" (empty: all sides).
func parseSides(q string) ([]Side, error) {
	if q == "" {
		return Sides[:], nil
	}
	var out []Side
	for _, s := range strings.Split(q, ",") {
		side, err := ParseSide(s)
		if err != nil {
			return nil, err
		}
		out = append(out, side)
	}
	return out, nil
}

// Serve upgrades and streams a call's audio until the browser closes, falls
// behind, or the call ends; each ending is a close code and one log line.
func (ls *Listen) Serve(w http.ResponseWriter, r *http.Request, node, call string) {
	ls.serve(w, r, node, call, "")
}

func (ls *Listen) serve(w http.ResponseWriter, r *http.Request, node, call, session string) {
	conn, err := ls.up.Upgrade(w, r, nil)
	if err != nil {
		ls.opts.Logger.Info("audio listen upgrade failed", "remote", r.RemoteAddr, "err", err)
		return
	}
	ls.track(conn, session)
	defer ls.untrack(conn)
	k := Key{Node: node, Call: call}
	log := ls.opts.Logger.With("node", safe(node), "call", safe(call), "remote", r.RemoteAddr)
	refuse := func(code int, reason string) {
		log.Info("audio listen refused", "code", code, "reason", reason)
		closeWith(conn, code, reason)
	}
	sides, err := parseSides(r.URL.Query().Get("sides"))
	if err != nil || !idPattern.MatchString(node) || !idPattern.MatchString(call) {
		refuse(CloseBadFrame, "bad node, call or sides")
		return
	}
	if !ls.opts.CallLive(k) {
		refuse(CloseUnknownCall, "unknown call "+k.String())
		return
	}
	l, err := ls.opts.Hub.Subscribe(k, sides...)
	if err != nil {
		refuse(closeCode(err), err.Error())
		return
	}
	defer l.Close()
	ls.stream(conn, l, log)
}

func (ls *Listen) stream(conn *websocket.Conn, l *Listener, log *slog.Logger) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The browser sends nothing but control frames; reading runs the close
	// handshake and notices a vanished peer.
	conn.SetReadLimit(512)
	go func() {
		defer cancel()
		for {
			if _, _, err := conn.NextReader(); err != nil {
				return
			}
		}
	}()
	// A drop from the source's side (too slow, call ended) must also
	// interrupt a write that is blocked on a full socket.
	go func() {
		select {
		case <-l.Done():
			if err := l.Err(); !errors.Is(err, ErrClosed) {
				closeWith(conn, closeCode(err), err.Error())
			}
		case <-ctx.Done():
		}
	}()
	start := []byte(`{"type":"start","node":"` + l.key.Node + `","call":"` + l.key.Call + `"}`)
	_ = conn.SetWriteDeadline(time.Now().Add(ls.opts.WriteTimeout))
	if err := conn.WriteMessage(websocket.TextMessage, start); err != nil {
		_ = conn.Close()
		return
	}
	var buf, lvl []byte
	frames := 0
	for {
		f, err := l.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				log.Info("audio listen ended", "frames", frames)
				_ = conn.Close()
				return
			}
			log.Info("audio listen dropped", "code", closeCode(err), "reason", err.Error(), "frames", frames)
			closeWith(conn, closeCode(err), err.Error())
			return
		}
		_ = conn.SetWriteDeadline(time.Now().Add(ls.opts.WriteTimeout))
		buf = AppendFrame(buf[:0], f)
		err = conn.WriteMessage(websocket.BinaryMessage, buf)
		if err == nil && f.Level != nil {
			lvl = AppendLevel(lvl[:0], *f.Level)
			err = conn.WriteMessage(websocket.TextMessage, lvl)
		}
		if err != nil {
			var ne net.Error
			switch {
			case l.Err() != nil:
				// The source dropped this listener; the goroutine above closes.
			case ctx.Err() == nil && errors.As(err, &ne) && ne.Timeout():
				log.Info("audio listen dropped", "code", CloseTooSlow, "reason", "write: "+err.Error(), "frames", frames)
				closeWith(conn, CloseTooSlow, "listener too slow")
			default:
				// The browser left while a frame was being written (its
				// close frame already answered, or the socket gone): an end.
				log.Info("audio listen ended", "frames", frames)
				_ = conn.Close()
			}
			return
		}
		frames++
	}
}
