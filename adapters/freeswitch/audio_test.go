package freeswitch

import (
	"context"
	"encoding/binary"
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/adaptertest"
	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
	"github.com/callboard/callboard/internal/testutil"
)

// pcmSink collects what StartAudio delivers.
type pcmSink struct {
	mu      sync.Mutex
	sides   map[adapters.AudioSide]bool
	rate    int
	samples []int16
}

func (s *pcmSink) WriteAudio(side adapters.AudioSide, rate int, pcm []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sides == nil {
		s.sides = map[adapters.AudioSide]bool{}
	}
	s.sides[side], s.rate = true, rate
	for i := 0; i+1 < len(pcm); i += 2 {
		s.samples = append(s.samples, int16(binary.LittleEndian.Uint16(pcm[i:])))
	}
	return nil
}

func (s *pcmSink) snapshot() (rate int, samples []int16, sides []adapters.AudioSide) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for side := range s.sides {
		sides = append(sides, side)
	}
	return s.rate, slices.Clone(s.samples), sides
}

// zeroCrossingHz estimates a pure tone's frequency.
func zeroCrossingHz(samples []int16, rate int) float64 {
	n := 0
	for i := 1; i < len(samples); i++ {
		if (samples[i-1] < 0) != (samples[i] < 0) {
			n++
		}
	}
	return float64(n) / 2 / (float64(len(samples)) / float64(rate))
}

func startAudioNode(t *testing.T, codec string) (*harness, string) {
	t.Helper()
	fs := startFake(t)
	h := startNode(t, fs, func(c *Config) { c.Audio = &AudioConfig{SIPListen: "127.0.0.1:0", Codec: codec} })
	h.waitUp(t, 1)
	call := addCaller(t, fs, "Mona", "5300")
	h.rec.Wait(t, "the call", func(v adaptertest.View) bool { _, ok := v.Calls[call]; return ok })
	return h, call
}

var audioOriginate = regexp.MustCompile(`^bgapi originate \{origination_uuid=([0-9a-f-]{36}),origination_caller_id_name=callboard,callboard_audio=1,callboard_audio_call=([0-9a-f-]{36}),absolute_codec_string=([^}]+)\}sofia/internal/(cb-[0-9a-f]{32})@127\.0\.0\.1:(\d+) &eavesdrop\(([0-9a-f-]{36})\)$`)

// audioCommand finds the eavesdrop originate the node sent.
func audioCommand(t *testing.T, fs *eslfake.Server) []string {
	t.Helper()
	for _, c := range fs.Commands() {
		if m := audioOriginate.FindStringSubmatch(c); m != nil {
			return m
		}
	}
	t.Fatalf("no eavesdrop originate in %q", fs.Commands())
	return nil
}

func TestStartAudioDeliversTheToneAndStopKillsTheLeg(t *testing.T) {
	for _, tc := range []struct {
		codec, codecString string
		rate               int
	}{{"", "'L16@16000h,PCMU'", 16000}, {"pcmu", "PCMU", 8000}} {
		t.Run("codec="+tc.codec, func(t *testing.T) {
			h, call := startAudioNode(t, tc.codec)
			sink := &pcmSink{}
			stop, err := h.node.StartAudio(context.Background(), call, sink)
			if err != nil {
				t.Fatal(err)
			}
			m := audioCommand(t, h.fs)
			leg := m[1]
			if m[2] != call || m[6] != call || m[3] != tc.codecString {
				t.Fatalf("originate %q: call %s", m[0], call)
			}
			testutil.Eventually(t, "half a second of audio", func() bool {
				rate, s, _ := sink.snapshot()
				return rate > 0 && len(s) >= rate/2
			})
			rate, samples, sides := sink.snapshot()
			if rate != tc.rate || !slices.Equal(sides, []adapters.AudioSide{adapters.AudioMix}) {
				t.Fatalf("rate %d sides %v, want %d [mix]", rate, sides, tc.rate)
			}
			if hz := zeroCrossingHz(samples, rate); hz < 420 || hz > 460 {
				t.Fatalf("tone is %.0f Hz, want about %d", hz, eslfake.ToneHz)
			}
			// The eavesdrop leg is plumbing: never a call, never a listener.
			v := h.rec.View()
			if len(v.Calls) != 1 || len(v.Calls[call].Listeners) != 0 {
				t.Fatalf("calls in the view: %+v", v.Calls)
			}
			if _, ok := v.Calls[leg]; ok {
				t.Fatal("the eavesdrop leg shows up as a call")
			}
			stop()
			if !slices.Contains(h.fs.Commands(), "api uuid_kill "+leg) {
				t.Fatalf("stop did not send uuid_kill %s: %q", leg, h.fs.Commands())
			}
			testutil.Eventually(t, "the fake's BYE answered", func() bool {
				r := h.fs.SIPRecords()
				return len(r) == 1 && r[0].ByeSent && r[0].ByeStatus == 200 && r[0].Status == 200
			})
			stop() // twice is fine
			if _, ok := h.rec.View().Calls[leg]; ok {
				t.Fatal("the eavesdrop leg shows up as a call after its hangup")
			}
		})
	}
}

func TestStartAudioEndsWithTheCall(t *testing.T) {
	h, call := startAudioNode(t, "pcmu")
	sink := &pcmSink{}
	stop, err := h.node.StartAudio(context.Background(), call, sink)
	if err != nil {
		t.Fatal(err)
	}
	leg := audioCommand(t, h.fs)[1]
	if err := h.fs.Hangup(call, "NORMAL_CLEARING"); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "the leg's BYE", func() bool {
		r := h.fs.SIPRecords()
		return len(r) == 1 && r[0].ByeSent
	})
	h.rec.Wait(t, "the call ended", func(v adaptertest.View) bool { return len(v.Calls) == 0 })
	testutil.Eventually(t, "the SIP call over", func() bool { return h.node.audioCalls() == 0 })
	stop() // the call already took the leg: no uuid_kill needed
	for _, c := range h.fs.Commands() {
		if c == "api uuid_kill "+leg {
			t.Fatalf("uuid_kill after the leg had ended: %q", h.fs.Commands())
		}
	}
}

func TestStartAudioErrors(t *testing.T) {
	h, _ := startAudioNode(t, "")
	ctx := context.Background()
	if _, err := h.node.StartAudio(ctx, "00000000-0000-4000-8000-000000000001", &pcmSink{}); !errors.Is(err, adapters.ErrNotFound) {
		t.Fatalf("unknown call: %v", err)
	}
	if _, err := h.node.StartAudio(ctx, "x y", &pcmSink{}); !errors.Is(err, adapters.ErrInvalid) {
		t.Fatalf("bad id: %v", err)
	}
	fs := startFake(t)
	plain := startNode(t, fs, nil)
	plain.waitUp(t, 1)
	call := addCaller(t, fs, "Nora", "5310")
	plain.rec.Wait(t, "the call", func(v adaptertest.View) bool { _, ok := v.Calls[call]; return ok })
	if _, err := plain.node.StartAudio(ctx, call, &pcmSink{}); !errors.Is(err, adapters.ErrUnavailable) {
		t.Fatalf("no audio section: %v", err)
	}
}

func TestAudioConfigIsValidatedStrictly(t *testing.T) {
	for name, tc := range map[string]struct {
		addr  string
		audio AudioConfig
		key   string
	}{
		"no listen":          {"127.0.0.1:8021", AudioConfig{}, "audio.sip_listen"},
		"listen host name":   {"127.0.0.1:8021", AudioConfig{SIPListen: "localhost:5099"}, "audio.sip_listen"},
		"any without adv":    {"127.0.0.1:8021", AudioConfig{SIPListen: "0.0.0.0:5099"}, "audio.sip_advertise"},
		"bad codec":          {"127.0.0.1:8021", AudioConfig{SIPListen: "127.0.0.1:5099", Codec: "opus"}, "audio.codec"},
		"bad profile":        {"127.0.0.1:8021", AudioConfig{SIPListen: "127.0.0.1:5099", Profile: "a b"}, "audio.profile"},
		"bad peer":           {"127.0.0.1:8021", AudioConfig{SIPListen: "127.0.0.1:5099", SIPPeers: []string{"pbx"}}, "audio.sip_peers"},
		"host name, no peer": {"pbx.example:8021", AudioConfig{SIPListen: "127.0.0.1:5099"}, "audio.sip_peers"},
	} {
		t.Run(name, func(t *testing.T) {
			a := tc.audio
			_, err := New(Config{ID: "fs1", Address: tc.addr, Audio: &a})
			if err == nil || !strings.Contains(err.Error(), tc.key) {
				t.Fatalf("err %v, want one naming %s", err, tc.key)
			}
		})
	}
	ok := AudioConfig{SIPListen: "0.0.0.0:5099", SIPAdvertise: "10.0.0.5", Codec: "l16", SIPPeers: []string{"10.0.0.0/24"}}
	if _, err := New(Config{ID: "fs1", Address: "pbx.example:8021", Audio: &ok}); err != nil {
		t.Fatal(err)
	}
}

// A SIP call to callboard's endpoint with a user it did not issue is
// refused, and the PBX reports it like sofia does for a 404.
func TestAudioEndpointRefusesAWrongUser(t *testing.T) {
	h, call := startAudioNode(t, "")
	stop, err := h.node.StartAudio(context.Background(), call, &pcmSink{})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	hostPort := audioCommand(t, h.fs)[5]
	reply := h.fs.API("originate {callboard_audio=1}sofia/internal/cb-00000000000000000000000000000000@127.0.0.1:" + hostPort + " &eavesdrop(" + call + ")")
	if reply != "-ERR UNALLOCATED_NUMBER\n" {
		t.Fatalf("reply %q", reply)
	}
	if r := h.fs.SIPRecords(); len(r) != 2 || r[1].Status != 404 {
		t.Fatalf("records %+v", r)
	}
}
