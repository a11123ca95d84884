// The page's meters: readings from the /ws "levels" messages (every call on
// the overview, the open call in the panel) and from the listen socket.
// A 10 Hz tick (only while some reading is recent) re-renders the meters so
// that they decay when readings stop.
import { dbToFraction, decayedDb, type Reading } from './meters';
import type { Side } from './frame';

type CallReadings = Partial<Record<Side, Reading>>;

const FORGET_MS = 3000;

class Meters {
  /** Bumped on every reading and tick; meter components read it. */
  version = $state(0);
  private calls = new Map<string, CallReadings>();
  private timer: ReturnType<typeof setInterval> | null = null;

  update(call: string, side: Side, rms: number, peak: number, now = performance.now()) {
    let c = this.calls.get(call);
    if (!c) this.calls.set(call, (c = {}));
    c[side] = { rms, peak, at: now };
    this.version++;
    this.timer ??= setInterval(() => this.tick(), 100);
  }

  /** Applies a /ws levels message. */
  apply(msg: { calls?: { call: string; left?: number[]; right?: number[]; mix?: number[] }[] }) {
    const now = performance.now();
    for (const c of msg.calls ?? []) {
      for (const side of ['left', 'right', 'mix'] as const) {
        const v = c[side];
        if (Array.isArray(v) && v.length === 2) this.update(c.call, side, v[0], v[1], now);
      }
    }
  }

  /** 0..1 of the meter for a call's side (mix counts for both sides). */
  fraction(call: string, side: 'left' | 'right', key: 'rms' | 'peak' = 'rms'): number {
    void this.version;
    const c = this.calls.get(call);
    if (!c) return 0;
    const now = performance.now();
    return dbToFraction(Math.max(decayedDb(c[side], now, key), decayedDb(c.mix, now, key)));
  }

  db(call: string, side: 'left' | 'right'): number {
    void this.version;
    const c = this.calls.get(call);
    if (!c) return -Infinity;
    const now = performance.now();
    return Math.max(decayedDb(c[side], now), decayedDb(c.mix, now));
  }

  has(call: string): boolean {
    void this.version;
    return this.calls.has(call);
  }

  private tick() {
    const now = performance.now();
    for (const [k, c] of this.calls) {
      const last = Math.max(c.left?.at ?? 0, c.right?.at ?? 0, c.mix?.at ?? 0);
      if (now - last > FORGET_MS) this.calls.delete(k);
    }
    this.version++;
    if (this.calls.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}

export const meters = new Meters();
