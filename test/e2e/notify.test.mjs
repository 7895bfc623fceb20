// notify.test.mjs - issue 13's notifications in Debian's Chromium: the system admin sends a
// gateway test from the outbound hook's page (no hook configured: the in-app notification
// only), the bell shows one unread, its drawer lists it with the kind as a word, clicking
// it marks it read and opens its route (the full list); mark-all-read from the drawer; the
// staff see no hook page and an empty bell. Each page at 1440 and 390 px with axe, layout
// and raw-code checks and a screenshot in build/e2e/notify/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../api/lib.mjs';
import { launch, SHOTS, DESKTOP, PHONE, openPage, signInQuick, axeViolations, rawTextOnScreen, layoutProblems } from './browser.mjs';

const DIR = join(SHOTS, 'notify');
mkdirSync(DIR, { recursive: true });
let s, browser;
before(async () => {
  s = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await s?.stop();
});

async function check(page, name, problems) {
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(250);
  await page.screenshot({ path: join(DIR, `${name}.png`), fullPage: true });
  assert.deepEqual(await layoutProblems(page), [], `${name}: layout`);
  assert.deepEqual(await rawTextOnScreen(page), [], `${name}: raw codes or ids on screen`);
  assert.deepEqual(await axeViolations(page), [], `${name}: axe serious/critical`);
  assert.deepEqual(problems, [], `${name}: console errors`);
}

for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`${label}: a gateway test lands in the bell; opening it marks it read; mark all read`, async () => {
    const { ctx, page, problems } = await openPage(browser, { viewport, isMobile: label === 'phone' });
    try {
      await signInQuick(ctx, s, 'admin');
      await page.goto(`${s.url}/hooks/deliveries`);
      await page.getByTestId('hooks-page').waitFor();
      await check(page, `${label}-hooks`, problems);
      assert.ok(!(await page.getByTestId('delivery').count()), 'no hook configured: no deliveries');
      const before = (await (await ctx.request.get(`${s.url}/api/v1/me/notifications/count`)).json()).unread;
      await page.getByTestId('hook-test').click();
      await page.locator('.kx-toast-success').first().waitFor();
      await page.getByTestId('hook-test').click();
      await page.locator('.kx-toast-success').nth(0).waitFor();
      // the bell refreshes on focus and every 60 s; the drawer asks at once
      await page.getByTestId('bell').click();
      const drawer = page.getByTestId('bell-drawer');
      await drawer.getByTestId('notification').first().waitFor();
      await page.waitForFunction((n) => {
        const sup = document.querySelector('[data-test=bell-count] sup');
        return sup && Number(sup.textContent) === n;
      }, before + 2);
      assert.equal(await drawer.locator('[data-test=notification].unread').count(), before + 2);
      assert.match(await drawer.getByTestId('notification').first().textContent(), /网关测试/);
      await check(page, `${label}-drawer`, problems);
      // open the newest: read, and its route (the full list)
      await drawer.getByTestId('notification').first().locator('button').first().click();
      await page.getByTestId('notifications-page').waitFor();
      await page.waitForFunction((n) => Number(document.querySelector('[data-test=bell-count] sup')?.textContent) === n, before + 1);
      await check(page, `${label}-list`, problems);
      // mark all read from the drawer: the badge goes
      await page.getByTestId('bell').click();
      await page.getByTestId('bell-drawer').getByTestId('read-all').click();
      await page.waitForFunction(() => {
        const sup = document.querySelector('[data-test=bell-count] sup');
        return !sup || getComputedStyle(sup).display === 'none';
      });
      const r = await ctx.request.get(`${s.url}/api/v1/me/notifications/count`);
      assert.equal((await r.json()).unread, 0);
      assert.deepEqual(problems, []);
    } finally {
      await ctx.close();
    }
  });
}

test('staff: no hook page in the menu, an empty bell', async () => {
  const { ctx, page, problems } = await openPage(browser, { viewport: PHONE, isMobile: true });
  try {
    await signInQuick(ctx, s, 'county.staff');
    await page.goto(`${s.url}/`);
    await page.getByTestId('bell').click();
    await page.getByTestId('bell-drawer').locator('.el-empty').waitFor();
    await check(page, 'phone-staff-bell', problems);
    assert.equal(await page.locator('a[href="/hooks/deliveries"], [index="/hooks/deliveries"]').count(), 0);
  } finally {
    await ctx.close();
  }
});
