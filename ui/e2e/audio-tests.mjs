// Live audio in the browser (issue 12): a relay streams a 440 Hz tone as the
// caller (left) and 660 Hz as the agent (right) into the ingest websocket of a
// FreeSWITCH demo call, with an ingest:audio token made through the admin
// API; the browser listens, and an AnalyserNode tapped on the AudioContext's
// destination checks what is actually played.
import { assert, eventually, test } from './harness.mjs';

const RATE = 8000;
const FRAME = 160; // 20 ms

/** An init script: every connection to an AudioContext's destination also feeds an analyser. */
function tapAudio() {
  const connect = AudioNode.prototype.connect;
  window.__cbAudio = { analysers: [], contexts: [] };
  AudioNode.prototype.connect = function (dest, ...rest) {
    if (dest instanceof AudioDestinationNode) {
      const a = this.context.createAnalyser();
      a.fftSize = 8192;
      a.smoothingTimeConstant = 0.2;
      connect.call(this, a);
      window.__cbAudio.analysers.push(a);
      window.__cbAudio.contexts.push(this.context);
    }
    return connect.call(this, dest, ...rest);
  };
}

/** In the page: the spectrum's level at 440, 660 and 1000 Hz above the median bin, in dB. */
function spectrum() {
  const a = window.__cbAudio.analysers.at(-1);
  if (!a) return null;
  const bins = new Float32Array(a.frequencyBinCount);
  a.getFloatFrequencyData(bins);
  const hz = a.context.sampleRate / a.fftSize;
  const at = (f) => Math.max(...[-2, -1, 0, 1, 2].map((d) => bins[Math.round(f / hz) + d]));
  const sorted = [...bins].filter(Number.isFinite).sort((x, y) => x - y);
  const median = sorted[Math.floor(sorted.length / 2)] ?? -200;
  return { f440: at(440) - median, f660: at(660) - median, f1000: at(1000) - median };
}

async function wsClass() {
  if (globalThis.WebSocket) return globalThis.WebSocket;
  return (await import('ws')).default;
}

/** Streams a paced tone into the ingest endpoint; returns { stop, closed }. */
async function relay(base, node, call, side, freq, token) {
  const WS = await wsClass();
  const url = `${base.replace(/^http/, 'ws')}/api/v1/audio/${node}/${call}/${side}?rate=${RATE}&token=${token}`;
  const ws = new WS(url);
  ws.binaryType = 'arraybuffer';
  let n = 0;
  let closed = null;
  ws.onclose = (e) => (closed = e.code);
  await new Promise((res, rej) => {
    ws.onopen = res;
    ws.onerror = () => rej(new Error(`relay ${side}: websocket error`));
  });
  // Paced by the clock, as a real relay is: a late timer tick sends the
  // frames that fell due, so the stream never drifts behind real time.
  const start = Date.now();
  let sent = 0;
  const timer = setInterval(() => {
    if (ws.readyState !== 1) return;
    const due = Math.floor((Date.now() - start) / 20);
    for (; sent < due; sent++) {
      const b = Buffer.alloc(FRAME * 2);
      for (let i = 0; i < FRAME; i++, n++) b.writeInt16LE(Math.round(12000 * Math.sin((2 * Math.PI * freq * n) / RATE)), 2 * i);
      ws.send(b);
    }
  }, 20);
  return {
    stop: () => (clearInterval(timer), ws.close(1000)),
    get closed() {
      return closed;
    },
  };
}

/** Signs in through the API; returns cookie and CSRF headers. */
async function apiSession(base, user, password) {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, password }),
  });
  assert(r.ok, `api sign-in: ${r.status}`);
  const { csrfToken } = await r.json();
  const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return { cookie, 'X-CSRF-Token': csrfToken };
}

export function audioTests(ctx) {
  test('listen in the browser: 440/660 Hz relayed tones are played, meters move, closing stops the stream', async () => {
    const user = process.env.CALLBOARD_E2E_ADMIN_USER ?? 'admin';
    const hdr = await apiSession(ctx.base, user, ctx.adminPassword);
    const tr = await fetch(`${ctx.base}/api/v1/tokens`, {
      method: 'POST',
      headers: { ...hdr, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'e2e-audio-relay', scopes: ['ingest:audio'] }),
    });
    assert(tr.status === 201, `create token: ${tr.status}`);
    const { token } = await tr.json();

    // A FreeSWITCH call of the test's own (click-to-call), so that no demo
    // hangup ends it halfway; the relay is its audio source.
    const placed = await fetch(`${ctx.base}/api/v1/nodes/${ctx.FS_NODE}/calls`, {
      method: 'POST',
      headers: { ...hdr, 'Content-Type': 'application/json' },
      body: JSON.stringify({ from: '1077', to: '5729' }),
    });
    assert(placed.status === 202, `originate: ${placed.status}`);
    const { callId } = await placed.json();
    const call = await eventually(async () => {
      const st = await (await fetch(`${ctx.base}/api/v1/state`, { headers: hdr })).json();
      return st.calls.find((c) => c.node === ctx.FS_NODE && c.id === callId && c.state === 'active') ?? null;
    }, { timeout: 8000, message: 'the placed call to be answered' });
    const left = await relay(ctx.base, call.node, call.id, 'left', 440, token);
    const right = await relay(ctx.base, call.node, call.id, 'right', 660, token);
    await new Promise((r) => setTimeout(r, 300));
    assert(left.closed === null && right.closed === null, `the relay was refused: ${left.closed} ${right.closed}`);
    const key = `${call.node}/${call.id}`;

    const c = await ctx.browser.newContext({ viewport: { width: 1440, height: 900 } });
    await c.addInitScript(tapAudio);
    const p = await c.newPage();
    ctx.watch(p, 'audio');
    try {
      await p.goto(ctx.base);
      await p.waitForSelector('[data-signin]', { timeout: 10000 });
      await p.fill('[data-username]', user);
      await p.fill('[data-password]', ctx.adminPassword);
      await p.click('[data-signin-submit]');
      await p.waitForSelector('[data-conn="live"]', { timeout: 10000 });

      // The overview's row meter moves before anyone listens (levels over /ws).
      await eventually(async () => Number(await p.locator(`tr[data-call="${key}"] [data-meters] [data-side="left"]`).getAttribute('data-level', { timeout: 500 })) > 0.3, {
        timeout: 8000,
        message: 'the row meter of the caller to move',
      });

      await ctx.shot('calls-row-meters', p);

      // Listen from the row's menu: the panel opens and plays.
      await p.click(`tr[data-call="${key}"] [data-call-menu]`);
      await p.click(`tr[data-call="${key}"] [data-action="listen-browser"]`);
      await p.waitForSelector(`[data-listen="${key}"][data-state="playing"]`, { timeout: 8000 });
      // Both tones, and nothing at 1 kHz. On a loaded machine the relay's
      // timers can starve the jitter buffer for a moment; the silence it
      // then plays is a click, broadband for the analyser's 170 ms window.
      // So a clean window must come within the timeout, while wrong bytes
      // (swapped order, wrong rate) would be noise in every window.
      const seen = [];
      await eventually(async () => {
        const v = await p.evaluate(spectrum);
        if (v) seen.push(v);
        return v && v.f440 > 30 && v.f660 > 30 && v.f1000 < Math.min(v.f440, v.f660) - 25;
      }, { timeout: 8000, message: () => `both tones and no 1 kHz component in the played audio; last readings ${JSON.stringify(seen.slice(-3))}` });
      for (const side of ['left', 'right']) {
        const lvl = Number(await p.locator(`[data-listen="${key}"] [data-meters] [data-side="${side}"]`).getAttribute('data-level'));
        assert(lvl > 0.3, `panel meter ${side} at ${lvl}`);
      }
      await ctx.shot('listen-panel-light', p);
      await p.emulateMedia({ colorScheme: 'dark' });
      await p.waitForTimeout(300);
      await ctx.shot('listen-panel-dark', p);
      await p.emulateMedia({ colorScheme: 'light' });

      // The caller alone off: 440 Hz leaves the played audio, 660 stays.
      await p.click(`[data-listen="${key}"] [data-side-toggle="caller"]`);
      await eventually(async () => {
        const v = await p.evaluate(spectrum);
        return v && v.f660 > 30 && v.f440 < v.f660 - 25;
      }, { timeout: 5000, message: 'the caller side to go quiet' });
      await p.click(`[data-listen="${key}"] [data-side-toggle="caller"]`);

      // Closing the panel stops everything, browser and server side.
      const from = ctx.stderr.length;
      await p.click('[data-transcript] button[aria-label="Close transcript"]');
      await eventually(async () => ctx.stderr.slice(from).includes('audio listen ended'), { timeout: 5000, message: 'the server to see the listener leave' });
      const ctxState = await p.evaluate(() => window.__cbAudio.contexts.at(-1)?.state);
      assert(ctxState === 'closed', `AudioContext ${ctxState} after closing the panel`);
      assert(left.closed === null, 'the relay was closed by the listener leaving');
    } finally {
      left?.stop();
      right?.stop();
      await c.close();
      await fetch(`${ctx.base}/api/v1/nodes/${call.node}/calls/${encodeURIComponent(call.id)}/hangup`, { method: 'POST', headers: hdr });
    }
  });
}
