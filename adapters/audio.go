package adapters

import "context"

// AudioSide names one direction of a call's audio. The names are the ones
// the ingest URL uses (/api/v1/audio/{node}/{call}/{left|right|mix}).
type AudioSide string

// The sides of a call's audio.
const (
	// AudioLeft is what the caller says.
	AudioLeft AudioSide = "left"
	// AudioRight is what the agent or bot says (what the caller hears).
	AudioRight AudioSide = "right"
	// AudioMix is both directions mixed.
	AudioMix AudioSide = "mix"
)

// AudioSink receives a call's audio from a PBX driver: one frame of signed
// 16-bit little-endian mono PCM at rate Hz (8000 or 16000) per call. It
// copies pcm before returning and never blocks for long, so a driver may
// call it from its receive loop. An error means the frame was refused (for
// example another source already streams that side); the driver may keep
// going.
type AudioSink interface {
	WriteAudio(side AudioSide, rate int, pcm []byte) error
}

// AudioSource is an optional interface of a Node that can stream a call's
// audio on demand (Asterisk: snoop + externalMedia RTP). The server checks
// for it with a type assertion, so it never imports a driver.
//
// StartAudio sets up the PBX side for call and delivers frames to sink until
// stop is called or ctx ends; stop tears the PBX side down and waits for the
// receive loops to end. It returns an error wrapping ErrNotFound for an
// unknown call, ErrInvalid for a bad id and ErrUnavailable when the PBX
// refused or is not connected.
type AudioSource interface {
	StartAudio(ctx context.Context, call string, sink AudioSink) (stop func(), err error)
}
