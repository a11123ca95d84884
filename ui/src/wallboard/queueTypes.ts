// Wire types of the queue kinds (docs/protocol.md: queue, agent, tier, queueMember).
export interface Queue {
  node: string;
  name: string;
  strategy?: string;
  callsAnswered: number;
  callsAbandoned: number;
}

export interface Agent {
  node: string;
  name: string;
  type?: string;
  status: string;
  state: string;
  callId?: string;
  member?: string;
  queue?: string;
  statusSince?: string;
  stateSince?: string;
  callsAnswered: number;
  noAnswerCount: number;
}

export interface Tier {
  node: string;
  queue: string;
  agent: string;
  state: string;
  level: number;
  position: number;
}

export interface QueueMember {
  node: string;
  queue: string;
  id: string;
  callId: string;
  callerName?: string;
  callerNumber?: string;
  state: string;
  position: number;
  joinedAt: string;
  agent?: string;
  answeredAt?: string;
  agentCall?: string;
}

export const queueKey = (q: { node: string; name: string }) => `${q.node}/${q.name}`;
export const agentKey = (a: { node: string; name: string }) => `${a.node}/${a.name}`;
export const tierKey = (t: { node: string; queue: string; agent: string }) => `${t.node}/${t.queue}/${t.agent}`;
export const queueMemberKey = (m: { node: string; id: string }) => `${m.node}/${m.id}`;
