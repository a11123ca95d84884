// The browser's copy of callboard's live state. Plain TypeScript (no Svelte)
// so it is unit-tested directly; the UI bumps a reactive version counter on
// every change (see live.svelte.ts).
import {
  callKey,
  conferenceKey,
  memberKey,
  utteranceKey,
  type ActionSpec,
  type Call,
  type Conference,
  type DeltaMsg,
  type Member,
  type NodeInfo,
  type Op,
  type Origination,
  type ServerMsg,
  type SnapshotMsg,
  type TranscriptMsg,
  type Utterance,
} from './types';
import { QueueStore } from '../wallboard/queueStore';

/** What the connection must do after a message was applied. */
export type ApplyResult = 'ok' | 'resync' | 'ignored';

export class LiveStore {
  nodes = new Map<string, NodeInfo>();
  calls = new Map<string, Call>();
  conferences = new Map<string, Conference>();
  members = new Map<string, Member>();
  /** The server's action catalogue by action name (from every snapshot). */
  catalogue = new Map<string, ActionSpec>();
  /** Calls placed from callboard lately, by call key, with the PBX's verdict. */
  originations = new Map<string, Origination>();
  /** Transcript lines per call key, in the order they were first seen. */
  transcripts = new Map<string, Map<string, Utterance>>();
  /** Calls whose whole transcript has arrived (answer to `open`). */
  transcriptLoaded = new Set<string>();
  /** Queues, agents, tiers and waiting callers (wallboard/queueStore.ts). */
  queues = new QueueStore();
  /** Last seq seen; null before the first snapshot or while awaiting a resync. */
  seq: number | null = null;
  loaded = false;
  private listeners = new Set<() => void>();

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed() {
    for (const fn of this.listeners) fn();
  }

  /** Called when the socket drops: the next message must be a snapshot. */
  reset() {
    this.seq = null;
  }

  /** Forgets everything (sign-out): nothing of the last session stays on screen. */
  clear() {
    this.nodes.clear();
    this.calls.clear();
    this.conferences.clear();
    this.members.clear();
    this.catalogue.clear();
    this.originations.clear();
    this.queues.clear();
    this.transcripts.clear();
    this.transcriptLoaded.clear();
    this.seq = null;
    this.loaded = false;
    this.changed();
  }

  apply(msg: ServerMsg): ApplyResult {
    switch (msg.type) {
      case 'snapshot':
        this.applySnapshot(msg);
        return 'ok';
      case 'delta':
        return this.continues(msg) ? (this.applyDelta(msg), 'ok') : this.gap();
      case 'transcript':
        return this.continues(msg) ? (this.applyTranscript(msg), 'ok') : this.gap();
      default:
        return 'ignored';
    }
  }

  private continues(msg: { from: number }): boolean {
    return this.seq !== null && msg.from === this.seq;
  }

  // A gap: forget the seq so nothing more is applied until the fresh snapshot.
  private gap(): ApplyResult {
    if (this.seq === null) return 'ignored';
    this.seq = null;
    return 'resync';
  }

  applySnapshot(s: SnapshotMsg) {
    this.nodes = new Map((s.nodes ?? []).map((n) => [n.node, n]));
    this.calls = new Map((s.calls ?? []).map((c) => [callKey(c), c]));
    this.conferences = new Map((s.conferences ?? []).map((c) => [conferenceKey(c), c]));
    this.members = new Map((s.members ?? []).map((m) => [memberKey(m), m]));
    this.catalogue = new Map((s.catalogue ?? []).map((a) => [a.name, a]));
    this.originations = new Map((s.originations ?? []).map((o) => [callKey({ node: o.node, id: o.callId }), o]));
    this.queues.applySnapshot(s);
    // Open transcripts stay: the server re-sends them after a snapshot.
    this.seq = s.seq;
    this.loaded = true;
    this.changed();
  }

  private applyDelta(d: DeltaMsg) {
    for (const op of d.ops ?? []) this.applyOp(op);
    this.seq = d.seq;
    this.changed();
  }

  private applyTranscript(t: TranscriptMsg) {
    const lines = [...(t.lines ?? [])].sort((a, b) => timeOf(a.at) - timeOf(b.at));
    this.transcripts.set(t.call, new Map(lines.map((u) => [utteranceKey(u), u])));
    this.transcriptLoaded.add(t.call);
    this.seq = t.seq;
    this.changed();
  }

  applyOp(op: Op) {
    if (this.queues.applyOp(op)) return;
    const { key } = op;
    if (op.op === 'remove') {
      switch (op.kind) {
        case 'node':
          this.nodes.delete(key);
          break;
        case 'call':
          this.calls.delete(key);
          break;
        case 'conference':
          this.conferences.delete(key);
          // Members of a removed room go too, even if their own removes are late.
          for (const [mk, m] of this.members) {
            if (conferenceKey({ node: m.node, name: m.conference }) === key) this.members.delete(mk);
          }
          break;
        case 'member':
          this.members.delete(key);
          break;
        case 'origination':
          this.originations.delete(key);
          break;
        case 'utterance':
          for (const lines of this.transcripts.values()) lines.delete(key);
          break;
      }
      return;
    }
    switch (op.kind) {
      case 'node':
        this.nodes.set(key, op.value as NodeInfo);
        break;
      case 'call':
        this.calls.set(key, op.value as Call);
        break;
      case 'conference':
        this.conferences.set(key, op.value as Conference);
        break;
      case 'member':
        this.members.set(key, op.value as Member);
        break;
      case 'origination':
        this.originations.set(key, op.value as Origination);
        break;
      case 'utterance': {
        const u = op.value as Utterance;
        const ck = callKey({ node: u.node, id: u.callId });
        // Lines only matter for transcripts this browser opened.
        const lines = this.transcripts.get(ck);
        if (lines) lines.set(key, u); // Map.set keeps the first position: replace in place
        break;
      }
    }
  }

  /** Marks a transcript as open so its lines are kept; returns false if already open. */
  openTranscript(call: string): boolean {
    if (this.transcripts.has(call)) return false;
    this.transcripts.set(call, new Map());
    this.changed();
    return true;
  }

  closeTranscript(call: string) {
    this.transcriptLoaded.delete(call);
    if (this.transcripts.delete(call)) this.changed();
  }

  lines(call: string): Utterance[] {
    return [...(this.transcripts.get(call)?.values() ?? [])];
  }

  membersOf(conf: Conference): Member[] {
    const out: Member[] = [];
    for (const m of this.members.values()) {
      if (m.node === conf.node && m.conference === conf.name) out.push(m);
    }
    return out.sort((a, b) => timeOf(a.joinedAt) - timeOf(b.joinedAt) || numericId(a.id) - numericId(b.id));
  }

  talkingCount(): number {
    let n = 0;
    for (const m of this.members.values()) if (m.talking) n++;
    return n;
  }
}

export function timeOf(t: string | undefined): number {
  if (!t) return 0;
  const v = Date.parse(t);
  return Number.isNaN(v) ? 0 : v;
}

function numericId(id: string): number {
  const n = Number(id);
  return Number.isFinite(n) ? n : 0;
}
