import { describe, expect, it } from 'vitest';
import {
  appendPage,
  emptyHistoryFilters,
  filtersFromSearch,
  filtersToSearch,
  hasFilters,
  historyApiQuery,
  historyExportHref,
  localDayISO,
} from './historyQuery';

const params = (q: string) => Object.fromEntries(new URLSearchParams(q.slice(1)));

describe('historyApiQuery', () => {
  it('is empty without filters', () => {
    expect(historyApiQuery(emptyHistoryFilters())).toBe('');
    expect(hasFilters(emptyHistoryFilters())).toBe(false);
  });

  it('sends only what is set, trimmed, with hasTranscript as true', () => {
    const f = { ...emptyHistoryFilters(), q: ' 0109 ', node: 'demo-fs', hasTranscript: true, text: ' 도착 ' };
    expect(params(historyApiQuery(f, { limit: 50 }))).toEqual({
      q: '0109',
      node: 'demo-fs',
      hasTranscript: 'true',
      text: '도착',
      limit: '50',
    });
  });

  it('turns local days into a half-open UTC range covering the whole `to` day', () => {
    const f = { ...emptyHistoryFilters(), from: '2026-11-20', to: '2026-11-22' };
    const q = params(historyApiQuery(f));
    expect(q.from).toBe(new Date(2026, 10, 20).toISOString());
    expect(q.to).toBe(new Date(2026, 10, 23).toISOString());
    // Month ends roll over.
    expect(localDayISO('2026-12-31', 1)).toBe(new Date(2027, 0, 1).toISOString());
  });

  it('ignores malformed days', () => {
    expect(localDayISO('yesterday')).toBe('');
    expect(historyApiQuery({ ...emptyHistoryFilters(), from: '22/11/2026' })).toBe('');
  });

  it('pages with the next cursor as before', () => {
    const q = params(historyApiQuery({ ...emptyHistoryFilters(), q: 'kim' }, { limit: 25, before: '1795353641320.23' }));
    expect(q).toEqual({ q: 'kim', limit: '25', before: '1795353641320.23' });
    expect(historyApiQuery(emptyHistoryFilters(), { before: '' })).toBe('');
  });
});

describe('filters in the page URL', () => {
  it('round-trip through the query string', () => {
    const f = { from: '2026-11-01', to: '2026-11-22', q: 'Kim & Lee', node: 'demo-ast', hasTranscript: true, text: '서울시 강남구' };
    const s = filtersToSearch(f);
    expect(s.startsWith('?')).toBe(true);
    expect(filtersFromSearch(s)).toEqual(f);
    expect(hasFilters(f)).toBe(true);
  });

  it('drop malformed days and unknown keys', () => {
    expect(filtersFromSearch('?from=soon&to=2026-11-22&transcript=yes&foo=1')).toEqual({
      ...emptyHistoryFilters(),
      to: '2026-11-22',
    });
    expect(filtersToSearch({ ...emptyHistoryFilters(), q: '   ' })).toBe('');
  });
});

describe('appendPage', () => {
  it('appends without repeating a call already shown, keeping order', () => {
    const a = { node: 'n', id: '1' };
    const b = { node: 'n', id: '2' };
    const c = { node: 'm', id: '2' };
    const d = { node: 'n', id: '3' };
    expect(appendPage([a, b], [b, c, d])).toEqual([a, b, c, d]);
    expect(appendPage([], [a])).toEqual([a]);
  });
});

describe('historyExportHref', () => {
  it('escapes node and call ids', () => {
    expect(historyExportHref('demo fs', 'a/b', 'csv')).toBe('/api/v1/history/calls/demo%20fs/a%2Fb/export?format=csv');
    expect(historyExportHref('demo-ast', '1795.13', 'json')).toBe('/api/v1/history/calls/demo-ast/1795.13/export?format=json');
  });
});
