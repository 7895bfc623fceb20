// shell.test.mjs - browser journeys through the web shell, in Debian's real Chromium
// driven by playwright-core. Screenshots land in build/e2e/ for people to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer } from '../api/lib.mjs';
import { launch, SHOTS, openPage, signIn, input, pickOrg } from './browser.mjs';

let s, browser;
before(async () => {
  s = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await s?.stop();
});

const open = async (path, opts = {}) => {
  const p = await openPage(browser, { viewport: { width: 1280, height: 800 }, ...opts });
  await p.page.goto(`${s.url}${path}`);
  return p;
};

test('the shell loads in Simplified Chinese; a guest sees only the sign-in page', async () => {
  const { page, ctx, problems } = await open('/');
  await page.waitForURL(/\/login$/);
  await page.getByTestId('login-form').waitFor();
  assert.equal(await page.getByTestId('brand').innerText(), '科协工作平台');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  assert.equal(await page.locator('.side-menu').count(), 0, 'no menu for guests');
  assert.equal(await page.getByTestId('welcome').count(), 0, 'no workbench for guests');
  assert.match(await page.title(), /登录科协工作平台/);
  await signIn(page, s, 'county.staff', '/');
  await page.getByTestId('welcome').waitFor();
  assert.equal(await page.getByTestId('welcome').innerText(), '欢迎使用科协工作平台');
  await page.locator('[data-test=chart] canvas').waitFor();
  assert.equal(await page.title(), '科协工作平台');
  await page.screenshot({ path: join(SHOTS, 'home-zh.png') });
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('switching to English relabels the frame and is remembered', async () => {
  const { page, ctx, problems } = await open('/login');
  await page.getByTestId('lang').click();
  await page.getByTestId('lang-en').click();
  await page.getByText('S&T Association Platform').first().waitFor();
  await page.reload();
  await page.getByTestId('login-form').waitFor();
  assert.equal(await page.getByTestId('brand').innerText(), 'S&T Association Platform');
  await signIn(page, s, 'county.staff', '/');
  assert.equal(await page.getByTestId('welcome').innerText(), 'Welcome to the S&T association platform');
  await page.screenshot({ path: join(SHOTS, 'home-en.png') });
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('the status page shows version and database kind, with breadcrumb and tab title', async () => {
  const { page, ctx, problems } = await openPage(browser);
  await signIn(page, s, 'county.staff', '/about');
  await page.getByTestId('db-kind').waitFor();
  const kind = await page.getByTestId('db-kind').innerText();
  const health = await (await fetch(`${s.url}/healthz`)).json();
  assert.equal(kind, health.database === 'postgresql' ? 'PostgreSQL' : 'SQLite');
  assert.match(await page.getByTestId('version').innerText(), /^\d+\.\d+\.\d+/);
  assert.equal(await page.getByTestId('db-ok').innerText(), '正常');
  assert.match(await page.getByTestId('breadcrumb').innerText(), /系统\s*\/\s*系统状态/);
  assert.equal(await page.title(), '系统状态 - 科协工作平台');
  await page.screenshot({ path: join(SHOTS, 'about.png') });
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('regions: pinyin order, and a server field error lands on its form field', async () => {
  const { page, ctx, problems } = await openPage(browser);
  await signIn(page, s, 'county.staff', '/regions');
  await page.getByTestId('regions-table').getByText('北京市').waitFor();
  await page.getByTestId('sort-name').click();
  await page.waitForFunction(() => document.querySelector('[data-test=regions-table] tbody tr td:nth-child(2)')?.textContent?.trim() === '安徽省');
  await input(page, 'parent').fill('990099');
  await page.getByTestId('search').click();
  const err = page.locator('.el-form-item__error');
  await err.waitFor();
  assert.equal(await err.innerText(), '不存在'); // the code translated, not the English message
  await page.screenshot({ path: join(SHOTS, 'regions-field-error.png') });
  assert.deepEqual(problems.filter((p) => !/^404 GET \/api\/v1\/regions/.test(p)), []);
  await ctx.close();
});

test('an unknown page shows the 404 page inside the frame', async () => {
  const { page, ctx, problems } = await openPage(browser);
  await signIn(page, s, 'county.staff', '/');
  await page.goto(`${s.url}/no/such/page`);
  await page.getByTestId('not-found').waitFor();
  assert.match(await page.getByTestId('not-found').innerText(), /页面不存在/);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('sign in (errors in place), move in the tree with a 409 shown, sign out', async () => {
  const { page, ctx, problems } = await open('/orgs');
  await page.waitForURL(/\/login\?next=(%2F|\/)orgs/);
  await input(page, 'login-name').fill('dc.admin');
  await input(page, 'login-password').fill('not-the-password');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('login-error').waitFor();
  assert.match(await page.getByTestId('login-error').innerText(), /账号或密码错误/);
  await input(page, 'login-password').fill(s.demoPassword);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/orgs$/);
  await page.getByTestId('user').filter({ hasText: '东川省科协管理员' }).waitFor(); // the frame loads on demand: no short timeout
  // the tree starts at the user's scope: the province DC
  await page.getByTestId('org-tree').getByText('东川省科学技术协会（DC）').click();
  await page.getByTestId('org-tree').getByText('临江市科学技术协会（DC-C1）').waitFor();
  // move the province under its own city: refused with 409, shown on the field
  await page.getByTestId('org-move').click();
  await pickOrg(page, 'move-parent', '临江市科学技术协会（DC-C1）', 'DC-C1');
  await page.getByTestId('move-submit').click();
  const err = page.locator('[data-test=move-form] .el-form-item__error');
  await err.waitFor();
  assert.match(await err.innerText(), /不能调整到自身或其下级组织之下/);
  await page.screenshot({ path: join(SHOTS, 'orgs-move-409.png') });
  await page.keyboard.press('Escape');
  // sign out: the session ends and the protected page asks to sign in again
  await page.getByTestId('user').click();
  await page.getByTestId('logout').click();
  await page.waitForURL(/\/login/);
  await page.goto(`${s.url}/orgs`);
  await page.waitForURL(/\/login/);
  // 401 for the deliberately wrong password and the 409 are the only errors allowed
  assert.deepEqual(problems.filter((p) => !/^(401 POST \/api\/v1\/session|409 POST \/api\/v1\/orgs\/\d+\/move)$/.test(p)), []);
  await ctx.close();
});
