// Sign-in, roles, CSRF, sessions, tokens and the audit log of docs/auth.md,
// in memory, for the dev mock server. Not security code: a stand-in that
// answers like the contract so the UI can be built and tested against it.
import { createHash, randomBytes, randomUUID } from 'node:crypto';

const COOKIE = 'callboard_session';
const IDLE_MS = Number(process.env.MOCK_SESSION_IDLE_MS ?? 30 * 60e3);
const ABSOLUTE_MS = 12 * 3600e3;
const MAX_FAILURES = 5; // per user and per IP within WINDOW_MS, then 429
const WINDOW_MS = 60e3;
const rank = { viewer: 1, moderator: 2, admin: 3 };

const hash = (s) => createHash('sha256').update(s).digest('hex');
const now = () => Date.now();
const iso = (ms) => (ms ? new Date(ms).toISOString() : undefined);

export function createAuth({ log, onSessionEnded }) {
  const users = new Map(); // name -> { name, role, pw (hash), createdAt }
  const sessions = new Map(); // id -> { id, tokenHash, user, role, csrf, createdAt, lastSeenAt, ip }
  const tokens = new Map(); // id -> { id, name, scopes, hash, createdAt, lastUsedAt }
  const audit = [];
  const failures = new Map(); // "user:x" / "ip:y" -> [times]
  let auditId = 0;

  const adminName = process.env.CALLBOARD_ADMIN_USER ?? 'admin';
  let adminPw = process.env.CALLBOARD_ADMIN_PASSWORD;
  if (!adminPw) {
    adminPw = 'admin';
    log('mock: CALLBOARD_ADMIN_PASSWORD not set; bootstrap admin password is "admin" (dev mock only)');
  }
  users.set(adminName, { name: adminName, role: 'admin', pw: hash(adminPw), createdAt: now() });

  function record(e) {
    audit.push({ id: ++auditId, at: iso(now()), user: '', role: '', ip: '', node: '', target: '', result: 'ok', detail: '', action: e.kind, ...e });
  }

  function cookieToken(req) {
    const m = (req.headers.cookie ?? '').split(/;\s*/).find((c) => c.startsWith(`${COOKIE}=`));
    return m ? m.slice(COOKIE.length + 1) : '';
  }

  /** The live session of a request, touching its idle timer; null if none. */
  function session(req) {
    const tok = cookieToken(req);
    if (!tok) return null;
    const h = hash(tok);
    for (const s of sessions.values()) {
      if (s.tokenHash !== h) continue;
      if (now() - s.lastSeenAt > IDLE_MS || now() - s.createdAt > ABSOLUTE_MS) {
        end(s.id);
        return null;
      }
      s.lastSeenAt = now();
      return s;
    }
    return null;
  }

  function end(id) {
    if (sessions.delete(id)) onSessionEnded(id);
  }

  function limited(keys) {
    let wait = 0;
    for (const k of keys) {
      const list = (failures.get(k) ?? []).filter((t) => now() - t < WINDOW_MS);
      failures.set(k, list);
      if (list.length >= MAX_FAILURES) wait = Math.max(wait, Math.ceil((list[0] + WINDOW_MS - now()) / 1000));
    }
    return wait;
  }

  const me = (s) => ({ user: { name: s.user, role: s.role }, csrfToken: s.csrf });

  /**
   * Handles /api/v1/auth/*, users, sessions, tokens, audit. Returns true when
   * it answered. `guard` is for the other API routes: it answers 401/403
   * itself and returns the session, or null.
   */
  async function handle(req, res, url, body, { json, ip }) {
    const p = url.pathname;
    const m = req.method;
    if (p === '/api/v1/auth/login' && m === 'POST') {
      let b = {};
      try {
        b = JSON.parse(body || '{}');
      } catch {
        return json(400, { error: 'malformed JSON', code: 'invalid' }), true;
      }
      const keys = [`user:${b.username}`, `ip:${ip}`];
      const wait = limited(keys);
      if (wait > 0) {
        res.setHeader('Retry-After', String(wait));
        return json(429, { error: 'too many sign-in attempts', code: 'rate_limited' }), true;
      }
      const u = users.get(String(b.username ?? ''));
      if (!u || u.pw !== hash(String(b.password ?? ''))) {
        for (const k of keys) failures.get(k).push(now());
        record({ kind: 'login_failed', user: String(b.username ?? ''), ip, result: 'unauthorized' });
        return json(401, { error: 'wrong user name or password', code: 'unauthorized' }), true;
      }
      const tok = randomBytes(32).toString('base64url');
      const s = { id: randomUUID(), tokenHash: hash(tok), user: u.name, role: u.role, csrf: randomBytes(24).toString('base64url'), createdAt: now(), lastSeenAt: now(), ip };
      sessions.set(s.id, s);
      record({ kind: 'login', user: u.name, role: u.role, ip });
      res.setHeader('Set-Cookie', `${COOKIE}=${tok}; Path=/; HttpOnly; SameSite=Lax`);
      return json(200, me(s)), true;
    }
    if (p === '/api/v1/auth/me' && m === 'GET') {
      const s = session(req);
      return (s ? json(200, me(s)) : json(401, { error: 'not signed in', code: 'unauthorized' })), true;
    }
    const adminRoute = /^\/api\/v1\/(users|sessions|tokens|audit(\.csv)?)(\/|$)/.test(p);
    if (p !== '/api/v1/auth/logout' && !adminRoute) return false;
    const s = guard(req, res, json, adminRoute ? 'admin' : 'viewer');
    if (!s) return true;
    if (p === '/api/v1/auth/logout' && m === 'POST') {
      end(s.id);
      record({ kind: 'logout', user: s.user, role: s.role, ip });
      res.setHeader('Set-Cookie', `${COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
      res.writeHead(204).end();
      return true;
    }
    const who = { user: s.user, role: s.role, ip };
    const parts = p.split('/').slice(3).map(decodeURIComponent); // [users, name?]
    if (parts[0] === 'users') {
      if (m === 'GET' && parts.length === 1) {
        return json(200, { users: [...users.values()].map((u) => ({ name: u.name, role: u.role, createdAt: iso(u.createdAt) })) }), true;
      }
      if (m === 'POST' && parts.length === 1) {
        let b = {};
        try {
          b = JSON.parse(body || '{}');
        } catch {
          return json(400, { error: 'malformed JSON', code: 'invalid' }), true;
        }
        const name = String(b.name ?? '');
        if (!/^[\w.@-]{1,64}$/.test(name)) return json(400, { error: 'user name: 1 to 64 letters, digits, . _ @ -', code: 'invalid' }), true;
        if (!rank[b.role]) return json(400, { error: 'role must be viewer, moderator or admin', code: 'invalid' }), true;
        if (String(b.password ?? '').length < 8) return json(400, { error: 'password: at least 8 characters', code: 'invalid' }), true;
        if (users.has(name)) return json(409, { error: `user ${name} exists`, code: 'conflict' }), true;
        const u = { name, role: b.role, pw: hash(b.password), createdAt: now() };
        users.set(name, u);
        record({ kind: 'user_created', ...who, target: name, detail: `role ${b.role}` });
        return json(201, { name, role: u.role, createdAt: iso(u.createdAt) }), true;
      }
      if (m === 'DELETE' && parts.length === 2) {
        if (!users.delete(parts[1])) return json(404, { error: `no user ${parts[1]}`, code: 'not_found' }), true;
        for (const x of [...sessions.values()]) if (x.user === parts[1]) end(x.id);
        record({ kind: 'user_deleted', ...who, target: parts[1] });
        res.writeHead(204).end();
        return true;
      }
    }
    if (parts[0] === 'sessions') {
      if (m === 'GET' && parts.length === 1) {
        return json(200, {
          sessions: [...sessions.values()].map((x) => ({
            id: x.id, user: x.user, role: x.role, createdAt: iso(x.createdAt), lastSeenAt: iso(x.lastSeenAt),
            expiresAt: iso(Math.min(x.createdAt + ABSOLUTE_MS, x.lastSeenAt + IDLE_MS)), ip: x.ip, current: x.id === s.id,
          })),
        }), true;
      }
      if (m === 'DELETE' && parts.length === 2) {
        const x = sessions.get(parts[1]);
        if (!x) return json(404, { error: 'no such session', code: 'not_found' }), true;
        end(x.id);
        record({ kind: 'session_revoked', ...who, target: x.user });
        res.writeHead(204).end();
        return true;
      }
    }
    if (parts[0] === 'tokens') {
      if (m === 'GET' && parts.length === 1) {
        return json(200, { tokens: [...tokens.values()].map(({ hash: _h, ...tk }) => ({ ...tk, createdAt: iso(tk.createdAt), lastUsedAt: iso(tk.lastUsedAt) })) }), true;
      }
      if (m === 'POST' && parts.length === 1) {
        let b = {};
        try {
          b = JSON.parse(body || '{}');
        } catch {
          return json(400, { error: 'malformed JSON', code: 'invalid' }), true;
        }
        const name = String(b.name ?? '').trim();
        const scopes = Array.isArray(b.scopes) ? b.scopes : [];
        if (!name) return json(400, { error: 'token name required', code: 'invalid' }), true;
        if (scopes.length === 0 || scopes.some((x) => x !== 'ingest:utterances')) return json(400, { error: 'unknown scope', code: 'invalid' }), true;
        const secret = `cbt_${randomBytes(24).toString('base64url')}`;
        const tk = { id: randomUUID().slice(0, 8), name, scopes, hash: hash(secret), createdAt: now(), lastUsedAt: 0 };
        tokens.set(tk.id, tk);
        record({ kind: 'token_created', ...who, target: name });
        return json(201, { id: tk.id, name, scopes, token: secret }), true;
      }
      if (m === 'DELETE' && parts.length === 2) {
        const tk = tokens.get(parts[1]);
        if (!tk) return json(404, { error: 'no such token', code: 'not_found' }), true;
        tokens.delete(tk.id);
        record({ kind: 'token_revoked', ...who, target: tk.name });
        res.writeHead(204).end();
        return true;
      }
    }
    if ((parts[0] === 'audit' || parts[0] === 'audit.csv') && m === 'GET') {
      const q = url.searchParams;
      const from = q.get('from') ? Date.parse(q.get('from')) : -Infinity;
      const to = q.get('to') ? Date.parse(q.get('to')) : Infinity;
      const before = Number(q.get('before') ?? 0);
      const limit = Math.min(500, Number(q.get('limit') ?? 100) || 100);
      let list = audit
        .filter((e) => ['user', 'kind', 'action', 'node', 'result'].every((k) => !q.get(k) || e[k] === q.get(k)))
        .filter((e) => Date.parse(e.at) >= from && Date.parse(e.at) < to && (!before || e.id < before))
        .reverse();
      const cols = ['id', 'at', 'user', 'role', 'ip', 'kind', 'action', 'node', 'target', 'result', 'detail'];
      if (parts[0] === 'audit.csv') {
        const cell = (v) => (/[",\n\r]/.test(String(v ?? '')) ? `"${String(v).replaceAll('"', '""')}"` : String(v ?? ''));
        res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="callboard-audit.csv"' });
        res.end([cols.join(','), ...list.map((e) => cols.map((c) => cell(e[c])).join(','))].join('\r\n') + '\r\n');
        return true;
      }
      list = list.slice(0, limit);
      return json(200, { entries: list }), true;
    }
    return json(404, { error: 'no such API endpoint', code: 'not_found' }), true;
  }

  /** A session with at least `role`, and the CSRF token on unsafe methods; answers 401/403 itself. */
  function guard(req, res, json, role = 'viewer') {
    const s = session(req);
    if (!s) {
      json(401, { error: 'sign in first', code: 'unauthorized' });
      return null;
    }
    if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method) && req.headers['x-csrf-token'] !== s.csrf) {
      json(403, { error: 'missing or wrong CSRF token', code: 'csrf' });
      return null;
    }
    if (rank[s.role] < rank[role]) {
      json(403, { error: `${role} role required`, code: 'forbidden' });
      return null;
    }
    return s;
  }

  return { handle, guard, session, record, sessions };
}
