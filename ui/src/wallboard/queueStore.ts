// The browser's copy of the queue kinds (plain TypeScript, unit-tested).
// LiveStore owns one and hands it every snapshot and op; ops of other kinds
// are not its business (applyOp answers false).
import { agentKey, queueKey, queueMemberKey, tierKey, type Agent, type Queue, type QueueMember, type Tier } from './queueTypes';

export interface QueueSnapshot {
  queues?: Queue[];
  agents?: Agent[];
  tiers?: Tier[];
  queueMembers?: QueueMember[];
}

export class QueueStore {
  queues = new Map<string, Queue>();
  agents = new Map<string, Agent>();
  tiers = new Map<string, Tier>();
  members = new Map<string, QueueMember>();
  /** Bumped when a caller leaves a queue (the day's figures changed on the server). */
  departures = 0;
  /**
   * Bumped on every change of the queue kinds, so that the wallboard
   * recomputes its views only when they changed, not on every call event.
   */
  rev = 0;

  clear() {
    this.rev++;
    this.queues.clear();
    this.agents.clear();
    this.tiers.clear();
    this.members.clear();
  }

  applySnapshot(s: QueueSnapshot) {
    this.rev++;
    this.queues = new Map((s.queues ?? []).map((q) => [queueKey(q), q]));
    this.agents = new Map((s.agents ?? []).map((a) => [agentKey(a), a]));
    this.tiers = new Map((s.tiers ?? []).map((t) => [tierKey(t), t]));
    this.members = new Map((s.queueMembers ?? []).map((m) => [queueMemberKey(m), m]));
  }

  /** Applies a queue op; false when the op is of another kind. */
  applyOp(op: { op: string; kind: string; key: string; value?: unknown }): boolean {
    const map = this.mapOf(op.kind);
    if (!map) return false;
    this.rev++;
    if (op.op === 'remove') {
      if (map.delete(op.key) && op.kind === 'queueMember') this.departures++;
    } else {
      map.set(op.key, op.value as never);
    }
    return true;
  }

  private mapOf(kind: string): Map<string, unknown> | null {
    switch (kind) {
      case 'queue':
        return this.queues;
      case 'agent':
        return this.agents;
      case 'tier':
        return this.tiers;
      case 'queueMember':
        return this.members;
    }
    return null;
  }
}
