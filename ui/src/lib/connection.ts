// The websocket client: snapshot then deltas, seq continuity, resync on a gap,
// reconnect with backoff (and a countdown the UI shows).
import type { LiveStore } from './store';
import type { ServerMsg } from './types';
import type { FiredAlert } from './alertToast';

export type ConnState =
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'waiting'; retryAt: number };

export interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface ConnectionOptions {
  url: string;
  store: LiveStore;
  onState: (s: ConnState) => void;
  /** The server closed with 4001 (session ended or revoked): no reconnect. */
  onSessionEnded?: () => void;
  /**
   * The socket closed for another reason; beforeSnapshot: it never got a
   * snapshot (e.g. the upgrade was refused, maybe for want of a session).
   */
  onDrop?: (info: { code: number; beforeSnapshot: boolean }) => void;
  /** A fired alert (a message outside the seq stream). */
  onAlert?: (alert: FiredAlert) => void;
  /** Audio meters ({"type":"levels"}: not state, never seq-checked). */
  onLevels?: (msg: unknown) => void;
  makeSocket?: (url: string) => SocketLike;
  now?: () => number;
  random?: () => number;
}

const OPEN = 1;
/** Close code the server uses when the session behind a websocket ended (docs/auth.md). */
export const SESSION_ENDED = 4001;

/** Delay before reconnect attempt n (0-based): 0.5 s doubling to 15 s, ±20 % jitter. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(15000, 500 * 2 ** attempt);
  return Math.round(base * (0.8 + 0.4 * random()));
}

export class Connection {
  private ws: SocketLike | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true; // until start()
  private reopenPending = false;
  private gotSnapshot = false;
  private meters = false;
  private opts: Required<Omit<ConnectionOptions, 'onSessionEnded' | 'onDrop' | 'onAlert' | 'onLevels'>> &
    Pick<ConnectionOptions, 'onSessionEnded' | 'onDrop' | 'onAlert' | 'onLevels'>;

  constructor(opts: ConnectionOptions) {
    this.opts = {
      makeSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      now: () => Date.now(),
      random: Math.random,
      ...opts,
    };
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  /** Closes the socket and forgets the live state (e.g. on sign-out). */
  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    ws?.close();
    this.opts.store.clear();
    this.attempt = 0;
  }

  get running(): boolean {
    return !this.stopped;
  }

  /** Skips the countdown and reconnects now. */
  retryNow() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.connect();
  }

  send(msg: object) {
    if (this.ws && this.ws.readyState === OPEN) this.ws.send(JSON.stringify(msg));
  }

  /** Opens a call's transcript; the server answers with a `transcript` message. */
  openTranscript(call: string) {
    this.opts.store.openTranscript(call);
    this.send({ type: 'open', call });
  }

  closeTranscript(call: string) {
    this.opts.store.closeTranscript(call);
    this.send({ type: 'close', call });
  }

  /** Asks for every call's audio levels (the overview shows meters). */
  setMeters(on: boolean) {
    this.meters = on;
    this.send({ type: 'meters', on });
  }

  private connect() {
    if (this.stopped) return;
    this.opts.onState({ kind: 'connecting' });
    const ws = this.opts.makeSocket(this.opts.url);
    this.ws = ws;
    // A new connection starts with no open transcripts on the server's side;
    // they are re-opened once the snapshot has set the seq they continue from.
    this.reopenPending = true;
    this.gotSnapshot = false;
    ws.onmessage = (ev) => this.handle(ev.data);
    ws.onerror = () => {};
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.opts.store.reset();
      const code = (ev as { code?: number } | null)?.code ?? 0;
      if (code === SESSION_ENDED) {
        this.opts.store.clear();
        this.stopped = true;
        this.attempt = 0;
        this.opts.onSessionEnded?.();
        return;
      }
      this.opts.onDrop?.({ code, beforeSnapshot: !this.gotSnapshot });
      this.schedule();
    };
  }

  private handle(data: unknown) {
    if (typeof data !== 'string') return;
    let msg: ServerMsg;
    try {
      msg = JSON.parse(data) as ServerMsg;
    } catch {
      return;
    }
    if ((msg as { type: string }).type === 'alert') {
      this.opts.onAlert?.((msg as unknown as { alert: FiredAlert }).alert);
      return;
    }
    if ((msg as { type: string }).type === 'levels') {
      this.opts.onLevels?.(msg);
      return;
    }
    const result = this.opts.store.apply(msg);
    if (msg.type === 'snapshot') {
      this.gotSnapshot = true;
      this.attempt = 0;
      this.opts.onState({ kind: 'live' });
      if (this.reopenPending) {
        this.reopenPending = false;
        for (const call of this.opts.store.transcripts.keys()) this.send({ type: 'open', call });
        if (this.meters) this.send({ type: 'meters', on: true });
      }
    }
    if (result === 'resync') this.send({ type: 'resync' });
  }

  private schedule() {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt++, this.opts.random);
    this.opts.onState({ kind: 'waiting', retryAt: this.opts.now() + delay });
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, delay);
  }
}
