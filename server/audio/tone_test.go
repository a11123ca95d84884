package audio

import (
	"encoding/binary"
	"math"
	"time"
)

// tone is n samples of a sine at freq Hz (amplitude amp of full scale),
// s16le, starting at sample offset off (so consecutive frames join).
func tone(freq float64, rate, off, n int, amp float64) []byte {
	out := make([]byte, 2*n)
	for i := range n {
		v := amp * 32767 * math.Sin(2*math.Pi*freq*float64(off+i)/float64(rate))
		binary.LittleEndian.PutUint16(out[2*i:], uint16(int16(v)))
	}
	return out
}

// power is the Goertzel power of freq in s16le pcm, normalised by length.
func power(pcm []byte, rate int, freq float64) float64 {
	n := len(pcm) / 2
	k := 2 * math.Cos(2*math.Pi*freq/float64(rate))
	var s1, s2 float64
	for i := range n {
		x := float64(int16(binary.LittleEndian.Uint16(pcm[2*i:]))) / 32768
		s1, s2 = x+k*s1-s2, s1
	}
	return (s1*s1 + s2*s2 - k*s1*s2) / float64(n*n)
}

// dominant says whether freq carries far more power than other in pcm.
func dominant(pcm []byte, rate int, freq, other float64) bool {
	return power(pcm, rate, freq) > 100*power(pcm, rate, other)
}

// after20ms paces the fake on-demand source like RTP.
func after20ms() <-chan time.Time { return time.After(20 * time.Millisecond) }
