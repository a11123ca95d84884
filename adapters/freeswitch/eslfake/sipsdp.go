package eslfake

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// offered is one codec of the fake's SDP offer.
type offered struct {
	name string
	rate int
	pt   uint8
}

// codecTable is how the fake offers FreeSWITCH codec names.
var codecTable = map[string]offered{
	"PCMU": {"PCMU", 8000, 0}, "PCMA": {"PCMA", 8000, 8}, "G722": {"G722", 8000, 9},
	"OPUS": {"opus", 48000, 102}, "L16@16000H": {"L16", 16000, 118}, "L16": {"L16", 8000, 117},
}

// offerSDP is sofia's offer for absolute_codec_string (comma separated,
// default the vanilla global_codec_prefs).
func offerSDP(port int, codecs string) ([]byte, []offered) {
	if codecs == "" {
		codecs = "OPUS,G722,PCMU,PCMA"
	}
	var fs []offered
	var pts, maps []string
	for _, name := range strings.Split(codecs, ",") {
		c, ok := codecTable[strings.ToUpper(strings.TrimSpace(name))]
		if !ok {
			continue
		}
		fs = append(fs, c)
		pts = append(pts, strconv.Itoa(int(c.pt)))
		ch := ""
		if c.name == "opus" {
			ch = "/2"
		}
		maps = append(maps, fmt.Sprintf("a=rtpmap:%d %s/%d%s\r\n", c.pt, c.name, c.rate, ch))
	}
	pts = append(pts, "101")
	sdp := "v=0\r\no=FreeSWITCH 1796055000 1796055001 IN IP4 127.0.0.1\r\ns=FreeSWITCH\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio " + strconv.Itoa(port) + " RTP/AVP " + strings.Join(pts, " ") + "\r\n" + strings.Join(maps, "") +
		"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n"
	return []byte(sdp), fs
}

// readAnswer finds the answer's RTP address and chosen payload type.
func readAnswer(body []byte, fs []offered) (*net.UDPAddr, offered, error) {
	var ip net.IP
	port, pt := 0, -1
	for _, l := range strings.Split(string(body), "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "c=IN IP4 "):
			ip = net.ParseIP(strings.TrimPrefix(l, "c=IN IP4 "))
		case strings.HasPrefix(l, "m=audio "):
			f := strings.Fields(l)
			if len(f) >= 4 {
				port, _ = strconv.Atoi(f[1])
				pt, _ = strconv.Atoi(f[3])
			}
		}
	}
	if ip == nil || port == 0 {
		return nil, offered{}, fmt.Errorf("no address in %q", body)
	}
	for _, c := range fs {
		if int(c.pt) == pt {
			return &net.UDPAddr{IP: ip, Port: port}, c, nil
		}
	}
	return nil, offered{}, fmt.Errorf("payload type %d was not offered", pt)
}
