// Accessibility scan (issue 15): axe-core (npm devDependency) run in the page on every
// screen and state, in both themes and in each language of E2E_LANGUAGES (comma or
// space separated, default all five: en, ko, ja, zh, ru). A test fails on any serious or critical violation,
// and on the structural rules below (one h1, one banner/main, unique landmarks).
//
// How axe gets into the page: the app's CSP is `default-src 'self'` with no inline
// scripts, so page.addScriptTag({ content }) is refused by the page. Its source is run
// with page.evaluate() instead: Playwright evaluates through the DevTools protocol,
// which CSP does not govern, so no bypassCSP is needed and the page keeps its real
// policy while it is scanned. (The source is evaluated again after each navigation.)
// Registered into run.mjs's sequence after the supervise tests, so the demo has calls,
// conferences, queue data, history, an alert rule and My phone set.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { assert, test } from './harness.mjs';
import { openCallbotTranscript } from './history-tests.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The languages scanned: all five the UI ships, or E2E_LANGUAGES="en,ru" to iterate on a few. */
export const languages = (process.env.E2E_LANGUAGES ?? 'en,ko,ja,zh,ru').split(/[\s,]+/).filter(Boolean);
const themes = ['light', 'dark'];

/** Moderate rules that are still failures here: the page's structure. */
const STRUCTURE = new Set([
  'page-has-heading-one',
  'landmark-one-main',
  'landmark-no-duplicate-banner',
  'landmark-no-duplicate-main',
  'landmark-no-duplicate-contentinfo',
  'landmark-unique',
  'landmark-banner-is-top-level',
  'landmark-main-is-top-level',
]);

const ADMIN = process.env.CALLBOARD_E2E_ADMIN_USER ?? 'admin';

/** Runs axe on the page as it is; returns the failures (and notes of the rest) as text lines. */
async function axe(p) {
  const has = await p.evaluate(() => typeof window.axe !== 'undefined');
  if (!has) await p.evaluate(axeSource);
  return p.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => {
        const data = n.any.concat(n.all, n.none).find((c) => c.data && typeof c.data === 'object')?.data;
        const contrast = data && data.contrastRatio ? ` (${data.fgColor} on ${data.bgColor}: ${data.contrastRatio}, want ${data.expectedContrastRatio})` : '';
        return `${n.target.join(' ')}${contrast} «${(n.html ?? '').replace(/\s+/g, ' ').slice(0, 110)}»`;
      }),
    }));
  });
}

/** Headings and landmarks axe does not count: exactly one visible h1 (or sr-only) per screen. */
async function structure(p) {
  return p.evaluate(() => {
    const out = [];
    const h1 = [...document.querySelectorAll('h1')].filter((e) => !e.closest('[hidden], [inert]') && e.getClientRects().length > 0);
    if (h1.length !== 1) out.push(`${h1.length} h1 elements (want exactly one): ${h1.map((e) => JSON.stringify(e.textContent.trim())).join(', ')}`);
    const count = (sel) => [...document.querySelectorAll(sel)].filter((e) => e.getClientRects().length > 0).length;
    const banners = count('header:not(article header):not(section header):not(aside header):not(nav header):not(main header):not([role]), [role="banner"]');
    if (banners > 1) out.push(`${banners} banner landmarks`);
    const mains = count('main, [role="main"]');
    if (mains !== 1) out.push(`${mains} main landmarks (want one)`);
    return out;
  });
}

/**
 * Waits for the colour transitions the theme switch started (buttons, avatars) to end: on a busy
 * machine they can outlast any fixed wait, and axe would measure a colour half way.
 */
async function transitionsDone(p) {
  await p.evaluate(() =>
    Promise.race([
      Promise.allSettled(document.getAnimations().filter((a) => a instanceof CSSTransition).map((a) => a.finished)),
      new Promise((r) => setTimeout(r, 3000)),
    ]),
  );
}

/**
 * Scans the page in both themes; collects failures into `found` (screen, theme, rule, nodes).
 * settle: the wait after switching the theme, before waiting for its transitions. shot: also saves a screenshot per theme under that name.
 */
async function scan(p, found, lang, screen, { settle = 200, shot, ctx } = {}) {
  for (const theme of themes) {
    await p.emulateMedia({ colorScheme: theme });
    await p.waitForTimeout(settle);
    await transitionsDone(p);
    if (shot) await ctx.shot(`a11y-${lang}-${shot}-${theme}`, p);
    const where = `[${lang}/${theme}] ${screen}`;
    for (const v of await axe(p)) {
      const fails = v.impact === 'serious' || v.impact === 'critical' || STRUCTURE.has(v.id);
      (fails ? found.failures : found.notes).push({ where, ...v });
    }
    for (const s of await structure(p)) found.failures.push({ where, id: 'structure', impact: 'serious', help: s, nodes: [] });
  }
  await p.emulateMedia({ colorScheme: 'light' });
}

function report(found) {
  const fmt = (v) => `  ${v.where}: ${v.id} (${v.impact}) ${v.help}${v.nodes.length ? ` — ${v.nodes.length} node(s)` : ''}\n${v.nodes.slice(0, 6).map((n) => `      ${n}`).join('\n')}`;
  if (found.notes.length) console.log(`     a11y notes (moderate/minor, not failures):\n${found.notes.map((v) => `  ${v.where}: ${v.id} (${v.impact}) ${v.nodes.length} node(s)`).join('\n')}`);
  const counts = {};
  for (const v of found.failures) counts[v.id] = (counts[v.id] ?? 0) + v.nodes.length;
  assert(found.failures.length === 0, `${found.failures.length} accessibility failure(s) ${JSON.stringify(counts)}:\n${found.failures.map(fmt).join('\n')}`);
}

const newFound = () => ({ failures: [], notes: [] });

async function closeDialogs(p) {
  for (let i = 0; i < 3 && (await p.locator('dialog[open], [role="menu"]:visible').count()) > 0; i++) {
    await p.keyboard.press('Escape');
    await p.waitForTimeout(100);
  }
}

export function a11yTests(ctx) {
  for (const lang of languages) {
    let c;
    let p;
    const go = async (path, sel) => {
      await p.goto(`${ctx.base}${path}`);
      await p.waitForSelector(sel, { timeout: 15000 });
    };

    test(`a11y [${lang}]: sign-in`, async () => {
      c = await ctx.browser.newContext({ viewport: { width: 1440, height: 900 }, locale: lang });
      p = await c.newPage();
      ctx.watch(p, `a11y-${lang}`);
      const found = newFound();
      await p.goto(ctx.base);
      await p.waitForSelector('[data-signin]', { timeout: 10000 });
      await scan(p, found, lang, 'sign-in');
      await p.fill('[data-username]', ADMIN);
      await p.fill('[data-password]', `${ctx.adminPassword}-wrong`);
      await p.click('[data-signin-submit]');
      await p.waitForSelector('[data-signin-error]', { timeout: 5000 });
      await scan(p, found, lang, 'sign-in, wrong password');
      await p.fill('[data-password]', ctx.adminPassword);
      await p.click('[data-signin-submit]');
      await p.waitForSelector('[data-conn="live"]', { timeout: 10000 });
      report(found);
    });

    test(`a11y [${lang}]: overview, transcript, call menu, supervise dialogs, toasts`, async () => {
      assert(p, 'the sign-in scan did not run');
      const found = newFound();
      await go('/', 'tr[data-call]:has(.state.active)');
      await p.waitForSelector('article[data-conference] [data-member-key]', { timeout: 15000 });
      await scan(p, found, lang, 'overview', { shot: 'overview', ctx });

      const callbot = await openCallbotTranscript(p);
      await scan(p, found, lang, 'transcript panel', { shot: 'transcript', ctx });
      await p.keyboard.press('Escape');
      await p.waitForSelector(`[data-transcript="${callbot}"]`, { state: 'detached', timeout: 3000 });

      const key = await p.locator(`tr[data-call^="${ctx.FS_NODE}/"]:has(.state.active)`).first().getAttribute('data-call', { timeout: 10000 });
      const row = p.locator(`tr[data-call="${key}"]`);
      const menu = async () => {
        await row.locator('[data-call-menu]').click();
        await row.locator('.menu [role="menuitem"]').first().waitFor({ timeout: 3000 });
      };
      await menu();
      await scan(p, found, lang, 'call menu open');
      await closeDialogs(p);

      for (const [action, dialog] of [
        ['transfer', 'dialog[data-dialog="transfer"][open]'],
        ['hangup', 'dialog[open]'],
      ]) {
        await menu();
        const item = row.locator(`.menu [data-action="${action}"]`);
        if ((await item.count()) === 0 || (await item.isDisabled())) {
          console.log(`     (${action} not offered on ${key}: not scanned)`);
          await closeDialogs(p);
          continue;
        }
        await item.click();
        await p.locator(dialog).waitFor({ timeout: 3000 });
        await scan(p, found, lang, `${action} dialog`);
        await closeDialogs(p);
      }

      await p.click('[data-my-phone]');
      await p.locator('dialog[data-dialog="phone"][open]').waitFor({ timeout: 3000 });
      await scan(p, found, lang, 'My phone dialog');
      // Set (or keep) My phone, so the listening scan can listen on its own too.
      await p.locator('dialog[data-dialog="phone"] [data-field="phone"]').fill('1010');
      await p.locator('dialog[data-dialog="phone"] button[data-confirm]').click();
      await p.waitForSelector('[data-my-phone="1010"]', { timeout: 5000 });

      // Click-to-call to the demo's busy extension: the dialog, then the PBX's verdict in a toast.
      await p.click('[data-originate]');
      const dlg = p.locator('dialog[data-dialog="originate"][open]');
      await dlg.waitFor({ timeout: 3000 });
      if ((await dlg.locator('[data-field="node"]').count()) > 0) await dlg.locator('[data-field="node"]').selectOption(ctx.FS_NODE);
      await dlg.locator('[data-field="from"]').fill('1009');
      await dlg.locator('[data-field="to"]').fill('5723');
      await scan(p, found, lang, 'click-to-call dialog');
      await dlg.locator('button[data-confirm]').click();
      await p.locator('[data-toast="error"]').first().waitFor({ timeout: 8000 });
      await scan(p, found, lang, 'toasts (an error toast)');

      // A conference member's play-prompt dialog (the other Dialogs.svelte kind).
      const play = p.locator('[data-member-key] button[data-action="play"]').first();
      if ((await play.count()) > 0) {
        await play.click();
        await p.locator('dialog[open]').waitFor({ timeout: 3000 });
        await scan(p, found, lang, 'play prompt dialog');
        await closeDialogs(p);
      }
      report(found);
    });

    test(`a11y [${lang}]: listening badge and listen panel with meters`, async () => {
      assert(p, 'the sign-in scan did not run');
      const found = newFound();
      await go('/', 'tr[data-call]:has(.state.active)');
      const key = await p.locator(`tr[data-call^="${ctx.FS_NODE}/"]:has(.state.active)`).first().getAttribute('data-call', { timeout: 10000 });
      const row = p.locator(`tr[data-call="${key}"]`);
      const choose = async (action) => {
        await row.locator('[data-call-menu]').click();
        await row.locator(`.menu [data-action="${action}"]`).click();
      };
      // My phone is set by the supervise tests (1010): listen rings it and the ear badge shows.
      await choose('listen');
      await row.locator('[data-listeners]').waitFor({ timeout: 8000 });
      await scan(p, found, lang, 'listening badge');
      await choose('stop-listening');
      await row.locator('[data-listeners]').waitFor({ state: 'detached', timeout: 8000 });

      await choose('listen-browser');
      await p.waitForSelector(`[data-listen="${key}"]`, { timeout: 8000 });
      await p.waitForTimeout(800);
      await scan(p, found, lang, 'listen panel (controls and meters)');
      await p.keyboard.press('Escape');
      await p.waitForSelector('[data-transcript]', { state: 'detached', timeout: 3000 });
      report(found);
    });

    test(`a11y [${lang}]: history list, call page, queue history`, async () => {
      assert(p, 'the sign-in scan did not run');
      const found = newFound();
      await go('/history', '[data-history-list] [data-history-call]');
      await scan(p, found, lang, 'history list', { shot: 'history', ctx });
      const first = p.locator('[data-history-call] a').first();
      await first.click();
      await p.waitForSelector('[data-history-detail]', { timeout: 10000 });
      await p.waitForTimeout(300);
      await scan(p, found, lang, 'history call page');
      await go('/history/queues', '[data-queue-history]');
      await p.waitForTimeout(300);
      await scan(p, found, lang, 'queue history');
      report(found);
    });

    test(`a11y [${lang}]: admin (users, sessions, tokens, audit, alerts)`, async () => {
      assert(p, 'the sign-in scan did not run');
      const found = newFound();
      for (const [section, sel] of [
        ['users', '[data-section="users"] [data-user-row]'],
        ['sessions', '[data-section="sessions"] [data-session-row]'],
        ['tokens', '[data-section="tokens"]'],
        ['audit', '[data-section="audit"] [data-audit-row]'],
        ['alerts', '[data-rule-form]'],
      ]) {
        await go(`/admin/${section}`, sel);
        await p.waitForTimeout(300);
        await scan(p, found, lang, `admin ${section}`);
      }
      report(found);
    });

    test(`a11y [${lang}]: wallboard, agent menu, TV mode`, async () => {
      assert(p, 'the sign-in scan did not run');
      const found = newFound();
      await go('/wallboard', '[data-wallboard] [data-queue]');
      await p.waitForSelector('[data-agent]', { timeout: 10000 });
      await scan(p, found, lang, 'wallboard', { shot: 'wallboard', ctx });
      const menuBtn = p.locator('[data-agent-menu]:not([disabled])').first();
      await menuBtn.click();
      await p.locator('[data-set-status]').first().waitFor({ timeout: 3000 });
      await scan(p, found, lang, 'wallboard agent menu');
      await closeDialogs(p);
      await go('/wallboard/tv', '[data-tv] [data-queue]');
      try {
        await scan(p, found, lang, 'TV mode', { shot: 'tv', ctx });
      } finally {
        await c.close();
        c = p = undefined;
      }
      report(found);
    });
  }
}
