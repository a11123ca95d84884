// Today's per-queue figures from the server (GET /api/v1/history/queue-daily,
// docs/history.md#queues), and the server's clock offset read from the same
// answer's Date header. Refetched when a caller leaves a queue (at most every
// REFRESH_MIN_MS) and every minute; one request at a time.
import { auth } from '../lib/auth';
import { live } from '../lib/live.svelte';
import { clockOffset } from './board';

export interface QueueDay {
  day: string;
  node: string;
  queue: string;
  offered: number;
  answered: number;
  abandoned: number;
  timedOut: number;
  answeredWithin: number;
  serviceLevel: number;
  avgWaitMs: number;
  avgTalkMs: number;
  maxWaitMs: number;
}

const REFRESH_MIN_MS = 2000;
const REFRESH_EVERY_MS = 60000;

function localMidnight(now: number): Date {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d;
}

class Daily {
  /** Today's figures by queue key ("node/queue"). */
  byQueue = $state(new Map<string, QueueDay>());
  /** Server clock minus browser clock, ms. */
  offset = $state(0);
  error = $state('');
  loaded = $state(false);
  private inFlight = false;
  private again = false;
  private last = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private users = 0;
  private seenDepartures = -1;
  private every: ReturnType<typeof setInterval> | undefined;
  sl = 20;

  /** Starts refreshing while a wallboard is shown; returns the stop function. */
  use(sl: number): () => void {
    this.sl = sl;
    if (this.users++ === 0) {
      void this.load();
      this.every = setInterval(() => void this.load(), REFRESH_EVERY_MS);
    }
    return () => {
      if (--this.users === 0) {
        clearInterval(this.every);
        clearTimeout(this.timer);
      }
    };
  }

  /** Called on every store change: a departure means new figures on the server. */
  noticeDepartures(n: number) {
    if (this.users === 0 || n === this.seenDepartures) return;
    const first = this.seenDepartures < 0;
    this.seenDepartures = n;
    if (first) return;
    clearTimeout(this.timer);
    const wait = Math.max(300, this.last + REFRESH_MIN_MS - Date.now());
    this.timer = setTimeout(() => void this.load(), wait);
  }

  async load() {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    this.last = Date.now();
    try {
      const from = localMidnight(Date.now() + this.offset).toISOString();
      const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
      const q = new URLSearchParams({ from, tz, sl: String(this.sl) });
      const sent = Date.now();
      const res = await auth.request('GET', `/api/v1/history/queue-daily?${q}`);
      const off = clockOffset(res.headers.get('Date'), sent, Date.now());
      if (off !== null && Math.abs(off - this.offset) > 1500) this.offset = off;
      if (!res.ok) {
        this.error = `${res.status}`;
        return;
      }
      const j = (await res.json()) as { days: QueueDay[] };
      const today = new Map<string, QueueDay>();
      for (const d of j.days ?? []) today.set(`${d.node}/${d.queue}`, d); // days are sorted: the last is today
      this.byQueue = today;
      this.error = '';
      this.loaded = true;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    } finally {
      this.inFlight = false;
      if (this.again) {
        this.again = false;
        this.timer = setTimeout(() => void this.load(), REFRESH_MIN_MS);
      }
    }
  }

  /** The server's clock now, ms (follows live.now's one-second tick). */
  get serverNow(): number {
    return live.now + this.offset;
  }
}

export const daily = new Daily();
