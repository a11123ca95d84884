// Chromium probe for `make bench`: opens the dashboard (1,000 live calls,
// churning) and measures, for every websocket delta, the main-thread time
// from the message handler's start until the UI's update work (Svelte's
// microtask flush) is done, plus the long tasks (> 50 ms) in the window.
//
// Usage: node ui_bench.mjs <base url> <user> <password> <seconds>
// Prints one JSON object.
import { chromium } from 'playwright-core';

const [base, user, password, seconds] = process.argv.slice(2);
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Installed before any page script: wraps WebSocket.onmessage to time each
// delta. A MessageChannel task queued at the handler's end runs after the
// microtasks the handler caused (Svelte flushes its effects in microtasks).
function instrument() {
  const Native = window.WebSocket;
  window.__batches = [];
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
  class Timed extends Native {
    set onmessage(fn) {
      super.onmessage = fn && ((ev) => {
        const t0 = performance.now();
        const delta = typeof ev.data === 'string' && ev.data.startsWith('{"type":"delta"');
        try {
          return fn.call(this, ev);
        } finally {
          if (delta) {
            const ch = new MessageChannel();
            ch.port1.onmessage = () => window.__batches.push(performance.now() - t0);
            ch.port2.postMessage(0);
          }
        }
      });
    }
    get onmessage() { return super.onmessage; }
  }
  window.WebSocket = Timed;
}

const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(instrument);
  const login = await page.request.post(`${base}/api/v1/auth/login`, {
    data: { username: user, password },
    headers: { Origin: base },
  });
  if (!login.ok()) throw new Error(`login: HTTP ${login.status()}`);
  const t0 = Date.now();
  await page.goto(base + '/', { waitUntil: 'load' });
  // The first delta means the snapshot was rendered and live updates flow.
  await page.waitForFunction(() => window.__batches.length > 0, null, { timeout: 60000 });
  const firstUpdateMs = Date.now() - t0;
  await page.evaluate(() => { window.__batches.length = 0; window.__longTasks.length = 0; });
  await page.waitForTimeout(Number(seconds) * 1000);
  const r = await page.evaluate(() => ({ batches: window.__batches.slice(), longTasks: window.__longTasks.slice() }));
  const rows = await page.evaluate(() => document.querySelectorAll('tr').length);
  console.log(JSON.stringify({ ...r, firstUpdateMs, rows, errors }));
} finally {
  await browser.close();
}
