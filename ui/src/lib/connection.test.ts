import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Connection, backoffDelay, type ConnState, type SocketLike } from './connection';
import { LiveStore } from './store';
import { snapshot } from './fixtures';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: unknown[] = [];
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.drop();
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(msg: object) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

describe('Connection', () => {
  let sockets: FakeSocket[];
  let states: ConnState[];
  let store: LiveStore;
  let conn: Connection;
  let ended: number;
  let drops: { code: number; beforeSnapshot: boolean }[];

  beforeEach(() => {
    ended = 0;
    drops = [];
    vi.useFakeTimers();
    sockets = [];
    states = [];
    store = new LiveStore();
    conn = new Connection({
      url: 'ws://x/ws',
      store,
      onState: (s) => states.push(s),
      onSessionEnded: () => ended++,
      onDrop: (d) => drops.push(d),
      makeSocket: () => {
        const s = new FakeSocket();
        sockets.push(s);
        return s;
      },
      now: () => 1000,
      random: () => 0.5,
    });
    conn.start();
  });
  afterEach(() => vi.useRealTimers());

  it('goes live on the snapshot and sends resync on a seq gap', () => {
    const ws = sockets[0];
    ws.open();
    ws.receive(snapshot(10));
    expect(states.at(-1)).toEqual({ kind: 'live' });
    ws.receive({ type: 'delta', from: 10, seq: 11, ops: [] });
    expect(ws.sent).toEqual([]);
    ws.receive({ type: 'delta', from: 12, seq: 13, ops: [] });
    expect(ws.sent).toEqual([{ type: 'resync' }]);
  });

  it('reconnects with backoff after a drop, showing when it retries', () => {
    sockets[0].open();
    sockets[0].receive(snapshot(1));
    sockets[0].drop();
    expect(states.at(-1)).toEqual({ kind: 'waiting', retryAt: 1000 + 500 });
    expect(store.seq).toBeNull();
    vi.advanceTimersByTime(499);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    // A second failure waits longer.
    sockets[1].drop();
    expect(states.at(-1)).toEqual({ kind: 'waiting', retryAt: 1000 + 1000 });
  });

  it('re-opens open transcripts after the snapshot of a new connection', () => {
    sockets[0].open();
    sockets[0].receive(snapshot(1));
    conn.openTranscript('fs1/c1');
    expect(sockets[0].sent).toEqual([{ type: 'open', call: 'fs1/c1' }]);
    sockets[0].drop();
    vi.advanceTimersByTime(1000);
    const ws = sockets[1];
    ws.open();
    expect(ws.sent).toEqual([]); // not before the snapshot sets the seq
    ws.receive(snapshot(5));
    expect(ws.sent).toEqual([{ type: 'open', call: 'fs1/c1' }]);
    conn.closeTranscript('fs1/c1');
    expect(ws.sent.at(-1)).toEqual({ type: 'close', call: 'fs1/c1' });
  });

  it('close code 4001 (session ended) stops reconnecting and says so', () => {
    sockets[0].open();
    sockets[0].receive(snapshot(1));
    sockets[0].drop(4001);
    expect(ended).toBe(1);
    expect(drops).toEqual([]);
    expect(store.loaded).toBe(false);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    expect(conn.running).toBe(false);
  });

  it('reports other drops, telling whether a snapshot ever arrived', () => {
    sockets[0].drop();
    vi.advanceTimersByTime(1000);
    sockets[1].receive(snapshot(1));
    sockets[1].drop(4000);
    expect(drops).toEqual([
      { code: 1006, beforeSnapshot: true },
      { code: 4000, beforeSnapshot: false },
    ]);
    expect(ended).toBe(0);
  });

  it('stop closes the socket, forgets the state and does not reconnect; start connects again', () => {
    sockets[0].receive(snapshot(1));
    conn.stop();
    expect(store.loaded).toBe(false);
    expect(drops).toEqual([]);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    conn.start();
    expect(sockets).toHaveLength(2);
  });

  it('retryNow skips the countdown', () => {
    sockets[0].drop();
    conn.retryNow();
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(2);
  });
});

describe('backoffDelay', () => {
  it('doubles up to a cap, with bounded jitter', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, () => 0.5))).toEqual([
      500, 1000, 2000, 4000, 8000, 15000, 15000,
    ]);
    expect(backoffDelay(0, () => 0)).toBe(400);
    expect(backoffDelay(0, () => 1)).toBe(600);
  });
});
