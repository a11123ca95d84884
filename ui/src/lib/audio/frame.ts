// The listen websocket's messages (server/audio/wire.go): binary frames
// [version 1, side (1 left, 2 right, 3 mix), rate u16 LE, seq u32 LE] then
// s16le PCM; text messages {"type":"start"} and {"type":"level"}.

export type Side = 'left' | 'right' | 'mix';
export const SIDES: readonly Side[] = ['left', 'right', 'mix'];

export interface Frame {
  side: Side;
  rate: number;
  seq: number;
  pcm: Int16Array;
}

export const HEADER_SIZE = 8;

/** Parses a binary frame; null for anything malformed (ignored, never fatal). */
export function parseFrame(buf: ArrayBuffer): Frame | null {
  if (buf.byteLength < HEADER_SIZE || (buf.byteLength - HEADER_SIZE) % 2 !== 0) return null;
  const v = new DataView(buf);
  if (v.getUint8(0) !== 1) return null;
  const side = SIDES[v.getUint8(1) - 1];
  const rate = v.getUint16(2, true);
  if (!side || (rate !== 8000 && rate !== 16000)) return null;
  // The PCM starts at offset 8 (even): a view, no copy. s16le on every
  // platform a browser runs on (little-endian).
  return { side, rate, seq: v.getUint32(4, true), pcm: new Int16Array(buf, HEADER_SIZE) };
}

export interface LevelMsg {
  type: 'level';
  side: Side;
  rms: number;
  peak: number;
}

/** Parses a text message of the listen socket (start or level). */
export function parseText(data: string): { type: 'start' } | LevelMsg | null {
  try {
    const m = JSON.parse(data) as { type?: string; side?: string; rms?: number; peak?: number };
    if (m.type === 'start') return { type: 'start' };
    if (m.type === 'level' && SIDES.includes(m.side as Side) && typeof m.rms === 'number' && typeof m.peak === 'number') {
      return { type: 'level', side: m.side as Side, rms: m.rms, peak: m.peak };
    }
  } catch {
    /* not JSON: ignored */
  }
  return null;
}
