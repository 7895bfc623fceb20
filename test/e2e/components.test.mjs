// components.test.mjs - the shared components (web/src/components/) on the hidden page
// /dev/components, against a real server: OrgPicker (lazy children, search, value and
// name), AccountPicker, DateRangePicker, PagedTable (count, more, remembered columns),
// ConfirmButton, MaskedValue, the feedback helpers (toast, field errors by code with params,
// the rest in the alert).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../api/lib.mjs';
import { launch, SHOTS, openPage, signIn, input, pickOrg, axeViolations, layoutProblems, PHONE } from './browser.mjs';
import { ROOT } from '../api/lib.mjs';

let s, browser, page, ctx, problems;
before(async () => {
  s = await startServer();
  browser = await launch();
  ({ page, ctx, problems } = await openPage(browser));
  await signIn(page, s, 'security', '/dev/components');
});
after(async () => {
  await ctx?.close();
  await browser?.close();
  await s?.stop();
});
const value = (id) => page.getByTestId(id).innerText();

test('OrgPicker: children load lazily, search finds by code, the value is an id with a name', async () => {
  const children = [];
  page.on('request', (r) => { if (/\/api\/v1\/orgs\/\d+\/children/.test(r.url())) children.push(r.url()); });
  const box = page.getByTestId('demo-org-picker').first();
  await box.click();
  await page.locator('.org-picker-pop .el-tree-node__content:visible', { hasText: '中国科学技术协会' }).locator('.el-tree-node__expand-icon').click();
  await page.locator('.org-picker-pop .el-tree-node__content:visible', { hasText: '东川省科学技术协会（DC）' }).waitFor();
  assert.equal(children.length, 1, 'one branch opened, one children request');
  await page.getByTestId('demo-masked').click(); // click outside: the dropdown closes
  await page.locator('.org-picker-pop').first().waitFor({ state: 'hidden' });
  await pickOrg(page, 'demo-org-picker', '临江市科学技术协会（DC-C1）', 'DC-C1');
  assert.match(await value('demo-org-value'), /^\d+\|临江市科学技术协会$/);
  assert.match(await box.innerText(), /临江市科学技术协会（DC-C1）/);
});

test('AccountPicker: finds an account by part of its login', async () => {
  const box = page.getByTestId('demo-account-picker').first();
  await box.click();
  await box.locator('input').first().fill('dc.ad');
  await page.locator('.el-select-dropdown__item:visible', { hasText: '东川省科协管理员（dc.admin）' }).click();
  assert.match(await value('demo-account-value'), /^\d+\|dc\.admin$/);
});

test('DateRangePicker: an inverted range is refused with a message', async () => {
  for (const [id, v] of [['range-from', '2026-05-01'], ['range-to', '2026-04-01']]) {
    const i = input(page, id);
    await i.click();
    await i.fill(v);
    await i.press('Enter');
    await page.keyboard.press('Escape');
  }
  await page.getByTestId('range-error').filter({ hasText: '起始日期不能晚于截止日期' }).waitFor();
  assert.equal(await value('demo-range-valid'), 'invalid');
});

test('PagedTable: count, more, and column settings remembered across reloads', async () => {
  const table = page.getByTestId('table-demo');
  assert.match(await table.getByTestId('table-count').innerText(), /共 3\+ 条/);
  await table.getByTestId('table-columns').click();
  await page.getByTestId('col-b').click();
  await page.waitForFunction(() => ![...document.querySelectorAll('[data-test=table-demo] th')].some((th) => th.textContent.trim() === '乙'));
  await page.reload();
  await page.getByTestId('table-demo').locator('th', { hasText: '甲' }).waitFor();
  assert.equal(await page.getByTestId('table-demo').locator('th', { hasText: '乙' }).count(), 0);
  assert.equal(await page.getByTestId('table-demo').locator('th', { hasText: '丙' }).count(), 1);
});

test('ConfirmButton: nothing happens unless confirmed', async () => {
  await page.getByTestId('demo-confirm-button').click();
  await page.locator('.kx-confirm').getByText('确定撤销“示例”吗？', { exact: false }).waitFor();
  await page.locator('.kx-confirm').getByRole('button', { name: '取消' }).click();
  await page.waitForTimeout(300);
  assert.equal(await value('demo-confirmed'), '0');
  await page.getByTestId('demo-confirm-button').click();
  await page.locator('.kx-confirm .el-button--danger').click();
  await page.getByTestId('demo-confirmed').filter({ hasText: '1' }).waitFor();
});

test('MaskedValue: masked until shown', async () => {
  const m = page.getByTestId('demo-masked').getByTestId('masked');
  assert.equal(await m.first().getByTestId('masked-text').innerText(), '138****5678');
  assert.equal(await m.nth(1).getByTestId('masked-text').innerText(), '1101************2X');
  await m.first().getByTestId('masked-toggle').click();
  assert.equal(await m.first().getByTestId('masked-text').innerText(), '13812345678');
});

test('feedback: a success toast; field errors by code with params on their fields, the rest in the alert', async () => {
  await page.getByTestId('demo-success').click();
  await page.locator('.kx-toast-success', { hasText: '已新建：示例' }).waitFor();
  await page.getByTestId('demo-fail').click();
  const errs = await page.locator('[data-test=demo-form] .el-form-item__error').allInnerTexts();
  assert.deepEqual(errs, ['最多 200 个字符；账号：账号为 2 至 64 位小写字母、数字或 . _ - @', '必填']);
  const alert = page.getByTestId('demo-feedback').getByTestId('api-error');
  assert.match(await alert.innerText(), /部分字段填写有误/);
  assert.match(await alert.innerText(), /账号：账号为 2 至 64 位小写字母、数字或 \. _ - @/);
  assert.doesNotMatch(await alert.innerText(), /fields are invalid|at most/);
  await page.screenshot({ path: join(SHOTS, 'components.png'), fullPage: true });
});

test('FileUpload: choose and drop files, progress, refusals in words, thumbnails, download links, remove after confirming, at 390 px', async () => {
  // an org admin (file.write) on a phone-sized page; refusals answer 422, which this context expects
  const p = await openPage(browser, { viewport: PHONE, isMobile: true });
  try {
    await signIn(p.page, s, 'dc.admin', '/dev/components');
    const box = p.page.getByTestId('demo-files');
    await box.waitFor();
    const fixtures = join(ROOT, 'test/api/fixtures');
    await box.getByTestId('file-input').setInputFiles([join(fixtures, 'tiny.png'), join(fixtures, 'tiny.jpg')]);
    await box.getByTestId('file-item').nth(1).waitFor();
    await p.page.locator('.kx-toast-success', { hasText: '已添加附件' }).first().waitFor();
    assert.equal(await box.getByTestId('demo-files-count').innerText(), '2');
    // thumbnails really load (an <img> of the server's thumbnail, decoded by the browser)
    await p.page.waitForFunction(() => [...document.querySelectorAll('[data-test=file-thumb]')].every((i) => i.complete && i.naturalWidth === 256));
    const href = await box.getByTestId('file-link').first().getAttribute('href');
    assert.match(href, /^\/api\/v1\/files\/\d+$/);
    const dl = await p.page.request.get(`${s.url}${href}`);
    assert.equal(dl.status(), 200);
    assert.match(dl.headers()['content-disposition'], /^attachment;/);
    // dropped onto the zone: an SVG with a script named .png and an HTML page named .jpg are refused, by reason
    const drop = async (name, text) => {
      const dt = await p.page.evaluateHandle(([n, t]) => { const d = new DataTransfer(); d.items.add(new File([t], n)); return d; }, [name, text]);
      await box.getByTestId('file-drop').dispatchEvent('drop', { dataTransfer: dt });
    };
    await drop('cat.png', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    await drop('photo.jpg', '<html><script>alert(1)</script></html>');
    await box.getByTestId('file-error').nth(1).waitFor();
    const why = await box.getByTestId('file-error').allInnerTexts();
    assert.deepEqual(why.sort(), ['不接受 SVG 图片（可能含有脚本）', '不接受网页文件（即使改成了图片的扩展名）'].sort());
    assert.equal(await box.getByTestId('demo-files-count').innerText(), '2');
    assert.deepEqual(await layoutProblems(p.page), []);
    // accessibility of the component itself (the demo page's other blocks are not under test here)
    await axeViolations(p.page); // loads axe-core into the page
    const axe = await p.page.evaluate(async () => (await window.axe.run('[data-test=demo-files]', { resultTypes: ['violations'] }))
      .violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
    assert.deepEqual(axe, []);
    await box.scrollIntoViewIfNeeded();
    await box.screenshot({ path: join(SHOTS, 'file-upload-390.png') });
    // remove asks first; cancelled nothing changes, confirmed the file is detached
    await box.getByTestId('file-remove').first().click();
    await p.page.locator('.kx-confirm').getByRole('button', { name: '取消' }).click();
    assert.equal(await box.getByTestId('demo-files-count').innerText(), '2');
    await box.getByTestId('file-remove').first().click();
    await p.page.locator('.kx-confirm .el-button--danger').click();
    await box.getByTestId('demo-files-count').filter({ hasText: '1' }).waitFor();
    assert.deepEqual(p.problems.filter((x) => !/^422 POST \/api\/v1\/files$/.test(x)), []);
  } finally {
    await p.ctx.close();
  }
});

// ImportWizard and ExportButton are tested where staff use them: orgio.test.mjs (the
// organizations page).

test('no console errors on the components page', () => {
  assert.deepEqual(problems, []);
});
