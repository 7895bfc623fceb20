// pages.test.mjs - every page at 1440x900 and at 390x844, as the role that uses it:
// screenshots in build/e2e/pages/, an axe-core check (no serious or critical violation),
// no raw code, raw id or English server sentence on a Chinese screen, nothing wider than
// the window, a one-line header, and no console error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../api/lib.mjs';
import { launch, SHOTS, DESKTOP, PHONE, openPage, signInQuick, axeViolations, rawTextOnScreen, layoutProblems } from './browser.mjs';

let s, browser;
const DIR = join(SHOTS, 'pages');
mkdirSync(DIR, { recursive: true });
before(async () => {
  s = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await s?.stop();
});

// [name, login (null: guest), path, a test id that shows the page is ready]
const PAGES = [
  ['login', null, '/login', 'login-form'],
  ['workbench', 'dc.admin', '/', 'figures'],
  ['workbench-member', 'member', '/', 'todo'],
  ['orgs', 'dc.admin', '/orgs', 'org-tree'],
  ['users', 'security', '/users', 'users-table'],
  ['audit', 'auditor', '/audit', 'audit-table'],
  ['account', 'county.staff', '/account', 'my-sessions'],
  ['about', 'county.staff', '/about', 'about'],
  ['regions', 'county.staff', '/regions', 'regions-table'],
  ['soon', 'county.staff', '/notices', null],
  ['not-found', 'county.staff', '/no/such/page', 'not-found'],
];

async function settle(page) {
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(150);
}

for (const [vpName, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  for (const [name, login, path, ready] of PAGES) {
    test(`${name} at ${viewport.width}x${viewport.height}: readable, accessible, no raw codes`, async () => {
      const { page, ctx, problems } = await openPage(browser, { viewport, isMobile: vpName === 'phone' });
      if (login) await signInQuick(ctx, s, login);
      await page.goto(`${s.url}${path}`);
      if (ready) await page.getByTestId(ready).first().waitFor();
      if (name === 'orgs') {
        await page.getByTestId('org-tree').getByText('东川省科学技术协会（DC）').click();
        await page.getByTestId('org-detail').waitFor();
      }
      if (name === 'users') {
        await page.getByTestId('users-table').getByText('dc.admin').click();
        await page.getByTestId('user-detail').waitFor();
      }
      if (name === 'workbench') await page.locator('[data-test=chart] canvas').waitFor();
      if (name === 'audit') await page.getByTestId('audit-table').locator('tbody tr').first().waitFor();
      await settle(page);
      await page.screenshot({ path: join(DIR, `${name}-${vpName}.png`), fullPage: true });
      assert.deepEqual(await layoutProblems(page), [], 'layout');
      assert.deepEqual(await rawTextOnScreen(page), [], 'raw codes or ids on screen');
      assert.deepEqual(await axeViolations(page), [], 'axe serious/critical');
      assert.deepEqual(problems, [], 'console errors');
      await ctx.close();
    });
  }
}
