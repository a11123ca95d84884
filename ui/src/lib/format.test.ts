import { describe, expect, it } from 'vitest';
import { formatAgo, formatClock, formatDateTime, formatDuration, formatLatency, kindLabel, since } from './format';

describe('formatDuration', () => {
  it.each([
    [0, '0:00'],
    [999, '0:00'],
    [7_000, '0:07'],
    [59_999, '0:59'],
    [60_000, '1:00'],
    [723_000, '12:03'],
    [3_600_000, '1:00:00'],
    [3_723_000, '1:02:03'],
    [-5_000, '0:00'],
  ])('%i ms -> %s', (ms, want) => {
    expect(formatDuration(ms)).toBe(want);
  });
});

describe('formatLatency', () => {
  it.each([
    [820, '820 ms'],
    [999.6, '1000 ms'],
    [1400, '1.4 s'],
    [12_345, '12 s'],
  ])('%d -> %s', (ms, want) => expect(formatLatency(ms)).toBe(want));
});

describe('since and formatClock', () => {
  it('never goes negative and tolerates missing or bad times', () => {
    const now = Date.parse('2026-11-22T12:00:10Z');
    expect(since('2026-11-22T12:00:00Z', now)).toBe(10_000);
    expect(since('2026-11-22T12:00:20Z', now)).toBe(0);
    expect(since(undefined, now)).toBe(0);
    expect(since('garbage', now)).toBe(0);
  });

  it('formats a clock time in the given locale and is empty for bad input', () => {
    const s = formatClock('2026-11-22T12:34:56Z', 'en-GB');
    expect(s).toMatch(/^\d\d:\d\d:56$/);
    expect(formatClock(undefined)).toBe('');
    expect(formatClock('nope')).toBe('');
  });
});

describe('kindLabel', () => {
  it.each([
    ['freeswitch', 'FreeSWITCH'],
    ['asterisk', 'Asterisk'],
    ['Asterisk', 'Asterisk'],
    ['kamailio', 'kamailio'],
    [undefined, ''],
  ])('%j -> %j', (kind, want) => {
    expect(kindLabel(kind)).toBe(want);
  });
});

describe('formatAgo', () => {
  it.each([
    [0, '0 s'],
    [59_999, '59 s'],
    [60_000, '1 min'],
    [3_599_000, '59 min'],
    [7_200_000, '2 h'],
    [-5, '0 s'],
  ])('%i ms -> %j', (ms, want) => {
    expect(formatAgo(ms)).toBe(want);
  });
});

describe('formatDateTime', () => {
  it('is empty for absent, invalid or zero times', () => {
    expect(formatDateTime(undefined)).toBe('');
    expect(formatDateTime('nope')).toBe('');
    expect(formatDateTime('0001-01-01T00:00:00Z')).toBe('');
    expect(formatDateTime('2026-11-22T12:41:07Z', 'en-GB')).toMatch(/22 Nov.*\d\d:41:07/);
  });
});
