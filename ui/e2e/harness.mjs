// A tiny sequential test runner for the browser tests: each test runs in
// order (they share one page and one server), failures are collected, and the
// last line says "N passed, N failed"; the process exits non-zero on failure.
const tests = [];

/** Thrown by a test that does not apply to the server under test; counted as skipped, with its reason. */
export class Skip extends Error {}
export function skip(reason) {
  throw new Skip(reason);
}

/** opts.setup: the test runs even when CALLBOARD_E2E_ONLY picks others (sign-in, first load). */
export function test(name, fn, opts = {}) {
  tests.push({ name, fn, setup: !!opts.setup });
}

/** CALLBOARD_E2E_ONLY=<regexp>: run only the matching tests (and the setup ones), to iterate on a few. */
function selected() {
  const only = process.env.CALLBOARD_E2E_ONLY;
  if (!only) return tests;
  const re = new RegExp(only, 'i');
  return tests.filter((t) => t.setup || re.test(t.name));
}

export async function run({ before, after } = {}) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const started = Date.now();
  const chosen = selected();
  try {
    if (before) await before();
  } catch (e) {
    console.error(`setup failed: ${e?.stack ?? e}`);
    if (after) await after().catch(() => {});
    console.log(`0 passed, ${chosen.length} failed`);
    process.exit(1);
  }
  for (const t of chosen) {
    const t0 = Date.now();
    try {
      await t.fn();
      passed++;
      console.log(`ok   ${t.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      if (e instanceof Skip) {
        skipped++;
        console.log(`skip ${t.name}: ${e.message}`);
        continue;
      }
      failed++;
      console.log(`FAIL ${t.name} (${Date.now() - t0} ms)\n     ${String(e?.stack ?? e).split('\n').join('\n     ')}`);
    }
  }
  if (after) await after().catch((e) => console.error(`teardown: ${e}`));
  const skips = skipped ? `, ${skipped} skipped` : '';
  // The closing line is exactly "N passed, N failed[, N skipped]": CI reads it.
  console.log(`\nbrowser end-to-end: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed${skips}`);
  process.exit(failed ? 1 : 0);
}

export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

/** Polls fn until it returns a truthy value or the timeout passes; message may be a function, called on failure. */
export async function eventually(fn, { timeout = 5000, interval = 100, message = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${typeof message === 'function' ? message() : message} (last: ${last})`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
