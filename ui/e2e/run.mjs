// Browser end-to-end tests: the real binary in demo mode (bin/callboard demo,
// or $CALLBOARD_BIN), driven through Debian's Chromium by playwright-core.
// CALLBOARD_E2E_MOCK=1 runs against ui/dev/mock-server.mjs instead (dev only).
// Screenshots land in test-output/ (gitignored).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { assert, eventually, run, test } from './harness.mjs';
import { adminTests, asteriskTests, rateLimitTests, signInTests } from './auth-tests.mjs';
import { historyTests, openCallbotTranscript } from './history-tests.mjs';
import { alertsTests } from './alerts-tests.mjs';
import { ssoTests } from './sso-tests.mjs';
import { audioTests } from './audio-tests.mjs';
import { wallboardTests } from './wallboard-tests.mjs';
import { superviseTests } from './supervise-tests.mjs';
import { i18nTests } from './i18n-tests.mjs';
import { a11yTests } from './a11y-tests.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(repo, 'test-output');
mkdirSync(out, { recursive: true });
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const useMock = process.env.CALLBOARD_E2E_MOCK === '1';
const bin = process.env.CALLBOARD_BIN ?? join(repo, 'bin', 'callboard');

let proc;
let stderr = '';
let base;
let browser;
let context;
let page;
const consoleErrors = [];
/** The bootstrap admin's password: random per run, handed to the server in its environment. */
const adminPassword = `e2e-${randomBytes(12).toString('base64url')}`;

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function startServer() {
  const port = await freePort();
  const listen = `127.0.0.1:${port}`;
  base = `http://${listen}`;
  // debug: the fakes log each command/request they receive at debug, and the tests read those lines.
  const env = { ...process.env, CALLBOARD_ADMIN_PASSWORD: adminPassword, CALLBOARD_LOG_LEVEL: 'debug' };
  if (useMock) {
    proc = spawn(process.execPath, [join(repo, 'ui', 'dev', 'mock-server.mjs'), '--listen', listen], { stdio: ['ignore', 'pipe', 'pipe'], env });
  } else {
    assert(existsSync(bin), `callboard binary not found at ${bin} (run \`make build\` or set CALLBOARD_BIN)`);
    proc = spawn(bin, ['demo', '--listen', listen], { stdio: ['ignore', 'pipe', 'pipe'], env });
  }
  proc.stderr.on('data', (d) => (stderr += d));
  proc.stdout.on('data', (d) => (stderr += d));
  let exited = null;
  proc.on('exit', (code) => (exited = code));
  await eventually(
    async () => {
      if (exited !== null) throw new Error(`server exited with ${exited}:\n${stderr.slice(-2000)}`);
      const r = await fetch(`${base}/`);
      return r.ok;
    },
    { timeout: 20000, interval: 150, message: `${base}/ to answer` },
  ).catch((e) => {
    throw new Error(`${e.message}\n--- server output ---\n${stderr.slice(-2000)}`);
  });
  // Everything but sign-in needs a session (docs/auth.md).
  const me = await fetch(`${base}/api/v1/auth/me`);
  assert(me.status === 401, `GET /api/v1/auth/me without a session answered ${me.status}, want 401`);
}

/** Statuses the browser logs as console errors although they are the expected answer. */
function expectedFailure(msg) {
  const url = msg.location()?.url ?? '';
  const text = msg.text();
  // Asking who we are before signing in, and a wrong password, answer 401.
  if (/\/api\/v1\/auth\/(me|login)$/.test(url) && /status of 401/.test(text)) return true;
  // Too many wrong passwords (the rate-limit test) answer 429.
  if (/\/api\/v1\/auth\/login$/.test(url) && /status of 429/.test(text)) return true;
  // The Alerts test's rule with an invalid regular expression is refused with 400.
  if (/\/api\/v1\/alerts\/rules$/.test(url) && /status of 400/.test(text)) return true;
  // The language test's PUT of a language outside the allowlist is refused with 400.
  if (/\/api\/v1\/me\/language$/.test(url) && /status of 400/.test(text)) return true;
  return false;
}

function watch(p, label) {
  p.on('console', (msg) => {
    if (msg.type() === 'error' && !expectedFailure(msg)) consoleErrors.push(`${label} console: ${msg.text()}`);
  });
  p.on('pageerror', (err) => consoleErrors.push(`${label} pageerror: ${err.message}`));
}

const shot = (name, p = page) => p.screenshot({ path: join(out, `${name}.png`), fullPage: false });

const FS_NODE = 'demo-fs';
const AST_NODE = 'demo-ast';

/**
 * The line the demo's fake PBX logs when a mute (or unmute) reaches it: the
 * ESL fake logs the exact command line, the ARI fake the method and path.
 */
function pbxMuteLine(node, conf, id, verb = 'mute') {
  if (node === AST_NODE) {
    return { tag: 'ari fake request', want: `${verb === 'mute' ? 'POST' : 'DELETE'} /ari/channels/${id}/mute` };
  }
  return { tag: 'esl fake command', want: `conference ${conf} ${verb} ${id}` };
}

const logged = (from, { tag, want }) =>
  stderr
    .slice(from)
    .split('\n')
    .some((l) => l.includes(tag) && l.includes(want));

/** "1:02" / "1:02:03" -> seconds. */
function seconds(text) {
  return text
    .trim()
    .split(':')
    .map(Number)
    .reduce((acc, n) => acc * 60 + n, 0);
}

/** What the tests in auth-tests.mjs share with this file. */
const ctx = {
  get page() {
    return page;
  },
  get browser() {
    return browser;
  },
  get base() {
    return base;
  },
  get stderr() {
    return stderr;
  },
  adminPassword,
  out,
  shot,
  watch,
  logged,
  consoleErrors,
  AST_NODE,
  FS_NODE,
};

signInTests(ctx);

test('page loads live with no console errors', async () => {
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForSelector('[data-conn="live"]', { timeout: 10000 });
  await page.waitForSelector('[data-node][data-state]', { timeout: 10000 });
  assert(consoleErrors.length === 0, `console errors on load:\n${consoleErrors.join('\n')}`);
}, { setup: true });

test('calls appear and their durations tick', async () => {
  await page.waitForSelector('tr[data-call]', { timeout: 15000 });
  // Pick an answered call (a ringing call's duration restarts at answer);
  // durations are read twice, >1 s apart.
  await page.waitForSelector('tr[data-call]:has(.state.active)', { timeout: 15000 });
  const key = await page.locator('tr[data-call]:has(.state.active)').first().getAttribute('data-call');
  const cell = page.locator(`tr[data-call="${key}"] [data-duration]`);
  const first = await cell.textContent({ timeout: 2000 });
  await page.waitForTimeout(2200);
  const rows = await page.locator(`tr[data-call="${key}"]`).count();
  if (rows === 0) {
    // The call ended between the reads: any other call must tick instead.
    const k2 = await page.locator('tr[data-call]:has(.state.active)').first().getAttribute('data-call');
    const c2 = page.locator(`tr[data-call="${k2}"] [data-duration]`);
    const a = seconds(await c2.textContent());
    await page.waitForTimeout(2200);
    const b = seconds(await c2.textContent());
    assert(b > a, `duration of ${k2} did not tick: ${a} -> ${b}`);
    return;
  }
  const second = await cell.textContent({ timeout: 2000 });
  assert(/^\d+:\d\d(:\d\d)?$/.test(first.trim()), `duration format: "${first}"`);
  assert(seconds(second) > seconds(first), `duration of ${key} did not tick: "${first}" -> "${second}"`);
});

test('header totals and node status are shown', async () => {
  const calls = Number(await page.locator('[data-total="calls"]').textContent());
  const rows = await page.locator('tr[data-call]').count();
  assert(calls > 0 && rows > 0, `totals: ${calls} calls, ${rows} rows`);
  const state = await page.locator('[data-node][data-state]').first().getAttribute('data-state');
  assert(state === 'up', `first node state is ${state}`);
});

/** Mutes a member of node's conference by clicking, checks icon and PBX, unmutes. */
async function clickMuteOn(node, shotName) {
  const rowSel = `article[data-node="${node}"] [data-member-key][data-muted="false"]:has(button[data-action="mute"])`;
  await page.waitForSelector(rowSel, { timeout: 15000 });
  let muted = false;
  let lastErr;
  // A member may leave in the demo while we click: try the next one then.
  for (let attempt = 0; attempt < 3 && !muted; attempt++) {
    const row = page.locator(rowSel).first();
    const key = await row.getAttribute('data-member-key');
    const id = await row.getAttribute('data-member-id');
    const conf = await row.locator('xpath=ancestor::article[@data-conference]').getAttribute('data-conference');
    const target = page.locator(`[data-member-key="${key}"]`);
    const before = stderr.length;
    await target.locator('button[data-action="mute"]').click();
    try {
      await eventually(async () => (await target.getAttribute('data-muted')) === 'true', { timeout: 5000, message: `${key} muted` });
      assert(await target.locator('[data-status="muted"]').isVisible(), 'Muted badge visible');
      assert(await target.locator('button[data-action="unmute"]').isVisible(), 'button now offers Unmute');
      const line = pbxMuteLine(node, conf, id);
      await eventually(() => logged(before, line), { timeout: 5000, message: `"${line.want}" in the binary's stderr` });
      muted = true;
      await shot(shotName);
      // Put it back so the demo keeps talking.
      const beforeUnmute = stderr.length;
      await target.locator('button[data-action="unmute"]').click();
      await eventually(async () => (await target.getAttribute('data-muted')) === 'false', { timeout: 5000, message: `${key} unmuted` });
      const unmute = pbxMuteLine(node, conf, id, 'unmute');
      await eventually(() => logged(beforeUnmute, unmute), { timeout: 5000, message: `"${unmute.want}" in the binary's stderr` });
    } catch (e) {
      lastErr = e;
      if ((await target.count()) > 0) throw e;
    }
  }
  assert(muted, `no member could be muted: ${lastErr}`);
}

test('clicking mute on a FreeSWITCH member mutes it and the ESL fake receives the command', async () => {
  await clickMuteOn(FS_NODE, 'member-muted');
});

test('clicking mute on an Asterisk member mutes it and the ARI fake receives the request', async () => {
  await clickMuteOn(AST_NODE, 'member-muted-asterisk');
});

test('each node offers only the actions it supports (no lock on Asterisk)', async () => {
  const fsCard = page.locator(`article[data-node="${FS_NODE}"]`).first();
  const astCard = page.locator(`article[data-node="${AST_NODE}"]`).first();
  await fsCard.waitFor({ timeout: 10000 });
  await astCard.waitFor({ timeout: 10000 });
  assert((await fsCard.locator('button[data-action="lock"], button[data-action="unlock"]').count()) === 1, 'FreeSWITCH card offers lock');
  assert((await astCard.locator('button[data-action="lock"], button[data-action="unlock"]').count()) === 0, 'Asterisk card must not offer lock');
});

test('keyboard: arrows move through members, m mutes and unmutes the focused one', async () => {
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('ArrowDown');
  const first = await page.evaluate(() => document.activeElement?.getAttribute('data-member-key'));
  assert(first, 'ArrowDown did not focus a member row');
  await page.keyboard.press('ArrowDown');
  const second = await page.evaluate(() => document.activeElement?.getAttribute('data-member-key'));
  const rows = await page.locator('[data-member-key]').count();
  assert(rows < 2 || (second && second !== first), `second ArrowDown stayed on ${first}`);
  const row = page.locator(`[data-member-key="${second ?? first}"]`);
  if ((await row.locator('button[data-action="mute"]').count()) === 0) return; // already muted by the demo
  const id = await row.getAttribute('data-member-id');
  const card = row.locator('xpath=ancestor::article[@data-conference]');
  const conf = await card.getAttribute('data-conference');
  const node = await card.getAttribute('data-node');
  const before = stderr.length;
  await page.keyboard.press('m');
  await eventually(async () => (await row.getAttribute('data-muted')) === 'true', { timeout: 5000, message: 'm to mute' });
  await eventually(() => logged(before, pbxMuteLine(node, conf, id)), { timeout: 5000, message: 'mute command from the keyboard' });
  await page.keyboard.press('m');
  // The demo may hang the member's call up meanwhile: a row gone has nothing left to unmute.
  await eventually(async () => (await row.count()) === 0 || (await row.getAttribute('data-muted', { timeout: 1000 })) === 'false', {
    timeout: 5000,
    message: 'm to unmute',
  });
});

test('lock and play a prompt from a conference card reach the fake', async () => {
  const card = page.locator(`article[data-conference][data-node="${FS_NODE}"]`).first();
  const conf = await card.getAttribute('data-conference');
  const lock = card.locator('button[data-action="lock"]');
  if ((await lock.count()) > 0) {
    const before = stderr.length;
    await lock.click();
    await card.locator('[data-locked="true"]').waitFor({ timeout: 5000 });
    await eventually(() => stderr.slice(before).includes(`conference ${conf} lock`), { timeout: 5000, message: 'lock command' });
    await shot('conference-locked');
    await card.locator('button[data-action="unlock"]').click();
    await card.locator('[data-locked="true"]').waitFor({ state: 'detached', timeout: 5000 });
  }
  const play = card.locator('[data-member-key] button[data-action="play"]').first();
  if ((await play.count()) === 0) return;
  const before = stderr.length;
  await play.click();
  const dlg = page.locator('dialog[open]');
  await dlg.waitFor({ timeout: 3000 });
  const media = await dlg.locator('select[data-media] option').first().getAttribute('value');
  assert(media, 'no media offered');
  await shot('play-dialog');
  await dlg.locator('button[data-confirm]').click();
  await eventually(() => stderr.slice(before).split('\n').some((l) => l.includes('esl fake command') && l.includes(`conference ${conf} play`)), {
    timeout: 5000,
    message: `conference ${conf} play in stderr`,
  });
});

test('overview screenshots (light and dark)', async () => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForTimeout(300);
  await shot('overview-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForTimeout(300);
  await shot('overview-dark');
  await page.emulateMedia({ colorScheme: 'light' });
});

test('the callbot call shows caller and bot transcript lines', async () => {
  // The callbot call is picked by its destination ("callbot" / "Callbot"), longest-running first.
  const found = await openCallbotTranscript(page);
  const panel = page.locator(`[data-transcript="${found}"]`);
  const callerText = await panel.locator('[data-speaker="caller"] .bubble').first().textContent();
  const botText = await panel.locator('[data-speaker="bot"] .bubble').first().textContent();
  assert(callerText.trim() && botText.trim(), 'lines have text');
  // A reply shows the bot's turn latency (in the screenshots too).
  await panel.locator('[data-latency]').first().waitFor({ timeout: 8000 });
  await shot('transcript-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForTimeout(200);
  await shot('transcript-dark');
  await page.emulateMedia({ colorScheme: 'light' });
});

test('Escape closes the transcript; / focuses the filter and filtering works', async () => {
  await page.keyboard.press('Escape');
  await page.waitForSelector('[data-transcript]', { state: 'detached', timeout: 3000 });
  await page.keyboard.press('/');
  const focused = await page.evaluate(() => document.activeElement?.hasAttribute('data-filter'));
  assert(focused, '/ did not focus the filter');
  const total = await page.locator('tr[data-call]').count();
  await page.keyboard.type('zzz-no-such-call');
  await eventually(async () => (await page.locator('tr[data-call]').count()) === 0, { message: 'filter to hide all rows' });
  await page.fill('[data-filter]', '');
  await eventually(async () => (await page.locator('tr[data-call]').count()) > 0, { message: 'rows back' });
  assert(total > 0, 'rows before filtering');
});

test('kick asks for a confirm naming the person; cancel sends nothing', async () => {
  const kick = page.locator('[data-member-key] button[data-action="kick"]').first();
  if ((await kick.count()) === 0) return; // node does not offer kick
  const label = await kick.getAttribute('aria-label');
  const before = stderr.length;
  await kick.click();
  const dlg = page.locator('dialog[open]');
  await dlg.waitFor({ timeout: 3000 });
  const text = await dlg.textContent();
  const name = label.replace(/^Kick /, '');
  assert(text.includes(name), `confirm does not name "${name}": ${text}`);
  await shot('kick-confirm');
  await page.keyboard.press('Escape');
  await dlg.waitFor({ state: 'detached', timeout: 3000 }).catch(() => {});
  await eventually(async () => (await page.locator('dialog[open]').count()) === 0, { message: 'dialog closed' });
  assert(!stderr.slice(before).includes(' kick '), 'kick was sent although cancelled');
});

asteriskTests(ctx);
adminTests(ctx);
historyTests(ctx);
alertsTests(ctx);
audioTests(ctx);
wallboardTests(ctx);
superviseTests(ctx);
i18nTests(ctx);
// After the tests above, so the demo has calls, conferences, queues, history and alert rules to scan.
a11yTests(ctx);

test('phone width (390 px) is usable', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  const p = await phone.newPage();
  watch(p, 'phone');
  await p.goto(base);
  await p.waitForSelector('[data-signin]', { timeout: 10000 });
  await shot('phone-signin', p);
  await p.fill('[data-username]', process.env.CALLBOARD_E2E_ADMIN_USER ?? 'admin');
  await p.fill('[data-password]', adminPassword);
  await p.click('[data-signin-submit]');
  await p.waitForSelector('[data-conn="live"]', { timeout: 10000 });
  await p.waitForSelector('tr[data-call]', { timeout: 10000 });
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 1, `page scrolls sideways at 390 px by ${overflow} px`);
  await shot('phone-overview', p);
  await p.screenshot({ path: join(out, 'phone-full.png'), fullPage: true });
  await phone.close();
});

rateLimitTests(ctx);
ssoTests(ctx);

test('no console errors during the run', async () => {
  assert(consoleErrors.length === 0, consoleErrors.join('\n'));
});

test('the admin password never appears in the server output', async () => {
  assert(!stderr.includes(adminPassword), 'the bootstrap admin password was logged');
});

test('server gone: a banner counts down to the next retry', async () => {
  proc.kill('SIGTERM');
  await page.waitForSelector('[data-banner="disconnected"]', { timeout: 10000 });
  const text = await page.locator('[data-banner="disconnected"]').textContent();
  assert(/\d/.test(text), `banner has no countdown: ${text}`);
  await shot('disconnected');
});

await run({
  async before() {
    await startServer();
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required'],
    });
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    watch(page, 'desktop');
  },
  async after() {
    await browser?.close();
    if (proc && proc.exitCode === null) proc.kill('SIGTERM');
  },
});
