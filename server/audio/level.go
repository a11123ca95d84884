package audio

import "math"

// FloorDBFS is the level reported for digital silence: below the quietest
// non-zero 16-bit sample (about -90 dBFS).
const FloorDBFS = -96.0

// Level is one meter reading of a stream, in dBFS (0 is full scale).
type Level struct {
	Node string  `json:"node"`
	Call string  `json:"call"`
	Side Side    `json:"side"`
	RMS  float64 `json:"rms"`
	Peak float64 `json:"peak"`
}

// meter accumulates frames until a level is due.
type meter struct {
	sumSq   float64
	peak    int32
	samples int
}

// add accumulates s16le samples.
func (m *meter) add(pcm []byte) {
	for i := 0; i+1 < len(pcm); i += 2 {
		v := int32(int16(uint16(pcm[i]) | uint16(pcm[i+1])<<8))
		if v < 0 {
			v = -v
		}
		m.sumSq += float64(v) * float64(v)
		m.peak = max(m.peak, v)
	}
	m.samples += len(pcm) / 2
}

// take returns RMS and peak in dBFS and resets the meter.
func (m *meter) take() (rms, peak float64) {
	if m.samples > 0 {
		rms = dbfs(math.Sqrt(m.sumSq / float64(m.samples)))
	} else {
		rms = FloorDBFS
	}
	peak = dbfs(float64(m.peak))
	*m = meter{}
	return rms, peak
}

func dbfs(amp float64) float64 {
	if amp <= 0 {
		return FloorDBFS
	}
	return max(FloorDBFS, math.Round(200*math.Log10(amp/32768))/10)
}
