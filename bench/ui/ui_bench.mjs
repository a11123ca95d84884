// Chromium probe for `make bench`: opens the dashboard (1,000 live calls,
// churning) and measures, for every websocket delta, the main-thread time
// from the message handler's start until the UI's update work (Svelte's
// microtask flush) is done, plus the long tasks (> 50 ms) in the window.
//
// Usage: node ui_bench.mjs <base url> <user> <password> <seconds>
// Prints one JSON object.
import { launch, newPage } from './probe.mjs';

const [base, user, password, seconds] = process.argv.slice(2);

const browser = await launch();
try {
  const { page, errors } = await newPage(browser, base, user, password, { width: 1440, height: 900 });
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
