package asterisk

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/asterisk/arifake"
	"github.com/callboard/callboard/adapters/rtp"
	"github.com/callboard/callboard/internal/testutil"
)

// capturedRTP rebuilds the packets of a capture's rtp.jsonl (header fields
// plus the first 16 payload bytes kept by the capture).
func capturedRTP(t *testing.T, path string) (pkts [][]byte, want []map[string]any) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		payload, _ := hex.DecodeString(m["payload16"].(string))
		b := make([]byte, 12, 12+len(payload))
		b[0] = byte(m["v"].(float64))<<6 | byte(m["cc"].(float64))
		b[1] = byte(m["m"].(float64))<<7 | byte(m["pt"].(float64))
		binary.BigEndian.PutUint16(b[2:], uint16(m["seq"].(float64)))
		binary.BigEndian.PutUint32(b[4:], uint32(m["ts"].(float64)))
		binary.BigEndian.PutUint32(b[8:], uint32(m["ssrc"].(float64)))
		pkts = append(pkts, append(b, payload...))
		want = append(want, m)
	}
	return pkts, want
}

func TestRTPFromTheCaptures(t *testing.T) {
	for _, tc := range []struct {
		dir  string
		pt   uint8
		ulaw bool
	}{{"e1-externalmedia-rtp-ulaw", 0, true}, {"e2-externalmedia-rtp-slin16", 118, false}} {
		pkts, want := capturedRTP(t, "testdata/call-control/"+tc.dir+"/rtp.jsonl")
		for i, b := range pkts {
			p, err := rtp.Parse(b)
			if err != nil {
				t.Fatalf("%s #%d: %v", tc.dir, i, err)
			}
			if p.PT != tc.pt || p.Seq != uint16(want[i]["seq"].(float64)) || p.TS != uint32(want[i]["ts"].(float64)) || len(p.Payload) != 16 {
				t.Fatalf("%s #%d: %+v", tc.dir, i, p)
			}
			var pcm []byte
			if tc.ulaw {
				pcm = rtp.AppendUlaw(nil, p.Payload)
			} else {
				pcm = rtp.AppendL16(nil, p.Payload)
			}
			samples := make([]int, len(pcm)/2)
			for j := range samples {
				samples[j] = int(int16(binary.LittleEndian.Uint16(pcm[2*j:])))
			}
			if i < 2 { // silence: ulaw 0xff and slin 0x0000 are both zero
				for _, s := range samples {
					if s != 0 {
						t.Fatalf("%s #%d: silence decoded to %v", tc.dir, i, samples)
					}
				}
				continue
			}
			// Speech read in the right byte order is smooth: neighbouring
			// 16 kHz samples differ by far less than full scale (read
			// little-endian, e2's fea7 feb0 would be -22530, -20226, ...).
			if !tc.ulaw {
				if i == 2 && (samples[0] != -345 || samples[1] != -336) {
					t.Fatalf("%s #%d: first samples %v, want -345 -336 (big-endian L16)", tc.dir, i, samples[:2])
				}
				for j := 1; j < len(samples); j++ {
					if d := samples[j] - samples[j-1]; d > 4000 || d < -4000 {
						t.Fatalf("%s #%d: jump %d between samples: wrong byte order", tc.dir, i, d)
					}
				}
			}
		}
	}
	if _, err := rtp.Parse([]byte{0x80, 0}); err == nil {
		t.Fatal("short packet parsed")
	}
	if _, err := rtp.Parse(append([]byte{0x40}, make([]byte, 20)...)); err == nil {
		t.Fatal("version 1 parsed")
	}
}

func FuzzParseRTP(f *testing.F) {
	f.Add([]byte{0x80, 0, 0, 1, 0, 0, 0, 160, 0, 0, 0, 1, 0xff, 0xff})
	f.Add([]byte{0xb1, 118, 0, 1, 0, 0, 0, 160, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 9, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := rtp.Parse(b)
		if err == nil && len(p.Payload) > len(b) {
			t.Fatal("payload longer than the packet")
		}
	})
}

// sinkRec collects what StartAudio delivers.
type sinkRec struct {
	mu    sync.Mutex
	pcm   map[adapters.AudioSide][]byte
	rates map[adapters.AudioSide]int
}

func (s *sinkRec) WriteAudio(side adapters.AudioSide, rate int, pcm []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pcm[side] = append(s.pcm[side], pcm...)
	s.rates[side] = rate
	return nil
}

func (s *sinkRec) bytes(side adapters.AudioSide) ([]byte, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte{}, s.pcm[side]...), s.rates[side]
}

func goertzel(pcm []byte, rate int, freq float64) float64 {
	n := len(pcm) / 2
	k := 2 * math.Cos(2*math.Pi*freq/float64(rate))
	var s1, s2 float64
	for i := range n {
		x := float64(int16(binary.LittleEndian.Uint16(pcm[2*i:]))) / 32768
		s1, s2 = x+k*s1-s2, s1
	}
	return s1*s1 + s2*s2 - k*s1*s2
}

// TestStartAudioHearsBothSidesOverRTP: over real sockets, the fake answers
// the snoop/externalMedia/bridge requests like e1/e2 and sends RTP every
// 20 ms; the caller's side carries the fake's spy=in tone and the other
// side its spy=out tone; stop deletes everything it made, and none of it
// ever shows up as a call or conference.
func TestStartAudioHearsBothSidesOverRTP(t *testing.T) {
	for _, tc := range []struct {
		format string
		rate   int
	}{{"slin16", 16000}, {"ulaw", 8000}} {
		t.Run(tc.format, func(t *testing.T) {
			r := startRig(t, nil, func(c *Config) { c.Audio.Format = tc.format })
			d := r.fake.Dial(arifake.Party{Name: "Rita RTP", Number: "3500"}, arifake.Party{Name: "Bob", Number: "2001"})
			r.live.wait(t, "the call", func(v view) bool { _, ok := v.Calls[d.Origin]; return ok })
			sink := &sinkRec{pcm: map[adapters.AudioSide][]byte{}, rates: map[adapters.AudioSide]int{}}
			stop, err := r.node.StartAudio(context.Background(), d.Origin, sink)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.rate / 50 * 2 * 10 // ten 20 ms packets per side
			testutil.Eventually(t, "RTP on both sides", func() bool {
				l, _ := sink.bytes(adapters.AudioLeft)
				rr, _ := sink.bytes(adapters.AudioRight)
				return len(l) >= want && len(rr) >= want
			})
			stop()
			for side, f := range map[adapters.AudioSide][2]float64{
				adapters.AudioLeft: {arifake.ToneIn, arifake.ToneOut}, adapters.AudioRight: {arifake.ToneOut, arifake.ToneIn},
			} {
				pcm, rate := sink.bytes(side)
				if rate != tc.rate {
					t.Fatalf("%s: rate %d, want %d", side, rate, tc.rate)
				}
				if a, b := goertzel(pcm, rate, f[0]), goertzel(pcm, rate, f[1]); a < 100*b {
					t.Fatalf("%s: %v Hz power %g vs %v Hz %g", side, f[0], a, f[1], b)
				}
			}
			var dels []string
			for _, req := range r.fake.Requests() {
				if strings.HasPrefix(req, "DELETE") {
					dels = append(dels, req)
				}
			}
			if len(dels) != 6 {
				t.Fatalf("teardown requests %v, want 3 per side", dels)
			}
			for _, id := range append(r.fake.Channels(), r.fake.Bridges()...) {
				if isAudioHelper(id) {
					t.Fatalf("%s left on the PBX", id)
				}
			}
			v := r.live.view()
			if len(v.Calls) != 1 || len(v.Conferences) != 0 {
				t.Fatalf("helper channels leaked into the state: %d calls, %d conferences", len(v.Calls), len(v.Conferences))
			}
		})
	}
}

func TestStartAudioRefusesUnknownAndBadCalls(t *testing.T) {
	r := startRig(t, nil, nil)
	sink := &sinkRec{}
	if _, err := r.node.StartAudio(context.Background(), "no.such.call", sink); !errors.Is(err, adapters.ErrNotFound) {
		t.Fatalf("unknown call: %v", err)
	}
	if _, err := r.node.StartAudio(context.Background(), "../x", sink); !errors.Is(err, adapters.ErrInvalid) {
		t.Fatalf("bad id: %v", err)
	}
	r2 := startRig(t, nil, func(c *Config) { c.Audio.Format = "opus" })
	d := r2.fake.Dial(arifake.Party{Number: "1"}, arifake.Party{Number: "2"})
	r2.live.wait(t, "the call", func(v view) bool { _, ok := v.Calls[d.Origin]; return ok })
	if _, err := r2.node.StartAudio(context.Background(), d.Origin, sink); !errors.Is(err, adapters.ErrInvalid) {
		t.Fatalf("opus: %v", err)
	}
}
