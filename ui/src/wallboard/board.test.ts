import { describe, expect, it } from 'vitest';
import { QueueStore } from './queueStore';
import { clockOffset, defaultSettings, elapsed, isOwnAgent, levelAbove, levelBelow, loadSettings, queueViews, serviceLevel, timeInState, SETTINGS_KEY } from './board';

const t0 = Date.parse('2026-11-22T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function store() {
  const s = new QueueStore();
  s.applySnapshot({
    queues: [
      { node: 'fs1', name: 'support@default', callsAnswered: 0, callsAbandoned: 0 },
      { node: 'fs1', name: 'sales@default', callsAnswered: 0, callsAbandoned: 0 },
    ],
    agents: [
      { node: 'fs1', name: 'mina', status: 'Available', state: 'Waiting', callsAnswered: 0, noAnswerCount: 0, stateSince: iso(t0 - 30000) },
      { node: 'fs1', name: 'jun', status: 'Available', state: 'In a queue call', callsAnswered: 0, noAnswerCount: 0 },
      { node: 'fs1', name: 'sara', status: 'On Break', state: 'Idle', callsAnswered: 0, noAnswerCount: 0, stateSince: iso(t0 - 90000), statusSince: iso(t0 - 10000) },
    ],
    tiers: [
      { node: 'fs1', queue: 'support@default', agent: 'mina', state: 'Ready', level: 1, position: 1 },
      { node: 'fs1', queue: 'support@default', agent: 'jun', state: 'Active Inbound', level: 1, position: 2 },
      { node: 'fs1', queue: 'support@default', agent: 'sara', state: 'Ready', level: 1, position: 3 },
    ],
    queueMembers: [
      { node: 'fs1', queue: 'support@default', id: 'm1', callId: 'c1', state: 'Waiting', position: 2, joinedAt: iso(t0 - 20000) },
      { node: 'fs1', queue: 'support@default', id: 'm2', callId: 'c2', state: 'Trying', position: 1, joinedAt: iso(t0 - 75000) },
      { node: 'fs1', queue: 'support@default', id: 'm3', callId: 'c3', state: 'Answered', position: 0, joinedAt: iso(t0 - 300000) },
    ],
  });
  return s;
}

describe('queue views', () => {
  it('keeps the view object of a queue that did not change, and only that one', () => {
    const s = store();
    const first = queueViews(s);
    const [sales, support] = queueViews(s, first);
    expect(sales).toBe(first[0]);
    expect(support).toBe(first[1]);
    // An agent of support changes state: support gets a new view, sales keeps its own.
    const mina = s.agents.get('fs1/mina')!;
    s.applyOp({ op: 'set', kind: 'agent', key: 'fs1/mina', value: { ...mina, state: 'Receiving' } });
    const [sales2, support2] = queueViews(s, first);
    expect(sales2).toBe(first[0]);
    expect(support2).not.toBe(first[1]);
    expect(support2.byState).toEqual({ Receiving: 1, 'In a queue call': 1 });
    // A caller joins sales: its view is new.
    s.applyOp({ op: 'set', kind: 'queueMember', key: 'fs1/m9', value: { node: 'fs1', queue: 'sales@default', id: 'm9', callId: 'c9', state: 'Waiting', position: 1, joinedAt: iso(t0) } });
    const [sales3] = queueViews(s, [sales2, support2]);
    expect(sales3).not.toBe(sales2);
    expect(sales3.waiting).toBe(1);
  });

  it('counts waiting callers and the longest wait, not answered ones', () => {
    const [sales, support] = queueViews(store());
    expect(sales.waiting).toBe(0);
    expect(sales.oldestJoin).toBeNull();
    expect(support.waiting).toBe(2);
    expect(support.callers.map((c) => c.id)).toEqual(['m2', 'm1']);
    expect(elapsed(support.oldestJoin, t0)).toBe(75000);
    // The longest wait ticks with the clock alone, no rebuild.
    expect(elapsed(support.oldestJoin, t0 + 5000)).toBe(80000);
    expect(support.byState).toEqual({ Waiting: 1, 'In a queue call': 1 });
    expect(support.away).toBe(1);
    expect(support.label).toBe('support');
  });

  it('follows ops: a caller who leaves no longer waits', () => {
    const s = store();
    expect(s.applyOp({ op: 'remove', kind: 'queueMember', key: 'fs1/m2' })).toBe(true);
    expect(s.departures).toBe(1);
    expect(elapsed(queueViews(s)[1].oldestJoin, t0)).toBe(20000);
    expect(s.applyOp({ op: 'upsert', kind: 'call', key: 'x' })).toBe(false);
  });

  it('time in state counts from the latest state or status change', () => {
    const s = store();
    expect(timeInState(s.agents.get('fs1/mina')!, t0)).toBe(30000);
    expect(timeInState(s.agents.get('fs1/sara')!, t0)).toBe(10000);
  });
});

describe('service level and thresholds', () => {
  it('service level is answered within over offered, one decimal', () => {
    expect(serviceLevel(2, 3)).toBe(66.7);
    expect(serviceLevel(4, 4)).toBe(100);
    expect(serviceLevel(0, 0)).toBeNull();
  });

  it('waits turn amber above 60 s and red above 120 s by default', () => {
    const l = defaultSettings.thresholds.longestWait;
    expect(levelAbove(60, l)).toBe('ok');
    expect(levelAbove(61, l)).toBe('amber');
    expect(levelAbove(121, l)).toBe('red');
  });

  it('service level turns amber below 80 % and red below 60 %', () => {
    const l = defaultSettings.thresholds.serviceLevel;
    expect(levelBelow(80, l)).toBe('ok');
    expect(levelBelow(79.9, l)).toBe('amber');
    expect(levelBelow(59, l)).toBe('red');
    expect(levelBelow(null, l)).toBe('ok');
  });

  it('settings come from storage, bad values fall back', () => {
    const st = { getItem: (k: string) => (k === SETTINGS_KEY ? JSON.stringify({ serviceLevelSeconds: 30, tvCycleSeconds: -1, thresholds: { longestWait: { amber: 30 } } }) : null) };
    const s = loadSettings(st);
    expect(s.serviceLevelSeconds).toBe(30);
    expect(s.tvCycleSeconds).toBe(10);
    expect(s.thresholds.longestWait).toEqual({ amber: 30, red: 120 });
    expect(loadSettings({ getItem: () => '{not json' })).toEqual(defaultSettings);
    expect(loadSettings(null)).toEqual(defaultSettings);
  });
});

describe('own agent and server clock', () => {
  it('matches the user name with or without the agent domain, any case', () => {
    expect(isOwnAgent('kim@default', 'Kim')).toBe(true);
    expect(isOwnAgent('kim', 'kim')).toBe(true);
    expect(isOwnAgent('kimberly', 'kim')).toBe(false);
    expect(isOwnAgent('kim', undefined)).toBe(false);
  });

  it('offset from the Date header', () => {
    const sent = t0 - 100;
    const got = clockOffset(new Date(t0 + 60000).toUTCString(), sent, t0 + 100);
    expect(got).toBe(60500);
    expect(clockOffset(null, 0, 0)).toBeNull();
  });
});
