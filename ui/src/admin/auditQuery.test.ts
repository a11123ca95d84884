import { describe, expect, it } from 'vitest';
import { auditCsvHref, auditQuery, emptyFilters, localToISO } from './auditQuery';

describe('auditQuery', () => {
  it('is empty without filters', () => {
    expect(auditQuery(emptyFilters())).toBe('');
    expect(auditCsvHref(emptyFilters())).toBe('/api/v1/audit.csv');
  });

  it('sends only the filters that are set, trimmed and encoded', () => {
    const f = { ...emptyFilters(), user: ' ana ', kind: 'action', action: 'mute', node: 'demo-ast', result: 'ok' };
    const q = new URLSearchParams(auditQuery(f, { limit: 50 }).slice(1));
    expect(Object.fromEntries(q)).toEqual({ user: 'ana', kind: 'action', action: 'mute', node: 'demo-ast', result: 'ok', limit: '50' });
  });

  it('converts local date-times to UTC and pages with before', () => {
    const f = { ...emptyFilters(), from: '2026-11-22T12:00', to: '2026-11-22T13:30' };
    const q = new URLSearchParams(auditQuery(f, { limit: 25, before: '4711' }).slice(1));
    expect(q.get('from')).toBe(new Date('2026-11-22T12:00').toISOString());
    expect(q.get('to')).toBe(new Date('2026-11-22T13:30').toISOString());
    expect(q.get('before')).toBe('4711');
  });

  it('the CSV link carries the same filters but no paging', () => {
    const f = { ...emptyFilters(), user: 'a&b=c', node: 'fs 1' };
    const href = auditCsvHref(f);
    expect(href.startsWith('/api/v1/audit.csv?')).toBe(true);
    const q = new URLSearchParams(href.split('?')[1]);
    expect(q.get('user')).toBe('a&b=c');
    expect(q.get('node')).toBe('fs 1');
    expect(q.has('limit')).toBe(false);
    expect(q.has('before')).toBe(false);
  });

  it.each([
    ['', ''],
    ['not a date', ''],
  ])('localToISO(%j) = %j', (input, want) => {
    expect(localToISO(input)).toBe(want);
  });
});
