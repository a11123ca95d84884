// Formatting of history rows: durations, dates, parties, and the transcript
// merged from the stored page and the live store.
import { formatDuration } from '../lib/format';
import { currentLocale } from '../lib/i18n';
import { timeOf } from '../lib/store';
import type { Utterance } from '../lib/types';

/** A call's length as the live table shows it (0:07, 12:03, 1:02:03); '' when unknown (still live). */
export function callDuration(ms: number | undefined): string {
  if (ms === undefined || ms < 0 || !Number.isFinite(ms)) return '';
  return formatDuration(ms);
}

/** "22 Nov 2026, 13:20:48" in the browser's locale and time zone; '' when absent. */
export function formatStarted(iso: string | undefined, locale: string = currentLocale()): string {
  const ms = timeOf(iso);
  if (!ms) return '';
  return new Date(ms).toLocaleString(locale, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** A party as shown: name, else number, else ''; the number separately when both exist. */
export function party(name: string | undefined, number: string | undefined): { primary: string; secondary: string } {
  const n = (name ?? '').trim();
  const num = (number ?? '').trim();
  if (n && num && n !== num) return { primary: n, secondary: num };
  return { primary: n || num, secondary: '' };
}

/**
 * The stored transcript completed with the lines the live store holds for the
 * call (a call still in progress): one line per id, a live version replacing
 * the stored one, ordered by time (lines without one keep their place at the end).
 */
export function mergeLines(stored: Utterance[], liveLines: Utterance[]): Utterance[] {
  const byId = new Map<string, Utterance>();
  for (const u of stored) byId.set(u.id, u);
  for (const u of liveLines) byId.set(u.id, u);
  const all = [...byId.values()];
  const order = new Map(all.map((u, i) => [u, i]));
  return all.sort((a, b) => {
    const ta = timeOf(a.at);
    const tb = timeOf(b.at);
    if (ta && tb && ta !== tb) return ta - tb;
    return order.get(a)! - order.get(b)!;
  });
}
