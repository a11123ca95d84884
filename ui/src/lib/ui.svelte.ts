// Page-wide UI state: toasts, actions in flight, dialogs, the open transcript,
// the focused member (keyboard navigation).
import { ActionError } from './api';
import { t } from './i18n';
import { MohLog } from './moh';

function browserStorage(): Storage | null {
  try {
    return localStorage;
  } catch {
    return null;
  }
}

/** The open transcript survives a reload of this tab (sessionStorage), so its lines are completed, not lost. */
const OPEN_CALL = 'callboard.openCall';
function tabStorage(): Storage | null {
  try {
    return sessionStorage;
  } catch {
    return null;
  }
}

export interface Toast {
  id: number;
  kind: 'error' | 'ok' | 'alert';
  text: string;
}

export type Dialog =
  | { kind: 'kick'; node: string; conference: string; member: string; name: string }
  | { kind: 'play-member'; node: string; conference: string; member: string; name: string }
  | { kind: 'play-conference'; node: string; conference: string }
  | { kind: 'hangup'; node: string; call: string; from: string; to: string }
  /** Issue 11's dialogs: SuperviseDialogs.svelte renders them. */
  | { kind: 'transfer'; node: string; call: string; from: string }
  | { kind: 'originate' }
  | { kind: 'phone' }
  /** A confirm of the admin area: its own component renders it. */
  | { kind: 'confirm'; title: string; body: string; confirm: string; danger?: boolean; run: () => void };

class UIState {
  toasts = $state<Toast[]>([]);
  /** Keys of actions in flight, e.g. "mute fs1/room/3". */
  busy = $state<Record<string, true>>({});
  dialog = $state<Dialog | null>(null);
  #openCall = $state<string | null>(tabStorage()?.getItem(OPEN_CALL) ?? null);
  /** Key of the call whose transcript panel is open (kept across a reload of the tab). */
  get openCall(): string | null {
    return this.#openCall;
  }
  set openCall(key: string | null) {
    this.#openCall = key;
    try {
      if (key) tabStorage()?.setItem(OPEN_CALL, key);
      else tabStorage()?.removeItem(OPEN_CALL);
    } catch {
      // storage full or denied: the panel just does not survive a reload
    }
  }
  /** Key of the member row that has keyboard focus. */
  focusedMember = $state<string | null>(null);
  /** Music on hold as this browser last set it (Asterisk does not report it). */
  moh = new MohLog(browserStorage());
  /** Bumped when moh changes, for components to re-read it. */
  mohVersion = $state(0);
  private nextId = 1;

  /** Sign-out: nothing of the last session stays open. */
  forget() {
    this.dialog = null;
    this.openCall = null;
    this.focusedMember = null;
    this.busy = {};
  }

  recordMoh(confKey: string, on: boolean) {
    this.moh.record(confKey, on);
    this.mohVersion++;
  }

  toast(kind: Toast['kind'], text: string) {
    const id = this.nextId++;
    this.toasts = [...this.toasts, { id, kind, text }];
    setTimeout(() => this.dismiss(id), kind === 'ok' ? 3000 : kind === 'alert' ? 12000 : 8000);
  }

  dismiss(id: number) {
    this.toasts = this.toasts.filter((x) => x.id !== id);
  }

  isBusy(key: string): boolean {
    return key in this.busy;
  }

  /**
   * Runs an action once: a second click while it is in flight does nothing.
   * A refusal is shown as a toast with the server's reason, in words.
   */
  async run(key: string, actionLabel: string, target: string, fn: () => Promise<void>) {
    if (this.isBusy(key)) return;
    this.busy = { ...this.busy, [key]: true };
    try {
      await fn();
    } catch (e) {
      // A 401 already shows the sign-in page; a toast would only repeat it.
      if (e instanceof ActionError && e.code === 'unauthorized') return;
      const reason = e instanceof ActionError || e instanceof Error ? e.message : String(e);
      this.toast('error', t('action.failed', { action: actionLabel, target, reason }));
    } finally {
      const { [key]: _, ...rest } = this.busy;
      this.busy = rest;
    }
  }
}

export const ui = new UIState();
