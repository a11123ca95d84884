// Filtering and sorting of the calls table.
import { timeOf } from './store';
import type { Call, Origination } from './types';

export type SortKey = 'from' | 'to' | 'state' | 'duration' | 'node';
export type SortDir = 'asc' | 'desc';

export function fromLabel(c: Call): string {
  return [c.callerName, c.callerNumber].filter(Boolean).join(' ');
}

export function toLabel(c: Call): string {
  return [c.calleeName, c.calleeNumber].filter(Boolean).join(' ');
}

/**
 * A call placed from callboard shown as it was asked for: from the endpoint
 * that rang first to the destination. The PBX reports the first leg the
 * other way round (the rung phone is its callee, the caller often unknown).
 */
export function asPlaced(c: Call, o: Pick<Origination, 'from' | 'to'> | undefined): Call {
  if (!o || !o.from || !o.to) return c;
  return { ...c, callerName: '', callerNumber: o.from, calleeName: '', calleeNumber: o.to };
}

/** Looks up the display name of a node's kind ("Asterisk") for filtering. */
export type KindOf = (node: string) => string | undefined;

/** Case-insensitive match of every whitespace-separated word on any visible field. */
export function matchesFilter(c: Call, filter: string, kindOf?: KindOf): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = [c.callerName, c.callerNumber, c.calleeName, c.calleeNumber, c.state, c.node, kindOf?.(c.node), c.conference]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
  return words.every((w) => hay.includes(w));
}

const stateOrder: Record<string, number> = { ringing: 0, active: 1, held: 2, hangup: 3 };

/** Start of the ticking duration: answer time, else creation. */
export function durationStart(c: Call): number {
  return timeOf(c.answeredAt) || timeOf(c.createdAt);
}

function compare(a: Call, b: Call, key: SortKey): number {
  switch (key) {
    case 'from':
      return fromLabel(a).localeCompare(fromLabel(b));
    case 'to':
      return toLabel(a).localeCompare(toLabel(b));
    case 'state':
      return (stateOrder[a.state] ?? 9) - (stateOrder[b.state] ?? 9);
    case 'duration':
      // Longer duration = earlier start.
      return durationStart(b) - durationStart(a);
    case 'node':
      return a.node.localeCompare(b.node);
  }
}

export function filterAndSort(calls: Iterable<Call>, filter: string, key: SortKey, dir: SortDir, kindOf?: KindOf): Call[] {
  const out: Call[] = [];
  for (const c of calls) if (matchesFilter(c, filter, kindOf)) out.push(c);
  const sign = dir === 'asc' ? 1 : -1;
  // Ties broken by id so rows do not jump between renders.
  const byId = (a: Call, b: Call) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  if (key === 'duration') {
    // Parse each time once, not once per comparison: thousands of rows re-sort on every delta.
    const start = new Map(out.map((c) => [c, durationStart(c)]));
    return out.sort((a, b) => sign * (start.get(b)! - start.get(a)!) || byId(a, b));
  }
  return out.sort((a, b) => sign * compare(a, b, key) || byId(a, b));
}

/** Rows to render for a scrolled window: [start, end) with overscan. */
export function visibleRange(
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  total: number,
  overscan = 8,
): [number, number] {
  const first = Math.floor(scrollTop / rowHeight);
  const count = Math.ceil(viewport / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(total, first + count + overscan);
  return [start, Math.max(start, end)];
}
