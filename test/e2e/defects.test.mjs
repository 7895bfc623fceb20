// defects.test.mjs - one regression test per defect listed in issue 11, each written so it
// fails on the web app as it was before the fix. (Defect 1's catalog check is in
// i18n.test.mjs; this file has the journey that showed it.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, sql } from '../api/lib.mjs';
import { launch, SHOTS, PHONE, openPage, signIn, input, pickOrg, rawTextOnScreen } from './browser.mjs';

let s, browser, ids;
before(async () => {
  s = await startServer();
  ids = Object.fromEntries(sql(s.db, 'SELECT code, id FROM org').trim().split('\n').map((l) => l.split('|')));
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await s?.stop();
});

const as = async (login, path, opts) => {
  const p = await openPage(browser, opts);
  await signIn(p.page, s, login, path);
  return p;
};
const toast = (page, text) => page.locator('.kx-toast-success', { hasText: text }).first().waitFor();
const tree = (page) => page.getByTestId('org-tree');
async function openOrg(page, ...labels) {
  for (const l of labels) await tree(page).getByText(l).first().click();
  await page.getByTestId('org-detail').waitFor();
}
async function setDate(page, id, value) {
  const box = input(page, id);
  await box.click();
  await box.fill(value);
  await box.press('Enter');
  await page.keyboard.press('Escape');
}

test('1: a login with a space gets its field error in Chinese; nothing throws', async () => {
  const { page, ctx, problems } = await as('security', '/users');
  await page.getByTestId('user-create').click();
  await input(page, 'new-login').fill('Wang Wu');
  await input(page, 'new-name').fill('王五');
  await input(page, 'new-password').fill('Wang-wu-2026-long!');
  await pickOrg(page, 'new-org', '临江市科学技术协会（DC-C1）', 'DC-C1');
  await page.getByTestId('new-submit').click();
  const err = page.locator('[data-test=user-create-form] .el-form-item__error').first();
  await err.waitFor();
  assert.equal(await err.innerText(), '账号为 2 至 64 位小写字母、数字或 . _ - @');
  assert.deepEqual(problems.filter((p) => !/^422 POST /.test(p)), []);
  await ctx.close();
});

test('2: at 390x844 a drawer menu, a one-line header and a tree with width', async () => {
  const { page, ctx, problems } = await as('dc.admin', '/orgs', { viewport: PHONE, isMobile: true });
  assert.equal(await page.locator('.aside').count(), 0, 'no fixed sidebar on a phone');
  const header = await page.locator('.header').boundingBox();
  assert.ok(header.height <= 60, `header ${header.height}px`);
  const treeBox = await tree(page).boundingBox();
  assert.ok(treeBox.width > 300, `tree ${treeBox.width}px wide`);
  await page.getByTestId('menu-toggle').click();
  await page.getByTestId('menu-drawer').getByTestId('menu-users').click();
  await page.waitForURL(/\/users$/);
  await page.getByTestId('page-title').filter({ hasText: '用户与角色' }).waitFor();
  await page.screenshot({ path: join(SHOTS, 'phone-users.png') });
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('3: a new as-of date drops stale details, says why in Chinese and searches again', async () => {
  const { page, ctx, problems } = await as('dc.admin', '/orgs');
  await input(page, 'org-q').fill('安平镇');
  await page.getByTestId('org-search').click();
  await page.getByTestId('org-hits').getByText('DC-C1-K1-T1').click();
  await page.getByTestId('org-name').filter({ hasText: '安平镇科普协会' }).waitFor();
  await setDate(page, 'as-of', '2000-01-01');
  await page.getByTestId('org-empty').filter({ hasText: '2000-01-01 该组织尚未成立或已撤销' }).waitFor();
  assert.equal(await page.getByTestId('org-detail').count(), 0);
  await page.getByTestId('org-hits').getByText('没有找到').waitFor(); // the search ran again for 2000
  assert.deepEqual(await rawTextOnScreen(page), []);
  assert.equal(await page.getByTestId('api-error').count(), 0);
  assert.deepEqual(problems.filter((p) => !/^404 GET \/api\/v1\/orgs\/\d+$/.test(p)), []); // not open in 2000
  await ctx.close();
});

test('4: organizations are chosen by name everywhere; details name the parent', async () => {
  const { page, ctx, problems } = await as('dc.admin', '/orgs');
  await openOrg(page, '东川省科学技术协会（DC）', '临江市科学技术协会（DC-C1）');
  assert.equal((await page.getByTestId('org-parent').innerText()).trim(), '东川省科学技术协会');
  await page.getByTestId('org-move').click();
  assert.equal(await page.locator('[data-test=move-form] input[type=text]:not(.el-select__input):not([readonly])').count(), 1, 'only the date is typed');
  await page.keyboard.press('Escape');
  await page.getByRole('tab', { name: '业务指导' }).click();
  await page.getByTestId('link-guide').first().waitFor();
  await ctx.close();
  // the audit org filter sends a real id
  const a = await as('auditor', '/audit');
  await pickOrg(a.page, 'audit-org', '东川省科学技术协会（DC）', 'DC');
  const [req] = await Promise.all([a.page.waitForRequest(/\/api\/v1\/audit\?/), a.page.getByTestId('audit-search').click()]);
  assert.match(req.url(), new RegExp(`org_id=${ids.DC}(&|$)`));
  assert.deepEqual([...problems, ...a.problems], []);
  await a.ctx.close();
});

test('5: required says required; an inverted date range says so and sends nothing', async () => {
  const { page, ctx, problems } = await as('dc.admin', '/orgs');
  await openOrg(page, '东川省科学技术协会（DC）');
  await page.getByTestId('org-create').click();
  await page.getByTestId('create-submit').click();
  const errs = page.locator('[data-test=create-form] .el-form-item__error');
  await errs.first().waitFor();
  assert.deepEqual([...new Set(await errs.allInnerTexts())], ['必填']);
  await page.keyboard.press('Escape');
  await ctx.close();
  const a = await as('auditor', '/audit');
  await a.page.getByTestId('audit-table').locator('tbody tr').first().waitFor();
  await setDate(a.page, 'range-from', '2026-05-01');
  await setDate(a.page, 'range-to', '2026-04-01');
  await a.page.getByTestId('range-error').filter({ hasText: '起始日期不能晚于截止日期' }).waitFor();
  let sent = 0;
  a.page.on('request', (r) => { if (/\/api\/v1\/audit\?/.test(r.url())) sent++; });
  await a.page.getByTestId('audit-search').click();
  await a.page.waitForTimeout(300);
  assert.equal(sent, 0);
  assert.deepEqual([...problems, ...a.problems], []);
  await a.ctx.close();
});

test('6: the tree reveals search hits, has tooltips, and phones scroll to the details', async () => {
  const { page, ctx, problems } = await as('dc.admin', '/orgs');
  await input(page, 'org-q').fill('安平学院');
  await page.getByTestId('org-search').click();
  await page.getByTestId('org-hits').getByText('DC-C1-K1-UNI').click();
  const current = tree(page).locator('.is-current > .el-tree-node__content').first();
  await current.filter({ hasText: '安平学院科协（DC-C1-K1-UNI）' }).waitFor();
  assert.ok(await current.isVisible());
  assert.equal(await current.locator('.node').getAttribute('title'), '安平学院科协（DC-C1-K1-UNI）');
  await ctx.close();
  const p = await as('dc.admin', '/orgs', { viewport: PHONE, isMobile: true });
  await openOrg(p.page, '东川省科学技术协会（DC）', '临江市科学技术协会（DC-C1）', '安平县科学技术协会（DC-C1-K1）');
  await p.page.waitForTimeout(700); // smooth scrolling
  const box = await p.page.getByTestId('org-name').boundingBox();
  assert.ok(box.y >= 0 && box.y < PHONE.height, `details at y=${box.y}`);
  await p.page.screenshot({ path: join(SHOTS, 'phone-org-details.png') });
  assert.deepEqual([...problems, ...p.problems], []);
  await p.ctx.close();
});

test('7: an error alert is Chinese only under a Chinese UI', async () => {
  const { page, ctx, problems } = await as('dc.admin', '/orgs');
  await page.goto(`${s.url}/orgs?id=999999`);
  const alert = page.getByTestId('api-error');
  await alert.waitFor();
  assert.match(await alert.innerText(), /未找到/);
  assert.doesNotMatch(await alert.innerText(), /no such|organization/i);
  assert.deepEqual(problems.filter((p) => !/^404 GET \/api\/v1\/orgs\/999999$/.test(p)), []);
  await ctx.close();
});

test('8: audit words, Beijing times to the second, role words in the user list, a real CSV button', async () => {
  const a = await as('auditor', '/audit');
  const table = a.page.getByTestId('audit-table');
  await table.getByText('新建账号').first().waitFor();
  assert.deepEqual(await rawTextOnScreen(a.page), []);
  const first = await table.locator('tbody tr td').first().innerText();
  assert.match(first, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  const at = JSON.parse(await a.page.evaluate(async () => JSON.stringify((await (await fetch('/api/v1/audit?limit=1')).json()).items[0].at)));
  const beijing = new Date(new Date(at).getTime() + 8 * 3600e3).toISOString().replace('T', ' ').slice(0, 19);
  assert.equal(first, beijing);
  const csv = a.page.getByTestId('audit-csv');
  assert.equal(await csv.evaluate((e) => e.tagName), 'BUTTON');
  assert.equal(await csv.evaluate((e) => getComputedStyle(e).textDecorationLine), 'none');
  await a.ctx.close();
  const u = await as('security', '/users');
  await u.page.getByTestId('users-table').getByText('东川省科学技术协会').first().waitFor();
  const text = await u.page.getByTestId('users-table').innerText();
  assert.match(text, /组织管理员 · 东川省科学技术协会/);
  assert.doesNotMatch(text, /org_admin@DC/);
  assert.deepEqual([...a.problems, ...u.problems], []);
  await u.ctx.close();
});

test('9: success messages after changes; confirmation before disabling or ending sessions', async () => {
  const { page, ctx, problems } = await as('dc.admin', '/orgs');
  await openOrg(page, '东川省科学技术协会（DC）', '青石市科学技术协会（DC-C2）');
  await page.getByTestId('org-edit').click();
  await input(page, 'edit-name').fill('青石市科学技术协会（改）');
  await page.getByTestId('edit-submit').click();
  await toast(page, '已保存：青石市科学技术协会（改）');
  await page.getByTestId('org-create').click();
  await input(page, 'create-code').fill('DC-C2-NEW');
  await input(page, 'create-name').fill('青石新建科协');
  await page.getByTestId('create-submit').click();
  await toast(page, '已新建：青石新建科协');
  await page.getByTestId('org-close').click();
  await page.getByTestId('close-submit').click();
  await page.locator('.kx-confirm').getByText('确定撤销“青石新建科协”吗？').waitFor();
  await page.locator('.kx-confirm .el-button--danger').click();
  await toast(page, '已撤销：1 个组织');
  await ctx.close();
  const u = await as('security', '/users');
  await u.page.getByTestId('users-table').getByText('county.staff').click();
  await u.page.getByTestId('user-detail').waitFor();
  await u.page.getByTestId('user-disable').click();
  const box = u.page.locator('.kx-confirm');
  await box.getByText('确定禁用账号“安平县科协工作人员”吗？', { exact: false }).waitFor();
  await box.getByRole('button', { name: '取消' }).click();
  await u.page.waitForTimeout(200);
  assert.equal(await u.page.getByTestId('user-enable').count(), 0, 'cancel keeps the account active');
  await u.page.getByTestId('user-end-sessions').click();
  await u.page.locator('.kx-confirm').getByText('确定让“安平县科协工作人员”的全部会话下线吗？').waitFor();
  await u.page.locator('.kx-confirm .el-button--danger').click();
  await toast(u.page, '已结束');
  assert.deepEqual([...problems, ...u.problems], []);
  await u.ctx.close();
});

test('10: a guest sees only the sign-in page', async () => {
  const { page, ctx } = await openPage(browser);
  for (const path of ['/', '/orgs', '/about', '/regions']) {
    await page.goto(`${s.url}${path}`);
    await page.getByTestId('login-form').waitFor();
    assert.equal(await page.locator('.side-menu, [data-test=welcome], [data-test=breadcrumb]').count(), 0, path);
  }
  await ctx.close();
});

test('11: a closed organization says it is closed instead of "0 organizations:"', async () => {
  const { page, ctx, problems } = await as('dc.admin', '/orgs');
  await openOrg(page, '东川省科学技术协会（DC）', '临江市科学技术协会（DC-C1）', '安平县科学技术协会（DC-C1-K1）', '安平县精工机械有限公司科协（DC-C1-K1-ENT）');
  await page.getByTestId('org-close').click();
  await page.getByTestId('close-submit').click();
  await page.locator('.kx-confirm .el-button--danger').click();
  await toast(page, '已撤销');
  await page.getByTestId('org-name').filter({ hasText: '已撤销' }).waitFor();
  const counts = await page.getByTestId('org-counts').innerText();
  assert.match(counts, /该组织已于 \d{4}-\d{2}-\d{2} 撤销，下级组织不再计数/);
  assert.doesNotMatch(counts, /共 0 个组织：/);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('12: an emoji in an official name is refused on the name field', async () => {
  const { page, ctx, problems } = await as('dc.admin', '/orgs');
  await openOrg(page, '东川省科学技术协会（DC）');
  await page.getByTestId('org-create').click();
  await input(page, 'create-code').fill('DC-EMOJI');
  await input(page, 'create-name').fill('表情科协🎉');
  await page.getByTestId('create-submit').click();
  const err = page.locator('[data-test=create-form] .el-form-item__error');
  await err.first().waitFor();
  assert.match(await err.first().innerText(), /表情|图形|字符/);
  assert.deepEqual(problems.filter((p) => !/^422 POST /.test(p)), []);
  await ctx.close();
});
