// Dev-only stand-in for `callboard demo`: serves ui/dist with the server's
// strict CSP, speaks the browser protocol (docs/protocol.md) on /ws with a
// small moving scenario, and answers the REST actions. Each action is logged
// to stderr like the demo's ESL fake ("esl fake command" line="api ..."), so
// the e2e test can run against it while the real binary is not built.
//   node ui/dev/mock-server.mjs --listen 127.0.0.1:8099
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const listenArg = process.argv[process.argv.indexOf('--listen') + 1] ?? '127.0.0.1:8099';
const [host, port] = listenArg.split(':');
const log = (msg, attrs = '') => process.stderr.write(`time=${new Date().toISOString()} level=INFO msg="${msg}" ${attrs}\n`);

const NODE = 'fs1';
const CONF = 'room-1001';
const iso = (ms) => new Date(ms).toISOString();
let seq = 1;
const nodes = new Map([[NODE, { node: NODE, kind: 'freeswitch', state: 'up', since: iso(Date.now() - 3600e3),
  actions: ['mute', 'unmute', 'deaf', 'undeaf', 'kick', 'play-member', 'play-conference', 'lock', 'unlock', 'hangup'],
  media: ['welcome', 'hold-music', 'recording-notice'] }]]);
const calls = new Map();
// A second node that is down, with last-known data (shows the stale look).
if (process.env.MOCK_NODE_DOWN === '1') {
  nodes.set('fs2', { node: 'fs2', kind: 'freeswitch', state: 'down', reason: 'dial tcp 10.0.0.7:8021: connection refused',
    since: iso(Date.now() - 60e3), actions: ['mute', 'unmute'], media: [] });
}
const conferences = new Map();
const members = new Map();
const utterances = new Map(); // callKey -> Map(key -> u)
const clients = new Set();

function change(kind, key, value) {
  seq++;
  for (const c of clients) c.pending.set(`${kind}:${key}`, value === undefined ? { op: 'remove', kind, key } : { op: 'upsert', kind, key, value });
}
function addCall(id, callerName, callerNumber, calleeName, calleeNumber, conference) {
  const now = Date.now();
  const c = { node: NODE, id, legs: [], callerName, callerNumber, calleeName, calleeNumber, direction: 'inbound',
    state: 'active', createdAt: iso(now - 2000), answeredAt: iso(now - 1000), ...(conference ? { conference } : {}) };
  calls.set(`${NODE}/${id}`, c);
  change('call', `${NODE}/${id}`, c);
}
const people = [['Kim Minji', '+82 10 5555 0101'], ['James Park', '1002'], ['Sara Lee', '+1 415 555 0199'], ['Oh Jiwon', '1004'], ['Tom Baker', '1005']];
conferences.set(`${NODE}/${CONF}`, { node: NODE, name: CONF, memberCount: 0, locked: false, createdAt: iso(Date.now() - 754e3) });
people.forEach(([name, num], i) => {
  const id = String(i + 1);
  const callId = `c0nf-${i + 1}-7d1e`;
  addCall(callId, name, num, CONF, '3000', CONF);
  members.set(`${NODE}/${CONF}/${id}`, { node: NODE, conference: CONF, id, callId, callerName: name, callerNumber: num,
    muted: i === 3, deaf: false, talking: false, floor: i === 0, joinedAt: iso(Date.now() - (700 - i * 60) * 1000) });
});
conferences.get(`${NODE}/${CONF}`).memberCount = members.size;
addCall('b0t-4711', 'Choi Yuna', '+82 2 555 0142', 'Callbot', '7000');
for (let i = 0; i < 6; i++) addCall(`call-${i}`, '', `10${10 + i}`, '', `20${30 + i}`);
for (let i = 0; i < Number(process.env.MOCK_CALLS ?? 0); i++) addCall(`bulk-${i}`, '', `5${String(i).padStart(5, '0')}`, '', '8000');
if (nodes.has('fs2')) {
  const c = { node: 'fs2', id: 'old-1', callerName: 'Lee Hana', callerNumber: '2001', calleeNumber: '2100', state: 'active', createdAt: iso(Date.now() - 300e3) };
  calls.set('fs2/old-1', c);
  conferences.set('fs2/sales', { node: 'fs2', name: 'sales', memberCount: 1, locked: true, createdAt: iso(Date.now() - 900e3) });
  members.set('fs2/sales/7', { node: 'fs2', conference: 'sales', id: '7', callId: 'old-1', callerName: 'Lee Hana', callerNumber: '2001', muted: false, deaf: true, talking: false, joinedAt: iso(Date.now() - 800e3) });
}

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
const botKey = `${NODE}/b0t-4711`;
function say(speaker, text, final, id) {
  const u = { node: NODE, callId: 'b0t-4711', id, speaker, text, final, at: new Date().toISOString(), vendor: speaker === 'caller' ? 'brain' : undefined };
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
  const list = [...members.values()].filter((m) => m.node === NODE);
  const m = list[Math.floor(Math.random() * list.length)];
  if (!m || m.muted) return;
  const u = { ...m, talking: !m.talking };
  members.set(`${NODE}/${CONF}/${m.id}`, u);
  change('member', `${NODE}/${CONF}/${m.id}`, u);
}, 700);

function snapshot() {
  return { type: 'snapshot', seq, nodes: [...nodes.values()], calls: [...calls.values()], conferences: [...conferences.values()], members: [...members.values()] };
}

const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
const csp = "default-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (req.method === 'POST' && url.pathname.startsWith('/api/v1/nodes/')) return action(req, res, url.pathname);
  if (url.pathname === '/api/v1/state') return json(res, 200, snapshot());
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
function json(res, status, v) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(v));
}
async function action(req, res, path) {
  let body = '';
  for await (const chunk of req) body += chunk;
  const p = path.split('/').slice(4).map(decodeURIComponent); // node, 'conferences', conf, ...
  const [node, what, conf, sub, memberId, act] = p;
  if (node !== NODE) return json(res, 404, { error: `unknown node ${node}`, code: 'not_found' });
  if (what === 'conferences' && sub === 'members') {
    const key = `${NODE}/${conf}/${memberId}`;
    const m = members.get(key);
    if (!m) return json(res, 404, { error: `no member ${memberId} in ${conf}`, code: 'not_found' });
    if (act === 'play') {
      const media = JSON.parse(body || '{}').media;
      if (!nodes.get(NODE).media.includes(media)) return json(res, 400, { error: `unknown media ${media}`, code: 'invalid' });
      log('esl fake command', `line="api conference ${conf} play /sounds/${media}.wav ${memberId}"`);
      return json(res, 200, { ok: true, reply: '+OK' });
    }
    log('esl fake command', `line="api conference ${conf} ${act} ${memberId}"`);
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
    return json(res, 200, { ok: true, reply: `+OK ${act} ${memberId}` });
  }
  if (what === 'conferences' && (sub === 'lock' || sub === 'unlock')) {
    const c = conferences.get(`${NODE}/${conf}`);
    if (!c) return json(res, 404, { error: `no conference ${conf}`, code: 'not_found' });
    if (c.locked === (sub === 'lock')) return json(res, 409, { error: `-ERR Conference ${conf} is already ${sub}ed`, code: 'refused' });
    log('esl fake command', `line="api conference ${conf} ${sub}"`);
    const u = { ...c, locked: sub === 'lock' };
    conferences.set(`${NODE}/${conf}`, u);
    change('conference', `${NODE}/${conf}`, u);
    return json(res, 200, { ok: true, reply: `+OK ${conf} ${sub}ed` });
  }
  if (what === 'conferences' && sub === 'play') {
    log('esl fake command', `line="api conference ${conf} play ${JSON.parse(body || '{}').media}"`);
    return json(res, 200, { ok: true, reply: '+OK' });
  }
  if (what === 'calls' && sub === 'hangup') {
    const key = `${NODE}/${conf}`;
    if (!calls.has(key)) return json(res, 404, { error: `no call ${conf}`, code: 'not_found' });
    log('esl fake command', `line="api uuid_kill ${conf}"`);
    calls.delete(key);
    change('call', key);
    return json(res, 200, { ok: true, reply: '+OK' });
  }
  return json(res, 400, { error: 'unsupported route', code: 'invalid' });
}

const wss = new WebSocketServer({ server, path: '/ws' });
wss.on('connection', (ws) => {
  const c = { ws, pending: new Map(), open: new Set(), sent: seq };
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
});
function flush(c) {
  if (c.pending.size === 0) return;
  c.ws.send(JSON.stringify({ type: 'delta', from: c.sent, seq, ops: [...c.pending.values()] }));
  c.pending.clear();
  c.sent = seq;
}
setInterval(() => clients.forEach(flush), 50);
// Keep calls' seq movement visible even with no subscribers.
setInterval(() => seq++, 5000);

server.listen(Number(port), host, () => log('listening', `addr=http://${host}:${port}`));
