// forms.test.mjs - issue 13, "Forms and submissions", in Debian's Chromium: the forms list and
// the designer at 1440 and 390 px (axe, layout, raw-code checks, screenshots in
// build/e2e/forms/); a form designed in the browser (fields added and labelled, the live
// preview following, saved as version 1); then "try it" on a form with a repeating table and
// a sum rule: values with mistakes show their errors in place (the browser's checks, then the
// server's by field), fixed, and the server says they are valid.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, kexie } from '../api/lib.mjs';
import { launch, SHOTS, DESKTOP, PHONE, openPage, signInQuick, axeViolations, rawTextOnScreen, layoutProblems } from './browser.mjs';

const DIR = join(SHOTS, 'forms');
mkdirSync(DIR, { recursive: true });
let s, browser, token, formId;
const L = (zh, en) => ({ zh, en });
const SCHEMA = {
  fields: [
    { key: 'title', type: 'text', label: L('活动名称', 'Title'), required: true, max: 20 },
    { key: 'held_on', type: 'date', label: L('举办日期', 'Date'), required: true },
    { key: 'rows', type: 'table', label: L('分场活动', 'Sessions'), max: 5, columns: [
      { key: 'name', type: 'text', label: L('名称', 'Name'), required: true },
      { key: 'people', type: 'integer', label: L('人数', 'People'), min: 0 },
    ] },
    { key: 'people', type: 'integer', label: L('总人数', 'People in all'), required: true, rule: { sum: ['rows.people'] } },
    { key: 'cost', type: 'decimal', label: L('经费（元）', 'Cost (yuan)'), scale: 2, min: '0', help: L('保留两位小数', 'Two decimals') },
  ],
};

before(async () => {
  s = await startServer();
  browser = await launch();
  const t = kexie(['token', 'create', '--login', 'county.staff'], s.env);
  assert.equal(t.code, 0, t.stderr);
  token = t.stdout.trim();
  const orgs = await (await fetch(`${s.url}/api/v1/orgs?q=DC-C1-K1`, { headers: { authorization: `Bearer ${token}` } })).json();
  const r = await fetch(`${s.url}/api/v1/forms`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ org_id: orgs.items.find((o) => o.code === 'DC-C1-K1').id, code: 'e2e', name: '科普活动报告', schema: SCHEMA }),
  });
  assert.equal(r.status, 201, await r.clone().text());
  formId = (await r.json()).id;
});
after(async () => {
  await browser?.close();
  await s?.stop();
});

async function settle(page) {
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(250);
}
async function check(page, name, problems, { allow = [] } = {}) {
  await settle(page);
  await page.screenshot({ path: join(DIR, `${name}.png`), fullPage: true });
  assert.deepEqual(await layoutProblems(page), [], `${name}: layout`);
  assert.deepEqual(await rawTextOnScreen(page), [], `${name}: raw codes or ids on screen`);
  assert.deepEqual(await axeViolations(page), [], `${name}: axe serious/critical`);
  assert.deepEqual(problems.filter((p) => !allow.some((re) => re.test(p))), [], `${name}: console errors`);
}
const vp = (label) => ({ viewport: label === 'phone' ? PHONE : DESKTOP, isMobile: label === 'phone' });
const field = (page, key) => page.locator(`.el-tab-pane:visible [data-field="${key}"]`).first();
const errorOf = (page, key) => field(page, key).locator('.el-form-item__error');

for (const label of ['desktop', 'phone']) {
  test(`the forms list and a form's pages (${label}): built-in forms listed, designer and try-it laid out and accessible`, async () => {
    const { page, ctx, problems } = await openPage(browser, vp(label));
    await signInQuick(ctx, s, 'county.staff');
    await page.goto(`${s.url}/forms`);
    await page.locator('.kx-forms-table').getByText('月度工作简报').waitFor();
    await page.locator('.kx-forms-table').getByText('活动总结').waitFor();
    await check(page, `list-${label}`, problems);
    await page.locator('.kx-forms-table').getByText('科普活动报告').click();
    await page.waitForURL((u) => u.pathname === `/forms/${formId}`);
    await page.locator('.kx-designer').waitFor();
    await check(page, `designer-${label}`, problems);
    await page.getByRole('tab', { name: '试填' }).click();
    await field(page, 'title').waitFor();
    await page.getByRole('button', { name: '添加一行' }).click();
    await check(page, `try-${label}`, problems);
    await ctx.close();
  });
}

test('design a form in the browser: fields added and labelled, the preview follows, saved as version 1', async () => {
  const { page, ctx, problems } = await openPage(browser, vp('desktop'));
  await signInQuick(ctx, s, 'county.staff');
  await page.goto(`${s.url}/forms/new`);
  await page.locator('.kx-designer').waitFor();
  await page.locator('.kx-head-grid .el-form-item', { hasText: '代码' }).locator('input').fill('talks');
  await page.locator('.kx-head-grid .el-form-item', { hasText: /^名称/ }).locator('input').first().fill('讲座登记');
  for (const type of ['单行文本', '整数']) {
    await page.getByRole('button', { name: '添加字段' }).click();
    const item = page.locator('.el-dropdown-menu__item:visible', { hasText: new RegExp(`^${type}$`) });
    await item.click();
    await item.waitFor({ state: 'hidden' });
  }
  await page.locator('.kx-dz-list li').nth(1).waitFor();
  // the selected field (the integer) gets a label and a limit; the preview shows it at once
  const edit = page.locator('.kx-dz-edit');
  await edit.locator('.el-form-item', { hasText: '中文名称' }).locator('input').fill('听众人数');
  await edit.locator('.el-form-item', { hasText: /^最大/ }).locator('input').fill('500');
  await edit.getByText('必填', { exact: true }).click();
  const preview = page.locator('.kx-preview');
  await preview.getByText('听众人数').waitFor();
  await preview.locator('[data-field=field2] input').fill('501');
  await preview.locator('[data-field=field2] input').blur();
  await preview.locator('[data-field=field2] .el-form-item__error').waitFor();
  assert.match(await preview.locator('[data-field=field2] .el-form-item__error').innerText(), /500/);
  await page.getByRole('button', { name: '保存' }).click();
  await page.waitForURL((u) => /^\/forms\/\d+$/.test(u.pathname));
  await page.locator('.el-message--success').waitFor();
  assert.match(await page.locator('.kx-page-head').innerText(), /讲座登记\s*v1/);
  const id = Number(new URL(page.url()).pathname.split('/').pop());
  const f = await (await fetch(`${s.url}/api/v1/forms/${id}`, { headers: { authorization: `Bearer ${token}` } })).json();
  assert.deepEqual(f.schema.fields.map((x) => [x.type, x.label.zh, x.required, x.max ?? null]), [['text', '单行文本', false, null], ['integer', '听众人数', true, 500]]);
  assert.deepEqual(problems, []);
  await ctx.close();
});

for (const label of ['desktop', 'phone']) {
  test(`try it (${label}): mistakes shown in place, by the browser and then by the server, fixed, valid`, async () => {
    const { page, ctx, problems } = await openPage(browser, vp(label));
    await signInQuick(ctx, s, 'county.staff');
    await page.goto(`${s.url}/forms/${formId}`);
    await page.getByRole('tab', { name: '试填' }).click();
    await field(page, 'title').waitFor();
    // the check with nothing filled in: every required field says so
    await page.getByRole('button', { name: '服务器校验' }).click();
    for (const key of ['title', 'held_on', 'people']) {
      await errorOf(page, key).waitFor();
      assert.match(await errorOf(page, key).innerText(), /必填/, key);
    }
    // a table row whose name is missing, and a total that does not add up
    await field(page, 'title').locator('input').fill('科普日');
    await field(page, 'held_on').locator('input').fill('2026-09-16');
    await field(page, 'held_on').locator('input').press('Enter');
    await page.getByRole('button', { name: '添加一行' }).click();
    await page.getByRole('button', { name: '添加一行' }).click();
    await field(page, 'rows[0].name').locator('input').fill('讲座');
    await field(page, 'rows[0].people').locator('input').fill('30');
    await field(page, 'rows[1].people').locator('input').fill('12');
    await field(page, 'people').locator('input').fill('40');
    await field(page, 'cost').locator('input').fill('12.345');
    await page.getByRole('button', { name: '服务器校验' }).click();
    await errorOf(page, 'rows[1].name').waitFor();
    assert.match(await errorOf(page, 'rows[1].name').innerText(), /必填/);
    assert.match(await errorOf(page, 'cost').innerText(), /2 位小数/);
    await page.screenshot({ path: join(DIR, `try-errors-${label}.png`), fullPage: true });
    // fixed in the browser, the sum is the server's to judge: its error lands on the total
    await field(page, 'rows[1].name').locator('input').fill('展览');
    await field(page, 'cost').locator('input').fill('12.34');
    await errorOf(page, 'rows[1].name').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: '服务器校验' }).click();
    await errorOf(page, 'people').waitFor();
    assert.match(await errorOf(page, 'people').innerText(), /42/);
    await field(page, 'people').locator('input').fill('42');
    await page.getByRole('button', { name: '服务器校验' }).click();
    await page.locator('.el-message--success', { hasText: '校验通过' }).waitFor();
    const left = page.locator('.el-tab-pane:visible .el-form-item__error');
    await page.waitForFunction(() => !document.querySelector('.el-tab-pane:not([style*="none"]) .el-form-item__error'), null, { timeout: 3000 }).catch(() => {});
    assert.deepEqual(await left.allInnerTexts(), []);
    await page.mouse.move(0, 0); // the hovered button's lighter shade is not what is checked
    await page.evaluate(() => document.activeElement?.blur());
    await check(page, `try-valid-${label}`, problems, { allow: [/^422 POST \/api\/v1\/forms\/\d+\/validate$/] });
    await ctx.close();
  });
}
