// The action catalogue on the browser side. The server sends it in every
// snapshot (docs/protocol.md, "Actions"); which buttons exist, who sees them
// and which URL a click posts to all come from it, so the UI keeps no list of
// actions of its own, only a label per action ("action.<name>" in
// messages/en.ts).
import type { ActionSpec, ActionTarget, NodeInfo } from './types';

/** The target an action is taken on: the values of its route's placeholders. */
export interface ActionRef {
  node: string;
  call?: string;
  conf?: string;
  member?: string;
  agent?: string;
}

/** Viewer < moderator < admin. Unknown roles get nothing. */
const rank: Record<string, number> = { viewer: 1, moderator: 2, admin: 3 };

export function roleAllows(role: string | undefined, min: string): boolean {
  const have = rank[role ?? ''] ?? 0;
  return have > 0 && have >= (rank[min] ?? Infinity);
}

/**
 * Whether a user of `role` may take action `name` on `node` now: the
 * catalogue has it, the role allows it, the node supports it and is up.
 */
export function allowed(catalogue: Map<string, ActionSpec>, role: string | undefined, node: NodeInfo | undefined, name: string): boolean {
  const spec = catalogue.get(name);
  return !!spec && roleAllows(role, spec.role) && node?.state === 'up' && !!node.actions?.includes(name);
}

/** The catalogue's actions on one kind of target, in catalogue order. */
export function actionsFor(catalogue: Map<string, ActionSpec>, target: ActionTarget): ActionSpec[] {
  return [...catalogue.values()].filter((a) => a.target === target);
}

/** The action's URL with each placeholder filled from ref (escaped). */
export function actionPath(spec: ActionSpec, ref: ActionRef): string {
  return spec.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = ref[name as keyof ActionRef];
    if (v === undefined || v === '') throw new Error(`action ${spec.name}: no ${name} given`);
    return encodeURIComponent(v);
  });
}
