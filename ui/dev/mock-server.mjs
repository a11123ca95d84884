// Dev-only stand-in for `callboard demo`: serves ui/dist with the server's
// strict CSP, speaks the browser protocol (docs/protocol.md) on /ws with a
// small moving scenario on two nodes (demo-fs: FreeSWITCH, demo-ast:
// Asterisk), answers the REST actions, and implements sign-in, roles, CSRF,
// sessions, tokens and the audit log of docs/auth.md (mock-auth.mjs). Each
// action is logged to stderr the way the demo's fakes log it ("esl fake
// command" line="api ...", "ari fake request" line="POST /ari/..."), so the
// e2e test runs against it while the real binary lacks a feature.
//   CALLBOARD_ADMIN_PASSWORD=secret node ui/dev/mock-server.mjs --listen 127.0.0.1:8099
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { createAuth } from './mock-auth.mjs';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const listenArg = process.argv[process.argv.indexOf('--listen') + 1] ?? '127.0.0.1:8099';
const [host, port] = listenArg.split(':');
const log = (msg, attrs = '') => process.stderr.write(`time=${new Date().toISOString()} level=INFO msg="${msg}" ${attrs}\n`);

const FS = 'demo-fs';
const AST = 'demo-ast';
const FS_CONF = 'support-room';
const AST_CONF = 'ari-conference';
const AST_BRIDGE = 'a3f1cb5c-4f04-44ad-9873-0035ade13a19';
const iso = (ms) => new Date(ms).toISOString();
let seq = 1;
const nodes = new Map([
  [FS, { node: FS, kind: 'freeswitch', state: 'up', since: iso(Date.now() - 3600e3),
    actions: ['mute', 'unmute', 'deaf', 'undeaf', 'kick', 'play-member', 'play-conference', 'lock', 'unlock', 'hangup'],
    media: ['beep', 'please-hold', 'recording-on', 'welcome'] }],
  [AST, { node: AST, kind: 'asterisk', state: 'up', since: iso(Date.now() - 3600e3),
    actions: ['mute', 'unmute', 'deaf', 'undeaf', 'kick', 'play-member', 'play-conference', 'hangup', 'moh-start', 'moh-stop'],
    media: ['beep', 'please-hold', 'welcome'] }],
]);
const calls = new Map();
const conferences = new Map();
const members = new Map();
const utterances = new Map(); // callKey -> Map(key -> u)
const clients = new Set();

function change(kind, key, value) {
  seq++;
  for (const c of clients) c.pending.set(`${kind}:${key}`, value === undefined ? { op: 'remove', kind, key } : { op: 'upsert', kind, key, value });
}
function addCall(node, id, callerName, callerNumber, calleeName, calleeNumber, conference) {
  const now = Date.now();
  const c = { node, id, legs: [], callerName, callerNumber, calleeName, calleeNumber, direction: 'inbound',
    state: 'active', createdAt: iso(now - 2000), answeredAt: iso(now - 1000), ...(conference ? { conference } : {}) };
  calls.set(`${node}/${id}`, c);
  change('call', `${node}/${id}`, c);
}
function addConference(node, name, people, idOf) {
  conferences.set(`${node}/${name}`, { node, name, memberCount: people.length, locked: false, createdAt: iso(Date.now() - 754e3) });
  people.forEach(([pname, num], i) => {
    const id = idOf(i);
    addCall(node, id, pname, num, '', '3000', name);
    members.set(`${node}/${name}/${id}`, { node, conference: name, id, callId: id, callerName: pname, callerNumber: num,
      muted: false, deaf: false, talking: false, floor: i === 0, joinedAt: iso(Date.now() - (700 - i * 60) * 1000) });
  });
}
addConference(FS, FS_CONF, [['김민지', '01023456789'], ['박지훈', '01034567890'], ['최유나', '01045678901'], ['Alice Moreau', '5723']], (i) => `fs-${i + 1}`);
addConference(AST, AST_CONF, [['Tomás Ruiz', '2108'], ['Jae-won Lee', '2106'], ['Lucas Moreau', '2105'], ['Hannah Weiss', '2107']], (i) => `1795351307.${i}`);
// FreeSWITCH member ids are small integers, distinct from the call uuid.
for (const [key, m] of [...members]) {
  if (m.node !== FS) continue;
  members.delete(key);
  const id = m.id.replace('fs-', '');
  members.set(`${FS}/${FS_CONF}/${id}`, { ...m, id });
}
addCall(FS, 'b0t-4711', 'Choi Yuna', '+82 2 555 0142', 'Callbot', '7000');
for (let i = 0; i < 4; i++) addCall(i % 2 ? AST : FS, `call-${i}`, '', `10${10 + i}`, '', `20${30 + i}`);
for (let i = 0; i < Number(process.env.MOCK_CALLS ?? 0); i++) addCall(FS, `bulk-${i}`, '', `5${String(i).padStart(5, '0')}`, '', '8000');

// Scenario: members start/stop talking; the callbot conversation advances.
const script = [
  ['caller', '안녕하세요, 예약을 변경하고 싶어요.'],
  ['bot', '네, 예약 번호를 말씀해 주시겠어요?'],
  ['caller', 'Sure, it is 4 7 1 1.'],
  ['bot', 'Thank you. Your booking 4711 is for Friday at 3 pm. What would you like to change?'],
  ['caller', '토요일 오전으로 바꿔 주세요.'],
  ['bot', '토요일 오전 10시로 변경했습니다. 더 도와드릴까요?'],
];
let step = 0;
let uttId = 0;
const botKey = `${FS}/b0t-4711`;
function say(speaker, text, final, id) {
  const u = { node: FS, callId: 'b0t-4711', id, speaker, text, final, at: new Date().toISOString(), vendor: speaker === 'caller' ? 'brain' : undefined };
  const key = `${botKey}/${id}`;
  if (!utterances.has(botKey)) utterances.set(botKey, new Map());
  utterances.get(botKey).set(key, u);
  seq++;
  for (const c of clients) if (c.open.has(botKey)) c.pending.set(`utterance:${key}`, { op: 'upsert', kind: 'utterance', key, value: u });
}
setInterval(() => {
  const [speaker, text] = script[step % script.length];
  const id = `u${++uttId}`;
  if (speaker === 'caller') {
    const words = text.split(' ');
    words.forEach((_, i) => setTimeout(() => say(speaker, words.slice(0, i + 1).join(' '), i === words.length - 1, id), i * 180));
  } else setTimeout(() => say(speaker, text, true, id), 850);
  step++;
}, 2600);
setInterval(() => {
  const list = [...members.entries()];
  const [key, m] = list[Math.floor(Math.random() * list.length)] ?? [];
  if (!m || m.muted) return;
  const u = { ...m, talking: !m.talking };
  members.set(key, u);
  change('member', key, u);
}, 700);

function snapshot() {
  return { type: 'snapshot', seq, nodes: [...nodes.values()], calls: [...calls.values()], conferences: [...conferences.values()], members: [...members.values()] };
}

const auth = createAuth({
  log,
  // A session that ends closes its websockets with 4001 (docs/auth.md).
  onSessionEnded: (id) => {
    for (const c of clients) if (c.session === id) c.ws.close(4001, 'session ended');
  },
});

const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
const csp = "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'";
const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  const json = (status, v) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(v));
  };
  if (url.pathname.startsWith('/api/')) {
    let body = '';
    for await (const chunk of req) body += chunk;
    if (await auth.handle(req, res, url, body, { json, ip: req.socket.remoteAddress })) return;
    if (req.method === 'POST' && url.pathname.startsWith('/api/v1/nodes/')) {
      const s = auth.guard(req, res, json, 'moderator');
      if (s) return action(json, url.pathname, body, s, req.socket.remoteAddress);
      return;
    }
    if (url.pathname === '/api/v1/state' && auth.guard(req, res, json)) return json(200, snapshot());
    if (!res.headersSent) json(404, { error: 'no such API endpoint', code: 'not_found' });
    return;
  }
  let path = normalize(url.pathname).replace(/^\/+/, '');
  if (!path || !extname(path)) path = 'index.html';
  try {
    const body = await readFile(join(dist, path));
    res.writeHead(200, { 'Content-Type': types[extname(path)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});

// How each fake logs a command reaching it.
function pbxLog(node, fs, ari) {
  if (node === AST) log('ari fake request', `component=arifake line="${ari}"`);
  else log('esl fake command', `line="api ${fs}"`);
}

async function action(json, path, body, s, ip) {
  const p = path.split('/').slice(4).map(decodeURIComponent); // node, 'conferences', conf, ...
  const [node, what, conf, sub, memberId, act] = p;
  const verb = what === 'calls' ? sub : sub === 'members' ? act : sub;
  const audit = (result, target) => auth.record({ kind: 'action', action: verb, user: s.user, role: s.role, ip, node, target, result });
  const fail = (status, error, code, target) => (audit(code, target), json(status, { error, code }));
  if (!nodes.has(node)) return fail(404, `unknown node ${node}`, 'not_found', conf);
  if (!nodes.get(node).actions.includes(verb === 'play' ? (sub === 'members' ? 'play-member' : 'play-conference') : verb)) {
    return fail(501, `${verb} is not supported on ${node}`, 'unsupported', conf);
  }
  const ok = (reply, target) => (audit('ok', target), json(200, { ok: true, reply }));
  if (what === 'conferences' && sub === 'members') {
    const key = `${node}/${conf}/${memberId}`;
    const target = `${conf}/${memberId}`;
    const m = members.get(key);
    if (!m) return fail(404, `no member ${memberId} in ${conf}`, 'not_found', target);
    if (act === 'play') {
      const media = JSON.parse(body || '{}').media;
      if (!nodes.get(node).media.includes(media)) return fail(400, `unknown media ${media}`, 'invalid', target);
      pbxLog(node, `conference ${conf} play /sounds/${media}.wav ${memberId}`, `POST /ari/channels/${memberId}/play`);
      return ok('+OK', target);
    }
    const ari = {
      mute: `POST /ari/channels/${memberId}/mute`, unmute: `DELETE /ari/channels/${memberId}/mute`,
      deaf: `POST /ari/channels/${memberId}/mute?direction=out`, undeaf: `DELETE /ari/channels/${memberId}/mute?direction=out`,
      kick: `POST /ari/bridges/${AST_BRIDGE}/removeChannel`,
    }[act];
    pbxLog(node, `conference ${conf} ${act} ${memberId}`, ari);
    await new Promise((r) => setTimeout(r, 120));
    if (act === 'kick') {
      members.delete(key);
      change('member', key);
    } else {
      const u = { ...m };
      if (act === 'mute' || act === 'unmute') Object.assign(u, { muted: act === 'mute', talking: false });
      if (act === 'deaf' || act === 'undeaf') u.deaf = act === 'deaf';
      members.set(key, u);
      change('member', key, u);
    }
    return ok(`+OK ${act} ${memberId}`, target);
  }
  if (what === 'conferences' && (sub === 'lock' || sub === 'unlock')) {
    const c = conferences.get(`${node}/${conf}`);
    if (!c) return fail(404, `no conference ${conf}`, 'not_found', conf);
    if (c.locked === (sub === 'lock')) return fail(409, `-ERR Conference ${conf} is already ${sub}ed`, 'refused', conf);
    pbxLog(node, `conference ${conf} ${sub}`, '');
    const u = { ...c, locked: sub === 'lock' };
    conferences.set(`${node}/${conf}`, u);
    change('conference', `${node}/${conf}`, u);
    return ok(`+OK ${conf} ${sub}ed`, conf);
  }
  if (what === 'conferences' && (sub === 'moh-start' || sub === 'moh-stop')) {
    if (!conferences.has(`${node}/${conf}`)) return fail(404, `no conference ${conf}`, 'not_found', conf);
    pbxLog(node, '', `${sub === 'moh-start' ? 'POST' : 'DELETE'} /ari/bridges/${AST_BRIDGE}/moh`);
    return ok(`${sub} on bridge ${AST_BRIDGE}`, conf);
  }
  if (what === 'conferences' && sub === 'play') {
    const media = JSON.parse(body || '{}').media;
    pbxLog(node, `conference ${conf} play ${media}`, `POST /ari/bridges/${AST_BRIDGE}/play`);
    return ok('+OK', conf);
  }
  if (what === 'calls' && sub === 'hangup') {
    const key = `${node}/${conf}`;
    if (!calls.has(key)) return fail(404, `no call ${conf}`, 'not_found', conf);
    pbxLog(node, `uuid_kill ${conf}`, `DELETE /ari/channels/${conf}`);
    calls.delete(key);
    change('call', key);
    return ok('+OK', conf);
  }
  return fail(400, 'unsupported route', 'invalid', conf);
}

// The upgrade needs a session (docs/auth.md); without one it is refused with 401.
const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) => {
  const url = new URL(req.url, 'http://x');
  const s = url.pathname === '/ws' ? auth.session(req) : null;
  if (!s) {
    socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => connected(ws, s.id));
});
function connected(ws, sessionId) {
  const c = { ws, session: sessionId, pending: new Map(), open: new Set(), sent: seq };
  clients.add(c);
  ws.send(JSON.stringify(snapshot()));
  c.sent = seq;
  ws.on('message', (data) => {
    let msg;
    try { msg = JSON.parse(String(data)); } catch { return ws.send(JSON.stringify({ type: 'error', message: 'malformed message' })); }
    if (msg.type === 'resync') { c.pending.clear(); ws.send(JSON.stringify(snapshot())); c.sent = seq; }
    if (msg.type === 'open') {
      c.open.add(msg.call);
      flush(c);
      ws.send(JSON.stringify({ type: 'transcript', from: c.sent, seq, call: msg.call, lines: [...(utterances.get(msg.call)?.values() ?? [])] }));
      c.sent = seq;
    }
    if (msg.type === 'close') c.open.delete(msg.call);
  });
  ws.on('close', () => clients.delete(c));
}
function flush(c) {
  if (c.pending.size === 0) return;
  c.ws.send(JSON.stringify({ type: 'delta', from: c.sent, seq, ops: [...c.pending.values()] }));
  c.pending.clear();
  c.sent = seq;
}
setInterval(() => clients.forEach(flush), 50);
// Idle sessions expire even with no requests: check now and then.
setInterval(() => {
  for (const c of clients) if (!auth.sessions.has(c.session)) c.ws.close(4001, 'session ended');
}, 1000);
// Keep calls' seq movement visible even with no subscribers.
setInterval(() => seq++, 5000);

server.listen(Number(port), host, () => log('listening', `addr=http://${host}:${port}`));
