// Svelte glue for the action catalogue (lib/actions.ts): what the signed-in
// user may do on a node right now, and taking an action by its catalogue name.
import { takeAction } from './api';
import { ApiError } from './auth';
import { actionsFor, allowed, type ActionRef } from './actions';
import { live } from './live.svelte';
import { session } from './session.svelte';
import { t } from './i18n';
import type { ActionSpec, ActionTarget, NodeInfo } from './types';

function role(): string | undefined {
  return session.state.status === 'signed-in' ? session.state.user.role : undefined;
}

/** Whether the user may take action `name` on `node` now (reactive). */
export function may(name: string, node: NodeInfo | undefined): boolean {
  void live.version; // the catalogue arrives with snapshots
  return allowed(live.store.catalogue, role(), node, name);
}

/**
 * The actions on `target` the user may take on `node` that a component has
 * no dedicated control for: they get a plain button labelled "action.<name>".
 * Actions with body parameters need a dialog and are left out.
 */
export function otherActions(target: ActionTarget, node: NodeInfo | undefined, handled: readonly string[]): ActionSpec[] {
  void live.version;
  return actionsFor(live.store.catalogue, target).filter(
    (a) => a.params.length === 0 && !handled.includes(a.name) && allowed(live.store.catalogue, role(), node, a.name),
  );
}

/** Takes catalogue action `name` on ref; fails like any REST call. */
export function act(name: string, ref: ActionRef, body?: object): Promise<void> {
  const spec = live.store.catalogue.get(name);
  if (!spec) return Promise.reject(new ApiError(t('action.unknown'), 'unsupported', 0));
  return takeAction(spec, ref, body);
}

/** A button's text for an action: its label with a capital first letter. */
export function actionLabel(name: string): string {
  const s = t(`action.${name}`);
  return s.charAt(0).toUpperCase() + s.slice(1);
}
