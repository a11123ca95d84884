// Browser tests of sign-in, roles and the admin screens (docs/auth.md), and of
// the Asterisk card (issue 3). Registered into run.mjs's sequence; they share
// its page, server and helpers through ctx.
import { assert, eventually, test } from './harness.mjs';

const ADMIN = process.env.CALLBOARD_E2E_ADMIN_USER ?? 'admin';
const VIEWER = 'e2e-viewer';
const viewerPassword = `viewer-${Math.random().toString(36).slice(2)}-pw`;

/** Signs in through the page's form and waits for the live dashboard. */
async function signIn(p, user, password) {
  await p.waitForSelector('[data-signin]', { timeout: 10000 });
  await p.fill('[data-username]', user);
  await p.fill('[data-password]', password);
  await p.click('[data-signin-submit]');
  await p.waitForSelector('[data-conn="live"]', { timeout: 10000 });
}

/**
 * Makes the page's documents record their websockets, so a test can count
 * the open ones (init scripts run before the page's own, CSP does not apply).
 */
async function trackSockets(p) {
  await p.addInitScript(() => {
    const Native = window.WebSocket;
    window.__sockets = [];
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        window.__sockets.push(this);
      }
    };
  });
}

/** Open (or opening) websockets of the page's current document. */
const openSockets = (p) => p.evaluate(() => (window.__sockets ?? []).filter((s) => s.readyState <= 1).length);

async function themed(ctx, name, p = ctx.page) {
  await p.emulateMedia({ colorScheme: 'light' });
  await p.waitForTimeout(150);
  await ctx.shot(`${name}-light`, p);
  await p.emulateMedia({ colorScheme: 'dark' });
  await p.waitForTimeout(150);
  await ctx.shot(`${name}-dark`, p);
  await p.emulateMedia({ colorScheme: 'light' });
}

export function signInTests(ctx) {
  test('sign-in page first; a wrong password is answered in words; the admin signs in', async () => {
    const { page } = ctx;
    await trackSockets(page);
    await page.goto(ctx.base, { waitUntil: 'load' });
    await page.waitForSelector('[data-signin]', { timeout: 10000 });
    assert((await page.locator('[data-conn]').count()) === 0, 'dashboard shown before signing in');
    assert((await openSockets(page)) === 0, 'a websocket was opened before signing in');
    await themed(ctx, 'signin');
    await page.fill('[data-username]', ADMIN);
    await page.fill('[data-password]', `${ctx.adminPassword}-wrong`);
    await page.click('[data-signin-submit]');
    const err = page.locator('[data-signin-error]');
    await err.waitFor({ timeout: 5000 });
    const text = (await err.textContent()).trim();
    assert(/wrong user name or password/i.test(text), `error in words: "${text}"`);
    assert((await page.inputValue('[data-password]')) === '', 'password field cleared after a failure');
    await ctx.shot('signin-error');
    await signIn(page, ADMIN, ctx.adminPassword);
    const user = page.locator(`[data-user="${ADMIN}"]`);
    assert((await user.getAttribute('data-role')) === 'admin', 'header shows the admin role');
    assert(await page.locator('[data-nav="admin"]').isVisible(), 'admin sees the Admin link');
  }, { setup: true });
}

export function asteriskTests(ctx) {
  test('cards and calls name each node and its kind', async () => {
    const { page } = ctx;
    const ast = page.locator(`article[data-node="${ctx.AST_NODE}"] .kind-tag`).first();
    const fs = page.locator(`article[data-node="${ctx.FS_NODE}"] .kind-tag`).first();
    assert((await ast.textContent()).trim() === 'Asterisk', 'Asterisk card tagged');
    assert((await fs.textContent()).trim() === 'FreeSWITCH', 'FreeSWITCH card tagged');
    const cells = await page.locator('td.c-node').evaluateAll((tds) => tds.map((td) => td.textContent.trim()));
    assert(cells.some((c) => c.startsWith(ctx.AST_NODE) && c.endsWith('Asterisk')), `calls table node column: ${cells.slice(0, 4)}`);
    assert(cells.some((c) => c.startsWith(ctx.FS_NODE) && c.endsWith('FreeSWITCH')), `calls table node column: ${cells.slice(0, 4)}`);
  });

  test('Korean names render in a bold face where Latin names are bold', async () => {
    const { page } = ctx;
    // A bold Korean name: a conference member's or a caller's in the calls
    // table (the demo always has Korean callers; wait for one to be on screen).
    const korean = page.locator('[data-member-key] .name, tr[data-call] td.c-from .primary').filter({ hasText: /[\uac00-\ud7a3]/ }).first();
    await korean.waitFor({ timeout: 20000 });
    await korean.evaluate((el) => el.setAttribute('data-font-probe', ''));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: '[data-font-probe]' });
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    await cdp.detach();
    const cjk = fonts.filter((f) => /cjk|gothic|hangul|kr/i.test(`${f.familyName} ${f.postScriptName}`));
    assert(cjk.length > 0, `no CJK face used: ${JSON.stringify(fonts)}`);
    assert(cjk.every((f) => /bold|black|heavy|medium|semi/i.test(f.postScriptName)), `Hangul drawn with a regular face: ${JSON.stringify(cjk)}`);
  });

  test('music on hold from the Asterisk card reaches the ARI fake', async () => {
    const { page } = ctx;
    const card = page.locator(`article[data-node="${ctx.AST_NODE}"]`).first();
    const menu = card.locator('[data-moh-menu]');
    assert((await menu.count()) === 1, 'Asterisk card offers music on hold');
    assert((await page.locator(`article[data-node="${ctx.FS_NODE}"] [data-moh-menu]`).count()) === 0, 'FreeSWITCH card must not offer music on hold');
    await menu.locator('summary').click();
    await menu.locator('button[data-action="moh-start"]').waitFor({ timeout: 3000 });
    await ctx.shot('moh-menu');
    let before = ctx.stderr.length;
    await menu.locator('button[data-action="moh-start"]').click();
    const mohLine = (method) => (l) => l.includes('ari fake request') && new RegExp(`${method} /ari/bridges/[^/"\\s]+/moh`).test(l);
    await eventually(() => ctx.stderr.slice(before).split('\n').some(mohLine('POST')), { timeout: 5000, message: 'POST /ari/bridges/<id>/moh' });
    await card.locator('[data-moh="on"]').waitFor({ timeout: 3000 });
    await ctx.shot('moh-started');
    before = ctx.stderr.length;
    await menu.locator('summary').click();
    await menu.locator('button[data-action="moh-stop"]').click();
    await eventually(() => ctx.stderr.slice(before).split('\n').some(mohLine('DELETE')), { timeout: 5000, message: 'DELETE /ari/bridges/<id>/moh' });
    await card.locator('[data-moh="on"]').waitFor({ state: 'detached', timeout: 3000 });
  });

  test('a kick confirmed on the Asterisk card removes the member and reaches the ARI fake', async () => {
    const { page } = ctx;
    const rows = page.locator(`article[data-node="${ctx.AST_NODE}"] [data-member-key]:has(button[data-action="kick"])`);
    await rows.first().waitFor({ timeout: 10000 });
    const key = await rows.first().getAttribute('data-member-key');
    const row = page.locator(`[data-member-key="${key}"]`);
    const before = ctx.stderr.length;
    await row.locator('button[data-action="kick"]').click();
    const dlg = page.locator('dialog[open]');
    await dlg.waitFor({ timeout: 3000 });
    await dlg.locator('button[data-confirm]').click();
    await eventually(
      () => ctx.stderr.slice(before).split('\n').some((l) => l.includes('ari fake request') && /POST \/ari\/bridges\/[^/"\s]+\/removeChannel/.test(l)),
      { timeout: 5000, message: 'POST /ari/bridges/<id>/removeChannel' },
    );
    await row.waitFor({ state: 'detached', timeout: 5000 });
  });
}

export function adminTests(ctx) {
  let viewerCtx;
  let viewerPage;

  test('admin adds a viewer through the Users screen', async () => {
    const { page } = ctx;
    await page.click('[data-nav="admin"]');
    await page.waitForSelector('[data-section="users"]', { timeout: 10000 });
    assert(new URL(page.url()).pathname === '/admin/users', `admin URL: ${page.url()}`);
    await page.waitForSelector(`[data-user-row="${ADMIN}"]`, { timeout: 5000 });
    assert(await page.locator(`[data-delete-user="${ADMIN}"]`).isDisabled(), 'an admin cannot delete themself');
    await page.fill('[data-new-name]', VIEWER);
    await page.selectOption('[data-new-role]', 'viewer');
    await page.fill('[data-new-password]', viewerPassword);
    await page.click('[data-add-user-submit]');
    await page.waitForSelector(`[data-user-row="${VIEWER}"] [data-user-role="viewer"]`, { timeout: 5000 });
    await themed(ctx, 'admin-users');
    // A reload keeps the admin screen (HTML5 history; the server answers index.html).
    await page.reload();
    await page.waitForSelector(`[data-user-row="${VIEWER}"]`, { timeout: 10000 });
  });

  test('a viewer sees everything but no action buttons and no admin area', async () => {
    viewerCtx = await ctx.browser.newContext({ viewport: { width: 1440, height: 900 } });
    viewerPage = await viewerCtx.newPage();
    ctx.watch(viewerPage, 'viewer');
    await trackSockets(viewerPage);
    await viewerPage.goto(ctx.base);
    await signIn(viewerPage, VIEWER, viewerPassword);
    await viewerPage.waitForSelector('[data-member-key]', { timeout: 10000 });
    const members = await viewerPage.locator('[data-member-key]').count();
    const buttons = await viewerPage.locator('[data-member-key] button, article button[data-action], [data-moh-menu]').count();
    assert(members > 0 && buttons === 0, `viewer: ${members} members, ${buttons} action buttons`);
    assert((await viewerPage.locator('[data-nav="admin"]').count()) === 0, 'viewer sees no Admin link');
    assert(await viewerPage.locator('[data-nav="history"]').isVisible(), 'viewer sees the History link');
    assert((await viewerPage.locator(`[data-user="${VIEWER}"]`).getAttribute('data-role')) === 'viewer', 'header says viewer');
    // Opening a transcript offers no hang-up either.
    await viewerPage.locator('tr[data-call] button.open').first().click();
    await viewerPage.waitForSelector('[data-transcript]', { timeout: 3000 });
    assert((await viewerPage.locator('[data-transcript] button.danger').count()) === 0, 'viewer offered a hang-up');
    await viewerPage.keyboard.press('Escape');
    await ctx.shot('viewer-overview', viewerPage);
    // Typing the admin URL leads back to the dashboard.
    await viewerPage.goto(`${ctx.base}/admin/users`);
    await viewerPage.waitForSelector('[data-conn="live"]', { timeout: 10000 });
    assert(new URL(viewerPage.url()).pathname === '/', `viewer on ${viewerPage.url()}`);
  });

  test('the audit log shows the mute done earlier, and the CSV export has the same filters', async () => {
    const { page } = ctx;
    await page.click('[data-admin-tab="audit"]');
    await page.waitForSelector('[data-section="audit"] [data-audit-row]', { timeout: 10000 });
    await page.selectOption('[data-filter-kind]', 'action');
    await page.fill('[data-filter-action]', 'mute');
    await page.click('[data-audit-apply]');
    await eventually(
      async () => {
        const rows = await page.locator('[data-audit-row]').evaluateAll((trs) => trs.map((r) => [r.dataset.action, r.dataset.node, r.dataset.result]));
        return rows.length > 0 && rows.every(([a]) => a === 'mute') && rows.some(([, n, r]) => n === ctx.FS_NODE && r === 'ok') && rows.some(([, n]) => n === ctx.AST_NODE);
      },
      { timeout: 5000, message: 'mute entries of both nodes, and only mutes' },
    );
    const row = page.locator(`[data-audit-row][data-node="${ctx.FS_NODE}"]`).first();
    assert((await row.textContent()).includes(ADMIN), 'the entry names who muted');
    await themed(ctx, 'admin-audit');
    const href = await page.locator('[data-audit-csv]').getAttribute('href');
    const q = new URL(href, ctx.base).searchParams;
    assert(href.startsWith('/api/v1/audit.csv?') && q.get('kind') === 'action' && q.get('action') === 'mute', `CSV link: ${href}`);
    const csv = await page.request.get(new URL(href, ctx.base).toString());
    assert(csv.ok() && /text\/csv/.test(csv.headers()['content-type'] ?? ''), `CSV answer ${csv.status()} ${csv.headers()['content-type']}`);
    const body = await csv.text();
    assert(body.split('\n').length > 1 && body.includes('mute') && !/\blogin\b/.test(body), `CSV content:\n${body.slice(0, 400)}`);
  });

  test('an API token is shown once with a copy button, then listed and revoked', async () => {
    const { page } = ctx;
    await page.click('[data-admin-tab="tokens"]');
    await page.waitForSelector('[data-section="tokens"]', { timeout: 5000 });
    await page.fill('[data-token-name]', 'e2e-stt');
    await page.click('[data-create-token-submit]');
    const secret = await page.locator('[data-token-value]').inputValue({ timeout: 5000 });
    assert(secret.length >= 16, `token secret "${secret}"`);
    assert(await page.locator('[data-copy-token]').isVisible(), 'copy button');
    await page.waitForSelector('[data-token-row="e2e-stt"]', { timeout: 5000 });
    await themed(ctx, 'admin-tokens');
    await page.click('[data-token-done]');
    assert((await page.locator('[data-token-value]').count()) === 0, 'secret hidden after "copied"');
    assert(!(await page.content()).includes(secret), 'the secret is still in the page');
    await page.click('[data-revoke-token="e2e-stt"]');
    await page.locator('dialog[open] button[data-confirm]').click();
    await page.waitForSelector('[data-token-row="e2e-stt"]', { state: 'detached', timeout: 5000 });
  });

  test('revoking the viewer’s session closes their websocket and shows them the sign-in page', async () => {
    const { page } = ctx;
    await page.click('[data-admin-tab="sessions"]');
    await page.waitForSelector(`[data-session-row="${VIEWER}"]`, { timeout: 5000 });
    assert((await page.locator('[data-session-row][data-current="true"]').count()) === 1, 'own session marked');
    await themed(ctx, 'admin-sessions');
    await page.locator(`[data-session-row="${VIEWER}"] [data-revoke-session]`).first().click();
    await page.waitForSelector(`[data-session-row="${VIEWER}"]`, { state: 'detached', timeout: 5000 });
    await viewerPage.waitForSelector('[data-signin]', { timeout: 10000 });
    const reason = await viewerPage.locator('[data-signin-reason]').getAttribute('data-signin-reason');
    assert(reason === 'expired', `sign-in page reason: ${reason}`);
    await eventually(async () => (await openSockets(viewerPage)) === 0, { timeout: 5000, message: 'viewer websocket closed' });
    await ctx.shot('signin-session-ended', viewerPage);
  });

  test('sign-out returns to the sign-in page and the websocket is gone', async () => {
    await signIn(viewerPage, VIEWER, viewerPassword);
    const n = await openSockets(viewerPage);
    assert(n === 1, `open websockets after signing in: ${n}`);
    await viewerPage.click('[data-signout]');
    await viewerPage.waitForSelector('[data-signin]', { timeout: 5000 });
    assert((await viewerPage.locator('[data-signin-reason]').getAttribute('data-signin-reason')) === 'signed-out', 'says you signed out');
    await eventually(async () => (await openSockets(viewerPage)) === 0, { timeout: 5000, message: 'websocket closed after sign-out' });
    assert((await viewerPage.locator('[data-member-key], tr[data-call]').count()) === 0, 'live data still on screen after sign-out');
    // The old cookie is dead: the API refuses it.
    const r = await viewerPage.request.get(`${ctx.base}/api/v1/state`);
    assert(r.status() === 401, `GET /api/v1/state after sign-out: ${r.status()}`);
    await viewerCtx.close();
    // Back to the dashboard for the tests that follow.
    await ctx.page.click('[data-nav="live"]');
    await ctx.page.waitForSelector('[data-conn="live"]', { timeout: 5000 });
  });
}

/** Last of the sign-in tests: it locks this address out of signing in for a while. */
export function rateLimitTests(ctx) {
  test('too many wrong passwords: 429 shown as "try again in N s", counting down', async () => {
    const c = await ctx.browser.newContext({ viewport: { width: 1440, height: 900 } });
    const p = await c.newPage();
    ctx.watch(p, 'rate-limit');
    await p.goto(ctx.base);
    await p.waitForSelector('[data-signin]', { timeout: 10000 });
    let limited = false;
    for (let i = 0; i < 12 && !limited; i++) {
      await p.fill('[data-username]', 'e2e-nobody');
      await p.fill('[data-password]', `wrong-${i}`);
      await p.click('[data-signin-submit]');
      await p.waitForSelector('[data-signin-error]', { timeout: 5000 });
      limited = (await p.locator('[data-signin-error="rate-limited"]').count()) > 0;
      if (!limited) await p.waitForFunction(() => !document.querySelector('[data-signin-submit]')?.disabled);
    }
    assert(limited, 'no 429 after 12 wrong passwords');
    const err = p.locator('[data-signin-error="rate-limited"]');
    const seconds = (s) => Number(/try again in (\d+) s/i.exec(s)?.[1]);
    const first = seconds(await err.textContent());
    assert(first > 0, `message: "${await err.textContent()}"`);
    assert(await p.locator('[data-signin-submit]').isDisabled(), 'sign-in button disabled while locked out');
    await ctx.shot('signin-rate-limited', p);
    await p.waitForTimeout(2100);
    const later = seconds(await err.textContent());
    assert(later < first, `countdown did not move: ${first} -> ${later}`);
    await c.close();
  });
}
