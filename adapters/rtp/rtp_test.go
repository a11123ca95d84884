package rtp

import (
	"bytes"
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	hdr := []byte{0x80, 0x00, 0x12, 0x34, 0, 0, 0x01, 0x40, 0xde, 0xad, 0xbe, 0xef}
	payload := []byte{1, 2, 3, 4}
	for _, tc := range []struct {
		name    string
		pkt     []byte
		want    []byte
		wantErr bool
	}{
		{"plain", append(append([]byte{}, hdr...), payload...), payload, false},
		{"one CSRC", append(append([]byte{0x81}, hdr[1:]...), append([]byte{9, 9, 9, 9}, payload...)...), payload, false},
		{"extension of one word", append(append([]byte{0x90}, hdr[1:]...), append([]byte{0xbe, 0xde, 0, 1, 7, 7, 7, 7}, payload...)...), payload, false},
		{"two bytes of padding", append(append([]byte{0xa0}, hdr[1:]...), append(append([]byte{}, payload...), 0, 2)...), payload, false},
		{"short", hdr[:11], nil, true},
		{"version 1", append([]byte{0x40}, hdr[1:]...), nil, true},
		{"extension past the end", append([]byte{0x90}, hdr[1:]...), nil, true},
		{"padding longer than the payload", append(append([]byte{0xa0}, hdr[1:]...), 0, 0, 200), nil, true},
	} {
		p, err := Parse(tc.pkt)
		if tc.wantErr {
			if !errors.Is(err, ErrNotRTP) {
				t.Errorf("%s: err %v, want ErrNotRTP", tc.name, err)
			}
			continue
		}
		if err != nil || p.PT != 0 || p.Seq != 0x1234 || p.TS != 0x140 || p.SSRC != 0xdeadbeef || !bytes.Equal(p.Payload, tc.want) {
			t.Errorf("%s: %+v %v", tc.name, p, err)
		}
	}
}

func TestDecode(t *testing.T) {
	// µ-law 0xff and 0x7f are the two zeros; 0x00 is the most negative.
	if got := AppendUlaw(nil, []byte{0xff, 0x7f, 0x00}); !bytes.Equal(got, []byte{0, 0, 0, 0, 0x84, 0x82}) {
		t.Errorf("ulaw: % x", got)
	}
	// Network order in, s16le out; an odd trailing byte is dropped.
	if got := AppendL16([]byte{9}, []byte{0xfe, 0xa7, 0x01}); !bytes.Equal(got, []byte{9, 0xa7, 0xfe}) {
		t.Errorf("L16: % x", got)
	}
}
