import { describe, expect, it } from 'vitest';
import { callDuration, formatStarted, mergeLines, party } from './historyFormat';
import type { Utterance } from '../lib/types';

const u = (id: string, at: string | undefined, text = id, final = true): Utterance => ({
  node: 'n',
  callId: 'c',
  id,
  speaker: 'caller',
  text,
  final,
  at,
});

describe('callDuration', () => {
  it('formats known durations and is empty while the call is live', () => {
    expect(callDuration(26862)).toBe('0:26');
    expect(callDuration(3_723_000)).toBe('1:02:03');
    expect(callDuration(undefined)).toBe('');
    expect(callDuration(-5)).toBe('');
  });
});

describe('formatStarted', () => {
  it('shows date and time in the given locale, empty when absent or bad', () => {
    const s = formatStarted('2026-11-22T13:20:48Z', 'en-GB');
    expect(s).toMatch(/2026/);
    expect(s).toMatch(/\d{2}:\d{2}:\d{2}/);
    expect(formatStarted(undefined)).toBe('');
    expect(formatStarted('not a time')).toBe('');
  });
});

describe('party', () => {
  it('prefers the name and shows the number beside it', () => {
    expect(party('이서연', '01098765432')).toEqual({ primary: '이서연', secondary: '01098765432' });
    expect(party('', 'callbot')).toEqual({ primary: 'callbot', secondary: '' });
    expect(party('Frank', 'Frank')).toEqual({ primary: 'Frank', secondary: '' });
    expect(party(undefined, undefined)).toEqual({ primary: '', secondary: '' });
  });
});

describe('mergeLines', () => {
  it('completes stored lines with live ones, one per id, in time order', () => {
    const stored = [u('1', '2026-11-22T13:20:29Z'), u('2', '2026-11-22T13:20:30Z')];
    const live = [u('2', '2026-11-22T13:20:30Z', 'two (live)'), u('3', '2026-11-22T13:20:31Z'), u('0', '2026-11-22T13:20:28Z')];
    const got = mergeLines(stored, live);
    expect(got.map((l) => l.id)).toEqual(['0', '1', '2', '3']);
    expect(got[2].text).toBe('two (live)');
  });

  it('keeps lines without a time in arrival order', () => {
    const got = mergeLines([u('a', undefined), u('b', undefined)], [u('c', undefined, 'c', false)]);
    expect(got.map((l) => l.id)).toEqual(['a', 'b', 'c']);
  });
});
