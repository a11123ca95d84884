package sipaudio

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Codec is one negotiated RTP audio format.
type Codec struct {
	Name string // "PCMU" or "L16"
	Rate int    // samples per second: 8000 (PCMU) or 16000 (L16)
	PT   uint8  // RTP payload type the peer used in its offer
}

// Codec preferences (Config.Codec).
const (
	CodecAuto = "auto" // L16/16000 when offered, else PCMU/8000
	CodecL16  = "l16"  // L16/16000 only
	CodecPCMU = "pcmu" // PCMU/8000 only
)

// offer is what callboard needs from an SDP offer: the peer's RTP address
// and its audio formats.
type offer struct {
	ip      net.IP
	port    int
	formats []Codec // in offer order; Name upper-cased, Rate from rtpmap
}

var errSDP = errors.New("bad SDP offer")

// maxSDP bounds the offer read; FreeSWITCH's are under 1 KiB.
const maxSDP = 8 << 10

// parseOffer reads the first audio stream of an SDP offer. Only what is
// needed is read; anything it cannot make sense of is an error (488).
func parseOffer(body []byte) (offer, error) {
	var o offer
	if len(body) == 0 || len(body) > maxSDP {
		return o, fmt.Errorf("%w: %d bytes", errSDP, len(body))
	}
	var sessionIP, mediaIP net.IP
	inAudio, seenAudio := false, false
	rtpmap := map[uint8]Codec{}
	var pts []uint8
	for _, line := range bytes.Split(body, []byte("\n")) {
		l := strings.TrimRight(string(line), "\r")
		if len(l) < 2 || l[1] != '=' {
			continue
		}
		k, v := l[0], l[2:]
		switch {
		case k == 'm':
			if seenAudio { // only the first audio stream counts
				inAudio = false
				continue
			}
			f := strings.Fields(v)
			if len(f) < 4 || f[0] != "audio" {
				inAudio = false
				continue
			}
			if f[2] != "RTP/AVP" {
				return o, fmt.Errorf("%w: transport %q (want RTP/AVP)", errSDP, f[2])
			}
			port, err := strconv.Atoi(f[1])
			if err != nil || port < 1 || port > 65535 {
				return o, fmt.Errorf("%w: audio port %q", errSDP, f[1])
			}
			o.port, inAudio, seenAudio = port, true, true
			for _, s := range f[3:] {
				pt, err := strconv.Atoi(s)
				if err != nil || pt < 0 || pt > 127 {
					return o, fmt.Errorf("%w: payload type %q", errSDP, s)
				}
				pts = append(pts, uint8(pt))
			}
		case k == 'c':
			f := strings.Fields(v)
			if len(f) != 3 || f[0] != "IN" || (f[1] != "IP4" && f[1] != "IP6") {
				return o, fmt.Errorf("%w: connection %q", errSDP, v)
			}
			ip := net.ParseIP(f[2])
			if ip == nil {
				return o, fmt.Errorf("%w: connection address %q", errSDP, f[2])
			}
			if inAudio {
				mediaIP = ip
			} else if !seenAudio {
				sessionIP = ip
			}
		case k == 'a' && inAudio && strings.HasPrefix(v, "rtpmap:"):
			f := strings.Fields(strings.TrimPrefix(v, "rtpmap:"))
			if len(f) != 2 {
				continue
			}
			pt, err := strconv.Atoi(f[0])
			enc := strings.Split(f[1], "/")
			if err != nil || pt < 0 || pt > 127 || len(enc) < 2 || len(enc) > 3 {
				continue
			}
			rate, err := strconv.Atoi(enc[1])
			if err != nil || (len(enc) == 3 && enc[2] != "1") { // mono only
				continue
			}
			rtpmap[uint8(pt)] = Codec{Name: strings.ToUpper(enc[0]), Rate: rate, PT: uint8(pt)}
		}
	}
	if !seenAudio {
		return o, fmt.Errorf("%w: no audio stream", errSDP)
	}
	o.ip = mediaIP
	if o.ip == nil {
		o.ip = sessionIP
	}
	if o.ip == nil {
		return o, fmt.Errorf("%w: no connection address", errSDP)
	}
	for _, pt := range pts {
		c, ok := rtpmap[pt]
		if !ok && pt == 0 { // static payload type 0 needs no rtpmap
			c, ok = Codec{Name: "PCMU", Rate: 8000, PT: 0}, true
		}
		if ok {
			o.formats = append(o.formats, c)
		}
	}
	return o, nil
}

// choose picks the codec to answer with: L16/16000 first (twice the
// bandwidth of the phone network, no companding), else PCMU/8000.
func (o offer) choose(pref string) (Codec, bool) {
	var order []Codec
	switch pref {
	case CodecL16:
		order = []Codec{{Name: "L16", Rate: 16000}}
	case CodecPCMU:
		order = []Codec{{Name: "PCMU", Rate: 8000}}
	default:
		order = []Codec{{Name: "L16", Rate: 16000}, {Name: "PCMU", Rate: 8000}}
	}
	for _, want := range order {
		for _, c := range o.formats {
			if c.Name == want.Name && c.Rate == want.Rate {
				return c, true
			}
		}
	}
	return Codec{}, false
}

// answerSDP is callboard's answer: one audio stream with the chosen codec,
// sendrecv (callboard sends silence so that FreeSWITCH's RTP timeout does
// not end the listen).
func answerSDP(ip net.IP, port int, c Codec, session int64) []byte {
	family := "IP4"
	if ip.To4() == nil {
		family = "IP6"
	}
	return fmt.Appendf(nil, "v=0\r\no=callboard %d %d IN %s %s\r\ns=callboard\r\nc=IN %s %s\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP %d\r\na=rtpmap:%d %s/%d\r\na=ptime:20\r\na=sendrecv\r\n",
		session, session, family, ip, family, ip, port, c.PT, c.PT, c.Name, c.Rate)
}
