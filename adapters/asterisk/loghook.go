package asterisk

import (
	"context"
	"log/slog"

	xslog "golang.org/x/exp/slog"
)

// Messages the native client logs (ari/v6 client/native/client.go). They are
// the only sign it gives of a lost websocket or a failing dial.
const (
	msgReadFailure = "read failure on websocket"
	msgDialFailure = "failed to connect to Asterisk"
	msgInfoFailure = "failed to get info from Asterisk"
)

// logHook is the native client's logger: it forwards records to callboard's
// log/slog logger and turns connection failures into signals.
type logHook struct {
	log    *slog.Logger
	lost   chan struct{} // the websocket broke: events may have been lost
	failed chan struct{} // a (re)dial failed
	attrs  []xslog.Attr
}

func newLogHook(log *slog.Logger) *logHook {
	return &logHook{log: log, lost: make(chan struct{}, 1), failed: make(chan struct{}, 1)}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

func (h *logHook) Enabled(context.Context, xslog.Level) bool { return true }

func (h *logHook) Handle(ctx context.Context, r xslog.Record) error {
	switch r.Message {
	case msgReadFailure:
		signal(h.lost)
	case msgDialFailure, msgInfoFailure:
		signal(h.failed)
	}
	level := slog.Level(r.Level)
	if level > slog.LevelWarn {
		level = slog.LevelWarn // the client retries every second; not an error of ours
	}
	if !h.log.Enabled(ctx, level) {
		return nil
	}
	args := make([]any, 0, 2*(r.NumAttrs()+len(h.attrs))+2)
	args = append(args, "component", "ari-native")
	for _, a := range h.attrs {
		args = append(args, a.Key, a.Value.Any())
	}
	r.Attrs(func(a xslog.Attr) bool {
		args = append(args, a.Key, a.Value.Any())
		return true
	})
	h.log.Log(ctx, level, r.Message, args...)
	return nil
}

func (h *logHook) WithAttrs(attrs []xslog.Attr) xslog.Handler {
	c := *h
	c.attrs = append(append([]xslog.Attr{}, h.attrs...), attrs...)
	return &c
}

func (h *logHook) WithGroup(string) xslog.Handler { return h }
