// REST actions (docs/protocol.md). The reply only carries the PBX's verdict;
// the resulting state arrives over the websocket.
import { t } from './i18n';

export type MemberAction = 'mute' | 'unmute' | 'deaf' | 'undeaf' | 'kick';

export class ActionError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const seg = encodeURIComponent;

async function post(path: string, body?: object): Promise<void> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: body ? { 'Content-Type': 'application/json' } : undefined,
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new ActionError(t('action.network'), 'unavailable', 0);
  }
  if (res.ok) return;
  let reason = `${res.status} ${res.statusText}`.trim();
  let code = 'unavailable';
  try {
    const j = (await res.json()) as { error?: string; code?: string };
    if (j.error) reason = j.error;
    if (j.code) code = j.code;
  } catch {
    // not JSON: keep the HTTP status as the reason
  }
  throw new ActionError(reason, code, res.status);
}

export function memberAction(node: string, conf: string, member: string, action: MemberAction) {
  return post(`/api/v1/nodes/${seg(node)}/conferences/${seg(conf)}/members/${seg(member)}/${action}`);
}

export function playToMember(node: string, conf: string, member: string, media: string) {
  return post(`/api/v1/nodes/${seg(node)}/conferences/${seg(conf)}/members/${seg(member)}/play`, { media });
}

export function conferenceAction(node: string, conf: string, action: 'lock' | 'unlock') {
  return post(`/api/v1/nodes/${seg(node)}/conferences/${seg(conf)}/${action}`);
}

export function playToConference(node: string, conf: string, media: string) {
  return post(`/api/v1/nodes/${seg(node)}/conferences/${seg(conf)}/play`, { media });
}

export function hangupCall(node: string, call: string) {
  return post(`/api/v1/nodes/${seg(node)}/calls/${seg(call)}/hangup`);
}
