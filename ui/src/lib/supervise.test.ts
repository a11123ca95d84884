import { describe, expect, it } from 'vitest';
import { callMenu, validTarget, VerdictWatcher } from './supervise';
import type { Call, Origination } from './types';

const call: Call = { node: 'fs1', id: 'c1', state: 'active' };
const all = () => true;

describe('callMenu', () => {
  it('offers hold on a talking call and unhold on a held one', () => {
    expect(callMenu(call, '1001', all).map((i) => i.name)).toEqual(['hold', 'transfer', 'listen', 'whisper', 'barge', 'hangup']);
    expect(callMenu({ ...call, state: 'held' }, '1001', all).map((i) => i.name)).toContain('unhold');
  });
  it('disables the listen modes with a reason when no phone is set', () => {
    const items = callMenu(call, '', all);
    expect(items.find((i) => i.name === 'listen')?.disabledReason).toBe('supervise.noPhone');
    expect(items.find((i) => i.name === 'hold')?.disabledReason).toBeUndefined();
  });
  it('marks the current mode and offers stop while my phone listens', () => {
    const items = callMenu({ ...call, listeners: [{ phone: '1001', mode: 'whisper', leg: 'x' }] }, '1001', all);
    expect(items.find((i) => i.name === 'whisper')?.current).toBe(true);
    expect(items.map((i) => i.name)).toContain('stop-listening');
    expect(callMenu({ ...call, listeners: [{ phone: '1009', mode: 'listen', leg: 'y' }] }, '1001', all).map((i) => i.name)).not.toContain('stop-listening');
  });
  it('leaves out what the node or role does not allow', () => {
    expect(callMenu(call, '1001', (n) => n === 'hangup').map((i) => i.name)).toEqual(['hangup']);
  });
});

describe('validTarget', () => {
  it('accepts extensions and numbers, refuses separators', () => {
    expect(validTarget('1002')).toBe(true);
    expect(validTarget('+821012345678')).toBe(true);
    expect(validTarget('1002 &bridge')).toBe(false);
    expect(validTarget('')).toBe(false);
  });
});

describe('VerdictWatcher', () => {
  const o = (state: string, by = 'mia', cause?: string): Origination => ({ node: 'fs1', callId: 'o1', from: '1001', to: '1002', by, state, cause, at: '' });
  it('tells the placer once, not other users, not outcomes known at load', () => {
    const w = new VerdictWatcher();
    expect(w.check(new Map([['fs1/old', { ...o('failed'), callId: 'old' }]]), 'mia')).toEqual([]);
    expect(w.check(new Map([['fs1/o1', o('ringing')]]), 'mia')).toEqual([]);
    const v = w.check(new Map([['fs1/o1', o('failed', 'mia', 'USER_BUSY')]]), 'mia');
    expect(v).toHaveLength(1);
    expect(v[0].kind).toBe('error');
    expect(v[0].origination.cause).toBe('USER_BUSY');
    expect(w.check(new Map([['fs1/o1', o('failed', 'mia', 'USER_BUSY')]]), 'mia')).toEqual([]);
    expect(w.check(new Map([['fs1/o2', { ...o('failed', 'oz'), callId: 'o2' }]]), 'mia')).toEqual([]);
  });
});
