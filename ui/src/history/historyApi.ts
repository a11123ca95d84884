// History routes of docs/history.md, through lib/api's call() (session, errors as ApiError).
import { call } from '../lib/api';
import type { Utterance } from '../lib/types';
import { historyApiQuery, type HistoryFilters } from './historyQuery';

export interface HistoryCall {
  node: string;
  id: string;
  callerNumber?: string;
  callerName?: string;
  calleeNumber?: string;
  calleeName?: string;
  direction?: string;
  startedAt: string;
  answeredAt?: string;
  /** Absent while the call is live. */
  endedAt?: string;
  durationMs?: number;
  hangupCause?: string;
  /** callboard was not connected when the call ended: endedAt is when it found out. */
  endedWhileDisconnected: boolean;
  hasTranscript: boolean;
  conference?: string;
}

export type TimelineKind = 'join' | 'leave' | 'kick' | 'mute' | 'unmute' | 'deaf' | 'undeaf' | 'lock' | 'unlock';

export interface TimelineEntry {
  at: string;
  kind: TimelineKind | string;
  conference: string;
  member: string;
  callerName?: string;
  /** The callboard user, for actions taken through callboard. */
  by?: string;
}

export interface HistoryDetail {
  call: HistoryCall;
  transcript: Utterance[];
  timeline: TimelineEntry[];
}

export interface HistoryPage {
  calls: HistoryCall[];
  /** Cursor of the next (older) page; '' at the end. */
  next: string;
}

const seg = encodeURIComponent;

/** One page of calls, newest first (a stale answer is dropped by the caller, by sequence number). */
export async function listHistory(f: HistoryFilters, page: { limit: number; before?: string }): Promise<HistoryPage> {
  const r = await call<Partial<HistoryPage> | null>('GET', `/api/v1/history/calls${historyApiQuery(f, page)}`);
  return { calls: r?.calls ?? [], next: r?.next ?? '' };
}

export async function getHistoryCall(node: string, id: string): Promise<HistoryDetail> {
  const r = await call<HistoryDetail>('GET', `/api/v1/history/calls/${seg(node)}/${seg(id)}`);
  return { call: r.call, transcript: r.transcript ?? [], timeline: r.timeline ?? [] };
}
