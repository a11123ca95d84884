// The history list's filters: as the API query (docs/history.md: from, to, q,
// node, hasTranscript, text, limit, before) and as the page's own query string
// (so a reload, a shared link or Back keeps them).

export interface HistoryFilters {
  /** A local day of an <input type="date"> ("2026-11-22"), or '': calls started that day or later. */
  from: string;
  /** A local day, or '': calls started that day or earlier. */
  to: string;
  /** Caller/callee number or name (substring). */
  q: string;
  node: string;
  hasTranscript: boolean;
  /** Full-text search over transcript lines. */
  text: string;
}

export const emptyHistoryFilters = (): HistoryFilters => ({ from: '', to: '', q: '', node: '', hasTranscript: false, text: '' });

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Local midnight starting day ("2026-11-22") plus `plus` days, as RFC 3339 UTC; '' when not a day. */
export function localDayISO(day: string, plus = 0): string {
  const m = DAY.exec(day);
  if (!m) return '';
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plus);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

/** The API's query string for one page ("?q=…&limit=50"), '' when nothing is set. */
export function historyApiQuery(f: HistoryFilters, page?: { limit?: number; before?: string }): string {
  const q = new URLSearchParams();
  const set = (k: string, v: string | undefined) => {
    const s = (v ?? '').trim();
    if (s) q.set(k, s);
  };
  set('from', localDayISO(f.from));
  // `to` is exclusive on the server: the next local midnight keeps the whole day.
  set('to', localDayISO(f.to, 1));
  set('q', f.q);
  set('node', f.node);
  if (f.hasTranscript) q.set('hasTranscript', 'true');
  set('text', f.text);
  if (page?.limit) q.set('limit', String(page.limit));
  set('before', page?.before);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The filters as the page's own query string (days as typed, not converted); '' when none. */
export function filtersToSearch(f: HistoryFilters): string {
  const q = new URLSearchParams();
  for (const k of ['from', 'to', 'q', 'node', 'text'] as const) {
    const v = f[k].trim();
    if (v) q.set(k, v);
  }
  if (f.hasTranscript) q.set('transcript', '1');
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The inverse of filtersToSearch; unknown or malformed values are ignored. */
export function filtersFromSearch(search: string): HistoryFilters {
  const q = new URLSearchParams(search);
  const f = emptyHistoryFilters();
  for (const k of ['from', 'to'] as const) {
    const v = q.get(k) ?? '';
    if (DAY.test(v)) f[k] = v;
  }
  f.q = q.get('q') ?? '';
  f.node = q.get('node') ?? '';
  f.text = q.get('text') ?? '';
  f.hasTranscript = q.get('transcript') === '1';
  return f;
}

/** Whether any filter is set (the empty state then says "no calls match" rather than "no calls yet"). */
export function hasFilters(f: HistoryFilters): boolean {
  return filtersToSearch(f) !== '';
}

/**
 * One page appended to the list: rows already shown are not repeated (a call
 * that started while paging can shift the boundary), order is kept.
 */
export function appendPage<T extends { node: string; id: string }>(shown: T[], page: T[]): T[] {
  const seen = new Set(shown.map((c) => `${c.node}/${c.id}`));
  return [...shown, ...page.filter((c) => !seen.has(`${c.node}/${c.id}`))];
}

export const historyExportHref = (node: string, call: string, format: 'json' | 'csv') =>
  `/api/v1/history/calls/${encodeURIComponent(node)}/${encodeURIComponent(call)}/export?format=${format}`;
