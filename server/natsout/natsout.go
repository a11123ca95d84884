package natsout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/callboard/callboard/server/bus"
)

// Config configures the publisher.
type Config struct {
	URL       string // nats://host:4222 (comma-separated for a cluster)
	User      string
	Password  string
	Token     string
	CredsFile string // NATS .creds (JWT + nkey seed)
	// Prefix of every subject; default "callboard".
	Prefix string
	// Stream, when set, is a JetStream stream created (or updated) to
	// capture Prefix.>; MaxAge bounds what it keeps (default 24h).
	Stream       string
	StreamMaxAge time.Duration
	// Buffer is the bus subscription's size; default 8192.
	Buffer int
	// ReconnectBuf is nats.go's buffer while disconnected, in bytes; default 8 MiB.
	ReconnectBuf int
	Name         string // client name shown by the NATS server; default "callboard"
	Logger       *slog.Logger
}

// Publisher publishes bus events to NATS. Create with New, start with Run.
type Publisher struct {
	cfg Config
	log *slog.Logger
	sub *bus.Subscription

	seq       atomic.Uint64
	published atomic.Uint64
	failed    atomic.Uint64 // publish errors (reconnect buffer full, closed)
	connected atomic.Bool
}

// New subscribes to tap; Run connects and publishes.
func New(cfg Config, tap *bus.Tap) *Publisher {
	if cfg.Prefix == "" {
		cfg.Prefix = "callboard"
	}
	if cfg.Buffer <= 0 {
		cfg.Buffer = 8192
	}
	if cfg.ReconnectBuf <= 0 {
		cfg.ReconnectBuf = 8 << 20
	}
	if cfg.StreamMaxAge <= 0 {
		cfg.StreamMaxAge = 24 * time.Hour
	}
	if cfg.Name == "" {
		cfg.Name = "callboard"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Publisher{cfg: cfg, log: cfg.Logger, sub: tap.Subscribe("nats", cfg.Buffer)}
}

// Stats are the publisher's counters.
type Stats struct {
	Published uint64 // handed to NATS
	Dropped   uint64 // lost: bus buffer full or NATS refused the publish
	Connected bool
}

// Stats reads the counters.
func (p *Publisher) Stats() Stats {
	return Stats{Published: p.published.Load(), Dropped: p.sub.Dropped() + p.failed.Load(), Connected: p.connected.Load()}
}

// RedactURL drops user info from a NATS URL list for logging.
func RedactURL(raw string) string {
	parts := strings.Split(raw, ",")
	for i, s := range parts {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil {
			parts[i] = "(unparsable url)"
			continue
		}
		u.User = nil
		parts[i] = u.String()
	}
	return strings.Join(parts, ",")
}

func (p *Publisher) options() []nats.Option {
	opts := []nats.Option{
		nats.Name(p.cfg.Name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(500 * time.Millisecond),
		nats.ReconnectJitter(250*time.Millisecond, time.Second),
		nats.ReconnectBufSize(p.cfg.ReconnectBuf),
		nats.RetryOnFailedConnect(true),
		nats.Timeout(5 * time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			p.connected.Store(false)
			p.log.Warn("nats disconnected", "err", err)
		}),
		nats.ReconnectHandler(func(c *nats.Conn) {
			p.connected.Store(true)
			p.log.Info("nats reconnected", "server", RedactURL(c.ConnectedUrl()))
		}),
		nats.ConnectHandler(func(c *nats.Conn) {
			p.connected.Store(true)
			p.log.Info("nats connected", "server", RedactURL(c.ConnectedUrl()))
		}),
	}
	if p.cfg.User != "" {
		opts = append(opts, nats.UserInfo(p.cfg.User, p.cfg.Password))
	}
	if p.cfg.Token != "" {
		opts = append(opts, nats.Token(p.cfg.Token))
	}
	if p.cfg.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(p.cfg.CredsFile))
	}
	return opts
}

// Run connects (retrying in the background until NATS is there) and
// publishes until ctx ends; then it flushes what NATS buffered (bounded) and
// closes. It returns an error only when the configuration is unusable.
func (p *Publisher) Run(ctx context.Context) error {
	defer p.sub.Close()
	nc, err := nats.Connect(p.cfg.URL, p.options()...)
	if err != nil {
		return fmt.Errorf("nats %s: %w", RedactURL(p.cfg.URL), err)
	}
	defer nc.Close()
	if nc.IsConnected() {
		p.connected.Store(true)
	}
	if p.cfg.Stream != "" {
		go p.ensureStream(ctx, nc)
	}
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_ = nc.FlushWithContext(fctx)
			cancel()
			return nil
		case ev := <-p.sub.C():
			p.publish(nc, ev)
		}
	}
}

func (p *Publisher) publish(nc *nats.Conn, ev bus.Event) {
	ev.Seq = p.seq.Add(1)
	data, err := json.Marshal(&ev)
	if err != nil { // cannot happen with these types; count it rather than stop
		p.failed.Add(1)
		return
	}
	if err := nc.Publish(ev.Subject(p.cfg.Prefix), data); err != nil {
		p.failed.Add(1)
		return
	}
	p.published.Add(1)
}

// ensureStream creates or updates the JetStream stream, retrying while NATS
// is unreachable; it never holds the publishing loop.
func (p *Publisher) ensureStream(ctx context.Context, nc *nats.Conn) {
	js, err := jetstream.New(nc)
	if err != nil {
		p.log.Warn("nats jetstream unavailable", "err", err)
		return
	}
	sc := jetstream.StreamConfig{
		Name:     p.cfg.Stream,
		Subjects: []string{p.cfg.Prefix + ".>"},
		MaxAge:   p.cfg.StreamMaxAge,
		Storage:  jetstream.FileStorage,
	}
	for delay := 500 * time.Millisecond; ; delay = min(delay*2, 30*time.Second) {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := js.CreateOrUpdateStream(cctx, sc)
		cancel()
		if err == nil {
			p.log.Info("nats stream ready", "stream", p.cfg.Stream)
			return
		}
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, jetstream.ErrJetStreamNotEnabled) {
			p.log.Warn("nats: jetstream not enabled on the server; stream not created", "stream", p.cfg.Stream)
			return
		}
		p.log.Warn("nats stream not ready; retrying", "stream", p.cfg.Stream, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
	}
}
