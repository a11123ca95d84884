// Who is signed in, and the one door every API request goes through
// (docs/auth.md): the CSRF header on state-changing requests, one retry after
// refreshing the CSRF token, and a 401 anywhere meaning "signed out". Plain TS
// (fetch injected) so it is unit-tested without a browser.

export type Role = 'viewer' | 'moderator' | 'admin';
export interface User {
  name: string;
  role: Role;
}

export type AuthState =
  | { status: 'unknown' }
  /** callboard did not answer /auth/me (yet); the page retries. */
  | { status: 'unreachable' }
  /** reason: why the sign-in page shows (the page says so in words). */
  | { status: 'signed-out'; reason: 'none' | 'expired' | 'signed-out' }
  | { status: 'signed-in'; user: User; csrf: string };

export type LoginResult =
  | { ok: true }
  | { ok: false; kind: 'wrong' | 'rate-limited' | 'network' | 'error'; message?: string; retryAfter?: number };

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Viewer < moderator < admin. Unknown roles get nothing. */
const rank: Record<string, number> = { viewer: 1, moderator: 2, admin: 3 };

/** Moderators and admins act on calls; viewers only watch. */
export function canAct(state: AuthState): boolean {
  return state.status === 'signed-in' && (rank[state.user.role] ?? 0) >= rank.moderator;
}

/** Admins see users, sessions, tokens and the audit log. */
export function isAdmin(state: AuthState): boolean {
  return state.status === 'signed-in' && state.user.role === 'admin';
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Retry-After in seconds (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterSeconds(header: string | null, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const n = Number(header.trim());
  if (Number.isFinite(n)) return Math.max(0, Math.ceil(n));
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

async function errorBody(res: Response): Promise<{ error?: string; code?: string }> {
  try {
    return (await res.clone().json()) as { error?: string; code?: string };
  } catch {
    return {};
  }
}

function isUser(u: unknown): u is User {
  const v = u as User;
  return !!v && typeof v.name === 'string' && typeof v.role === 'string';
}

export class AuthStore {
  state: AuthState = { status: 'unknown' };
  private listeners = new Set<(s: AuthState) => void>();
  private mePending: Promise<AuthState> | null = null;

  constructor(private fetchFn: FetchLike = (i, init) => fetch(i, init)) {}

  onChange(fn: (s: AuthState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private set(s: AuthState) {
    this.state = s;
    for (const fn of this.listeners) fn(s);
  }

  /** The current user's CSRF token ('' when not signed in). */
  get csrf(): string {
    return this.state.status === 'signed-in' ? this.state.csrf : '';
  }

  /** Asks the server who we are. Concurrent calls share one request. */
  me(): Promise<AuthState> {
    this.mePending ??= this.fetchMe().finally(() => (this.mePending = null));
    return this.mePending;
  }

  private async fetchMe(): Promise<AuthState> {
    let res: Response;
    try {
      res = await this.fetchFn('/api/v1/auth/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    } catch {
      if (this.state.status === 'unknown') this.set({ status: 'unreachable' });
      return this.state;
    }
    if (res.status === 200) {
      try {
        const j = (await res.json()) as { user?: unknown; csrfToken?: unknown };
        if (isUser(j.user) && typeof j.csrfToken === 'string') {
          this.set({ status: 'signed-in', user: { name: j.user.name, role: j.user.role }, csrf: j.csrfToken });
          return this.state;
        }
      } catch {
        // fall through: an unreadable answer is not a session
      }
      this.signedOut('none');
    } else if (res.status === 401) {
      this.signedOut(this.state.status === 'signed-in' ? 'expired' : 'none');
    } else if (this.state.status === 'unknown') {
      this.set({ status: 'unreachable' });
    }
    return this.state;
  }

  async login(username: string, password: string): Promise<LoginResult> {
    let res: Response;
    try {
      res = await this.fetchFn('/api/v1/auth/login', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ username, password }),
      });
    } catch {
      return { ok: false, kind: 'network' };
    }
    if (res.ok) {
      try {
        const j = (await res.json()) as { user?: unknown; csrfToken?: unknown };
        if (isUser(j.user) && typeof j.csrfToken === 'string') {
          this.set({ status: 'signed-in', user: { name: j.user.name, role: j.user.role }, csrf: j.csrfToken });
          return { ok: true };
        }
      } catch {
        // fall through
      }
      return { ok: false, kind: 'error' };
    }
    if (res.status === 401) return { ok: false, kind: 'wrong' };
    if (res.status === 429) return { ok: false, kind: 'rate-limited', retryAfter: retryAfterSeconds(res.headers.get('Retry-After')) };
    const body = await errorBody(res);
    return { ok: false, kind: 'error', message: body.error ?? `${res.status} ${res.statusText}`.trim() };
  }

  /** Ends the session on the server; the page shows the sign-in form whatever the answer. */
  async logout(): Promise<void> {
    if (this.state.status === 'signed-in') {
      try {
        await this.fetchFn('/api/v1/auth/logout', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'X-CSRF-Token': this.csrf },
        });
      } catch {
        // the server is unreachable: the cookie stays, but this page forgets the session
      }
    }
    this.signedOut('signed-out');
  }

  /** The server ended the session (websocket closed with 4001, or a 401). */
  sessionEnded() {
    if (this.state.status === 'signed-in') this.signedOut('expired');
  }

  private signedOut(reason: 'none' | 'expired' | 'signed-out') {
    this.set({ status: 'signed-out', reason });
  }

  /**
   * An API request with the session: CSRF header on state-changing methods;
   * a 403 {"code":"csrf"} refreshes the token (GET /auth/me) and retries once;
   * a 401 signs the page out and throws. Other statuses are returned.
   */
  async request(method: string, path: string, body?: unknown): Promise<Response> {
    const send = () => {
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      if (UNSAFE.has(method.toUpperCase()) && this.csrf) headers['X-CSRF-Token'] = this.csrf;
      return this.fetchFn(path, {
        method,
        credentials: 'same-origin',
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    };
    let res = await send();
    if (res.status === 403 && UNSAFE.has(method.toUpperCase())) {
      const j = await errorBody(res);
      if (j.code === 'csrf') {
        const s = await this.me();
        if (s.status === 'signed-in') res = await send();
      }
    }
    if (res.status === 401) {
      this.sessionEnded();
      const j = await errorBody(res);
      throw new ApiError(j.error ?? 'unauthorized', 'unauthorized', 401);
    }
    return res;
  }
}

/** The page's session. */
export const auth = new AuthStore();
