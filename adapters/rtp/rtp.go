// Package rtp reads the RTP (RFC 3550) packets callboard receives for live
// audio (Asterisk external media, FreeSWITCH eavesdrop to callboard's SIP
// endpoint) and decodes their payloads to s16le PCM.
package rtp

import (
	"encoding/binary"
	"errors"
)

// A tiny reader instead of github.com/pion/rtp: callboard needs the payload
// type, sequence number and payload of plain packets (V=2, no CSRC, no
// extension, no padding in the Asterisk captures e1/e2), tolerating the
// optional parts; 30 lines are easier to fuzz than a new dependency.

// Packet is one RTP packet; Payload aliases the buffer given to Parse.
type Packet struct {
	PT      uint8
	Seq     uint16
	TS      uint32
	SSRC    uint32
	Payload []byte
}

// ErrNotRTP is Parse's error for anything that is not an RTP packet.
var ErrNotRTP = errors.New("not an RTP packet")

// Parse reads a packet, skipping CSRCs, a header extension and padding.
func Parse(b []byte) (Packet, error) {
	if len(b) < 12 || b[0]>>6 != 2 {
		return Packet{}, ErrNotRTP
	}
	p := Packet{PT: b[1] & 0x7f, Seq: binary.BigEndian.Uint16(b[2:]), TS: binary.BigEndian.Uint32(b[4:]), SSRC: binary.BigEndian.Uint32(b[8:])}
	off := 12 + 4*int(b[0]&0x0f)
	if b[0]&0x10 != 0 { // header extension: 4 bytes + length words
		if len(b) < off+4 {
			return Packet{}, ErrNotRTP
		}
		off += 4 + 4*int(binary.BigEndian.Uint16(b[off+2:]))
	}
	end := len(b)
	if b[0]&0x20 != 0 && end > 0 { // padding: last byte counts it
		end -= int(b[end-1])
	}
	if off > end {
		return Packet{}, ErrNotRTP
	}
	p.Payload = b[off:end]
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

// AppendUlaw appends a G.711 µ-law payload as s16le samples.
func AppendUlaw(dst, payload []byte) []byte {
	for _, c := range payload {
		dst = binary.LittleEndian.AppendUint16(dst, uint16(ulawToLinear[c]))
	}
	return dst
}

// AppendL16 appends RTP's network-order L16 (RFC 3551 4.5.11; the e2
// capture's slin16 payloads are big-endian) as s16le samples.
func AppendL16(dst, payload []byte) []byte {
	for i := 0; i+1 < len(payload); i += 2 {
		dst = append(dst, payload[i+1], payload[i])
	}
	return dst
}
