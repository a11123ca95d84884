package sipaudio

import (
	"encoding/binary"
	"errors"
)

// A small RTP (RFC 3550) reader, the same as adapters/asterisk/rtp.go: the
// payload type and payload of plain packets, tolerating CSRCs, a header
// extension and padding. Duplicated rather than shared because both are a
// driver's private detail and a shared package for 60 lines would couple
// the two drivers.

type rtpPacket struct {
	pt      uint8
	seq     uint16
	ssrc    uint32
	payload []byte
}

var errRTP = errors.New("not an RTP packet")

func parseRTP(b []byte) (rtpPacket, error) {
	if len(b) < 12 || b[0]>>6 != 2 {
		return rtpPacket{}, errRTP
	}
	p := rtpPacket{pt: b[1] & 0x7f, seq: binary.BigEndian.Uint16(b[2:]), ssrc: binary.BigEndian.Uint32(b[8:])}
	off := 12 + 4*int(b[0]&0x0f)
	if b[0]&0x10 != 0 {
		if len(b) < off+4 {
			return rtpPacket{}, errRTP
		}
		off += 4 + 4*int(binary.BigEndian.Uint16(b[off+2:]))
	}
	end := len(b)
	if b[0]&0x20 != 0 {
		end -= int(b[end-1])
	}
	if off > end {
		return rtpPacket{}, errRTP
	}
	p.payload = b[off:end]
	return p, nil
}

// ulawToLinear is the G.711 µ-law decoding table.
var ulawToLinear = func() (t [256]int16) {
	for i := range t {
		u := ^uint8(i)
		v := (int16(u&0x0f)<<3 + 0x84) << ((u >> 4) & 7)
		if u&0x80 != 0 {
			t[i] = 0x84 - v
		} else {
			t[i] = v - 0x84
		}
	}
	return t
}()

// decodePayload appends the payload as s16le samples.
func decodePayload(dst []byte, c Codec, payload []byte) []byte {
	if c.Name == "PCMU" {
		for _, u := range payload {
			dst = binary.LittleEndian.AppendUint16(dst, uint16(ulawToLinear[u]))
		}
		return dst
	}
	// L16 is network byte order on the wire (RFC 3551 4.5.11).
	for i := 0; i+1 < len(payload); i += 2 {
		dst = append(dst, payload[i+1], payload[i])
	}
	return dst
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
