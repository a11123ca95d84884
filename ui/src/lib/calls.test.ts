import { describe, expect, it } from 'vitest';
import { asPlaced, filterAndSort, matchesFilter, visibleRange } from './calls';
import { call } from './fixtures';

const calls = [
  call('1', { callerName: 'Kim Minji', callerNumber: '1001', calleeNumber: '3000', state: 'active', answeredAt: '2026-11-22T12:00:30Z' }),
  call('2', { callerNumber: '1002', calleeName: 'Callbot', state: 'ringing', createdAt: '2026-11-22T12:01:00Z', node: 'fs2' }),
  call('3', { callerName: 'Park', callerNumber: '1003', state: 'held', answeredAt: '2026-11-22T11:59:00Z', conference: 'room-7' }),
];

describe('matchesFilter', () => {
  it.each([
    ['', ['1', '2', '3']],
    ['kim', ['1']],
    ['CALLBOT', ['2']],
    ['100', ['1', '2', '3']],
    ['fs2', ['2']],
    ['room-7', ['3']],
    ['park 1003', ['3']],
    ['park 1001', []],
    ['  held  ', ['3']],
  ])('%j', (filter, want) => {
    expect(calls.filter((c) => matchesFilter(c, filter)).map((c) => c.id)).toEqual(want);
  });

  it('matches the node kind when a lookup is given', () => {
    const kindOf = (node: string) => (node === 'fs2' ? 'Asterisk' : 'FreeSWITCH');
    expect(calls.filter((c) => matchesFilter(c, 'asterisk', kindOf)).map((c) => c.id)).toEqual(['2']);
    expect(calls.filter((c) => matchesFilter(c, 'freeswitch kim', kindOf)).map((c) => c.id)).toEqual(['1']);
    expect(calls.filter((c) => matchesFilter(c, 'asterisk')).map((c) => c.id)).toEqual([]);
  });
});

describe('filterAndSort', () => {
  it('sorts by each column, both directions', () => {
    const ids = (k: Parameters<typeof filterAndSort>[2], d: 'asc' | 'desc') =>
      filterAndSort(calls, '', k, d).map((c) => c.id);
    expect(ids('from', 'asc')).toEqual(['2', '1', '3']); // "1002" < "Kim…" < "Park…"
    expect(ids('state', 'asc')).toEqual(['2', '1', '3']); // ringing, active, held
    expect(ids('state', 'desc')).toEqual(['3', '1', '2']);
    // duration asc: shortest first (latest start: created 12:01 > answered 12:00:30 > 11:59)
    expect(ids('duration', 'asc')).toEqual(['2', '1', '3']);
    expect(ids('duration', 'desc')).toEqual(['3', '1', '2']);
    expect(ids('node', 'desc')[0]).toBe('2');
  });

  it('filters before sorting and breaks ties by id', () => {
    const same = [call('b'), call('a'), call('c', { callerName: 'zed' })];
    expect(filterAndSort(same, '', 'node', 'asc').map((c) => c.id)).toEqual(['a', 'b', 'c']);
    expect(filterAndSort(same, 'zed', 'node', 'asc').map((c) => c.id)).toEqual(['c']);
  });
});

describe('visibleRange', () => {
  it('renders only the rows in view plus overscan', () => {
    expect(visibleRange(0, 440, 44, 5000, 5)).toEqual([0, 15]);
    expect(visibleRange(44 * 1000, 440, 44, 5000, 5)).toEqual([995, 1015]);
    expect(visibleRange(44 * 4995, 440, 44, 5000, 5)).toEqual([4990, 5000]);
    expect(visibleRange(0, 440, 44, 3, 5)).toEqual([0, 3]);
    expect(visibleRange(0, 440, 44, 0, 5)).toEqual([0, 0]);
  });
});

describe('asPlaced', () => {
  it('shows a call placed from callboard as from -> to', () => {
    const c = call('a1', { calleeName: 'Outbound Call', calleeNumber: '1011' });
    const p = asPlaced(c, { from: '1011', to: '5723' });
    expect([p.callerNumber, p.calleeNumber, p.calleeName]).toEqual(['1011', '5723', '']);
    expect(p.id).toBe(c.id);
  });
  it('leaves other calls alone', () => {
    const c = call('b1');
    expect(asPlaced(c, undefined)).toBe(c);
  });
});
