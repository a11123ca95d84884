// Svelte glue: one LiveStore + Connection for the page, with reactive
// counters the components read ($state), and a one-second clock for ticking
// durations. The connection runs only while someone is signed in (session.svelte.ts).
import { auth } from './auth';
import { Connection, type ConnState } from './connection';
import { LiveStore } from './store';
import { ui } from './ui.svelte';
import { alertText } from './alertToast';
import { meters } from './audio/meters.svelte';

class Live {
  store = new LiveStore();
  /** Bumped on every store change; components derive their views from it. */
  version = $state(0);
  /** Bumped with version when the queue kinds changed (the wallboard's views). */
  queueVersion = $state(0);
  conn = $state<ConnState>({ kind: 'connecting' });
  now = $state(Date.now());
  connection: Connection;

  constructor() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.connection = new Connection({
      url: `${proto}//${location.host}/ws`,
      store: this.store,
      onLevels: (m) => meters.apply(m as Parameters<typeof meters.apply>[0]),
      onState: (s) => (this.conn = s),
      // The server closed the socket because the session ended or was revoked.
      onSessionEnded: () => auth.sessionEnded(),
      // A socket refused before any snapshot may mean the session is gone:
      // ask (a 401 shows the sign-in page; a server that is down changes nothing).
      onDrop: ({ beforeSnapshot }) => {
        if (beforeSnapshot) void auth.me();
      },
      onAlert: (a) => ui.toast('alert', alertText(a)),
    });
    // Coalesce bursts of messages into one render per animation frame.
    let queued = false;
    let queueRev = this.store.queues.rev;
    this.store.onChange(() => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        this.version++;
        if (this.store.queues.rev !== queueRev) {
          queueRev = this.store.queues.rev;
          this.queueVersion++;
        }
      });
    });
    setInterval(() => (this.now = Date.now()), 1000);
  }

  start() {
    this.conn = { kind: 'connecting' };
    this.connection.start();
  }

  stop() {
    this.connection.stop();
    this.conn = { kind: 'connecting' };
  }
}

export const live = new Live();
