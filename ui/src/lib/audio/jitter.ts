// The player's jitter buffer and resampler: pure code, run inside the
// AudioWorklet (worklet.ts) and tested with vitest.

/** Most audio a side may hold: older samples are dropped beyond it. */
export const MAX_MS = 200;
/** Audio gathered before playing (and after an underrun) to ride out jitter. */
export const TARGET_MS = 60;

/**
 * One side's buffer of float samples at the output rate: a fixed ring of
 * MAX_MS. Playback starts once TARGET_MS is buffered; an underrun plays
 * silence and buffers TARGET_MS again; an overflow (a burst, a stalled tab
 * catching up) drops the oldest audio down to TARGET_MS, so the latency
 * never exceeds MAX_MS.
 */
export class JitterBuffer {
  readonly capacity: number;
  readonly target: number;
  private buf: Float32Array;
  private r = 0;
  private n = 0;
  playing = false;
  underruns = 0;
  dropped = 0;

  constructor(
    readonly rate: number,
    maxMs = MAX_MS,
    targetMs = TARGET_MS,
  ) {
    this.capacity = Math.ceil((rate * maxMs) / 1000);
    this.target = Math.min(this.capacity, Math.ceil((rate * targetMs) / 1000));
    this.buf = new Float32Array(this.capacity);
  }

  get length(): number {
    return this.n;
  }

  get bufferedMs(): number {
    return (this.n * 1000) / this.rate;
  }

  push(samples: Float32Array) {
    let src = samples;
    if (src.length > this.capacity) {
      this.dropped += src.length - this.capacity;
      src = src.subarray(src.length - this.capacity);
    }
    if (this.n + src.length > this.capacity) {
      // Keep the newest: drop down to the target (plus what arrives).
      const keep = Math.max(0, Math.min(this.n, this.target - src.length));
      const drop = this.n - keep;
      this.r = (this.r + drop) % this.capacity;
      this.n = keep;
      this.dropped += drop;
    }
    let w = (this.r + this.n) % this.capacity;
    for (let i = 0; i < src.length; i++) {
      this.buf[w] = src[i];
      w = w + 1 === this.capacity ? 0 : w + 1;
    }
    this.n += src.length;
  }

  /** Fills out (adding gain × samples into it); returns the samples played. */
  pullAdd(out: Float32Array, gain = 1): number {
    if (!this.playing) {
      if (this.n < this.target) return 0;
      this.playing = true;
    }
    const k = Math.min(this.n, out.length);
    for (let i = 0; i < k; i++) {
      out[i] += gain * this.buf[this.r];
      this.r = this.r + 1 === this.capacity ? 0 : this.r + 1;
    }
    this.n -= k;
    if (k < out.length) {
      this.playing = false;
      this.underruns++;
    }
    return k;
  }

  clear() {
    this.r = this.n = 0;
    this.playing = false;
  }
}

/**
 * Linear-interpolating resampler from s16 at `from` Hz to floats at `to`
 * Hz, continuous across chunks (it keeps the last sample and the phase).
 */
export class Resampler {
  private pos = 0; // next output position in input samples, from the chunk start (−1 is the previous chunk's last)
  private prev = 0;
  private readonly step: number;

  constructor(
    readonly from: number,
    readonly to: number,
  ) {
    this.step = from / to;
  }

  process(pcm: Int16Array): Float32Array {
    const L = pcm.length;
    if (L === 0) return new Float32Array(0);
    if (this.from === this.to) {
      const out = new Float32Array(L);
      for (let i = 0; i < L; i++) out[i] = pcm[i] / 32768;
      return out;
    }
    const count = Math.max(0, Math.floor((L - 1 - this.pos) / this.step) + 1);
    const out = new Float32Array(count);
    let t = this.pos;
    for (let j = 0; j < count; j++, t += this.step) {
      const i = Math.floor(t);
      const f = t - i;
      const a = i < 0 ? this.prev : pcm[i];
      const b = i + 1 < L ? pcm[i + 1] : a;
      out[j] = (a + (b - a) * f) / 32768;
    }
    this.pos = t - L;
    this.prev = pcm[L - 1];
    return out;
  }
}
