package asterisk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/rtp"
)

// AudioConfig is how a node streams a call's audio on demand (StartAudio):
// a snoop channel per direction, bridged with an externalMedia channel that
// sends RTP to a UDP socket of callboard's (e1/e2 captures).
type AudioConfig struct {
	// ListenHost is the local address RTP is received on, one ephemeral
	// port per direction (default 127.0.0.1).
	ListenHost string `yaml:"listen_host"`
	// AdvertiseHost is the address Asterisk sends RTP to (external_host),
	// when it differs from ListenHost (NAT, containers). Default ListenHost.
	AdvertiseHost string `yaml:"advertise_host"`
	// Format is slin16 (16 kHz, default) or ulaw (8 kHz).
	Format string `yaml:"format"`
}

func (c AudioConfig) withDefaults() (AudioConfig, error) {
	if c.ListenHost == "" {
		c.ListenHost = "127.0.0.1"
	}
	if c.AdvertiseHost == "" {
		c.AdvertiseHost = c.ListenHost
	}
	if c.Format == "" {
		c.Format = "slin16"
	}
	if c.Format != "slin16" && c.Format != "ulaw" {
		return c, fmt.Errorf("audio format %q: want slin16 or ulaw: %w", c.Format, adapters.ErrInvalid)
	}
	return c, nil
}

// audioIDPrefix starts the ids of every channel and bridge StartAudio
// makes, so the live state ignores them (isAudioHelper): they are
// callboard's plumbing, not calls or conferences.
const audioIDPrefix = "cb-audio-"

func isAudioHelper(id string) bool { return strings.HasPrefix(id, audioIDPrefix) }

var _ adapters.AudioSource = (*Node)(nil)

// StartAudio streams call's audio into sink: the caller's side (snoop
// spy=in on the call's channel) as left, what the caller hears (spy=out) as
// right. stop deletes the snoops, externalMedia channels and bridges and
// waits for the receive loops. When the call ends Asterisk removes the
// snoops by itself and RTP stops; the server's stop still cleans the rest.
func (n *Node) StartAudio(ctx context.Context, call string, sink adapters.AudioSink) (func(), error) {
	if err := validID(call); err != nil {
		return nil, fmt.Errorf("audio of call %s: %w", call, err)
	}
	ac, err := n.cfg.Audio.withDefaults()
	if err != nil {
		return nil, err
	}
	if !n.state.hasCall(call) {
		return nil, fmt.Errorf("audio of call %s on node %s: %w", call, n.cfg.ID, adapters.ErrNotFound)
	}
	var tag [6]byte
	_, _ = rand.Read(tag[:])
	s := &audioSession{n: n, sink: sink, cfg: ac, call: call, tag: hex.EncodeToString(tag[:])}
	for _, p := range []struct {
		side adapters.AudioSide
		spy  string
	}{{adapters.AudioLeft, "in"}, {adapters.AudioRight, "out"}} {
		if err := s.startPipe(ctx, p.side, p.spy); err != nil {
			s.stop()
			return nil, err
		}
	}
	n.log.Info("audio on demand", "call", call, "format", ac.Format)
	var once sync.Once
	return func() { once.Do(s.stop) }, nil
}

// audioSession is one StartAudio: its pipes, torn down together.
type audioSession struct {
	n    *Node
	sink adapters.AudioSink
	cfg  AudioConfig
	call string
	tag  string

	mu    sync.Mutex
	pipes []*pipe
	wg    sync.WaitGroup
}

// pipe is one direction: a snoop, an externalMedia channel, their bridge
// and the UDP socket RTP arrives on. Empty ids were not created.
type pipe struct {
	side                    adapters.AudioSide
	conn                    *net.UDPConn
	snoop, external, bridge string
	from                    int // Asterisk's RTP port (UNICASTRTP_LOCAL_PORT), 0 if unknown
}

func (s *audioSession) startPipe(ctx context.Context, side adapters.AudioSide, spy string) error {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(s.cfg.ListenHost)})
	if err != nil {
		return fmt.Errorf("audio of call %s: udp listen on %s: %w: %v", s.call, s.cfg.ListenHost, adapters.ErrUnavailable, err)
	}
	p := &pipe{side: side, conn: conn}
	s.mu.Lock()
	s.pipes = append(s.pipes, p)
	s.mu.Unlock()
	base := audioIDPrefix + s.tag + "-" + string(side)
	app := s.n.cfg.Application
	port := conn.LocalAddr().(*net.UDPAddr).Port
	var em struct {
		ChannelVars map[string]string `json:"channelvars"`
	}
	q := url.Values{"app": {app}, "external_host": {net.JoinHostPort(s.cfg.AdvertiseHost, strconv.Itoa(port))},
		"format": {s.cfg.Format}, "channelId": {base + "-em"}}
	if err := s.n.restDo(ctx, "POST", "/channels/externalMedia", q, nil, &em); err != nil {
		return fmt.Errorf("audio of call %s: external media: %w", s.call, err)
	}
	p.external = base + "-em"
	p.from, _ = strconv.Atoi(em.ChannelVars["UNICASTRTP_LOCAL_PORT"])
	q = url.Values{"spy": {spy}, "app": {app}, "snoopId": {base + "-snoop"}}
	if err := s.n.restDo(ctx, "POST", "/channels/"+s.call+"/snoop", q, nil, nil); err != nil {
		return fmt.Errorf("audio of call %s: snoop %s: %w", s.call, spy, err)
	}
	p.snoop = base + "-snoop"
	q = url.Values{"type": {"mixing"}, "bridgeId": {base}}
	if err := s.n.restDo(ctx, "POST", "/bridges", q, nil, nil); err != nil {
		return fmt.Errorf("audio of call %s: bridge: %w", s.call, err)
	}
	p.bridge = base
	q = url.Values{"channel": {p.external + "," + p.snoop}}
	if err := s.n.restDo(ctx, "POST", "/bridges/"+base+"/addChannel", q, nil, nil); err != nil {
		return fmt.Errorf("audio of call %s: add to bridge: %w", s.call, err)
	}
	s.wg.Add(1)
	go s.receive(p)
	return nil
}

// receive decodes RTP into the sink until the socket is closed. Packets
// from anywhere but Asterisk's RTP port are ignored: the socket may be
// reachable by others.
func (s *audioSession) receive(p *pipe) {
	defer s.wg.Done()
	buf := make([]byte, 2048)
	var pcm []byte
	warned := false
	for {
		n, from, err := p.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		if p.from != 0 && from.Port != p.from {
			continue
		}
		pkt, err := rtp.Parse(buf[:n])
		if err != nil {
			continue
		}
		rate := 16000
		switch {
		case pkt.PT == 0: // e2: ulaw with pt 0 is accepted even on slin16
			pcm, rate = rtp.AppendUlaw(pcm[:0], pkt.Payload), 8000
		case s.cfg.Format == "slin16":
			pcm = rtp.AppendL16(pcm[:0], pkt.Payload)
		default:
			continue
		}
		if err := s.sink.WriteAudio(p.side, rate, pcm); err != nil && !warned {
			warned = true // once per pipe: the hub explains (e.g. a relay owns the side)
			s.n.log.Info("audio on demand refused by the hub", "call", s.call, "side", string(p.side), "err", err)
		}
	}
}

// stop deletes what was created (a 404 is fine: the call may have taken
// its snoops with it) and ends the receive loops.
func (s *audioSession) stop() {
	s.mu.Lock()
	pipes := s.pipes
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*s.n.cfg.RESTTimeout+time.Second)
	defer cancel()
	for _, p := range pipes {
		for _, del := range []struct{ kind, id string }{{"channels", p.snoop}, {"channels", p.external}, {"bridges", p.bridge}} {
			if del.id == "" {
				continue
			}
			if err := s.n.restDo(ctx, "DELETE", "/"+del.kind+"/"+del.id, nil, nil, nil); err != nil && !errors.Is(err, context.Canceled) {
				s.n.log.Debug("audio teardown", "call", s.call, "what", del.kind+"/"+del.id, "err", err)
			}
		}
		_ = p.conn.Close()
	}
	s.wg.Wait()
}
