// Chromium probe for `make bench`: opens the wallboard (/wallboard: 50
// queue tiles, 500 agent rows, queue events at ~100/s) and records the
// main-thread time of every websocket delta's handler (probe.mjs), of every
// render of a store change and of every tick of the page's one-second
// clock; the interval between animation frames (the board's durations tick,
// so late frames show what a user sees); long tasks (> 50 ms) and long
// animation frames (Chromium's LoAF entries); page errors; and what is on
// the page (tiles, agent rows). Two windows: the top of the board, then
// the agent grid scrolled into view.
//
// Usage: node wallboard_bench.mjs <base url> <user> <password> <seconds>
// Prints one JSON object.
import { writeFileSync } from 'node:fs';
import { launch, newPage } from './probe.mjs';

const [base, user, password, seconds] = process.argv.slice(2);

// Installed before any page script: a requestAnimationFrame loop that keeps
// each interval between frames; the cost of each render of a store change
// (live.svelte.ts bumps its version in a requestAnimationFrame callback:
// from that callback's start until a MessageChannel task queued at its end
// runs, i.e. after Svelte's microtask flush and the frame's style, layout
// and paint); and the cost of each tick of the page's one-second clock (a
// setInterval of 1,000 ms; the same MessageChannel end).
function frameClock() {
  window.__frames = [];
  window.__renders = [];
  window.__ticks = [];
  window.__loaf = [];
  const timed = (fn, into) => function (...args) {
    const t0 = performance.now();
    try {
      return fn.apply(this, args);
    } finally {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => into.push(performance.now() - t0);
      ch.port2.postMessage(0);
    }
  };
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (fn) => raf(timed(fn, window.__renders));
  const every = window.setInterval.bind(window);
  window.setInterval = (fn, ms, ...rest) =>
    every(ms === 1000 && typeof fn === 'function' ? timed(fn, window.__ticks) : fn, ms, ...rest);
  let last = 0;
  const tick = (t) => {
    if (last) window.__frames.push(t - last);
    last = t;
    raf(tick);
  };
  raf(tick);
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__loaf.push(e.duration);
    }).observe({ type: 'long-animation-frame' });
  } catch {
    // no LoAF in this browser: frames still come from the rAF loop
  }
}

const browser = await launch();
try {
  // A wall display: 1920 × 1080.
  const { page, errors } = await newPage(browser, base, user, password, { width: 1920, height: 1080 }, frameClock);
  const t0 = Date.now();
  await page.goto(base + '/wallboard', { waitUntil: 'load' });
  // Tiles on screen and a first delta: the snapshot was rendered and live
  // updates flow.
  await page.waitForFunction(() => window.__batches.length > 0 && document.querySelector('[data-queue]'), null,
    { timeout: 60000 });
  const firstUpdateMs = Date.now() - t0;
  // WALLBOARD_CPUPROFILE=<file>: a V8 CPU profile of the first window
  // (.cpuprofile, for Chrome DevTools), to see where the time goes.
  const profTo = process.env.WALLBOARD_CPUPROFILE;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));

  // One window of measurement: the samples, and the renderer's own
  // accounting (seconds of style recalculation, layout, script and all
  // tasks) over it: where the main thread's time goes.
  async function window_(profile) {
    await page.evaluate(() => {
      for (const a of [window.__batches, window.__longTasks, window.__frames, window.__renders, window.__ticks, window.__loaf]) a.length = 0;
    });
    if (profile) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const m0 = await metrics();
    await page.waitForTimeout(Number(seconds) * 1000);
    const m1 = await metrics();
    if (profile) {
      const { profile: prof } = await cdp.send('Profiler.stop');
      writeFileSync(profTo, JSON.stringify(prof));
    }
    const spent = Object.fromEntries(['RecalcStyleDuration', 'LayoutDuration', 'ScriptDuration', 'TaskDuration'].map((k) => [k, (m1[k] ?? 0) - (m0[k] ?? 0)]));
    const r = await page.evaluate(() => ({
      batches: window.__batches.slice(),
      longTasks: window.__longTasks.slice(),
      frames: window.__frames.slice(),
      renders: window.__renders.slice(),
      ticks: window.__ticks.slice(),
      loaf: window.__loaf.slice(),
      path: location.pathname,
      wallboard: document.querySelector('[data-wallboard]') !== null,
      tiles: document.querySelectorAll('[data-queue]').length,
      agentRows: document.querySelectorAll('tr[data-agent]').length,
    }));
    return { ...r, spent };
  }

  // The top of the board (the queue tiles a wall screen shows), then the
  // agent grid scrolled into view (a supervisor looking at agents).
  const r = await window_(Boolean(profTo));
  await page.evaluate(() => document.querySelector('[data-agent]')?.scrollIntoView({ block: 'start' }));
  const agents = await window_(false);
  console.log(JSON.stringify({ ...r, agentsInView: agents, firstUpdateMs, errors }));
} finally {
  await browser.close();
}
