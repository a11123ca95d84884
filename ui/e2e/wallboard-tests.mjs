// Browser tests of the wallboard (issue 13): the demo's two mod_callcenter
// queues through the ESL fake. Registered into run.mjs's sequence; they share
// its page, server and helpers through ctx.
import { assert, eventually, test } from './harness.mjs';

const ADMIN = process.env.CALLBOARD_E2E_ADMIN_USER ?? 'admin';

/** "1:02" / "1:02:03" -> seconds; NaN for "–". */
const seconds = (text) =>
  text
    .trim()
    .split(':')
    .map(Number)
    .reduce((acc, n) => acc * 60 + n, 0);

async function openBoard(ctx, p = ctx.page) {
  await p.goto(`${ctx.base}/wallboard`);
  if (await p.locator('[data-signin]').isVisible({ timeout: 3000 }).catch(() => false)) {
    await p.fill('[data-username]', ADMIN);
    await p.fill('[data-password]', ctx.adminPassword);
    await p.click('[data-signin-submit]');
  }
  await p.waitForSelector('[data-wallboard] [data-queue]', { timeout: 15000 });
}

const figure = (p, queue, fig) => p.locator(`[data-queue="${queue}"] [data-fig="${fig}"] [data-value]`);

/** Sum of a figure over every queue tile. */
async function total(p, fig) {
  const vals = await p.locator(`[data-queue] [data-fig="${fig}"] [data-value]`).allTextContents();
  return vals.reduce((a, v) => a + (Number(v) || 0), 0);
}

export function wallboardTests(ctx) {
  test('wallboard: the Queues tab shows both demo queues and their agents', async () => {
    const { page } = ctx;
    await openBoard(ctx);
    await page.goto(`${ctx.base}/`);
    await page.click('[data-nav="queues"]');
    await page.waitForSelector('[data-wallboard] [data-queue="demo-fs/support@default"]', { timeout: 10000 });
    await page.waitForSelector('[data-queue="demo-fs/sales@default"]', { timeout: 10000 });
    const agents = await page.locator('[data-agent]').count();
    assert(agents === 6, `agent grid has ${agents} rows, want the demo's 6`);
  });

  test('wallboard: callers wait and the longest wait ticks', async () => {
    const { page } = ctx;
    const queue = await eventually(
      async () => {
        for (const q of ['demo-fs/support@default', 'demo-fs/sales@default']) {
          if (seconds(await figure(page, q, 'longest-wait').textContent()) >= 1) return q;
        }
        return null;
      },
      { timeout: 40000, interval: 250, message: 'a caller waiting in a queue' },
    );
    const a = seconds(await figure(page, queue, 'longest-wait').textContent());
    const waiting = Number(await figure(page, queue, 'waiting').textContent());
    assert(waiting >= 1, `${queue}: longest wait ${a} s but ${waiting} waiting`);
    await page.waitForTimeout(2200);
    const b = seconds(await figure(page, queue, 'longest-wait').textContent());
    // The caller may have been answered meanwhile: then another wait is shown (or none).
    const still = Number(await figure(page, queue, 'waiting').textContent());
    assert(b > a || still !== waiting || Number.isNaN(b), `${queue}: longest wait did not tick: ${a} -> ${b}`);
    await ctx.shot('wallboard-waiting');
  });

  test('wallboard: an agent answers a queue caller', async () => {
    await ctx.page.waitForSelector('[data-agent][data-state="In a queue call"]', { timeout: 60000 });
  });

  test('wallboard: a caller abandons (hung up while waiting); abandoned and service level move', async () => {
    const { page } = ctx;
    const before = { abandoned: await total(page, 'abandoned') };
    // A waiting caller of the demo's FreeSWITCH node, from the live state.
    const member = await eventually(
      () =>
        page.evaluate(async () => {
          const s = await (await fetch('/api/v1/state')).json();
          return s.queueMembers.find((m) => m.state === 'Waiting') ?? null;
        }),
      { timeout: 40000, interval: 300, message: 'a Waiting queue member' },
    );
    const key = `${member.node}/${member.queue}`;
    const slBefore = await figure(page, key, 'service-level').textContent();
    const abandonedBefore = Number(await figure(page, key, 'abandoned').textContent());
    const status = await page.evaluate(async (m) => {
      const me = await (await fetch('/api/v1/auth/me')).json();
      const r = await fetch(`/api/v1/nodes/${encodeURIComponent(m.node)}/calls/${encodeURIComponent(m.callId)}/hangup`, {
        method: 'POST',
        headers: { 'X-CSRF-Token': me.csrfToken, 'Content-Type': 'application/json' },
        body: '{}',
      });
      return r.status;
    }, member);
    assert(status === 200, `hangup of the waiting caller answered ${status}`);
    await eventually(async () => Number(await figure(page, key, 'abandoned').textContent()) > abandonedBefore, {
      timeout: 10000,
      message: `${key} abandoned above ${abandonedBefore}`,
    });
    await eventually(async () => (await figure(page, key, 'service-level').textContent()) !== slBefore, {
      timeout: 10000,
      message: `${key} service level to move from ${slBefore}`,
    });
    assert((await total(page, 'abandoned')) > before.abandoned, 'total abandoned grew');
    // The queue history lists the abandoned call.
    const rows = await page.evaluate(async (id) => {
      const j = await (await fetch('/api/v1/history/queue-calls?outcome=abandoned&limit=50')).json();
      return j.calls.filter((c) => c.memberId === id).length;
    }, member.id);
    assert(rows === 1, `queue history has ${rows} rows for the abandoned member`);
  });

  test('wallboard: a moderator puts an agent on break; the ESL fake receives the exact command', async () => {
    const { page } = ctx;
    const row = page.locator('[data-agent][data-status="Available"]:has([data-agent-menu])').first();
    await row.waitFor({ timeout: 30000 });
    const key = await row.getAttribute('data-agent');
    const name = key.split('/').slice(1).join('/');
    const target = page.locator(`[data-agent="${key}"]`);
    const from = ctx.stderr.length;
    await target.locator('[data-agent-menu]').click();
    await ctx.shot('wallboard-agent-menu');
    await target.locator('[data-set-status="On Break"]').click();
    await eventually(async () => (await target.getAttribute('data-status')) === 'On Break', { timeout: 8000, message: `${name} on break` });
    const want = `callcenter_config agent set status ${name} 'On Break'`;
    await eventually(() => ctx.logged(from, { tag: 'esl fake command', want }), { timeout: 5000, message: `"${want}" in stderr` });
    // Back to work, so the demo keeps answering.
    await target.locator('[data-agent-menu]').click();
    await target.locator('[data-set-status="Available"]').click();
    await eventually(async () => (await target.getAttribute('data-status')) === 'Available', { timeout: 8000, message: `${name} available` });
  });

  test('wallboard screenshots (light and dark)', async () => {
    const { page } = ctx;
    await page.emulateMedia({ colorScheme: 'light' });
    await page.waitForTimeout(200);
    await ctx.shot('wallboard-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(200);
    await ctx.shot('wallboard-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  test('TV mode: large type, no header or controls, cycles queues', async () => {
    const { page } = ctx;
    await page.goto(`${ctx.base}/wallboard/tv`);
    await page.waitForSelector('[data-tv] [data-queue]', { timeout: 10000 });
    assert((await page.locator('header, [data-nav]').count()) === 0 || !(await page.locator('[data-nav]').first().isVisible()), 'TV mode shows the header');
    assert((await page.locator('[data-tv] button, [data-tv] a').count()) === 0, 'TV mode has controls');
    const size = await page.locator('[data-tv] [data-fig="waiting"] [data-value]').evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
    assert(size >= 60, `TV figures are ${size}px, want large type`);
    const first = await page.locator('[data-tv] [data-queue]').getAttribute('data-queue');
    await ctx.shot('wallboard-tv');
    await eventually(async () => (await page.locator('[data-tv] [data-queue]').getAttribute('data-queue')) !== first, {
      timeout: 15000,
      message: 'TV mode to cycle to the next queue',
    });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(200);
    await ctx.shot('wallboard-tv-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-wallboard]', { timeout: 5000 });
  });

  test('queue history: the abandoned call is listed, daily figures shown, exports offered', async () => {
    const { page } = ctx;
    await page.goto(`${ctx.base}/history`);
    await page.click('[data-history-view="queues"]');
    await page.waitForSelector('[data-queue-history] [data-qh-call][data-outcome="abandoned"]', { timeout: 10000 });
    await page.waitForSelector('[data-qh-days] [data-qh-day]', { timeout: 5000 });
    await page.selectOption('[data-qh-outcome]', 'abandoned');
    await eventually(async () => (await page.locator('[data-qh-call]:not([data-outcome="abandoned"])').count()) === 0, { message: 'only abandoned calls' });
    const href = await page.locator('[data-qh-export="csv"]').getAttribute('href');
    assert(href.includes('outcome=abandoned') && href.includes('format=csv'), `export link ${href}`);
    const csv = await page.evaluate(async (h) => (await fetch(h)).text(), href);
    assert(csv.startsWith('node,queue,member_id') && csv.includes('abandoned'), `export: ${csv.slice(0, 200)}`);
    await ctx.shot('queue-history');
  });

  test('wallboard at phone width (390 px) does not scroll sideways', async () => {
    const phone = await ctx.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    const p = await phone.newPage();
    ctx.watch(p, 'phone-wallboard');
    await openBoard(ctx, p);
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 1, `wallboard scrolls sideways at 390 px by ${overflow} px`);
    await ctx.shot('wallboard-phone', p);
    await p.screenshot({ path: `${ctx.out}/wallboard-phone-full.png`, fullPage: true });
    await phone.close();
  });
}
