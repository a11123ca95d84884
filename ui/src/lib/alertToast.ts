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
  return `${a.severity.toUpperCase()} · ${a.rule}: ${a.summary}${where}`;
}
