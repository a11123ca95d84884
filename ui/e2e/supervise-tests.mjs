// Browser tests of issue 11 (supervise, not just watch): My phone, click-to-call
// with the PBX's verdict, hold, listen / whisper / stop, transfer, on the
// FreeSWITCH demo node, and click-to-call + listen on the Asterisk one. What
// reached each fake is read from the binary's debug log (ctx.logged). The demo's
// dial rules (cmd/callboard/demo_dial.go): extensions 1000-1999 ring, 1009 is
// busy, numbers of 3-15 digits dial.
import { assert, eventually, test } from './harness.mjs';

const MY_PHONE = '1010';
const OTHER_USER = 'e2e-supervisor';
const otherPassword = `sup-${Math.random().toString(36).slice(2)}-pw`;

/** A request with the page's session (and its CSRF token), as the UI makes it. */
export async function api(p, method, path, body) {
  return p.evaluate(
    async ({ method, path, body }) => {
      const me = await (await fetch('/api/v1/auth/me')).json();
      const r = await fetch(path, {
        method,
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrfToken },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: r.status, text: await r.text() };
    },
    { method, path, body },
  );
}

async function themed(ctx, name, p = ctx.page) {
  await p.emulateMedia({ colorScheme: 'light' });
  await p.waitForTimeout(150);
  await ctx.shot(`${name}-light`, p);
  await p.emulateMedia({ colorScheme: 'dark' });
  await p.waitForTimeout(150);
  await ctx.shot(`${name}-dark`, p);
  await p.emulateMedia({ colorScheme: 'light' });
}

const row = (p, key) => p.locator(`tr[data-call="${key}"]`);

/** Opens a call's action menu in the calls table. */
async function openMenu(p, key) {
  const r = row(p, key);
  await r.waitFor({ timeout: 10000 });
  await r.locator('[data-call-menu]').click();
  await r.locator('.menu [role="menuitem"]').first().waitFor({ timeout: 3000 });
  return r.locator('.menu');
}

async function choose(p, key, action) {
  const menu = await openMenu(p, key);
  const item = menu.locator(`[data-action="${action}"]`);
  assert(!(await item.isDisabled()), `${action} is disabled for ${key}: ${await item.getAttribute('title')}`);
  await item.click();
}

/** Waits for a line the fake logged after `from` that contains every string of want. */
async function sent(ctx, from, tag, ...want) {
  await eventually(
    () =>
      ctx.stderr
        .slice(from)
        .split('\n')
        .find((l) => l.includes(tag) && want.every((w) => l.includes(w))),
    { timeout: 6000, message: `${tag}: ${want.join(' … ')}` },
  );
  return ctx.stderr
    .slice(from)
    .split('\n')
    .find((l) => l.includes(tag) && want.every((w) => l.includes(w)));
}

const ESL = 'esl fake command';
const ARI = 'ari fake request';

/** Places a call through the Call dialog; returns the 202's call id. */
async function placeCall(ctx, node, from, to, shotName) {
  const { page } = ctx;
  await page.click('[data-originate]');
  const dlg = page.locator('dialog[data-dialog="originate"][open]');
  await dlg.waitFor({ timeout: 3000 });
  assert((await dlg.locator('[data-field="from"]').inputValue()) === MY_PHONE, 'from defaults to My phone');
  if ((await dlg.locator('[data-field="node"]').count()) > 0) await dlg.locator('[data-field="node"]').selectOption(node);
  await dlg.locator('[data-field="from"]').fill(from);
  await dlg.locator('[data-field="to"]').fill(to);
  if (shotName) await themed(ctx, shotName);
  const reply = page.waitForResponse((r) => r.url().endsWith(`/api/v1/nodes/${node}/calls`) && r.request().method() === 'POST');
  await dlg.locator('button[data-confirm]').click();
  const res = await reply;
  assert(res.status() === 202, `originate answered ${res.status()}: ${await res.text()}`);
  const body = await res.json();
  assert(body.callId, `no callId in ${JSON.stringify(body)}`);
  return body.callId;
}

/** Waits for a toast of kind whose text matches re. */
async function toast(page, kind, re) {
  return eventually(
    async () => {
      for (const t of await page.locator(`[data-toast="${kind}"] .text`).allTextContents()) if (re.test(t)) return t;
      return false;
    },
    { timeout: 8000, message: `a ${kind} toast matching ${re}` },
  );
}

export function superviseTests(ctx) {
  const FS = ctx.FS_NODE;
  const AST = ctx.AST_NODE;
  let placed; // the FreeSWITCH call placed from the board: "demo-fs/<id>"
  let other; // a second supervisor's page

  test('listen is disabled with a reason until My phone is set; My phone is saved', async () => {
    const { page } = ctx;
    await page.goto(ctx.base);
    await page.waitForSelector('[data-conn="live"]', { timeout: 10000 });
    const key = await page.locator(`tr[data-call^="${FS}/"]:has(.state.active)`).first().getAttribute('data-call', { timeout: 15000 });
    const menu = await openMenu(page, key);
    assert(await menu.locator('[data-action="listen"]').isDisabled(), 'listen enabled without a phone');
    assert(/My phone/.test(await menu.locator('[data-why]').textContent()), 'no reason shown under listen');
    await page.keyboard.press('Escape');
    await page.click('[data-my-phone]');
    const dlg = page.locator('dialog[data-dialog="phone"][open]');
    await dlg.waitFor({ timeout: 3000 });
    await dlg.locator('[data-field="phone"]').fill(MY_PHONE);
    await dlg.locator('button[data-confirm]').click();
    await page.waitForSelector(`[data-my-phone="${MY_PHONE}"]`, { timeout: 5000 });
    const got = await api(page, 'GET', '/api/v1/me/phone');
    assert(got.status === 200 && JSON.parse(got.text).phone === MY_PHONE, `GET /me/phone: ${got.status} ${got.text}`);
  });

  test('click-to-call on FreeSWITCH: 202, the exact originate, the call appears live', async () => {
    const { page } = ctx;
    const before = ctx.stderr.length;
    const id = await placeCall(ctx, FS, '1011', '5723', 'click-to-call-dialog');
    placed = `${FS}/${id}`;
    await sent(ctx, before, ESL, `originate {origination_uuid=${id}`, 'user/1011 &bridge(sofia/gateway/demo-trunk/5723)');
    await row(page, placed).waitFor({ timeout: 8000 });
    await toast(page, 'ok', /Call from 1011 to 5723 is up/);
  });

  test('click-to-call to a busy endpoint: the PBX reason in a toast, and the failure in history', async () => {
    const { page } = ctx;
    const id = await placeCall(ctx, FS, '1009', '5723');
    await toast(page, 'error', /1009.*5723.*USER_BUSY/);
    assert((await row(page, `${FS}/${id}`).count()) === 0, 'a refused call is shown live');
    await ctx.shot('click-to-call-busy');
    await eventually(
      async () => {
        // The list answers 200 while the row is still queued (a 404 would be a console error).
        const r = await api(page, 'GET', `/api/v1/history/calls?node=${FS}&q=1009`);
        const calls = r.status === 200 ? JSON.parse(r.text).calls : [];
        return calls.find((c) => c.id === id && c.hangupCause === 'USER_BUSY' && c.calleeNumber === '5723');
      },
      { timeout: 5000, message: 'the failed originate in call history' },
    );
  });

  test('hold on FreeSWITCH: the call shows held, then resumed; uuid_hold reaches the fake', async () => {
    const { page } = ctx;
    const id = placed.split('/')[1];
    let before = ctx.stderr.length;
    await choose(page, placed, 'hold');
    await sent(ctx, before, ESL, `uuid_hold ${id}`);
    await row(page, placed).locator('.state.held').waitFor({ timeout: 5000 });
    await ctx.shot('call-held');
    before = ctx.stderr.length;
    await choose(page, placed, 'unhold');
    await sent(ctx, before, ESL, `uuid_hold off ${id}`);
    await row(page, placed).locator('.state.active').waitFor({ timeout: 5000 });
  });

  test('listen rings My phone; the ear badge shows to another supervisor; whisper without hanging up; stop', async () => {
    const { page } = ctx;
    const id = placed.split('/')[1];
    const made = await api(page, 'POST', '/api/v1/users', { name: OTHER_USER, role: 'moderator', password: otherPassword });
    assert(made.status === 201 || made.status === 200, `create ${OTHER_USER}: ${made.status} ${made.text}`);
    const menu = await openMenu(page, placed);
    await themed(ctx, 'call-menu-open');
    await menu.locator('[data-action="listen"]').click();
    let before = ctx.stderr.length;
    const line = await sent(ctx, 0, ESL, `callboard_listen_call=${id}`, `user/${MY_PHONE} &eavesdrop(`);
    const leg = /origination_uuid=([0-9a-f-]+)/.exec(line)?.[1];
    assert(leg, `no supervisor leg in ${line}`);
    const badge = row(page, placed).locator(`[data-listeners="${MY_PHONE}:listen"]`);
    await badge.waitFor({ timeout: 5000 });
    // The supervisor's leg is a listener, not a call of its own.
    assert((await row(page, `${FS}/${leg}`).count()) === 0, 'the supervisor leg shows as a call');
    await themed(ctx, 'listening-badge');

    const oc = await ctx.browser.newContext({ viewport: { width: 1440, height: 900 } });
    other = await oc.newPage();
    ctx.watch(other, 'supervisor2');
    await other.goto(ctx.base);
    await other.waitForSelector('[data-signin]', { timeout: 10000 });
    await other.fill('[data-username]', OTHER_USER);
    await other.fill('[data-password]', otherPassword);
    await other.click('[data-signin-submit]');
    await other.waitForSelector('[data-conn="live"]', { timeout: 10000 });
    await row(other, placed).locator(`[data-listeners="${MY_PHONE}:listen"]`).waitFor({ timeout: 8000 });

    before = ctx.stderr.length;
    const menu2 = await openMenu(page, placed);
    assert((await menu2.locator('[data-action="listen"]').getAttribute('class')).includes('current'), 'listen not marked current');
    await menu2.locator('[data-action="whisper"]').click();
    await sent(ctx, before, ESL, `uuid_recv_dtmf ${leg} 2`);
    assert(!ctx.stderr.slice(before).includes(`uuid_kill ${leg}`), 'switching modes hung the phone up');
    await row(page, placed).locator(`[data-listeners="${MY_PHONE}:whisper"]`).waitFor({ timeout: 5000 });
    await row(other, placed).locator(`[data-listeners="${MY_PHONE}:whisper"]`).waitFor({ timeout: 5000 });

    before = ctx.stderr.length;
    await choose(page, placed, 'stop-listening');
    await sent(ctx, before, ESL, `uuid_kill ${leg}`);
    await row(page, placed).locator('[data-listeners]').waitFor({ state: 'detached', timeout: 5000 });
    await row(other, placed).locator('[data-listeners]').waitFor({ state: 'detached', timeout: 5000 });
    await oc.close();
  });

  test('transfer on FreeSWITCH: the dialog with a target; uuid_transfer reaches the fake as sent', async () => {
    const { page } = ctx;
    const id = placed.split('/')[1];
    await choose(page, placed, 'transfer');
    const dlg = page.locator('dialog[data-dialog="transfer"][open]');
    await dlg.waitFor({ timeout: 3000 });
    await dlg.locator('[data-field="to"]').fill('5724');
    await themed(ctx, 'transfer-dialog');
    const before = ctx.stderr.length;
    await dlg.locator('button[data-confirm]').click();
    await sent(ctx, before, ESL, `uuid_transfer ${id} 5724 XML default`);
    await toast(page, 'ok', /Transferred to 5724/);
    // Hang the moved call up so the demo's board stays as it was.
    if ((await row(page, placed).count()) > 0) {
      await choose(page, placed, 'hangup');
      await page.locator('dialog[open] button[data-confirm]').click();
      await row(page, placed).waitFor({ state: 'detached', timeout: 5000 });
    }
  });

  test('Asterisk: click-to-call (PJSIP, busy verdict) and listen through a snoop', async () => {
    const { page } = ctx;
    let before = ctx.stderr.length;
    const busy = await placeCall(ctx, AST, '1009', '2101');
    await sent(ctx, before, ARI, 'POST /ari/channels', 'endpoint=PJSIP%2F1009', 'extension=2101', `channelId=${busy}`);
    await toast(page, 'error', /1009.*2101.*BUSY/);

    const key = await page.locator(`tr[data-call^="${AST}/"]:has(.state.active)`).first().getAttribute('data-call', { timeout: 15000 });
    before = ctx.stderr.length;
    await choose(page, key, 'listen');
    await sent(ctx, before, ARI, '/snoop');
    await row(page, key).locator(`[data-listeners="${MY_PHONE}:listen"]`).waitFor({ timeout: 8000 });
    await ctx.shot('listening-badge-asterisk');
    before = ctx.stderr.length;
    await choose(page, key, 'stop-listening');
    await row(page, key).locator('[data-listeners]').waitFor({ state: 'detached', timeout: 8000 });
  });

  test('Asterisk: hold a call in the Stasis bridge; ARI hold, held, then resumed', async () => {
    const { page } = ctx;
    // The demo's conference members are channels in callboard's Stasis application: ARI can hold them.
    const sel = `tr[data-call^="${AST}/"]:has(.state.active):has(td.c-conf a)`;
    const key = await page.locator(sel).first().getAttribute('data-call', { timeout: 15000 });
    let before = ctx.stderr.length;
    await choose(page, key, 'hold');
    await sent(ctx, before, ARI, 'POST /ari/channels/', '/hold');
    await row(page, key).locator('.state.held').waitFor({ timeout: 5000 });
    await ctx.shot('call-held-asterisk');
    before = ctx.stderr.length;
    await choose(page, key, 'unhold');
    await sent(ctx, before, ARI, 'DELETE /ari/channels/', '/hold');
    await row(page, key).locator('.state.active').waitFor({ timeout: 5000 });
  });

  test('overview at 1400 px: From, To and Node are not cut short', async () => {
    const { page } = ctx;
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.waitForTimeout(300);
    await themed(ctx, 'overview-1400');
    const cut = await page.evaluate(() =>
      [...document.querySelectorAll('tr[data-call] td.c-from .primary, tr[data-call] td.c-to .primary, tr[data-call] td.c-node .node-name, tr[data-call] td.c-node .kind-line, tr[data-call] td.c-conf .conf-name')]
        .filter((e) => e.scrollWidth > e.clientWidth + 1 || e.closest('td').scrollWidth > e.closest('td').clientWidth + 1)
        .map((e) => `${e.textContent.trim()} (${e.closest('td').className}: ${e.scrollWidth}/${e.clientWidth})`),
    );
    await page.setViewportSize({ width: 1440, height: 900 });
    assert(cut.length === 0, `cut short at 1400 px: ${cut.join(', ')}`);
  });

  test('phone width (390 px): call menu and click-to-call dialog fit', async () => {
    const phone = await ctx.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    const p = await phone.newPage();
    ctx.watch(p, 'phone-supervise');
    await p.goto(ctx.base);
    await p.waitForSelector('[data-signin]', { timeout: 10000 });
    await p.fill('[data-username]', process.env.CALLBOARD_E2E_ADMIN_USER ?? 'admin');
    await p.fill('[data-password]', ctx.adminPassword);
    await p.click('[data-signin-submit]');
    await p.waitForSelector('[data-conn="live"]', { timeout: 10000 });
    const key = await p.locator('tr[data-call]:has(.state.active)').first().getAttribute('data-call', { timeout: 15000 });
    const menu = await openMenu(p, key);
    const box = await menu.boundingBox();
    assert(box && box.x >= 0 && box.x + box.width <= 390, `menu off screen: ${JSON.stringify(box)}`);
    await themed(ctx, 'phone-call-menu', p);
    await p.keyboard.press('Escape');
    await p.click('[data-originate]');
    await p.locator('dialog[data-dialog="originate"][open]').waitFor({ timeout: 3000 });
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 1, `page scrolls sideways by ${overflow} px`);
    await themed(ctx, 'phone-click-to-call', p);
    await phone.close();
  });
}
