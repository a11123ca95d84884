// Svelte glue: one LiveStore + Connection for the page, with reactive
// counters the components read ($state), and a one-second clock for ticking
// durations.
import { Connection, type ConnState } from './connection';
import { LiveStore } from './store';

class Live {
  store = new LiveStore();
  /** Bumped on every store change; components derive their views from it. */
  version = $state(0);
  conn = $state<ConnState>({ kind: 'connecting' });
  now = $state(Date.now());
  connection: Connection;

  constructor() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.connection = new Connection({
      url: `${proto}//${location.host}/ws`,
      store: this.store,
      onState: (s) => (this.conn = s),
    });
    // Coalesce bursts of messages into one render per animation frame.
    let queued = false;
    this.store.onChange(() => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        this.version++;
      });
    });
    setInterval(() => (this.now = Date.now()), 1000);
  }

  start() {
    this.connection.start();
  }
}

export const live = new Live();
