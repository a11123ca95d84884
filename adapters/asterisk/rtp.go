package asterisk

import (
	"encoding/binary"
	"errors"
)

// A tiny RTP reader (RFC 3550) instead of github.com/pion/rtp: callboard
// needs the payload type, sequence number and payload of Asterisk's plain
// packets (V=2, no CSRC, no extension, no padding in e1/e2), tolerating the
// optional parts; 30 lines are easier to fuzz than a new dependency.

type rtpPacket struct {
	pt      uint8
	seq     uint16
	ts      uint32
	ssrc    uint32
	payload []byte
}

var errRTP = errors.New("not an RTP packet")

func parseRTP(b []byte) (rtpPacket, error) {
	if len(b) < 12 || b[0]>>6 != 2 {
		return rtpPacket{}, errRTP
	}
	p := rtpPacket{pt: b[1] & 0x7f, seq: binary.BigEndian.Uint16(b[2:]), ts: binary.BigEndian.Uint32(b[4:]), ssrc: binary.BigEndian.Uint32(b[8:])}
	off := 12 + 4*int(b[0]&0x0f)
	if b[0]&0x10 != 0 { // header extension: 4 bytes + length words
		if len(b) < off+4 {
			return rtpPacket{}, errRTP
		}
		off += 4 + 4*int(binary.BigEndian.Uint16(b[off+2:]))
	}
	end := len(b)
	if b[0]&0x20 != 0 && end > 0 { // padding: last byte counts it
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

// decodeUlaw appends 8 kHz s16le samples.
func decodeUlaw(dst, payload []byte) []byte {
	for _, c := range payload {
		dst = binary.LittleEndian.AppendUint16(dst, uint16(ulawToLinear[c]))
	}
	return dst
}

// decodeL16 turns RTP's network-order L16 (e2: slin16 payloads are
// big-endian) into s16le.
func decodeL16(dst, payload []byte) []byte {
	for i := 0; i+1 < len(payload); i += 2 {
		dst = append(dst, payload[i+1], payload[i])
	}
	return dst
}
