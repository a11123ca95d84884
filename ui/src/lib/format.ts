// Formatting of durations, clock times and latencies.
import { currentLocale, t } from './i18n';

/** 0:07, 12:03, 1:02:03 — for a ticking call duration (whole seconds). */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  if (h > 0) return `${h}:${String(m).padStart(2, '0')}:${ss}`;
  return `${m}:${ss}`;
}

/** 820 ms, 1.4 s, 12 s (units and decimal separator in the UI's language: 1,4 с). */
export function formatLatency(ms: number): string {
  const loc = currentLocale();
  if (ms < 1000) return t('unit.ms', { n: new Intl.NumberFormat(loc, { useGrouping: false }).format(Math.round(ms)) });
  if (ms < 10000) return t('unit.s', { n: new Intl.NumberFormat(loc, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(ms / 1000) });
  return t('unit.s', { n: new Intl.NumberFormat(loc).format(Math.round(ms / 1000)) });
}

/** A whole percentage in the UI's language: 95%, 95 % (ru). */
export function formatPercent(pct: number): string {
  return new Intl.NumberFormat(currentLocale(), { style: 'percent', maximumFractionDigits: 0 }).format(pct / 100);
}

/** A clock time in the browser's locale and time zone. */
export function formatClock(iso: string | undefined, locale: string = currentLocale()): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** Milliseconds elapsed from an RFC 3339 time to now (never negative). */
export function since(iso: string | undefined, now: number): number {
  if (!iso) return 0;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : Math.max(0, now - t);
}

/** A node kind as people call the product: "FreeSWITCH", "Asterisk"; unknown kinds as they are. */
export function kindLabel(kind: string | undefined): string {
  if (!kind) return '';
  const key = `kind.${kind.toLowerCase()}`;
  const label = t(key);
  return label === key ? kind : label;
}

/** "12 s", "3 min", "2 h": how long ago, roughly. */
export function formatAgo(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return t('ago.seconds', { n: s });
  if (s < 3600) return t('ago.minutes', { n: Math.floor(s / 60) });
  return t('ago.hours', { n: Math.floor(s / 3600) });
}

/** "22 Nov, 12:41:07" in the browser's locale and time zone; '' when absent. */
export function formatDateTime(iso: string | undefined, locale: string = currentLocale()): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime()) || d.getTime() <= 0) return '';
  return d.toLocaleString(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
