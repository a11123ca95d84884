import { currentLocale, t } from './i18n';

// A fired alert as the server sends it over the websocket
// ({"type":"alert","alert":{...}}) and as a toast reads it.
export interface FiredAlert {
  id: number;
  at: string;
  rule: string;
  severity: string;
  kind: string;
  node?: string;
  callId?: string;
  summary: string;
}

/** A fired alert as a toast's text. */
export function alertText(a: FiredAlert): string {
  const where = a.node ? ` (${a.node}${a.callId ? `/${a.callId}` : ''})` : '';
  const key = `severity.${a.severity}`;
  const sev = t(key) === key ? a.severity : t(key);
  return `${sev.toLocaleUpperCase(currentLocale())} · ${a.rule}: ${a.summary}${where}`;
}
