// Shared by the Chromium probes of `make bench` (ui_bench.mjs: the
// dashboard; wallboard_bench.mjs: the wallboard): the browser, the sign-in
// and the per-delta timing.
import { chromium } from 'playwright-core';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Installed before any page script: wraps WebSocket.onmessage to time each
// delta. A MessageChannel task queued at the handler's end runs after the
// microtasks the handler caused (Svelte flushes its effects in microtasks).
export function instrument() {
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

export function launch() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
}

// newPage opens an instrumented, signed-in page (not yet navigated) and
// collects its page errors.
export async function newPage(browser, base, user, password, viewport, ...initScripts) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  for (const s of [instrument, ...initScripts]) await page.addInitScript(s);
  const login = await page.request.post(`${base}/api/v1/auth/login`, {
    data: { username: user, password },
    headers: { Origin: base },
  });
  if (!login.ok()) throw new Error(`login: HTTP ${login.status()}`);
  return { page, errors };
}
