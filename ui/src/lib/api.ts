// REST calls (docs/protocol.md). An action's reply only carries the PBX's
// verdict; the resulting state arrives over the websocket. Every request goes through
// the session (lib/auth.ts): CSRF header, retry after a stale token, 401.
import { ApiError, auth } from './auth';
import { t } from './i18n';
import { actionPath, type ActionRef } from './actions';
import type { ActionSpec } from './types';

/** Kept under its old name: components catch it to show the server's reason. */
export { ApiError as ActionError };

/** Sends a request with the session; resolves to the parsed JSON body (or null), throws ApiError otherwise. */
export async function call<T = unknown>(method: string, path: string, body?: object): Promise<T> {
  let res: Response;
  try {
    res = await auth.request(method, path, body);
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(t('action.network'), 'unavailable', 0);
  }
  if (res.ok) {
    if (res.status === 204) return null as T;
    try {
      return (await res.json()) as T;
    } catch {
      return null as T;
    }
  }
  let reason = `${res.status} ${res.statusText}`.trim();
  let code = 'unavailable';
  try {
    const j = (await res.json()) as { error?: string; code?: string };
    if (j.error) reason = j.error;
    if (j.code) code = j.code;
  } catch {
    // not JSON: keep the HTTP status as the reason
  }
  if (code === 'forbidden') reason = t('action.forbidden');
  if (code === 'csrf') reason = t('action.csrf');
  throw new ApiError(reason, code, res.status);
}

/** Takes a catalogued action: its method and URL come from the catalogue entry. */
export function takeAction(spec: ActionSpec, ref: ActionRef, body?: object) {
  return call<void>(spec.method, actionPath(spec, ref), body);
}
