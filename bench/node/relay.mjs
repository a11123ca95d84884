// The seeds' design, as a baseline for `make bench`: a Node.js app server that
// keeps one ESL connection to FreeSWITCH and relays every raw event (its
// headers as JSON, the way modesl-based dashboards do) to every connected
// browser over `ws`. No coalescing, no per-browser state.
//
// Usage: node relay.mjs <esl host:port> <password> <event list...>
// Prints "listening <port>" once the ESL subscription is accepted.
import net from 'node:net';
import { WebSocketServer } from 'ws';

const [addr, password, ...events] = process.argv.slice(2);
const [host, port] = addr.split(':');

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
const listening = new Promise((resolve) => wss.on('listening', resolve));
const clients = new Set();
wss.on('connection', (ws) => {
  clients.add(ws);
  ws.on('close', () => clients.delete(ws));
  ws.on('error', () => clients.delete(ws));
});

// RELAY_DEBUG=1 prints, every second, the events relayed and what ws holds
// unsent (it shows whether the relay or its browsers are the bottleneck).
let relayed = 0;
if (process.env.RELAY_DEBUG) {
  setInterval(() => {
    let buffered = 0;
    for (const ws of clients) buffered += ws.bufferedAmount;
    console.error(`relay: ${relayed} events/s, ${clients.size} clients, ${(buffered / 1e6).toFixed(1)} MB buffered`);
    relayed = 0;
  }, 1000).unref();
}

function broadcast(headers) {
  relayed++;
  const msg = Buffer.from(JSON.stringify(headers));
  for (const ws of clients) ws.send(msg);
}

// A minimal ESL client: frames are header lines, a blank line, then
// Content-Length bytes; event frames carry the event's own header block.
function parseHeaders(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(': ');
    if (i <= 0) continue;
    const k = line.slice(0, i);
    if (k in out) continue; // first value wins, as in eslgo
    let v = line.slice(i + 2);
    try { v = decodeURIComponent(v); } catch { /* keep raw */ }
    out[k] = v;
  }
  return out;
}

const sock = net.connect({ host, port: Number(port) });
let buf = Buffer.alloc(0);
let step = 0;
sock.on('data', (chunk) => {
  buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
  for (;;) {
    const end = buf.indexOf('\n\n');
    if (end < 0) return;
    const head = parseHeaders(buf.subarray(0, end).toString('utf8'));
    const len = Number(head['Content-Length'] || 0);
    if (buf.length < end + 2 + len) return;
    const body = buf.subarray(end + 2, end + 2 + len);
    buf = buf.subarray(end + 2 + len);
    onFrame(head, body);
  }
});
sock.on('error', (err) => { console.error('esl:', err.message); process.exit(1); });
sock.on('close', () => process.exit(0));

function onFrame(head, body) {
  const type = head['Content-Type'];
  if (type === 'auth/request') {
    sock.write(`auth ${password}\n\n`);
  } else if (type === 'command/reply') {
    step++;
    if (step === 1) sock.write(`event plain ${events.join(' ')}\n\n`);
    else if (step === 2) listening.then(() => console.log(`listening ${wss.address().port}`));
  } else if (type === 'text/event-plain') {
    const text = body.toString('utf8');
    const split = text.indexOf('\n\n');
    const ev = parseHeaders(split >= 0 ? text.slice(0, split) : text);
    if (split >= 0 && ev['Content-Length']) ev._body = text.slice(split + 2);
    broadcast(ev);
  }
}

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
