// Languages (issue 15): the header's language menu, <html lang>, the choice
// kept per user (GET/PUT /api/v1/me/language) and the browser's language on
// a first visit; then screenshots of the overview, a transcript panel and the
// wallboard in every language at desktop width and at 390 px, failing on
// overflowing text (see findOverflow).
import { join } from 'node:path';
import { assert, eventually, test } from './harness.mjs';
import { openCallbotTranscript } from './history-tests.mjs';

export const LANGS = ['en', 'ru', 'ko', 'ja', 'zh-CN'];

/**
 * Runs in the page. Overflowing text is a text node whose box reaches outside
 * the padding box of an ancestor that neither scrolls (overflow auto/scroll)
 * nor ellipsizes (overflow hidden + text-overflow: ellipsis, or a line
 * clamp): horizontally for any such ancestor (the text spills over its
 * neighbours or is cut off), vertically only where the ancestor clips
 * (overflow hidden/clip). Text in visually hidden elements (clip, 1 px
 * boxes), in form controls (their own scrolling) is not checked, nor closed <details>; an absolutely placed
 * (or fixed) element is the last box its text is checked against (menus
 * and popovers reach outside their anchors by design). The page itself must
 * not scroll sideways.
 * Returns one line per problem.
 */
function findOverflow() {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1) problems.push(`page scrolls sideways by ${doc.scrollWidth - doc.clientWidth} px`);
  const describe = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      const cls = [...e.classList].filter((c) => !c.startsWith('svelte-')).slice(0, 2).join('.');
      parts.unshift(e.tagName.toLowerCase() + (cls ? `.${cls}` : ''));
    }
    return parts.join(' > ');
  };
  const hidden = (el) => {
    // closed <details>, display: none, visibility: hidden, content-visibility
    if (!el.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true })) return true;
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden') return true;
      if ((s.clip && s.clip !== 'auto') || (s.clipPath && s.clipPath !== 'none')) return true;
      const r = e.getBoundingClientRect();
      if (r.width <= 1 || r.height <= 1) return true;
      if (['SELECT', 'OPTION', 'TEXTAREA', 'INPUT', 'DATALIST', 'SCRIPT', 'STYLE', 'TEMPLATE'].includes(e.tagName)) return true;
    }
    return false;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    if (!text || !n.parentElement || hidden(n.parentElement)) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const t = range.getBoundingClientRect();
    if (t.width === 0 && t.height === 0) continue;
    for (let a = n.parentElement; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.display === 'inline' || s.display === 'contents') continue;
      const ox = s.overflowX;
      const oy = s.overflowY;
      const ellipsis = (s.textOverflow === 'ellipsis' && ox !== 'visible') || (s.webkitLineClamp && s.webkitLineClamp !== 'none');
      if (ellipsis) break;
      const r = a.getBoundingClientRect();
      const left = r.left + a.clientLeft;
      const right = left + a.clientWidth;
      const top = r.top + a.clientTop;
      const bottom = top + a.clientHeight;
      const scrollsX = ox === 'auto' || ox === 'scroll';
      const scrollsY = oy === 'auto' || oy === 'scroll';
      const outX = !scrollsX && a.clientWidth > 0 && (t.right > right + 1 || t.left < left - 1);
      const outY = (oy === 'hidden' || oy === 'clip') && a.clientHeight > 0 && (t.bottom > bottom + 1 || t.top < top - 1);
      if (outX || outY) {
        const key = `${describe(a)}|${text}`;
        if (!seen.has(key)) {
          seen.add(key);
          const by = outX ? Math.round(Math.max(t.right - right, left - t.left)) : Math.round(Math.max(t.bottom - bottom, top - t.top));
          problems.push(`"${text.slice(0, 40)}" ${outX ? 'sideways' : 'below'} out of ${describe(a)} by ${by} px`);
        }
        break;
      }
      if (scrollsX && scrollsY) break;
      // A popover or menu placed absolutely (or fixed) is meant to reach
      // outside the boxes around it: its own box is the last one checked.
      if (s.position === 'absolute' || s.position === 'fixed') break;
    }
  }
  return problems;
}

export function i18nTests(ctx) {
  const api = (p, method, path, body) =>
    p.evaluate(
      async ({ method, path, body }) => {
        const csrf = await fetch('/api/v1/auth/me').then((r) => r.json()).then((j) => j.csrfToken);
        const r = await fetch(path, {
          method,
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: r.status, body: await r.json().catch(() => null) };
      },
      { method, path, body },
    );

  test('language menu: switches the UI and <html lang>, kept per user, back to English', async () => {
    const page = ctx.page;
    await page.goto(`${ctx.base}/`);
    await page.waitForSelector('[data-conn="live"]', { timeout: 10000 });
    assert((await page.getAttribute('html', 'lang')) === 'en', 'starts in English (the browser is en-US)');
    const menu = page.locator('[data-lang-menu]');
    const names = await menu.locator('option').allTextContents();
    assert(JSON.stringify(names) === JSON.stringify(['English', '한국어', '日本語', '简体中文', 'Русский']), `menu names: ${names}`);
    await menu.selectOption('ru');
    await eventually(async () => (await page.getAttribute('html', 'lang')) === 'ru', { message: '<html lang="ru">' });
    await eventually(async () => (await page.locator('[data-nav="live"]').textContent()).includes('Обзор'), { message: 'nav in Russian' });
    await eventually(async () => (await api(page, 'GET', '/api/v1/me/language')).body?.language === 'ru', { message: 'saved for the user' });
    // Another browser (no localStorage) signed in as the same user gets Russian from the server.
    const other = await ctx.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const p = await other.newPage();
    ctx.watch(p, 'lang-other');
    await p.goto(ctx.base);
    await p.fill('[data-username]', process.env.CALLBOARD_E2E_ADMIN_USER ?? 'admin');
    await p.fill('[data-password]', ctx.adminPassword);
    await p.click('[data-signin-submit]');
    await eventually(async () => (await p.getAttribute('html', 'lang')) === 'ru', { timeout: 10000, message: 'the user’s language in a fresh browser' });
    await eventually(async () => (await p.locator('[data-nav="queues"]').textContent()).includes('Очереди'), { message: 'Russian nav in a fresh browser' });
    await other.close();
    // The server refuses anything outside the allowlist.
    assert((await api(page, 'PUT', '/api/v1/me/language', { language: 'de' })).status === 400, 'PUT de answers 400');
    await menu.selectOption('en');
    await eventually(async () => (await page.getAttribute('html', 'lang')) === 'en', { message: 'back to English' });
    // Clear the setting: the rest of the run follows the browser (en-US).
    assert((await api(page, 'PUT', '/api/v1/me/language', { language: '' })).status === 200, 'clear the setting');
    await page.evaluate(() => localStorage.removeItem('callboard.lang'));
  });

  test('a first visit follows the browser’s language (Korean sign-in page)', async () => {
    const c = await ctx.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ko-KR' });
    const p = await c.newPage();
    ctx.watch(p, 'lang-ko');
    await p.goto(ctx.base);
    await p.waitForSelector('[data-signin]', { timeout: 10000 });
    assert((await p.getAttribute('html', 'lang')) === 'ko', `html lang ${await p.getAttribute('html', 'lang')}`);
    const submit = (await p.locator('[data-signin-submit]').textContent()).trim();
    assert(submit === '로그인', `sign-in button says "${submit}"`);
    await p.screenshot({ path: join(ctx.out, 'i18n-ko-signin.png') });
    await c.close();
  });

  for (const [width, height, tag] of [
    [1440, 900, 'desktop'],
    [390, 844, 'phone'],
  ]) {
    test(`every language at ${tag} width: overview, transcript and wallboard hold (screenshots, no overflowing text)`, async () => {
      const c = await ctx.browser.newContext({ viewport: { width, height }, deviceScaleFactor: tag === 'phone' ? 2 : 1, locale: 'en-US' });
      const p = await c.newPage();
      ctx.watch(p, `lang-${tag}`);
      await p.goto(ctx.base);
      await p.fill('[data-username]', process.env.CALLBOARD_E2E_ADMIN_USER ?? 'admin');
      await p.fill('[data-password]', ctx.adminPassword);
      await p.click('[data-signin-submit]');
      await p.waitForSelector('[data-conn="live"]', { timeout: 10000 });
      const problems = [];
      const check = async (lang, screen) => {
        await p.waitForTimeout(350); // transitions settle
        await p.screenshot({ path: join(ctx.out, `i18n-${lang}-${screen}-${tag}.png`) });
        for (const line of await p.evaluate(findOverflow)) problems.push(`${lang} ${screen}: ${line}`);
      };
      try {
        for (const lang of LANGS) {
          await p.goto(`${ctx.base}/?lang=${lang}`);
          await eventually(async () => (await p.getAttribute('html', 'lang')) === lang, { message: `html lang ${lang}` });
          await p.waitForSelector('tr[data-call]', { timeout: 15000 });
          await p.waitForSelector('article[data-conference]', { timeout: 15000 }).catch(() => {});
          await check(lang, 'overview');
          // a call may end between listing and clicking: try again
          for (let i = 0; ; i++) {
            try {
              await openCallbotTranscript(p, { minFinal: 2 });
              break;
            } catch (e) {
              if (i >= 2) throw e;
            }
          }
          await p.locator('[data-latency]').first().waitFor({ timeout: 8000 }).catch(() => {});
          await check(lang, 'transcript');
          await p.keyboard.press('Escape');
          await p.goto(`${ctx.base}/wallboard?lang=${lang}`);
          await p.waitForSelector('[data-queue]', { timeout: 15000 });
          await check(lang, 'wallboard');
        }
      } finally {
        await c.close();
      }
      assert(problems.length === 0, `overflowing text:\n${problems.join('\n')}`);
    });
  }
}
