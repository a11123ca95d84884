// The wallboard's computations (plain TypeScript, unit-tested): per-queue
// views from the queue store, the longest wait against the server's clock,
// thresholds, the supervisor's own agent row, settings.
//
// Work per frame is bounded: views are rebuilt only when the store changes
// (once per animation frame at most, see lib/live.svelte.ts); the one-second
// tick only subtracts each queue's oldest join time from "now".
import type { QueueStore } from './queueStore';
import { queueKey, type Agent, type Queue, type QueueMember } from './queueTypes';

export type Level = 'ok' | 'amber' | 'red';

/** A figure's amber and red limits. */
export interface Limits {
  amber: number;
  red: number;
}

export interface Thresholds {
  /** Longest wait in seconds: above amber is amber, above red is red. */
  longestWait: Limits;
  /** Callers waiting: above amber is amber, above red is red. */
  waiting: Limits;
  /** Service level in percent: below amber is amber, below red is red. */
  serviceLevel: Limits;
}

export interface BoardSettings {
  thresholds: Thresholds;
  /** Service level threshold in seconds (answered within it). */
  serviceLevelSeconds: number;
  /** TV mode: seconds each queue is shown. */
  tvCycleSeconds: number;
}

export const defaultSettings: BoardSettings = {
  thresholds: {
    longestWait: { amber: 60, red: 120 },
    waiting: { amber: 5, red: 10 },
    serviceLevel: { amber: 80, red: 60 },
  },
  serviceLevelSeconds: 20,
  tvCycleSeconds: 10,
};

export const SETTINGS_KEY = 'callboard.wallboard';

const num = (v: unknown, lo: number, hi: number, def: number) =>
  typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi ? v : def;

function limits(v: unknown, def: Limits, hi: number): Limits {
  const o = (v ?? {}) as Partial<Limits>;
  return { amber: num(o.amber, 0, hi, def.amber), red: num(o.red, 0, hi, def.red) };
}

/**
 * Settings from storage (JSON under SETTINGS_KEY, e.g. set by an operator in
 * the browser's console for a wall screen); anything missing or out of range
 * takes the default.
 */
export function loadSettings(storage: Pick<Storage, 'getItem'> | null): BoardSettings {
  let raw: Partial<BoardSettings> & { thresholds?: Partial<Thresholds> } = {};
  try {
    raw = JSON.parse(storage?.getItem(SETTINGS_KEY) ?? '{}') ?? {};
  } catch {
    raw = {};
  }
  const d = defaultSettings;
  const th: Partial<Thresholds> = raw.thresholds ?? {};
  return {
    thresholds: {
      longestWait: limits(th.longestWait, d.thresholds.longestWait, 86400),
      waiting: limits(th.waiting, d.thresholds.waiting, 100000),
      serviceLevel: limits(th.serviceLevel, d.thresholds.serviceLevel, 100),
    },
    serviceLevelSeconds: Math.round(num(raw.serviceLevelSeconds, 1, 3600, d.serviceLevelSeconds)),
    tvCycleSeconds: num(raw.tvCycleSeconds, 3, 600, d.tvCycleSeconds),
  };
}

/** Level of a figure where more is worse (waits, callers waiting). */
export function levelAbove(v: number, l: Limits): Level {
  if (v > l.red) return 'red';
  if (v > l.amber) return 'amber';
  return 'ok';
}

/** Level of a figure where less is worse (service level). null: no figure yet. */
export function levelBelow(v: number | null, l: Limits): Level {
  if (v === null) return 'ok';
  if (v < l.red) return 'red';
  if (v < l.amber) return 'amber';
  return 'ok';
}

/** within/offered in percent, one decimal; null when nothing was offered. */
export function serviceLevel(within: number, offered: number): number | null {
  if (offered <= 0) return null;
  return Math.round((within * 1000) / offered) / 10;
}

/** A caller still waiting for an agent (not yet answered). */
export const isWaiting = (m: QueueMember) => m.state === 'Waiting' || m.state === 'Trying';

/** Agent states in the order the board lists them. */
export const agentStates = ['In a queue call', 'Receiving', 'Waiting', 'Idle'] as const;

export interface QueueView {
  key: string;
  node: string;
  name: string;
  /** The queue's name without its domain ("support" of "support@default"). */
  label: string;
  queue: Queue;
  waiting: number;
  /** Epoch ms (server clock) of the longest-waiting caller's join; null when nobody waits. */
  oldestJoin: number | null;
  /** Waiting callers, first in line first. */
  callers: QueueMember[];
  /** Agents of the queue (by tier), by name. */
  agents: Agent[];
  /** Signed-in agents by state; "away" counts On Break and Logged Out. */
  byState: Record<string, number>;
  away: number;
}

const time = (iso: string | undefined) => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? null : t;
};

const sameList = <T>(a: T[], b: T[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const sameCounts = (a: Record<string, number>, b: Record<string, number>) => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
};

/** Whether two views of one queue show the same thing (same store objects, same figures). */
export function sameView(a: QueueView, b: QueueView): boolean {
  return (
    a.key === b.key &&
    a.queue === b.queue &&
    a.waiting === b.waiting &&
    a.oldestJoin === b.oldestJoin &&
    a.away === b.away &&
    sameCounts(a.byState, b.byState) &&
    sameList(a.callers, b.callers) &&
    sameList(a.agents, b.agents)
  );
}

/**
 * Builds one view per queue, sorted by node and name. With prev (the last
 * result), a queue whose view did not change keeps its previous object, so
 * its tile is not rendered again: one queue event touches one tile, not 50.
 */
export function queueViews(store: QueueStore, prev: QueueView[] = []): QueueView[] {
  const views = new Map<string, QueueView>();
  for (const q of store.queues.values()) {
    const key = queueKey(q);
    views.set(key, { key, node: q.node, name: q.name, label: q.name.split('@')[0] || q.name, queue: q, waiting: 0,
      oldestJoin: null, callers: [], agents: [], byState: {}, away: 0 });
  }
  for (const m of store.members.values()) {
    const v = views.get(`${m.node}/${m.queue}`);
    if (!v || !isWaiting(m)) continue;
    v.waiting++;
    v.callers.push(m);
    const j = time(m.joinedAt);
    if (j !== null && (v.oldestJoin === null || j < v.oldestJoin)) v.oldestJoin = j;
  }
  for (const t of store.tiers.values()) {
    const v = views.get(`${t.node}/${t.queue}`);
    const a = store.agents.get(`${t.node}/${t.agent}`);
    if (!v || !a) continue;
    v.agents.push(a);
    if (isAway(a)) v.away++;
    else v.byState[a.state] = (v.byState[a.state] ?? 0) + 1;
  }
  for (const v of views.values()) {
    v.callers.sort((a, b) => (a.position || 1e9) - (b.position || 1e9) || (time(a.joinedAt) ?? 0) - (time(b.joinedAt) ?? 0));
    v.agents.sort((a, b) => a.name.localeCompare(b.name));
  }
  const before = new Map(prev.map((v) => [v.key, v]));
  return [...views.values()]
    .map((v) => {
      const old = before.get(v.key);
      return old && sameView(old, v) ? old : v;
    })
    .sort((a, b) => a.node.localeCompare(b.node) || a.name.localeCompare(b.name));
}

/** Agents who do not take calls now. */
export const isAway = (a: Agent) => a.status === 'On Break' || a.status === 'Logged Out';

/** ms from t (epoch ms on the server's clock) to the server's now, never negative. */
export function elapsed(t: number | null, serverNow: number): number {
  return t === null ? 0 : Math.max(0, serverNow - t);
}

/** ms the agent has been in its current state (status change when more recent). */
export function timeInState(a: Agent, serverNow: number): number {
  const s = Math.max(time(a.stateSince) ?? 0, time(a.statusSince) ?? 0);
  return s ? Math.max(0, serverNow - s) : 0;
}

/**
 * The supervisor's own agent row: an agent whose name is the user's name,
 * or whose name before "@" is (agent "kim@default" for user "kim"),
 * ignoring case. A simple rule, documented in docs/wallboard.md.
 */
export function isOwnAgent(agentName: string, userName: string | undefined): boolean {
  if (!userName) return false;
  const a = agentName.toLowerCase();
  const u = userName.toLowerCase();
  return a === u || a.split('@')[0] === u;
}

/**
 * The server's clock minus this browser's, from an HTTP Date header (whole
 * seconds) read between sentAt and receivedAt: waits are computed from the
 * PBX's join times, so a browser whose clock is off still ticks right.
 */
export function clockOffset(dateHeader: string | null, sentAt: number, receivedAt: number): number | null {
  const server = dateHeader ? Date.parse(dateHeader) : NaN;
  if (Number.isNaN(server)) return null;
  // The header truncates to the second: its true time is on average half a second later.
  return server + 500 - (sentAt + receivedAt) / 2;
}
