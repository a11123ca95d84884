package eslfake

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// A real SIP leg for `originate {...}sofia/<profile>/<user>@<ip>:<port>
// &eavesdrop(<uuid>)`: the fake acts as FreeSWITCH's sofia UAC. It sends a
// real INVITE (sipgo) offering the codecs of absolute_codec_string (default
// the vanilla OPUS,G722,PCMU,PCMA), ACKs the 200, streams a 440 Hz tone as
// RTP paced at 20 ms, and on hangup (uuid_kill, the target's end) sends a
// BYE; a BYE from the far end hangs the channel up. A refusal maps to the
// originate's -ERR like sofia's: 403 CALL_REJECTED, 404
// UNALLOCATED_NUMBER, 488 INCOMPATIBLE_DESTINATION, anything else
// (including no answer within 3 s) NORMAL_TEMPORARY_FAILURE (the 5090
// capture: nothing listening gave that in 32 ms).

// ToneHz is the frequency of the tone a SIP eavesdrop leg streams.
const ToneHz = 440

// SIPRecord is what happened on one SIP leg, for tests.
type SIPRecord struct {
	User      string // Request-URI user
	Status    int    // final INVITE status (0: no answer)
	Codec     string // answered codec, e.g. "L16/16000"
	Packets   int    // RTP packets sent
	ByeSent   bool   // the fake hung up (and got a 200 for its BYE)
	ByeStatus int
	ByeRecv   bool // the far end hung up
}

// sipLeg is one answered SIP leg.
type sipLeg struct {
	hangup  chan struct{} // closed when the channel hangs up
	once    sync.Once
	mu      sync.Mutex
	rec     *SIPRecord
	stopped bool
}

func (l *sipLeg) end() { l.once.Do(func() { close(l.hangup) }) }

// sipDial is a parsed sofia dial string with an explicit ip:port.
type sipDial struct{ user, host string }

// parseSIPDial says whether an originate is a SIP eavesdrop call.
func parseSIPDial(arg string) (sipDial, bool) {
	words := splitQuoted(strings.TrimSpace(arg), ' ')
	if len(words) < 2 || !strings.HasPrefix(words[1], "&eavesdrop(") {
		return sipDial{}, false
	}
	url := words[0]
	if i := strings.Index(url, "}"); strings.HasPrefix(url, "{") && i > 0 {
		url = url[i+1:]
	}
	rest, ok := strings.CutPrefix(url, "sofia/")
	if !ok {
		return sipDial{}, false
	}
	_, target, _ := strings.Cut(rest, "/")
	user, host, ok := strings.Cut(target, "@")
	if _, port, err := net.SplitHostPort(host); !ok || err != nil || port == "" {
		return sipDial{}, false
	}
	return sipDial{user: user, host: host}, true
}

// SIPRecords returns a copy of what happened on every SIP leg, in order.
func (s *Server) SIPRecords() []SIPRecord {
	s.mu.Lock()
	legs := append([]*sipLeg(nil), s.sipLegs...)
	s.mu.Unlock()
	out := make([]SIPRecord, len(legs))
	for i, l := range legs {
		l.mu.Lock()
		out[i] = *l.rec
		l.mu.Unlock()
	}
	return out
}

// originateSIP places the call, then creates the channel and runs
// eavesdrop like originate. Called without s.mu.
func (s *Server) originateSIP(arg string, d sipDial) string {
	words := splitQuoted(strings.TrimSpace(arg), ' ')
	url, vars := words[0], map[string]string{}
	if strings.HasPrefix(url, "{") {
		end := strings.Index(url, "}")
		if end < 0 {
			return "-ERR DESTINATION_OUT_OF_ORDER\n"
		}
		for _, kv := range splitQuoted(url[1:end], ',') {
			k, v, _ := strings.Cut(kv, "=")
			vars[k] = strings.Trim(v, "'")
		}
		url = url[end+1:]
	}
	leg := &sipLeg{hangup: make(chan struct{}), rec: &SIPRecord{User: d.user}}
	s.mu.Lock()
	s.sipLegs = append(s.sipLegs, leg)
	s.mu.Unlock()
	uac, err := s.dialSIP(d, vars["absolute_codec_string"], leg)
	if err != nil {
		s.log.Info("eslfake: sip originate failed", "user", d.user, "err", err)
		return "-ERR " + sipCause(leg.rec.Status) + "\n"
	}
	s.mu.Lock()
	ch := s.newOriginated(vars["origination_uuid"], url, vars)
	s.answerLocked(ch)
	ch.sip = leg
	target := strings.TrimSuffix(strings.TrimPrefix(words[1], "&eavesdrop("), ")")
	ch.app, ch.appData = "eavesdrop", target
	s.fire(withTail(s.channelEvent(ch, "CHANNEL_EXECUTE", "switch_core_session.c", "switch_core_session_exec", 2944, true),
		tail{header{"Application", "eavesdrop"}, header{"Application-Data", target}, header{"Application-UUID", newUUID()}}))
	if t := s.channels[target]; t != nil {
		s.mediaBug(t, "MEDIA_BUG_START")
	} else {
		s.hangupLocked(ch, "NORMAL_CLEARING")
	}
	id := ch.uuid
	if s.closed {
		leg.end()
	}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		uac.run(leg, func() { _ = s.Hangup(id, "NORMAL_CLEARING") })
	}()
	return "+OK " + id + "\n"
}

func sipCause(status int) string {
	switch status {
	case 403:
		return "CALL_REJECTED"
	case 404:
		return "UNALLOCATED_NUMBER"
	case 488:
		return "INCOMPATIBLE_DESTINATION"
	}
	return "NORMAL_TEMPORARY_FAILURE"
}

// uac is one answered client dialog with its sockets.
type uac struct {
	ua    *sipgo.UserAgent
	sess  *sipgo.DialogClientSession
	rtp   *net.UDPConn
	to    *net.UDPAddr
	codec offered
	bye   chan struct{} // closed when the far end's BYE arrived
}

// dialSIP sends the INVITE and waits for the answer (3 s at most).
func (s *Server) dialSIP(d sipDial, codecs string, leg *sipLeg) (*uac, error) {
	rtp, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, fmt.Errorf("rtp socket: %w", err)
	}
	// No listening socket: sipgo's client connection also receives the far
	// end's in-dialog requests (its BYE) and hands them to srv's handlers.
	ua, _ := sipgo.NewUA(sipgo.WithUserAgent("FreeSWITCH-mod_sofia/1.10.12-release~64bit"), sipgo.WithUserAgentHostname("127.0.0.1"))
	srv, _ := sipgo.NewServer(ua, sipgo.WithServerLogger(s.log))
	cli, _ := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"), sipgo.WithClientLogger(s.log))
	fail := func(err error) (*uac, error) {
		_ = ua.Close()
		_ = rtp.Close()
		return nil, err
	}
	u := &uac{ua: ua, rtp: rtp, bye: make(chan struct{})}
	dc := sipgo.NewDialogClientCache(cli, sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "mod_sofia", Host: "127.0.0.1"}})
	var byeOnce sync.Once
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		if err := dc.ReadBye(req, tx); err != nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
			return
		}
		byeOnce.Do(func() { close(u.bye) })
	})
	host, port, _ := net.SplitHostPort(d.host)
	p, _ := strconv.Atoi(port)
	offer, formats := offerSDP(rtp.LocalAddr().(*net.UDPAddr).Port, codecs)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	sess, err := dc.Invite(ctx, sip.Uri{Scheme: "sip", User: d.user, Host: host, Port: p}, offer,
		sip.NewHeader("Content-Type", "application/sdp"))
	if err != nil {
		return fail(fmt.Errorf("invite: %w", err))
	}
	if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		var v sipgo.ErrDialogResponse
		var p *sipgo.ErrDialogResponse
		switch {
		case errors.As(err, &v) && v.Res != nil:
			leg.setStatus(v.Res.StatusCode)
		case errors.As(err, &p) && p.Res != nil:
			leg.setStatus(p.Res.StatusCode)
		}
		return fail(fmt.Errorf("wait answer: %w", err))
	}
	leg.setStatus(sess.InviteResponse.StatusCode)
	if err := sess.Ack(ctx); err != nil {
		return fail(fmt.Errorf("ack: %w", err))
	}
	u.sess = sess
	u.to, u.codec, err = readAnswer(sess.InviteResponse.Body(), formats)
	if err != nil {
		return fail(fmt.Errorf("answer sdp: %w", err))
	}
	leg.mu.Lock()
	leg.rec.Codec = u.codec.name + "/" + strconv.Itoa(u.codec.rate)
	leg.mu.Unlock()
	return u, nil
}

func (l *sipLeg) setStatus(code int) {
	l.mu.Lock()
	l.rec.Status = code
	l.mu.Unlock()
}

// run streams the tone until the channel hangs up (then BYE) or the far
// end's BYE (then hangUp).
func (u *uac) run(leg *sipLeg, hangUp func()) {
	defer func() {
		_ = u.rtp.Close()
		_ = u.ua.Close()
	}()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	tone := newTone(u.codec)
	for {
		select {
		case <-leg.hangup:
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			err := u.sess.Bye(ctx)
			cancel()
			leg.mu.Lock()
			leg.rec.ByeSent = err == nil
			if err == nil {
				leg.rec.ByeStatus = 200
			}
			leg.mu.Unlock()
			return
		case <-u.bye:
			leg.mu.Lock()
			leg.rec.ByeRecv = true
			leg.mu.Unlock()
			hangUp()
			return
		case <-tick.C:
		}
		if _, err := u.rtp.WriteToUDP(tone.next(), u.to); err == nil {
			leg.mu.Lock()
			leg.rec.Packets++
			leg.mu.Unlock()
		}
	}
}

// tone makes 20 ms RTP packets of a ToneHz sine.
type tone struct {
	c     offered
	seq   uint16
	ts    uint32
	phase float64
}

func newTone(c offered) *tone { return &tone{c: c, seq: 1000, ts: 160000} }

func (t *tone) next() []byte {
	n := t.c.rate / 50
	pkt := make([]byte, 12, 12+2*n)
	pkt[0], pkt[1] = 0x80, t.c.pt
	pkt[2], pkt[3] = byte(t.seq>>8), byte(t.seq)
	pkt[4], pkt[5], pkt[6], pkt[7] = byte(t.ts>>24), byte(t.ts>>16), byte(t.ts>>8), byte(t.ts)
	pkt[8], pkt[9], pkt[10], pkt[11] = 0xfe, 0xed, 0xbe, 0xef
	for i := 0; i < n; i++ {
		v := int16(8000 * math.Sin(t.phase))
		t.phase += 2 * math.Pi * ToneHz / float64(t.c.rate)
		if t.c.name == "PCMU" {
			pkt = append(pkt, linearToUlaw(v))
		} else {
			pkt = append(pkt, byte(uint16(v)>>8), byte(v)) // L16: network order
		}
	}
	t.phase = math.Mod(t.phase, 2*math.Pi)
	t.seq++
	t.ts += uint32(n)
	return pkt
}

// linearToUlaw is G.711 µ-law encoding.
func linearToUlaw(v int16) byte {
	const bias, clip = 0x84, 32635
	s := int(v)
	sign := 0
	if s < 0 {
		s, sign = -s, 0x80
	}
	if s > clip {
		s = clip
	}
	s += bias
	exp := 7
	for mask := 0x4000; s&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := (s >> (exp + 3)) & 0x0f
	return ^byte(sign | exp<<4 | mant)
}
