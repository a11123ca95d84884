import { describe, expect, it, vi } from 'vitest';
import { LiveStore } from './store';
import { call, conf, member, snapshot, utt } from './fixtures';

describe('LiveStore', () => {
  it('replaces everything on a snapshot', () => {
    const s = new LiveStore();
    s.apply(snapshot(5, { calls: [call('a'), call('b')], conferences: [conf('r')], members: [member('r', '1')] }));
    expect(s.seq).toBe(5);
    expect(s.loaded).toBe(true);
    expect([...s.calls.keys()]).toEqual(['fs1/a', 'fs1/b']);
    expect([...s.members.keys()]).toEqual(['fs1/r/1']);

    s.apply(snapshot(9, { calls: [call('c')] }));
    expect([...s.calls.keys()]).toEqual(['fs1/c']);
    expect(s.conferences.size).toBe(0);
    expect(s.members.size).toBe(0);
    expect(s.seq).toBe(9);
  });

  it('applies upserts and removes of a contiguous delta', () => {
    const s = new LiveStore();
    s.apply(snapshot(10, { calls: [call('a')], members: [member('r', '1')] }));
    const r = s.apply({
      type: 'delta',
      from: 10,
      seq: 12,
      ops: [
        { op: 'upsert', kind: 'call', key: 'fs1/b', value: call('b') },
        { op: 'remove', kind: 'call', key: 'fs1/a' },
        { op: 'upsert', kind: 'member', key: 'fs1/r/1', value: member('r', '1', { muted: true }) },
        { op: 'upsert', kind: 'node', key: 'fs1', value: { node: 'fs1', kind: 'freeswitch', state: 'down', reason: 'EOF' } },
      ],
    });
    expect(r).toBe('ok');
    expect(s.seq).toBe(12);
    expect([...s.calls.keys()]).toEqual(['fs1/b']);
    expect(s.members.get('fs1/r/1')?.muted).toBe(true);
    expect(s.nodes.get('fs1')?.state).toBe('down');
  });

  it('removing a conference removes its members but not other rooms’ members', () => {
    const s = new LiveStore();
    s.apply(
      snapshot(1, {
        conferences: [conf('r1'), conf('r2')],
        members: [member('r1', '1'), member('r1', '2'), member('r2', '1')],
      }),
    );
    s.apply({ type: 'delta', from: 1, seq: 2, ops: [{ op: 'remove', kind: 'conference', key: 'fs1/r1' }] });
    expect([...s.conferences.keys()]).toEqual(['fs1/r2']);
    expect([...s.members.keys()]).toEqual(['fs1/r2/1']);
  });

  it('asks for a resync on a seq gap and applies nothing until the next snapshot', () => {
    const s = new LiveStore();
    s.apply(snapshot(10, { calls: [call('a')] }));
    const gap = s.apply({ type: 'delta', from: 11, seq: 13, ops: [{ op: 'remove', kind: 'call', key: 'fs1/a' }] });
    expect(gap).toBe('resync');
    expect(s.calls.has('fs1/a')).toBe(true);
    // Further deltas are ignored (no second resync request) until a snapshot.
    expect(s.apply({ type: 'delta', from: 13, seq: 14, ops: [] })).toBe('ignored');
    s.apply(snapshot(14, { calls: [] }));
    expect(s.apply({ type: 'delta', from: 14, seq: 15, ops: [] })).toBe('ok');
    expect(s.seq).toBe(15);
  });

  it('ignores deltas before the first snapshot and after a reset', () => {
    const s = new LiveStore();
    expect(s.apply({ type: 'delta', from: 0, seq: 1, ops: [] })).toBe('ignored');
    s.apply(snapshot(3));
    s.reset();
    expect(s.apply({ type: 'delta', from: 3, seq: 4, ops: [] })).toBe('ignored');
  });

  it('keeps utterances only for open transcripts and replaces partials in place', () => {
    const s = new LiveStore();
    s.apply(snapshot(1, { calls: [call('c1'), call('c2')] }));
    s.openTranscript('fs1/c1');
    s.apply({
      type: 'transcript',
      from: 1,
      seq: 2,
      call: 'fs1/c1',
      lines: [utt('c1', 'u1', { text: 'hello', at: '2026-11-22T12:00:01Z' })],
    });
    expect(s.transcriptLoaded.has('fs1/c1')).toBe(true);
    s.apply({
      type: 'delta',
      from: 2,
      seq: 5,
      ops: [
        { op: 'upsert', kind: 'utterance', key: 'fs1/c1/u2', value: utt('c1', 'u2', { text: 'I wa', final: false }) },
        { op: 'upsert', kind: 'utterance', key: 'fs1/c1/u3', value: utt('c1', 'u3', { speaker: 'bot', text: 'Hi' }) },
        { op: 'upsert', kind: 'utterance', key: 'fs1/c2/u1', value: utt('c2', 'u1', { text: 'not open' }) },
      ],
    });
    s.apply({
      type: 'delta',
      from: 5,
      seq: 6,
      ops: [{ op: 'upsert', kind: 'utterance', key: 'fs1/c1/u2', value: utt('c1', 'u2', { text: 'I want to', final: true }) }],
    });
    const lines = s.lines('fs1/c1');
    expect(lines.map((l) => [l.id, l.text, l.final])).toEqual([
      ['u1', 'hello', true],
      ['u2', 'I want to', true], // same position as its partial
      ['u3', 'Hi', true],
    ]);
    expect(s.lines('fs1/c2')).toEqual([]);
    s.closeTranscript('fs1/c1');
    expect(s.transcripts.has('fs1/c1')).toBe(false);
    expect(s.transcriptLoaded.has('fs1/c1')).toBe(false);
  });

  it('keeps open transcripts across a snapshot (the server re-sends them)', () => {
    const s = new LiveStore();
    s.apply(snapshot(1));
    s.openTranscript('fs1/c1');
    s.apply({ type: 'transcript', from: 1, seq: 1, call: 'fs1/c1', lines: [utt('c1', 'u1', { text: 'x' })] });
    s.apply(snapshot(8));
    expect(s.lines('fs1/c1').map((l) => l.text)).toEqual(['x']);
  });

  it('orders members by join time and counts who is talking', () => {
    const s = new LiveStore();
    s.apply(
      snapshot(1, {
        conferences: [conf('r')],
        members: [
          member('r', '3', { joinedAt: '2026-11-22T12:00:03Z', talking: true }),
          member('r', '1', { joinedAt: '2026-11-22T12:00:01Z' }),
          member('other', '9', { talking: true }),
        ],
      }),
    );
    expect(s.membersOf(conf('r')).map((m) => m.id)).toEqual(['1', '3']);
    expect(s.talkingCount()).toBe(2);
  });

  it('notifies listeners on every applied change', () => {
    const s = new LiveStore();
    const fn = vi.fn();
    s.onChange(fn);
    s.apply(snapshot(1));
    s.apply({ type: 'delta', from: 1, seq: 2, ops: [] });
    s.apply({ type: 'delta', from: 7, seq: 8, ops: [] }); // gap: nothing applied
    expect(fn).toHaveBeenCalledTimes(2);
  });
});
