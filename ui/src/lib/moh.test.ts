import { describe, expect, it } from 'vitest';
import { MOH_MAX_AGE_MS, MohLog, type KeyValueStorage } from './moh';

class MemStorage implements KeyValueStorage {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
}

describe('MohLog', () => {
  it('remembers the last action per conference across page loads', () => {
    const storage = new MemStorage();
    let now = 1_000;
    const a = new MohLog(storage, () => now);
    expect(a.get('ast/room')).toBeUndefined();
    a.record('ast/room', true);
    now = 2_000;
    a.record('ast/other', true);
    a.record('ast/other', false);
    const b = new MohLog(storage, () => now);
    expect(b.get('ast/room')).toEqual({ on: true, at: 1_000 });
    expect(b.get('ast/other')).toEqual({ on: false, at: 2_000 });
  });

  it('forgets entries older than the maximum age', () => {
    const storage = new MemStorage();
    let now = 0;
    const log = new MohLog(storage, () => now);
    log.record('ast/room', true);
    now = MOH_MAX_AGE_MS + 1;
    expect(log.get('ast/room')).toBeUndefined();
  });

  it.each([['not json'], ['{"ast/room":{"on":"yes","at":1}}'], ['null']])('ignores bad stored data %j', (raw) => {
    const storage = new MemStorage();
    storage.data.set('callboard.moh', raw);
    expect(new MohLog(storage, () => 1).get('ast/room')).toBeUndefined();
  });

  it('works without storage', () => {
    const log = new MohLog(null, () => 5);
    log.record('k', true);
    expect(log.get('k')).toEqual({ on: true, at: 5 });
  });
});
