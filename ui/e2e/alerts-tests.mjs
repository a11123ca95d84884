// The Alerts screen (issue 14): a rule with an invalid expression is refused
// with the reason, a rule on a word the demo's callbot says fires a toast,
// and "send test" to a destination shows its delivery in the outbox.
import { assert, eventually, test } from './harness.mjs';

export function alertsTests(ctx) {
  test('Alerts: invalid regex refused with the reason; a rule on a callbot word shows a toast; send test', async () => {
    const { page } = ctx;
    await page.click('[data-nav="admin"]');
    await page.click('[data-admin-tab="alerts"]');
    await page.waitForSelector('[data-rule-form]', { timeout: 5000 });

    // A destination nobody listens on: its test delivery fails and is retried.
    await page.fill('[data-dest-name]', 'ops-hook');
    await page.fill('[data-dest-url]', 'http://127.0.0.1:9/hook');
    await page.fill('[data-dest-secret]', 'e2e-hmac-key');
    await page.click('[data-create-destination-submit]');
    await page.waitForSelector('[data-destination-row="ops-hook"]', { timeout: 5000 });

    await page.fill('[data-rule-name]', 'bad expression');
    await page.fill('[data-rule-pattern]', '(ware**');
    await page.check('[data-rule-regex]');
    await page.click('[data-rule-submit]');
    const err = page.locator('[data-rule-form] .form-error');
    await err.waitFor({ timeout: 5000 });
    const why = await err.innerText();
    assert(/pattern: not a valid regular expression/.test(why), `refusal: ${why}`);

    // Words of the demo callbot's English replies (half its lines), so the
    // rule fires within a turn or two whatever line the dialog is at.
    await page.fill('[data-rule-name]', 'warehouse mentioned');
    await page.fill('[data-rule-pattern]', 'warehouse|order number|address|anything else');
    await page.check('[data-rule-regex]');
    await page.selectOption('[data-rule-speaker]', 'bot');
    await page.check('[data-rule-form] input[type="checkbox"][value]');
    await page.click('[data-rule-submit]');
    await page.waitForSelector('[data-rule-row="warehouse mentioned"]', { timeout: 5000 });

    const toast = page.locator('[data-toast="alert"]', { hasText: 'warehouse mentioned' }).first();
    await toast.waitFor({ timeout: 60000 });
    const text = await toast.innerText();
    assert(/WARNING · warehouse mentioned: bot said/.test(text), `toast: ${text}`);
    await ctx.shot('alerts-toast');

    await page.click('[data-test-destination="ops-hook"]');
    await eventually(async () => (await page.locator('[data-outbox-row]').count()) > 0, { timeout: 10000, message: 'outbox rows' });
    await eventually(
      async () => (await page.locator('[data-outbox-row] >> text=/refused|request failed/').count()) > 0,
      { timeout: 10000, message: 'a failed attempt recorded' },
    );
    await ctx.shot('alerts-screen');
    await page.click('[data-nav="live"]');
    await page.waitForSelector('[data-conn="live"]', { timeout: 5000 });
  });
}
