// Alerts REST routes (docs/alerts.md), admin only, through lib/api's call().
import { call } from '../lib/api';
export type { FiredAlert } from '../lib/alertToast';

export interface AlertRule {
  id?: number;
  name: string;
  kind: string;
  severity: string;
  pattern: string;
  regex: boolean;
  speaker: string;
  threshold: number;
  enabled: boolean;
  destinations: string[];
}

export interface AlertDestination {
  id: string;
  name: string;
  kind: 'webhook' | 'slack' | 'telegram';
  url: string;
  chatId?: string;
  hasSecret: boolean;
  createdAt?: string;
}

export interface NewDestination {
  name: string;
  kind: string;
  url: string;
  secret: string;
  chatId: string;
}

import type { FiredAlert } from '../lib/alertToast';

export interface OutboxRow {
  id: number;
  state: 'pending' | 'delivered' | 'dead';
  attempts: number;
  nextAt: string;
  lastError?: string;
  updatedAt: string;
  destination: string;
  destinationName: string;
  destinationKind: string;
  alert: FiredAlert;
}

const base = '/api/v1/alerts';

export const listRules = () => call<{ rules: AlertRule[] }>('GET', `${base}/rules`).then((r) => r.rules);
export const createRule = (r: AlertRule) => call<AlertRule>('POST', `${base}/rules`, r);
export const updateRule = (id: number, r: AlertRule) => call<AlertRule>('PUT', `${base}/rules/${id}`, r);
export const deleteRule = (id: number) => call<null>('DELETE', `${base}/rules/${id}`);
export const listDestinations = () =>
  call<{ destinations: AlertDestination[] }>('GET', `${base}/destinations`).then((r) => r.destinations);
export const createDestination = (d: NewDestination) => call<AlertDestination>('POST', `${base}/destinations`, d);
export const deleteDestination = (id: string) => call<null>('DELETE', `${base}/destinations/${encodeURIComponent(id)}`);
export const testDestination = (id: string) =>
  call<{ alertId: number }>('POST', `${base}/destinations/${encodeURIComponent(id)}/test`);
export const listOutbox = (state: string) =>
  call<{ items: OutboxRow[]; counts: Record<string, number> }>('GET', `${base}/outbox${state ? `?state=${state}` : ''}`);
export const retryOutbox = (id: number) => call<null>('POST', `${base}/outbox/${id}/retry`);
