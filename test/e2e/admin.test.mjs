// admin.test.mjs - the identity and tree journeys in Debian's Chromium: an org admin moves
// a township to another county (the tree, history and audit follow), edits with a stale
// version (412 shown), creates a child with a bad credit code (field error in Chinese);
// the security admin creates an account and the account is listed; a user sees their
// sessions and creates a token shown once; the audit admin reads the trail with diffs;
// menus follow roles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, sql } from '../api/lib.mjs';
import { launch, SHOTS, openPage, signIn, input, pickOrg } from './browser.mjs';

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

async function signedIn(login, path) {
  const p = await openPage(browser, { viewport: { width: 1400, height: 900 } });
  await signIn(p.page, s, login, path);
  return p;
}

test('org admin: a dated move shows in the tree and the history; a stale edit says so; a bad credit code lands on its field', async () => {
  const { page, ctx, problems } = await signedIn('dc.admin', '/orgs');
  const tree = page.getByTestId('org-tree');
  await tree.getByText('东川省科学技术协会（DC）').click();
  await tree.getByText('临江市科学技术协会（DC-C1）').click();
  await tree.getByText('安平县科学技术协会（DC-C1-K1）').click();
  await tree.getByText('安平镇科普协会（DC-C1-K1-T1）').click();
  await page.getByTestId('org-name').filter({ hasText: '安平镇科普协会' }).waitFor();
  // move the township under the other county
  await page.getByTestId('org-move').click();
  await pickOrg(page, 'move-parent', '河口县科学技术协会（DC-C1-K2）', 'DC-C1-K2');
  await page.getByTestId('move-submit').click();
  await page.locator('.kx-toast-success', { hasText: '已调整隶属关系' }).waitFor();
  await page.getByTestId('org-parent').filter({ hasText: '河口县科学技术协会' }).waitFor();
  await tree.getByText('河口县科学技术协会（DC-C1-K2）').click();
  await tree.getByText('安平镇科普协会（DC-C1-K1-T1）').waitFor();
  await tree.getByText('安平镇科普协会（DC-C1-K1-T1）').click();
  await page.getByRole('tab', { name: '隶属沿革' }).click();
  const history = page.getByTestId('org-history');
  await history.getByText('河口县科学技术协会（DC-C1-K2）').waitFor();
  assert.match(await history.innerText(), /安平县科学技术协会（DC-C1-K1）/);
  assert.match(await history.innerText(), /至今/);
  await page.screenshot({ path: join(SHOTS, 'orgs-moved-history.png') });
  await page.getByRole('tab', { name: '基本信息' }).click();
  // someone else edits meanwhile: our edit (old version) is refused with 412, shown in place
  const id = ids['DC-C1-K1-T1'];
  sql(s.db, `UPDATE org SET version = version + 1 WHERE id = ${id}`);
  await page.getByTestId('org-edit').click();
  await input(page, 'edit-name').fill('安平镇科普协会（改）');
  await page.getByTestId('edit-submit').click();
  const stale = page.locator('[data-test=edit-form] .el-form-item__error');
  await stale.waitFor();
  assert.match(await stale.innerText(), /已被他人修改/);
  await page.keyboard.press('Escape');
  // a child with a credit code whose check character is wrong
  await page.getByTestId('org-create').click();
  await input(page, 'create-code').fill('DC-NEW-UI');
  await input(page, 'create-name').fill('界面新建科协');
  await input(page, 'create-credit').fill('91350100M000100Y6X');
  await page.getByTestId('create-submit').click();
  const bad = page.locator('[data-test=create-form] .el-form-item__error');
  await bad.waitFor();
  assert.match(await bad.innerText(), /校验位不符/);
  await input(page, 'create-credit').fill('');
  await page.getByTestId('create-submit').click();
  await page.getByTestId('org-name').filter({ hasText: '界面新建科协' }).waitFor();
  await page.screenshot({ path: join(SHOTS, 'orgs-created.png') });
  assert.deepEqual(problems.filter((p) => !/^(412 PATCH|422 POST) /.test(p)), []);
  await ctx.close();
});

test('security admin: creates an account with a role; menus follow roles', async () => {
  const { page, ctx, problems } = await signedIn('security', '/users');
  // no audit menu for the security admin; users yes
  assert.equal(await page.getByTestId('menu-audit').count(), 0);
  await page.getByTestId('user-create').click();
  await input(page, 'new-login').fill('ui.zhang');
  await input(page, 'new-name').fill('张工');
  await input(page, 'new-password').fill('short');
  await pickOrg(page, 'new-org', '临江市科学技术协会（DC-C1）', 'DC-C1');
  await page.getByTestId('new-submit').click();
  const err = page.locator('[data-test=user-create-form] .el-form-item__error');
  await err.waitFor();
  assert.match(await err.innerText(), /密码太短/);
  await input(page, 'new-password').fill('Zhang-gong-2026!');
  await page.getByTestId('new-submit').click();
  await page.getByTestId('user-detail').getByText('张工（ui.zhang）').waitFor();
  assert.match(await page.getByTestId('user-roles').innerText(), /工作人员/);
  await page.getByTestId('users-table').getByText('ui.zhang').waitFor();
  await page.screenshot({ path: join(SHOTS, 'users.png') });
  assert.deepEqual(problems.filter((p) => !/^422 POST /.test(p)), []);
  await ctx.close();
});

test('my account: sessions with this browser marked, a token shown once', async () => {
  const { page, ctx, problems } = await signedIn('county.staff', '/account');
  await page.getByTestId('current-session').waitFor();
  await input(page, 'token-name').fill('报表脚本');
  await page.getByTestId('token-create').click();
  const shown = page.getByTestId('new-token');
  await shown.waitFor();
  assert.match(await shown.innerText(), /kx_[A-Za-z0-9_-]{43}/);
  await page.getByTestId('my-tokens').getByText('报表脚本').waitFor();
  await page.screenshot({ path: join(SHOTS, 'account.png') });
  // the staff member has no users or audit menu
  assert.equal(await page.getByTestId('menu-users').count(), 0);
  assert.equal(await page.getByTestId('menu-audit').count(), 0);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('audit admin: the trail shows the move with its changed fields', async () => {
  const { page, ctx, problems } = await signedIn('auditor', '/audit');
  await page.getByTestId('audit-action').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: '调整隶属' }).click();
  await page.getByTestId('audit-search').click();
  const table = page.getByTestId('audit-table');
  await table.getByText(/上级组织：安平县科学技术协会（DC-C1-K1） → 河口县科学技术协会（DC-C1-K2）/).first().waitFor();
  assert.match(await table.innerText(), /dc\.admin · 组织管理员/);
  assert.match(await table.innerText(), /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-csv').click()]);
  assert.match(dl.url(), /format=csv/);
  assert.match(dl.url(), /action=org\.move/);
  await page.screenshot({ path: join(SHOTS, 'audit.png') });
  assert.deepEqual(problems, []);
  await ctx.close();
});
