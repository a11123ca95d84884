// Builders for protocol values used by the unit tests.
import type { Call, Conference, Member, NodeInfo, SnapshotMsg, Utterance } from './types';

export const node = (o: Partial<NodeInfo> = {}): NodeInfo => ({
  node: 'fs1',
  kind: 'freeswitch',
  state: 'up',
  actions: ['mute', 'unmute'],
  media: ['welcome'],
  ...o,
});

export const call = (id: string, o: Partial<Call> = {}): Call => ({
  node: 'fs1',
  id,
  state: 'active',
  callerName: '',
  callerNumber: '',
  createdAt: '2026-11-22T12:00:00Z',
  ...o,
});

export const conf = (name: string, o: Partial<Conference> = {}): Conference => ({
  node: 'fs1',
  name,
  memberCount: 0,
  locked: false,
  ...o,
});

export const member = (conference: string, id: string, o: Partial<Member> = {}): Member => ({
  node: 'fs1',
  conference,
  id,
  muted: false,
  deaf: false,
  talking: false,
  ...o,
});

export const utt = (callId: string, id: string, o: Partial<Utterance> = {}): Utterance => ({
  node: 'fs1',
  callId,
  id,
  speaker: 'caller',
  text: '',
  final: true,
  ...o,
});

export const snapshot = (seq: number, o: Partial<SnapshotMsg> = {}): SnapshotMsg => ({
  type: 'snapshot',
  seq,
  nodes: [node()],
  calls: [],
  conferences: [],
  members: [],
  ...o,
});
