// notices.test.mjs - issue 13, "Notices", in Debian's Chromium: the province's admin
// composes a notice to every county association below it (a rule, with the live count),
// sends it (document number shown); the county's staff open it in their inbox (read) and
// acknowledge it after a confirmation; the sender sees the figures change. Then every
// notice page at 1440 and 390 px with axe, layout and raw-code checks and a screenshot in
// build/e2e/notices/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../api/lib.mjs';
import { launch, SHOTS, DESKTOP, PHONE, openPage, signInQuick, input, axeViolations, rawTextOnScreen, layoutProblems } from './browser.mjs';

const DIR = join(SHOTS, 'notices');
mkdirSync(DIR, { recursive: true });
let s, browser, noticeId;
before(async () => {
  s = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await s?.stop();
});

async function settle(page) {
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(250);
}
async function check(page, name, problems) {
  await settle(page);
  await page.screenshot({ path: join(DIR, `${name}.png`), fullPage: true });
  assert.deepEqual(await layoutProblems(page), [], `${name}: layout`);
  assert.deepEqual(await rawTextOnScreen(page), [], `${name}: raw codes or ids on screen`);
  assert.deepEqual(await axeViolations(page), [], `${name}: axe serious/critical`);
  assert.deepEqual(problems, [], `${name}: console errors`);
}
const area = (page, id) => page.locator(`textarea[data-test=${id}], [data-test=${id}] textarea`).first();
const vp = (label) => ({ viewport: label === 'phone' ? PHONE : DESKTOP, isMobile: label === 'phone' });

test('send a notice to a subtree; a county acknowledges it; the sender sees the figures change', async () => {
  const sender = await openPage(browser, vp('desktop'));
  await signInQuick(sender.ctx, s, 'dc.admin');
  const { page } = sender;
  await page.goto(`${s.url}/notices/new`);
  await page.getByTestId('notice-compose').waitFor();
  await input(page, 'notice-title').fill('关于报送5.30活动总结的通知');
  await area(page, 'notice-body').fill('请各县级科协于**6月15日**前报送。\n\n<script>alert(1)</script>');
  await page.getByTestId('notice-preview').click();
  const pv = page.getByTestId('notice-preview-html');
  await pv.locator('strong').waitFor();
  assert.equal(await pv.locator('script').count(), 0);
  assert.match(await pv.innerText(), /<script>alert\(1\)<\/script>/); // shown as text
  // a rule: every county association below the province
  await page.getByTestId('rule-add').click();
  await page.getByTestId('rule-level').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: '县级' }).first().click();
  await page.getByTestId('rule-type').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: /^科协$/ }).first().click();
  await page.getByTestId('target-count').getByText('当前共 4 个收文单位').waitFor();
  await page.getByTestId('notice-send').click();
  await page.locator('.kx-confirm').getByText('4 个单位', { exact: false }).waitFor();
  await page.locator('.kx-confirm').getByRole('button', { name: '确定' }).click();
  await page.waitForURL(/\/notices\/\d+$/);
  noticeId = Number(/\/notices\/(\d+)$/.exec(page.url())[1]);
  await page.getByTestId('notice-number').getByText(/〔\d{4}〕1号/).waitFor();
  await page.getByTestId('receipt-summary').waitFor();
  const ackFigure = () => page.getByTestId('receipt-acknowledged').locator('.el-statistic__number').innerText();
  assert.equal(await ackFigure(), '0');

  // the county's staff: the inbox, open (read), acknowledge after a confirmation
  const county = await openPage(browser, vp('phone'));
  await signInQuick(county.ctx, s, 'county.staff');
  await county.page.goto(`${s.url}/notices/inbox`);
  const item = county.page.getByTestId('inbox-item').filter({ hasText: '关于报送5.30活动总结的通知' });
  await item.getByText('未读').waitFor();
  await item.click();
  const drawer = county.page.getByTestId('inbox-drawer');
  await drawer.getByTestId('entry-state').getByText('已读').waitFor();
  assert.equal(await drawer.getByTestId('entry-body').locator('script').count(), 0);
  await check(county.page, 'inbox-entry-phone', county.problems);
  await drawer.getByTestId('entry-ack-button').click();
  await county.page.locator('.kx-confirm').getByRole('button', { name: '确定' }).click();
  await drawer.getByTestId('entry-state').getByText('已签收').waitFor();
  assert.match(await drawer.getByTestId('entry-ack').innerText(), /\S+ \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/); // who and when (Beijing)
  await county.ctx.close();

  // the sender's figures change: 1 acknowledged, in the branch of DC-C1
  await page.reload();
  await page.getByTestId('receipt-summary').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-test=receipt-acknowledged] .el-statistic__number')?.textContent?.trim() === '1');
  const branch = page.getByTestId('receipt-branches').locator('tr', { hasText: '临江市科学技术协会' }).first();
  await branch.waitFor();
  await page.getByTestId('recipient-filter').getByText('已签收').click();
  // the filtered list replaces the whole one when its answer comes (slow under load): wait for it
  await page.waitForFunction(() => document.querySelectorAll('[data-test=recipient-table] .recipient-row').length === 1);
  await check(page, 'detail-desktop', sender.problems);
  await sender.ctx.close();
});

for (const label of ['desktop', 'phone']) {
  test(`notice pages (${label}): sent list with progress, compose, detail, inbox — accessible, laid out`, async () => {
    const { page, ctx, problems } = await openPage(browser, vp(label));
    await signInQuick(ctx, s, 'dc.admin');
    await page.goto(`${s.url}/notices`);
    await page.getByTestId('notices-list').waitFor();
    if (noticeId) await page.getByTestId('notices-list').getByText('关于报送5.30活动总结的通知').first().waitFor();
    await check(page, `list-${label}`, problems);
    await page.goto(`${s.url}/notices/new`);
    await page.getByTestId('targets-editor').waitFor();
    await page.getByTestId('rule-add').click();
    await page.getByTestId('target-count').getByText(/当前共 \d+ 个收文单位/).waitFor();
    await check(page, `compose-${label}`, problems);
    if (noticeId) {
      await page.goto(`${s.url}/notices/${noticeId}`);
      await page.getByTestId('receipt-summary').waitFor();
      await check(page, `detail-${label}`, problems);
    }
    await page.goto(`${s.url}/notices/inbox`);
    await page.getByTestId('inbox-list').waitFor();
    await check(page, `inbox-${label}`, problems);
    await ctx.close();
  });
}
