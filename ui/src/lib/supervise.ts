// Call control and supervision on the browser side (issue 11): which call
// actions a menu shows and why one is disabled, the client-side shape check
// of a transfer or click-to-call target (the server checks for real against
// the node's dial rules), and the PBX's verdicts of calls this user placed.
import type { Call, Origination } from './types';

/** The call actions a menu offers, in order. Hold/unhold and the listen modes swap by state. */
export const callMenuActions = ['hold', 'unhold', 'transfer', 'listen', 'whisper', 'barge', 'stop-listening', 'hangup'] as const;
export type CallMenuAction = (typeof callMenuActions)[number];

export interface MenuItem {
  name: CallMenuAction;
  /** A message key saying why it cannot be taken now; undefined when it can. */
  disabledReason?: string;
  /** The item is the mode this user's phone is in already. */
  current?: boolean;
}

const superviseModes = new Set(['listen', 'whisper', 'barge']);

/** The listener entry of `phone` on `call`, if that phone listens to it. */
export function myListener(call: Call, phone: string) {
  return phone ? call.listeners?.find((l) => l.phone === phone) : undefined;
}

/**
 * The items of a call's action menu: what the node offers and the role
 * allows (`may`), shaped by the call's state and the user's phone.
 */
export function callMenu(call: Call, phone: string, may: (name: string) => boolean): MenuItem[] {
  const held = call.state === 'held';
  const mine = myListener(call, phone);
  const items: MenuItem[] = [];
  for (const name of callMenuActions) {
    if (!may(name)) continue;
    if (name === 'hold' && held) continue;
    if (name === 'unhold' && !held) continue;
    if (name === 'stop-listening' && !mine) continue;
    const item: MenuItem = { name };
    if (superviseModes.has(name)) {
      if (!phone) item.disabledReason = 'supervise.noPhone';
      else if (mine?.mode === name) item.current = true;
    }
    items.push(item);
  }
  return items;
}

/** An extension, endpoint name or phone number: the shape the server accepts before its dial rules. */
const targetShape = /^\+?[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const endpointShape = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function validTarget(s: string): boolean {
  return targetShape.test(s.trim());
}

export function validEndpoint(s: string): boolean {
  return endpointShape.test(s.trim());
}

/** A placed call's outcome worth telling its placer: failed (with the cause) or connected. */
export interface Verdict {
  key: string;
  kind: 'ok' | 'error';
  origination: Origination;
}

/**
 * Follows originations and reports each of `me`'s once, when it fails or
 * goes live. Outcomes already known at the first look (a reload) are not
 * announced again.
 */
export class VerdictWatcher {
  private told = new Set<string>();
  private primed = false;

  check(originations: Map<string, Origination>, me: string | undefined): Verdict[] {
    const out: Verdict[] = [];
    for (const [key, o] of originations) {
      if (!me || o.by !== me) continue;
      const kind = o.state === 'failed' ? 'error' : o.state === 'live' || o.state === 'ended' ? 'ok' : null;
      if (!kind) continue;
      const id = `${key} ${kind}`;
      if (this.told.has(id)) continue;
      this.told.add(id);
      if (kind === 'ok') this.told.add(`${key} ok`);
      if (this.primed) out.push({ key, kind, origination: o });
    }
    this.primed = true;
    return out;
  }
}
