// Level meters: the latest reading per call and side, decaying when no
// reading arrives (Asterisk sends no RTP during silence, so no levels).

export interface Reading {
  rms: number; // dBFS
  peak: number; // dBFS
  at: number; // ms (performance/Date clock of the caller)
}

/** The meter's floor: -60 dBFS and below shows empty. */
export const FLOOR_DB = -60;
/** A reading holds this long before it decays. */
export const HOLD_MS = 200;
/** Decay after the hold, in dB per second. */
export const DECAY_DB_PER_S = 60;

/** The reading's level in dB at time now, decayed after the hold. */
export function decayedDb(r: Reading | undefined, now: number, key: 'rms' | 'peak' = 'rms'): number {
  if (!r) return -Infinity;
  const age = Math.max(0, now - r.at - HOLD_MS);
  return r[key] - (age / 1000) * DECAY_DB_PER_S;
}

/** Maps dBFS to 0..1 of the meter's length (FLOOR_DB..0, linear in dB). */
export function dbToFraction(db: number): number {
  if (!(db > FLOOR_DB)) return 0;
  return Math.min(1, (db - FLOOR_DB) / -FLOOR_DB);
}

/** Speaking: an RMS above this (dBFS) lights the side's label. */
export const SPEAKING_DB = -40;
