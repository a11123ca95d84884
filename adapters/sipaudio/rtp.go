package sipaudio

import (
	"encoding/binary"

	"github.com/callboard/callboard/adapters/rtp"
)

// decodePayload appends the payload as s16le samples.
func decodePayload(dst []byte, c Codec, payload []byte) []byte {
	if c.Name == "PCMU" {
		return rtp.AppendUlaw(dst, payload)
	}
	return rtp.AppendL16(dst, payload)
}

// silence is one 20 ms RTP payload of silence in c.
func silence(c Codec) []byte {
	n := c.Rate / 50
	if c.Name == "PCMU" {
		b := make([]byte, n)
		for i := range b {
			b[i] = 0xff // µ-law zero
		}
		return b
	}
	return make([]byte, 2*n)
}

// rtpHeader writes a plain RTP header into b[:12].
func rtpHeader(b []byte, pt uint8, seq uint16, ts, ssrc uint32) {
	b[0], b[1] = 0x80, pt&0x7f
	binary.BigEndian.PutUint16(b[2:], seq)
	binary.BigEndian.PutUint32(b[4:], ts)
	binary.BigEndian.PutUint32(b[8:], ssrc)
}
