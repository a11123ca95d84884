import { describe, expect, it } from 'vitest';
import { HEADER_SIZE, parseFrame, parseText } from './frame';
import { JitterBuffer, Resampler } from './jitter';
import { dbToFraction, decayedDb, FLOOR_DB, HOLD_MS } from './meters';

function frame(side: number, rate: number, seq: number, samples: number[]): ArrayBuffer {
  const b = new ArrayBuffer(HEADER_SIZE + 2 * samples.length);
  const v = new DataView(b);
  v.setUint8(0, 1);
  v.setUint8(1, side);
  v.setUint16(2, rate, true);
  v.setUint32(4, seq, true);
  samples.forEach((s, i) => v.setInt16(HEADER_SIZE + 2 * i, s, true));
  return b;
}

describe('parseFrame', () => {
  it('reads the header and views the PCM', () => {
    const f = parseFrame(frame(2, 16000, 70000, [1, -2, 32767, -32768]));
    expect(f?.side).toBe('right');
    expect(f?.rate).toBe(16000);
    expect(f?.seq).toBe(70000);
    expect(Array.from(f!.pcm)).toEqual([1, -2, 32767, -32768]);
  });
  it('refuses malformed frames', () => {
    expect(parseFrame(new ArrayBuffer(4))).toBeNull(); // short
    expect(parseFrame(frame(1, 8000, 0, [1]).slice(0, HEADER_SIZE + 1))).toBeNull(); // odd PCM
    expect(parseFrame(frame(4, 8000, 0, [1]))).toBeNull(); // side
    expect(parseFrame(frame(1, 44100, 0, [1]))).toBeNull(); // rate
    const b = frame(1, 8000, 0, [1]);
    new DataView(b).setUint8(0, 2);
    expect(parseFrame(b)).toBeNull(); // version
  });
  it('reads start and level messages', () => {
    expect(parseText('{"type":"start","node":"a","call":"b"}')).toEqual({ type: 'start' });
    expect(parseText('{"type":"level","side":"left","rms":-20.5,"peak":-6}')).toEqual({ type: 'level', side: 'left', rms: -20.5, peak: -6 });
    expect(parseText('{"type":"level","side":"up","rms":1,"peak":1}')).toBeNull();
    expect(parseText('nope')).toBeNull();
  });
});

describe('JitterBuffer', () => {
  const rate = 1000; // 1 sample per ms: easy arithmetic
  it('waits for the target before playing, then plays in order', () => {
    const jb = new JitterBuffer(rate, 200, 60);
    jb.push(Float32Array.from({ length: 50 }, (_, i) => i));
    const out = new Float32Array(10);
    expect(jb.pullAdd(out)).toBe(0);
    expect(Array.from(out)).toEqual(new Array(10).fill(0));
    jb.push(Float32Array.from({ length: 20 }, (_, i) => 50 + i));
    expect(jb.pullAdd(out)).toBe(10);
    expect(Array.from(out)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(jb.bufferedMs).toBe(60);
  });
  it('never holds more than the maximum: an overflow drops the oldest down to the target', () => {
    const jb = new JitterBuffer(rate, 200, 60);
    for (let i = 0; i < 25; i++) jb.push(Float32Array.from({ length: 10 }, (_, j) => i * 10 + j));
    expect(jb.length).toBeLessThanOrEqual(200);
    expect(jb.dropped).toBeGreaterThan(0);
    const out = new Float32Array(jb.length);
    jb.pullAdd(out);
    // the newest sample is last, and samples are consecutive
    expect(out[out.length - 1]).toBe(249);
    for (let i = 1; i < out.length; i++) expect(out[i] - out[i - 1]).toBe(1);
  });
  it('plays silence on an underrun and buffers the target again', () => {
    const jb = new JitterBuffer(rate, 200, 60);
    jb.push(new Float32Array(60).fill(0.5));
    const out = new Float32Array(100);
    expect(jb.pullAdd(out)).toBe(60);
    expect(out[59]).toBe(0.5);
    expect(out[60]).toBe(0);
    expect(jb.underruns).toBe(1);
    jb.push(new Float32Array(30).fill(0.5));
    expect(jb.pullAdd(new Float32Array(10))).toBe(0); // below the target again
  });
  it('adds with a gain (sides mixed; 0 for a side turned off)', () => {
    const jb = new JitterBuffer(rate, 200, 1);
    jb.push(new Float32Array(4).fill(0.5));
    const out = new Float32Array(4).fill(0.25);
    jb.pullAdd(out, 0);
    expect(Array.from(out)).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(jb.length).toBe(0);
  });
});

describe('Resampler', () => {
  it('upsamples 8 kHz to 48 kHz continuously across chunks', () => {
    const r = new Resampler(8000, 48000);
    const tone = (n0: number, n: number) => Int16Array.from({ length: n }, (_, i) => Math.round(16000 * Math.sin((2 * Math.PI * 440 * (n0 + i)) / 8000)));
    const a = r.process(tone(0, 160));
    const b = r.process(tone(160, 160));
    const all = new Float32Array(a.length + b.length);
    all.set(a);
    all.set(b, a.length);
    expect(Math.abs(all.length - 1920)).toBeLessThanOrEqual(6);
    // compare with the ideal tone at 48 kHz: linear interpolation is close
    let maxErr = 0;
    for (let i = 6; i < all.length - 6; i++) maxErr = Math.max(maxErr, Math.abs(all[i] - (16000 / 32768) * Math.sin((2 * Math.PI * 440 * i) / 48000)));
    expect(maxErr).toBeLessThan(0.02);
  });
  it('converts without resampling at the same rate', () => {
    const r = new Resampler(16000, 16000);
    expect(Array.from(r.process(Int16Array.from([16384, -32768])))).toEqual([0.5, -1]);
  });
});

describe('meters', () => {
  it('holds a reading, then decays it', () => {
    const r = { rms: -20, peak: -6, at: 1000 };
    expect(decayedDb(r, 1000 + HOLD_MS)).toBe(-20);
    expect(decayedDb(r, 1000 + HOLD_MS + 500)).toBeCloseTo(-50);
    expect(decayedDb(undefined, 0)).toBe(-Infinity);
  });
  it('maps dBFS to the meter', () => {
    expect(dbToFraction(0)).toBe(1);
    expect(dbToFraction(FLOOR_DB)).toBe(0);
    expect(dbToFraction(-96)).toBe(0);
    expect(dbToFraction(-30)).toBeCloseTo(0.5);
    expect(dbToFraction(-Infinity)).toBe(0);
  });
});
