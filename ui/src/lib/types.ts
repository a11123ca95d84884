// Wire types of the browser protocol (docs/protocol.md). Times are RFC 3339
// strings in UTC; absent times are omitted.
import type { Agent, Queue, QueueMember, Tier } from '../wallboard/queueTypes';

export type NodeState = 'connecting' | 'up' | 'down';

export interface NodeInfo {
  node: string;
  kind: string;
  state: NodeState;
  reason?: string;
  since?: string;
  actions?: string[];
  media?: string[];
}

export interface Leg {
  uuid: string;
  name: string;
  direction: string;
  state: string;
  createdAt?: string;
}

export interface Call {
  node: string;
  id: string;
  legs?: Leg[];
  callerNumber?: string;
  callerName?: string;
  calleeNumber?: string;
  calleeName?: string;
  direction?: string;
  state: string;
  createdAt?: string;
  answeredAt?: string;
  conference?: string;
  /** Supervisors' phones on the call (listen, whisper, barge). */
  listeners?: Listener[];
}

export interface Listener {
  phone: string;
  mode: 'listen' | 'whisper' | 'barge' | string;
  leg: string;
  since?: string;
}

/** A call placed from callboard and how it went (the PBX's verdict). */
export interface Origination {
  node: string;
  callId: string;
  from: string;
  to: string;
  by: string;
  state: 'ringing' | 'live' | 'failed' | 'ended' | string;
  cause?: string;
  at: string;
  endedAt?: string;
}

export interface Conference {
  node: string;
  name: string;
  memberCount: number;
  locked: boolean;
  createdAt?: string;
}

export interface Member {
  node: string;
  conference: string;
  id: string;
  callId?: string;
  callerName?: string;
  callerNumber?: string;
  muted: boolean;
  deaf: boolean;
  talking: boolean;
  floor?: boolean;
  joinedAt?: string;
}

export type Speaker = 'caller' | 'bot' | 'agent';

export interface Utterance {
  node: string;
  callId: string;
  id: string;
  speaker: Speaker;
  text: string;
  final: boolean;
  startMs?: number;
  endMs?: number;
  vendor?: string;
  at?: string;
}

export type Kind =
  | 'node'
  | 'call'
  | 'conference'
  | 'member'
  | 'utterance'
  | 'origination'
  | 'queue'
  | 'agent'
  | 'tier'
  | 'queueMember';

export interface Op {
  op: 'upsert' | 'remove';
  kind: Kind;
  key: string;
  value?: unknown;
}

/** What an action acts on; its route's path parameters follow from it. */
export type ActionTarget = 'node' | 'call' | 'conference' | 'member' | 'agent';

/** One entry of the server's action catalogue (docs/protocol.md, "Actions"). */
export interface ActionSpec {
  name: string;
  target: ActionTarget;
  method: string;
  /** The route with {node}, {call}, {conf}, {member} placeholders. */
  path: string;
  params: { name: string; kind: string; optional?: boolean }[];
  /** The least role allowed to take it. */
  role: string;
  scope?: string;
}

export interface SnapshotMsg {
  type: 'snapshot';
  seq: number;
  nodes?: NodeInfo[];
  calls?: Call[];
  conferences?: Conference[];
  members?: Member[];
  catalogue?: ActionSpec[];
  originations?: Origination[];
  /** Queue kinds (wallboard/queueTypes.ts). */
  queues?: Queue[];
  agents?: Agent[];
  tiers?: Tier[];
  queueMembers?: QueueMember[];
}

export interface DeltaMsg {
  type: 'delta';
  from: number;
  seq: number;
  ops: Op[];
}

export interface TranscriptMsg {
  type: 'transcript';
  from: number;
  seq: number;
  call: string;
  lines: Utterance[];
}

export interface ErrorMsg {
  type: 'error';
  message: string;
}

export type ServerMsg = SnapshotMsg | DeltaMsg | TranscriptMsg | ErrorMsg;

export const callKey = (c: { node: string; id: string }) => `${c.node}/${c.id}`;
export const conferenceKey = (c: { node: string; name: string }) => `${c.node}/${c.name}`;
export const memberKey = (m: { node: string; conference: string; id: string }) =>
  `${m.node}/${m.conference}/${m.id}`;
export const utteranceKey = (u: { node: string; callId: string; id: string }) =>
  `${u.node}/${u.callId}/${u.id}`;
