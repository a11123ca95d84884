import { describe, expect, it } from 'vitest';
import { AuthStore, ApiError, canAct, isAdmin, retryAfterSeconds, type AuthState, type FetchLike } from './auth';

interface Call {
  path: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** A scripted server: each request is answered by the next handler for its path. */
function server(routes: Record<string, Array<(c: Call) => Response>>) {
  const calls: Call[] = [];
  const fetchFn: FetchLike = async (path, init) => {
    const c: Call = {
      path,
      method: init?.method ?? 'GET',
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: init?.body as string | undefined,
    };
    calls.push(c);
    const queue = routes[`${c.method} ${path}`];
    const next = queue?.shift();
    if (!next) throw new Error(`unexpected ${c.method} ${path}`);
    return next(c);
  };
  return { calls, fetchFn };
}

const json = (status: number, v: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(v), { status, headers: { 'Content-Type': 'application/json', ...headers } });
const me = (role: string, csrf: string, name = 'ana') => () => json(200, { user: { name, role }, csrfToken: csrf });

describe('AuthStore.me', () => {
  it.each<[string, () => Response, AuthState['status']]>([
    ['200 signs in', me('moderator', 'c1'), 'signed-in'],
    ['401 shows the sign-in page', () => json(401, { error: 'sign in', code: 'unauthorized' }), 'signed-out'],
    ['404 (no such route) is not a session', () => new Response('', { status: 404 }), 'unreachable'],
    ['500 on first load is unreachable', () => new Response('', { status: 500 }), 'unreachable'],
    ['200 with a malformed body is not a session', () => json(200, { user: 'x' }), 'signed-out'],
  ])('%s', async (_name, answer, want) => {
    const { fetchFn } = server({ 'GET /api/v1/auth/me': [answer] });
    const auth = new AuthStore(fetchFn);
    expect((await auth.me()).status).toBe(want);
    expect(auth.state.status).toBe(want);
  });

  it('network failure on first load is unreachable, later keeps the session', async () => {
    const auth = new AuthStore(async () => {
      throw new TypeError('failed to fetch');
    });
    expect((await auth.me()).status).toBe('unreachable');
    const { fetchFn } = server({ 'GET /api/v1/auth/me': [me('viewer', 'c')] });
    const a2 = new AuthStore(fetchFn);
    await a2.me();
    (a2 as unknown as { fetchFn: FetchLike }).fetchFn = async () => {
      throw new TypeError('down');
    };
    expect((await a2.me()).status).toBe('signed-in');
  });

  it('a 401 after being signed in says the session ended', async () => {
    const { fetchFn } = server({ 'GET /api/v1/auth/me': [me('admin', 'c'), () => json(401, {})] });
    const auth = new AuthStore(fetchFn);
    await auth.me();
    expect(await auth.me()).toEqual({ status: 'signed-out', reason: 'expired' });
  });

  it('concurrent calls share one request and listeners hear the change', async () => {
    const { calls, fetchFn } = server({ 'GET /api/v1/auth/me': [me('viewer', 'c')] });
    const auth = new AuthStore(fetchFn);
    const seen: string[] = [];
    auth.onChange((s) => seen.push(s.status));
    await Promise.all([auth.me(), auth.me()]);
    expect(calls).toHaveLength(1);
    expect(seen).toEqual(['signed-in']);
  });
});

describe('AuthStore.login and logout', () => {
  it('signs in with the user and CSRF token from the answer', async () => {
    const { calls, fetchFn } = server({ 'POST /api/v1/auth/login': [me('moderator', 'tok1', 'bo')] });
    const auth = new AuthStore(fetchFn);
    expect(await auth.login('bo', 'pw')).toEqual({ ok: true });
    expect(auth.state).toEqual({ status: 'signed-in', user: { name: 'bo', role: 'moderator' }, csrf: 'tok1' });
    expect(JSON.parse(calls[0].body!)).toEqual({ username: 'bo', password: 'pw' });
    expect(calls[0].headers['X-CSRF-Token']).toBeUndefined();
  });

  it.each([
    ['wrong password', () => json(401, { error: 'wrong', code: 'unauthorized' }), { ok: false, kind: 'wrong' }],
    ['rate limited', () => json(429, { code: 'rate_limited' }, { 'Retry-After': '42' }), { ok: false, kind: 'rate-limited', retryAfter: 42 }],
    ['other error', () => json(400, { error: 'username required', code: 'invalid' }), { ok: false, kind: 'error', message: 'username required' }],
  ])('%s', async (_n, answer, want) => {
    const { fetchFn } = server({ 'POST /api/v1/auth/login': [answer] });
    const auth = new AuthStore(fetchFn);
    expect(await auth.login('bo', 'x')).toEqual(want);
    expect(auth.state.status).toBe('unknown');
  });

  it('network failure is reported as such', async () => {
    const auth = new AuthStore(async () => {
      throw new TypeError('x');
    });
    expect(await auth.login('a', 'b')).toEqual({ ok: false, kind: 'network' });
  });

  it('logout sends the CSRF token and signs out even if the server fails', async () => {
    const { calls, fetchFn } = server({
      'POST /api/v1/auth/login': [me('viewer', 'tokL')],
      'POST /api/v1/auth/logout': [() => new Response(null, { status: 500 })],
    });
    const auth = new AuthStore(fetchFn);
    await auth.login('a', 'b');
    await auth.logout();
    expect(calls[1].headers['X-CSRF-Token']).toBe('tokL');
    expect(auth.state).toEqual({ status: 'signed-out', reason: 'signed-out' });
  });
});

describe('AuthStore.request', () => {
  async function signedIn(routes: Record<string, Array<(c: Call) => Response>>, csrf = 'old') {
    // The first /auth/me signs in; a route's own /auth/me answers come after it.
    const s = server({ ...routes, 'GET /api/v1/auth/me': [me('moderator', csrf), ...(routes['GET /api/v1/auth/me'] ?? [])] });
    const auth = new AuthStore(s.fetchFn);
    await auth.me();
    s.calls.length = 0;
    return { auth, calls: s.calls };
  }

  it.each([
    ['POST', true],
    ['DELETE', true],
    ['PUT', true],
    ['PATCH', true],
    ['GET', false],
  ])('%s carries X-CSRF-Token: %s', async (method, want) => {
    const { auth, calls } = await signedIn({ [`${method} /api/v1/x`]: [() => json(200, {})] });
    await auth.request(method, '/api/v1/x');
    expect(calls[0].headers['X-CSRF-Token']).toBe(want ? 'old' : undefined);
  });

  it('sends a JSON body with its content type', async () => {
    const { auth, calls } = await signedIn({ 'POST /api/v1/users': [() => json(201, {})] });
    await auth.request('POST', '/api/v1/users', { name: 'x' });
    expect(calls[0].headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(calls[0].body!)).toEqual({ name: 'x' });
  });

  it('on 403 csrf refreshes the token once and retries with the new one', async () => {
    const { auth, calls } = await signedIn({
      'POST /api/v1/a': [() => json(403, { error: 'csrf', code: 'csrf' }), () => json(200, { ok: true })],
      'GET /api/v1/auth/me': [me('moderator', 'new')],
    });
    const res = await auth.request('POST', '/api/v1/a');
    expect(res.status).toBe(200);
    expect(calls.map((c) => `${c.method} ${c.path} ${c.headers['X-CSRF-Token'] ?? ''}`)).toEqual([
      'POST /api/v1/a old',
      'GET /api/v1/auth/me ',
      'POST /api/v1/a new',
    ]);
  });

  it('retries only once: a second 403 csrf is returned', async () => {
    const { auth, calls } = await signedIn({
      'POST /api/v1/a': [() => json(403, { code: 'csrf' }), () => json(403, { code: 'csrf' })],
      'GET /api/v1/auth/me': [me('moderator', 'new')],
    });
    expect((await auth.request('POST', '/api/v1/a')).status).toBe(403);
    expect(calls).toHaveLength(3);
  });

  it('a 403 forbidden is not retried', async () => {
    const { auth, calls } = await signedIn({ 'POST /api/v1/a': [() => json(403, { code: 'forbidden' })] });
    expect((await auth.request('POST', '/api/v1/a')).status).toBe(403);
    expect(calls).toHaveLength(1);
  });

  it('a 401 signs the page out and throws', async () => {
    const { auth } = await signedIn({ 'GET /api/v1/users': [() => json(401, { error: 'session ended', code: 'unauthorized' })] });
    const err = await auth.request('GET', '/api/v1/users').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect(auth.state).toEqual({ status: 'signed-out', reason: 'expired' });
  });

  it('csrf refresh finding the session gone signs out', async () => {
    const { auth } = await signedIn({
      'POST /api/v1/a': [() => json(403, { code: 'csrf' })],
      'GET /api/v1/auth/me': [() => json(401, {})],
    });
    const res = await auth.request('POST', '/api/v1/a');
    expect(res.status).toBe(403);
    expect(auth.state.status).toBe('signed-out');
  });
});

describe('role gating', () => {
  const as = (role: string): AuthState => ({ status: 'signed-in', user: { name: 'u', role: role as 'viewer' }, csrf: 'c' });
  it.each([
    ['viewer', false, false],
    ['moderator', true, false],
    ['admin', true, true],
    ['superuser', false, false],
  ])('%s: act %s, admin %s', (role, act, admin) => {
    expect(canAct(as(role))).toBe(act);
    expect(isAdmin(as(role))).toBe(admin);
  });
  it.each<[AuthState, boolean]>([
    [{ status: 'unknown' }, false],
    [{ status: 'signed-out', reason: 'none' }, false],
    [{ status: 'unreachable' }, false],
  ])('%j acts: %s', (s, act) => {
    expect(canAct(s)).toBe(act);
    expect(isAdmin(s)).toBe(false);
  });
});

describe('retryAfterSeconds', () => {
  it.each<[string | null, number | undefined]>([
    ['30', 30],
    ['0', 0],
    [' 7 ', 7],
    [null, undefined],
    ['soon', undefined],
    ['Sun, 22 Nov 2026 12:00:45 GMT', 45],
  ])('%j -> %j', (h, want) => {
    expect(retryAfterSeconds(h, Date.parse('2026-11-22T12:00:00Z'))).toBe(want);
  });
});
