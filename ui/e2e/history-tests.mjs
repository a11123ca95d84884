// Browser tests of the history screens (docs/history.md, issue 5): the list
// and its filters, full-text search over transcripts, a call's page, the link
// from the live panel, and a live transcript completed after a reload.
// Registered into run.mjs's sequence; they share its page and server via ctx.
import { join } from 'node:path';
import { assert, eventually, skip, test } from './harness.mjs';

const HANGUL = /[\uac00-\ud7a3]/;

async function themed(ctx, name, p = ctx.page) {
  await p.emulateMedia({ colorScheme: 'light' });
  await p.waitForTimeout(200);
  await ctx.shot(`${name}-light`, p);
  await p.emulateMedia({ colorScheme: 'dark' });
  await p.waitForTimeout(200);
  await ctx.shot(`${name}-dark`, p);
  await p.emulateMedia({ colorScheme: 'light' });
}

/** Keys ("node/id") of live callbot calls on the dashboard, longest-running first (they have the most lines). */
export async function liveCallbotCalls(page) {
  const rows = await page.locator('tr[data-call]').evaluateAll((trs) =>
    trs
      .filter((r) => /callbot/i.test(r.querySelector('.c-to')?.textContent ?? '') && r.querySelector('.state.active'))
      .map((r) => ({ key: r.getAttribute('data-call'), dur: r.querySelector('[data-duration]')?.textContent ?? '0:00' })),
  );
  const secs = (s) => s.trim().split(':').map(Number).reduce((a, n) => a * 60 + n, 0);
  return rows.sort((a, b) => secs(b.dur) - secs(a.dur)).map((r) => r.key);
}

/** Opens the transcript of a live callbot call that already shows caller and bot lines; returns its key. */
export async function openCallbotTranscript(page, { minFinal = 2, timeout = 20000 } = {}) {
  const end = Date.now() + timeout;
  let tried = '';
  while (Date.now() < end) {
    const keys = await liveCallbotCalls(page);
    for (const key of keys) {
      await page.locator(`tr[data-call="${key}"] button.open`).click();
      const panel = page.locator(`[data-transcript="${key}"]`);
      await panel.waitFor({ timeout: 3000 });
      const ok = await eventually(
        async () =>
          (await panel.locator('[data-speaker="caller"][data-final="true"]').count()) > 0 &&
          (await panel.locator('[data-speaker="bot"]').count()) > 0 &&
          (await panel.locator('[data-final="true"]').count()) >= minFinal,
        { timeout: Math.max(1000, Math.min(12000, end - Date.now())), message: 'caller and bot lines' },
      ).catch(() => false);
      if (ok) return key;
      tried += ` ${key}`;
      await page.keyboard.press('Escape');
      await panel.waitFor({ state: 'detached', timeout: 3000 });
    }
    if (keys.length === 0) await page.waitForTimeout(500); // between callbot calls: the next one starts in a few seconds
  }
  throw new Error(`no live callbot call showed caller and bot lines (tried:${tried || ' none'})`);
}

/** The history list's rows as data. */
const listRows = (page) =>
  page.locator('[data-history-call]').evaluateAll((trs) =>
    trs.map((r) => ({
      key: r.dataset.historyCall,
      ended: r.dataset.ended === 'true',
      transcript: r.dataset.hasTranscript === 'true',
      started: r.querySelector('.c-started')?.textContent.trim(),
      node: r.querySelector('.c-node')?.textContent.trim(),
      dur: r.querySelector('.c-dur')?.textContent.trim(),
      cause: r.querySelector('.c-cause')?.textContent.trim(),
      icon: !!r.querySelector('[data-transcript-icon]'),
    })),
  );

export function historyTests(ctx) {
  let botCall = ''; // "node/id" of a callbot call found through full-text search
  let botWord = '';
  // The dev mock server (CALLBOARD_E2E_MOCK=1) has no history routes: these tests skip there, and only
  // there (an environment guard, not a probe: a callboard binary without the history API fails them).
  const need = async () => {
    if (process.env.CALLBOARD_E2E_MOCK === '1') skip('the mock server (CALLBOARD_E2E_MOCK=1) has no history API');
    return true;
  };
  const searched = () => botCall || skip('no callbot call was found by the search test');

  test('History tab (every role) lists calls that ended in the demo', async () => {
    await need();
    const { page } = ctx;
    await page.click('[data-nav="history"]');
    await page.waitForSelector('[data-history-list]', { timeout: 10000 });
    assert(new URL(page.url()).pathname === '/history', `history URL: ${page.url()}`);
    // Calls ended earlier in the run (the demo hangs up every few seconds; the kick test ended one).
    await eventually(
      async () => {
        if ((await page.locator('[data-history-call][data-ended="true"]').count()) > 0) return true;
        await page.reload();
        await page.waitForSelector('[data-history-call]', { timeout: 5000 });
        return false;
      },
      { timeout: 30000, interval: 2000, message: 'an ended call in the history list' },
    );
    const rows = await listRows(page);
    const ended = rows.filter((r) => r.ended);
    for (const r of ended.slice(0, 5)) {
      assert(/\d/.test(r.started), `started column: ${JSON.stringify(r)}`);
      assert(/^\d+:\d\d(:\d\d)?≈?$/.test(r.dur), `duration column: ${JSON.stringify(r)}`);
      assert(r.cause.length > 0, `hangup cause column: ${JSON.stringify(r)}`);
      assert(/^demo-(fs|ast)(FreeSWITCH|Asterisk)$/.test(r.node), `node + kind column: ${JSON.stringify(r)}`);
    }
    assert(rows.some((r) => r.transcript && r.icon) && rows.every((r) => r.transcript === r.icon), 'transcript icon exactly where a call has one');
    // The JS of the history screens is its own chunk, not in the first download.
    const scripts = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.js')));
    assert(scripts.some((s) => /HistoryPage-[\w-]+\.js$/.test(s)), `history chunk not loaded lazily: ${scripts}`);
    await themed(ctx, 'history-list');
  });

  test('a call that ended while callboard was disconnected is marked, with the reason in a tooltip', async () => {
    await need();
    const { page } = ctx;
    // The demo never loses its nodes: mark the first ended call as the server would after a resync.
    let marked = '';
    await page.route(/\/api\/v1\/history\/calls(\?|$)/, async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      const c = body.calls?.find((x) => x.endedAt);
      if (c) {
        c.endedWhileDisconnected = true;
        delete c.hangupCause;
        marked = `${c.node}/${c.id}`;
      }
      await route.fulfill({ response: res, json: body });
    });
    try {
      await page.reload();
      await eventually(() => marked, { timeout: 5000, message: 'a listed ended call' });
      const badge = page.locator(`[data-history-call="${marked}"] [data-disconnected-badge]`);
      await badge.waitFor({ timeout: 5000 });
      assert((await badge.textContent()).trim() === 'Ended while disconnected', `marker text: ${await badge.textContent()}`);
      assert((await badge.locator('svg').count()) === 1, 'marker has an icon');
      assert(/approximate/.test((await badge.getAttribute('title')) ?? ''), 'tooltip says the end time is approximate');
      assert((await page.locator(`[data-history-call="${marked}"] .c-dur`).textContent()).includes('≈'), 'duration marked approximate');
      await badge.hover();
      await ctx.shot('history-disconnected');
    } finally {
      await page.unroute(/\/api\/v1\/history\/calls(\?|$)/);
    }
  });

  test('full-text search for a Korean word the callbot said finds the callbot call', async () => {
    await need();
    const { page } = ctx;
    // A callbot call with a Korean bot line (the demo's dialog is bilingual).
    const pick = await eventually(
      async () => {
        const r = await page.request.get(`${ctx.base}/api/v1/history/calls?hasTranscript=true&q=callbot&limit=20`);
        for (const c of (await r.json()).calls ?? []) {
          const d = await (await page.request.get(`${ctx.base}/api/v1/history/calls/${encodeURIComponent(c.node)}/${encodeURIComponent(c.id)}`)).json();
          const line = d.transcript.find((u) => u.speaker === 'bot' && u.final && HANGUL.test(u.text));
          // The longest Hangul word: three syllables or more use the trigram index.
          const word = line?.text.split(/[\s.,?!]+/).filter((w) => HANGUL.test(w)).sort((a, b) => b.length - a.length)[0];
          if (word && word.length >= 3) return { key: `${c.node}/${c.id}`, word };
        }
        return null;
      },
      { timeout: 30000, interval: 1000, message: 'a callbot call with a Korean bot line' },
    );
    botCall = pick.key;
    botWord = pick.word;
    await page.click('[data-filter-text]');
    await page.keyboard.type(botWord, { delay: 20 });
    // Filters as you type (debounced), and says so in the URL.
    await eventually(
      async () => {
        const rows = await listRows(page);
        return rows.length > 0 && rows.every((r) => r.transcript) && rows.some((r) => r.key === botCall);
      },
      { timeout: 8000, message: `"${botWord}" to list ${botCall} (and only calls with transcripts)` },
    );
    assert(new URL(page.url()).searchParams.get('text') === botWord, `filter not in the URL: ${page.url()}`);
    // A word nobody said: the deliberate empty state.
    await page.fill('[data-filter-text]', `${botWord}-없는말zz`);
    await page.waitForSelector('[data-history-empty]', { timeout: 8000 });
    await ctx.shot('history-no-match');
    await page.fill('[data-filter-text]', botWord);
    await page.waitForSelector(`[data-history-call="${botCall}"]`, { timeout: 8000 });
  });

  test('a call’s page shows parties, caller and bot lines, timeline and export links', async () => {
    await need();
    searched();
    const { page } = ctx;
    await page.locator(`[data-history-call="${botCall}"] [data-open-call]`).click();
    const detail = page.locator(`[data-history-detail="${botCall}"]`);
    await detail.waitFor({ timeout: 10000 });
    const [node, id] = [botCall.slice(0, botCall.indexOf('/')), botCall.slice(botCall.indexOf('/') + 1)];
    assert(new URL(page.url()).pathname === `/history/${encodeURIComponent(node)}/${encodeURIComponent(id)}`, `call URL: ${page.url()}`);
    await detail.locator('[data-history-transcript] [data-speaker="bot"]').first().waitFor({ timeout: 5000 });
    assert((await detail.locator('[data-history-transcript] [data-speaker="caller"]').count()) > 0, 'caller lines');
    const said = await detail.locator('[data-history-transcript] [data-speaker="bot"] .bubble').allTextContents();
    assert(said.some((s) => s.includes(botWord)), `bot lines do not contain "${botWord}": ${said}`);
    assert(/callbot/i.test(await detail.locator('[data-party="to"]').textContent()), 'callee is the callbot');
    assert((await detail.locator('[data-latency]').count()) > 0, 'bot turn latency shown');
    for (const format of ['json', 'csv']) {
      const href = await detail.locator(`[data-export="${format}"]`).getAttribute('href');
      assert(href === `/api/v1/history/calls/${encodeURIComponent(node)}/${encodeURIComponent(id)}/export?format=${format}`, `${format} link: ${href}`);
      const r = await page.request.get(new URL(href, ctx.base).toString());
      assert(r.ok() && /attachment/.test(r.headers()['content-disposition'] ?? ''), `${format} export: ${r.status()}`);
      assert((await r.text()).includes(botWord), `${format} export lacks the bot's words`);
    }
    await themed(ctx, 'history-call');
    // A deep link survives a reload; "All calls" returns to the same filters.
    await page.reload();
    await detail.locator('[data-speaker="bot"]').first().waitFor({ timeout: 10000 });
    await page.click('[data-history-back]');
    await page.waitForSelector(`[data-history-call="${botCall}"]`, { timeout: 8000 });
    assert((await page.inputValue('[data-filter-text]')) === botWord, 'filters kept on the way back');
  });

  test('a conference call’s page shows its timeline with times', async () => {
    await need();
    const { page } = ctx;
    // A FreeSWITCH conference member's call, preferably one muted through callboard earlier in the run.
    const r = await page.request.get(`${ctx.base}/api/v1/history/calls?node=demo-fs&limit=100`);
    const calls = ((await r.json()).calls ?? []).filter((c) => c.conference);
    assert(calls.length > 0, 'no conference call in the history');
    let conf = calls[0];
    let wantBy = false;
    for (const c of calls) {
      const d = await (await page.request.get(`${ctx.base}/api/v1/history/calls/${encodeURIComponent(c.node)}/${encodeURIComponent(c.id)}`)).json();
      if (d.timeline.some((e) => e.by)) {
        conf = c;
        wantBy = true;
        break;
      }
    }
    await page.goto(`${ctx.base}/history/${encodeURIComponent(conf.node)}/${encodeURIComponent(conf.id)}`);
    const events = page.locator('[data-history-timeline] [data-kind]');
    await events.first().waitFor({ timeout: 10000 });
    const entries = await events.evaluateAll((li) =>
      li.map((e) => ({ kind: e.dataset.kind, at: e.querySelector('time')?.getAttribute('datetime'), shown: e.querySelector('time')?.textContent ?? '', by: e.querySelector('.by')?.textContent ?? '' })),
    );
    assert(entries.some((e) => e.kind === 'join'), `timeline has a join: ${JSON.stringify(entries)}`);
    assert(entries.every((e) => /\d/.test(e.shown)), 'every timeline entry shows its time');
    assert(entries.every((e, i) => i === 0 || Date.parse(entries[i - 1].at) <= Date.parse(e.at)), `timeline in time order: ${JSON.stringify(entries)}`);
    // Actions taken through callboard (the mutes earlier in the run) name who did them.
    const viaCallboard = entries.filter((e) => e.by);
    assert(!wantBy || viaCallboard.length > 0, 'an action taken through callboard shows who did it');
    assert(viaCallboard.every((e) => e.by.includes('admin')), `"by" names the user: ${JSON.stringify(viaCallboard)}`);
    await ctx.shot('history-timeline');
  });

  test('phone width: history list and call page are usable', async () => {
    await need();
    searched();
    const phone = await ctx.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    const p = await phone.newPage();
    ctx.watch(p, 'phone-history');
    await p.goto(`${ctx.base}/history`);
    await p.waitForSelector('[data-signin]', { timeout: 10000 });
    await p.fill('[data-username]', process.env.CALLBOARD_E2E_ADMIN_USER ?? 'admin');
    await p.fill('[data-password]', ctx.adminPassword);
    await p.click('[data-signin-submit]');
    await p.waitForSelector('[data-history-call]', { timeout: 10000 });
    let overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 1, `history list scrolls sideways at 390 px by ${overflow} px`);
    await themed(ctx, 'phone-history-list', p);
    // The callbot call found by the search: a link typed or shared opens the call's page directly.
    const [node, id] = [botCall.slice(0, botCall.indexOf('/')), botCall.slice(botCall.indexOf('/') + 1)];
    await p.goto(`${ctx.base}/history/${encodeURIComponent(node)}/${encodeURIComponent(id)}`);
    await p.waitForSelector(`[data-history-detail="${botCall}"] [data-history-transcript] [data-speaker="bot"]`, { timeout: 10000 });
    overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 1, `call page scrolls sideways at 390 px by ${overflow} px`);
    await themed(ctx, 'phone-history-call', p);
    await p.waitForTimeout(200); // let the theme's colour transitions finish
    await p.screenshot({ path: join(ctx.out, 'phone-history-call-full.png'), fullPage: true });
    await phone.close();
  });

  test('the live panel links to the call’s history page', async () => {
    await need();
    const { page } = ctx;
    await page.click('[data-nav="live"]');
    await page.waitForSelector('tr[data-call]', { timeout: 10000 });
    const key = await openCallbotTranscript(page, { minFinal: 1 });
    await page.locator(`[data-transcript="${key}"] [data-open-history]`).click();
    await page.waitForSelector(`[data-history-detail="${key}"] [data-history-transcript] [data-speaker]`, { timeout: 10000 });
    assert((await page.locator('[data-transcript]').count()) === 0, 'the live panel is closed after going to history');
  });

  test('a reload with a live transcript open shows every line it showed before', async () => {
    const { page } = ctx;
    await page.click('[data-nav="live"]');
    await page.waitForSelector('tr[data-call]', { timeout: 10000 });
    const key = await openCallbotTranscript(page, { minFinal: 3 });
    const panel = page.locator(`[data-transcript="${key}"]`);
    const before = await panel.locator('[data-final="true"] .bubble').allTextContents();
    assert(before.length >= 3, `final lines before the reload: ${before.length}`);
    await page.reload();
    await page.waitForSelector('[data-conn="live"]', { timeout: 10000 });
    await panel.waitFor({ timeout: 10000 });
    await eventually(
      async () => {
        const after = await panel.locator('[data-final="true"] .bubble').allTextContents();
        return before.every((line, i) => after[i] === line) && after.length >= before.length;
      },
      { timeout: 8000, message: `the ${before.length} lines shown before the reload, in order` },
    );
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached', timeout: 3000 });
  });
}
