// Queue history queries (docs/history.md#queues): the list's filters to
// the API's query string, in the browser's time zone (plain TS, unit-tested).
export interface QueueFilters {
  queue: string; // "node/queue" or ''
  outcome: '' | 'answered' | 'abandoned' | 'timeout';
  from: string; // YYYY-MM-DD (local) or ''
  to: string; // inclusive, YYYY-MM-DD (local) or ''
}

export const emptyQueueFilters = (): QueueFilters => ({ queue: '', outcome: '', from: '', to: '' });

/** Local midnight of a YYYY-MM-DD date as RFC 3339; plusDays moves it. */
function localDay(d: string, plusDays = 0): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  if (!m) return null;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays).toISOString();
}

/** The API query string (no leading "?") of filters, with extra parameters. */
export function queueApiQuery(f: QueueFilters, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  if (f.queue) {
    const i = f.queue.indexOf('/');
    q.set('node', f.queue.slice(0, i));
    q.set('queue', f.queue.slice(i + 1));
  }
  if (f.outcome) q.set('outcome', f.outcome);
  const from = f.from ? localDay(f.from) : null;
  const to = f.to ? localDay(f.to, 1) : null; // the "to" day is included
  if (from) q.set('from', from);
  if (to) q.set('to', to);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q.toString();
}

/** "0:42" wait; "" when there is none. */
export function secondsText(ms: number | undefined): string {
  if (ms === undefined || ms === null) return '';
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
