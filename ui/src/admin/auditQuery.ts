// The audit log's filters as a query string (docs/auth.md: from, to, user,
// action, node, result, limit, before), shared by the table and the CSV link.

export interface AuditFilters {
  user: string;
  /** An audit kind (action, login, ...); sent as `kind`. */
  kind: string;
  /** An action name (mute, kick, ...); sent as `action`. */
  action: string;
  node: string;
  result: string;
  /** Local date-time of an <input type="datetime-local"> ("2026-11-22T12:00"), or ''. */
  from: string;
  to: string;
}

export const emptyFilters = (): AuditFilters => ({ user: '', kind: '', action: '', node: '', result: '', from: '', to: '' });

/** "2026-11-22T12:00" in the browser's time zone -> RFC 3339 UTC; '' when empty or invalid. */
export function localToISO(local: string): string {
  if (!local) return '';
  const ms = new Date(local).getTime();
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString();
}

/** "?user=ana&from=...": only the filters that are set, trimmed; '' when none. */
export function auditQuery(f: AuditFilters, page?: { limit?: number; before?: string }): string {
  const q = new URLSearchParams();
  const set = (k: string, v: string | undefined) => {
    const s = (v ?? '').trim();
    if (s) q.set(k, s);
  };
  set('user', f.user);
  set('kind', f.kind);
  set('action', f.action);
  set('node', f.node);
  set('result', f.result);
  set('from', localToISO(f.from));
  set('to', localToISO(f.to));
  if (page?.limit) q.set('limit', String(page.limit));
  set('before', page?.before);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The CSV export of the same filters (no paging: the whole matching log). */
export function auditCsvHref(f: AuditFilters): string {
  return `/api/v1/audit.csv${auditQuery(f)}`;
}

/**
 * The action names the audit filter offers: the server's catalogue (sent in
 * the snapshot), whose names are exactly what action entries store.
 */
export function auditActionNames(catalogue: Map<string, { name: string }>): string[] {
  return [...catalogue.values()].map((a) => a.name);
}
