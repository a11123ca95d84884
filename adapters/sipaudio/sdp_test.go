package sipaudio

import (
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/callboard/callboard/adapters/rtp"
)

func TestChooseCodec(t *testing.T) {
	l16 := strings.Replace(pcmuOffer, "RTP/AVP 102 0 101", "RTP/AVP 102 118 0 101", 1) + "a=rtpmap:118 L16/16000\r\n"
	for _, tc := range []struct {
		offer, pref string
		want        string
		ok          bool
	}{
		{l16, CodecAuto, "L16/16000", true},
		{pcmuOffer, CodecAuto, "PCMU/8000", true},
		{l16, CodecPCMU, "PCMU/8000", true},
		{pcmuOffer, CodecL16, "", false},
		{strings.Replace(pcmuOffer, "a=rtpmap:0 PCMU/8000\r\n", "", 1), CodecAuto, "PCMU/8000", true}, // static pt 0
	} {
		o, err := parseOffer([]byte(tc.offer))
		if err != nil {
			t.Fatal(err)
		}
		c, ok := o.choose(tc.pref)
		got := ""
		if ok {
			got = c.Name + "/" + itoa(c.Rate)
		}
		if ok != tc.ok || got != tc.want {
			t.Errorf("%s: got %q %v, want %q", tc.pref, got, ok, tc.want)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestParseOfferRefuses(t *testing.T) {
	for _, bad := range []string{
		"", "v=0\r\n", "c=IN IP4 1.2.3.4\r\nm=audio 0 RTP/AVP 0\r\n", "c=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/SAVP 0\r\n",
		"m=audio 4000 RTP/AVP 0\r\n", "c=IN IP4 nohost\r\nm=audio 4000 RTP/AVP 0\r\n", "c=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 300\r\n",
		strings.Repeat("a=x\r\n", 3000),
	} {
		if _, err := parseOffer([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestAnswerSDP(t *testing.T) {
	got := string(answerSDP(net.IPv4(127, 0, 0, 1), 40002, Codec{Name: "L16", Rate: 16000, PT: 118}, 7))
	for _, want := range []string{"c=IN IP4 127.0.0.1\r\n", "m=audio 40002 RTP/AVP 118\r\n", "a=rtpmap:118 L16/16000\r\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("answer lacks %q:\n%s", want, got)
		}
	}
}

func FuzzParseOfferAndRTP(f *testing.F) {
	f.Add([]byte(pcmuOffer))
	f.Add([]byte{0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		if o, err := parseOffer(b); err == nil {
			o.choose(CodecAuto)
		}
		if p, err := rtp.Parse(b); err == nil {
			decodePayload(nil, Codec{Name: "L16", Rate: 16000}, p.Payload)
			decodePayload(nil, Codec{Name: "PCMU", Rate: 8000}, p.Payload)
		}
	})
}
