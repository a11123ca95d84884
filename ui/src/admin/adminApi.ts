// Admin REST routes of docs/auth.md. Everything goes through lib/api's call()
// (session, CSRF, errors as ApiError).
import { call } from '../lib/api';
import type { Role } from '../lib/auth';
import { auditQuery, type AuditFilters } from './auditQuery';

export interface UserRow {
  name: string;
  role: Role;
  createdAt?: string;
}

export interface SessionRow {
  id: string;
  user: string;
  role: Role;
  createdAt?: string;
  lastSeenAt?: string;
  expiresAt?: string;
  ip?: string;
  current?: boolean;
}

export interface TokenRow {
  id: string;
  name: string;
  scopes: string[];
  createdAt?: string;
  lastUsedAt?: string;
}

export interface AuditEntry {
  id: string | number;
  at: string;
  user?: string;
  role?: string;
  ip?: string;
  kind: string;
  action?: string;
  node?: string;
  target?: string;
  result?: string;
  detail?: string;
}

/** Scopes a token can have (docs/auth.md). */
export const tokenScopes = ['ingest:utterances', 'calls:originate', 'metrics:read', 'ingest:audio'] as const;
export const roles: Role[] = ['viewer', 'moderator', 'admin'];
export const auditKinds = [
  'action',
  'login',
  'login_failed',
  'logout',
  'session_revoked',
  'user_created',
  'user_deleted',
  'token_created',
  'token_revoked',
  'ingest',
  'audio_listen',
] as const;

const seg = encodeURIComponent;

export const listUsers = async () => (await call<{ users?: UserRow[] }>('GET', '/api/v1/users'))?.users ?? [];
export const addUser = (name: string, role: Role, password: string) =>
  call<UserRow>('POST', '/api/v1/users', { name, role, password });
export const deleteUser = (name: string) => call<void>('DELETE', `/api/v1/users/${seg(name)}`);

export const listSessions = async () =>
  (await call<{ sessions?: SessionRow[] }>('GET', '/api/v1/sessions'))?.sessions ?? [];
export const revokeSession = (id: string) => call<void>('DELETE', `/api/v1/sessions/${seg(id)}`);

export const listTokens = async () => (await call<{ tokens?: TokenRow[] }>('GET', '/api/v1/tokens'))?.tokens ?? [];
export const createToken = (name: string, scopes: string[]) =>
  call<TokenRow & { token: string }>('POST', '/api/v1/tokens', { name, scopes });
export const revokeToken = (id: string) => call<void>('DELETE', `/api/v1/tokens/${seg(id)}`);

export const listAudit = async (f: AuditFilters, page: { limit: number; before?: string }) =>
  (await call<{ entries?: AuditEntry[] }>('GET', `/api/v1/audit${auditQuery(f, page)}`))?.entries ?? [];
