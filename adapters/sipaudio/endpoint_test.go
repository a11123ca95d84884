package sipaudio

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/callboard/callboard/internal/testutil"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func listen(t *testing.T, cfg Config) *Endpoint {
	t.Helper()
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	cfg.Logger = quiet
	e, err := Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

const pcmuOffer = "v=0\r\no=FreeSWITCH 1 2 IN IP4 127.0.0.1\r\ns=FreeSWITCH\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
	"m=audio 40000 RTP/AVP 102 0 101\r\na=rtpmap:102 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"

// dial sends one INVITE from a fresh UA and returns the final status and,
// for a 200, the acknowledged session (the caller hangs it up).
func dial(t *testing.T, e *Endpoint, user string, body string) (int, *sipgo.DialogClientSession) {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgentHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ua.Close() })
	cli, _ := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"), sipgo.WithClientLogger(quiet))
	dc := sipgo.NewDialogClientCache(cli, sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "t", Host: "127.0.0.1"}})
	host, port, _ := net.SplitHostPort(e.HostPort())
	p, _ := strconv.Atoi(port)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	sess, err := dc.Invite(ctx, sip.Uri{Scheme: "sip", User: user, Host: host, Port: p}, []byte(body), sip.NewHeader("Content-Type", "application/sdp"))
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		if code := responseCode(err); code != 0 {
			return code, nil
		}
		t.Fatal(err)
	}
	if err := sess.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	return sess.InviteResponse.StatusCode, sess
}

// responseCode is the status of a refused INVITE (sipgo returns its
// ErrDialogResponse by value or by pointer depending on the path).
func responseCode(err error) int {
	var v sipgo.ErrDialogResponse
	if errors.As(err, &v) && v.Res != nil {
		return v.Res.StatusCode
	}
	var p *sipgo.ErrDialogResponse
	if errors.As(err, &p) && p.Res != nil {
		return p.Res.StatusCode
	}
	return 0
}

// invite dials and hangs up at once.
func invite(t *testing.T, e *Endpoint, user string, body string) int {
	t.Helper()
	code, sess := dial(t, e, user, body)
	if sess != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := sess.Bye(ctx); err != nil {
			t.Fatalf("BYE: %v", err)
		}
	}
	return code
}

func TestUnknownUserIsRefused(t *testing.T) {
	e := listen(t, Config{})
	if got := invite(t, e, "cb-guessed", pcmuOffer); got != 404 {
		t.Fatalf("status %d, want 404", got)
	}
	c, err := e.Expect(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(0)
	if got := invite(t, e, c.User, pcmuOffer); got != 200 {
		t.Fatalf("expected user: %d", got)
	}
	if got := invite(t, e, c.User, pcmuOffer); got != 404 { // one time only
		t.Fatalf("second use: %d, want 404", got)
	}
	if c.Codec().Name != "PCMU" {
		t.Fatalf("codec %+v", c.Codec())
	}
}

func TestForeignPeerIsRefused(t *testing.T) {
	e := listen(t, Config{Peers: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	c, _ := e.Expect(nil)
	defer c.Close(0)
	if got := invite(t, e, c.User, pcmuOffer); got != 403 {
		t.Fatalf("status %d, want 403", got)
	}
}

func TestNoAcceptableCodecIs488(t *testing.T) {
	e := listen(t, Config{Codec: CodecL16})
	c, _ := e.Expect(nil)
	if got := invite(t, e, c.User, pcmuOffer); got != 488 {
		t.Fatalf("status %d, want 488", got)
	}
	<-c.Done()
	if c.Err() == nil {
		t.Fatal("no reason for the refused call")
	}
}

func TestOtherMethodsAre405AndNothingIsRelayed(t *testing.T) {
	e := listen(t, Config{})
	ua, _ := sipgo.NewUA(sipgo.WithUserAgentHostname("127.0.0.1"))
	defer ua.Close()
	cli, _ := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"), sipgo.WithClientLogger(quiet))
	host, _, _ := net.SplitHostPort(e.HostPort())
	for _, m := range []sip.RequestMethod{sip.OPTIONS, sip.REGISTER, sip.MESSAGE, sip.SUBSCRIBE} {
		req := sip.NewRequest(m, sip.Uri{Scheme: "sip", User: "someone", Host: "198.51.100.7", Port: 5060})
		// Sent to the endpoint, addressed elsewhere: a relay would forward it.
		req.SetDestination(e.HostPort())
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		res, err := cli.Do(ctx, req)
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		if res.StatusCode != 405 {
			t.Fatalf("%s: %d, want 405", m, res.StatusCode)
		}
	}
	_ = host
}

func TestMalformedInputDoesNotHurt(t *testing.T) {
	e := listen(t, Config{})
	conn, err := net.Dial("udp", e.HostPort())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, junk := range []string{
		"\x00\x01garbage",
		"INVITE sip:x SIP/2.0\r\n\r\n",
		"INVITE sip:cb-x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK1\r\nContent-Length: 99999\r\n\r\nv=0",
		"INVITE sip:cb-x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK2\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:cb-x@127.0.0.1>\r\nCall-ID: 1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
		strings.Repeat("A", 1400),
	} {
		if _, err := conn.Write([]byte(junk)); err != nil {
			t.Fatal(err)
		}
	}
	// An expected user with a broken offer: 488, and the token is spent.
	c, _ := e.Expect(nil)
	if got := invite(t, e, c.User, "v=0\r\nm=audio x RTP/AVP 0\r\n"); got != 488 {
		t.Fatalf("broken SDP: %d, want 488", got)
	}
	// Still serving.
	c2, _ := e.Expect(nil)
	defer c2.Close(0)
	if got := invite(t, e, c2.User, pcmuOffer); got != 200 {
		t.Fatalf("after junk: %d", got)
	}
}

func TestRTPFromThePeerOnly(t *testing.T) {
	e := listen(t, Config{})
	var frames atomic.Int32
	c, _ := e.Expect(func(rate int, pcm []byte) {
		if rate == 8000 && len(pcm) == 320 {
			frames.Add(1)
		}
	})
	defer c.Close(0)
	code, sess := dial(t, e, c.User, pcmuOffer)
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	<-c.Answered()
	// Our RTP port is in the answer; find it through the call.
	c.mu.Lock()
	port := c.rtp.LocalAddr().(*net.UDPAddr).Port
	c.mu.Unlock()
	out, err := net.DialUDP("udp", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	pkt := make([]byte, 12+160)
	rtpHeader(pkt, 0, 1, 0, 7)
	_, _ = out.Write(pkt)
	rtpHeader(pkt, 8, 2, 160, 7) // PCMA: not negotiated
	_, _ = out.Write(pkt)
	_, _ = out.Write([]byte{1, 2, 3}) // not RTP
	testutil.Eventually(t, "one PCMU frame", func() bool { return frames.Load() >= 1 })
	if n := frames.Load(); n != 1 {
		t.Fatalf("%d frames, want only the PCMU one", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := sess.Bye(ctx); err != nil {
		t.Fatal(err)
	}
	<-c.Done() // the BYE ended it
	if c.Err() != nil {
		t.Fatal(c.Err())
	}
}

func TestConfigCheck(t *testing.T) {
	for _, bad := range []Config{
		{Listen: "localhost:5099"}, {Listen: "127.0.0.1"}, {Listen: "0.0.0.0:5099"},
		{Listen: "127.0.0.1:5099", Advertise: "pbx"}, {Listen: "127.0.0.1:5099", Advertise: "0.0.0.0"},
		{Listen: "127.0.0.1:5099", Codec: "opus"}, {Listen: "127.0.0.1:99999"},
	} {
		if bad.Check() == nil {
			t.Errorf("%+v passed", bad)
		}
	}
	if err := (Config{Listen: "0.0.0.0:5099", Advertise: "10.0.0.5:5099", Codec: CodecPCMU}).Check(); err != nil {
		t.Fatal(err)
	}
}
