// members.test.mjs - the member register's pages (issue 12) in Debian's Chromium, as an org
// administrator: the list, the person drawer, the create form, the expiry list and the
// member settings at 1440 and 390 px (screenshots in build/e2e/members/, axe, nothing wider
// than the window, no raw codes); a person registered through the form with a bad ID number
// (the error on the field) and then a good one; the duplicate linking to the person; a
// reveal with a reason; an edit with a gender the ID number contradicts (errors on both
// fields) and a stale edit (412: reload); a membership added and a payment recorded; the
// expiring and lapsed lists; the settings saved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, sql, userWithToken, beijingDate } from '../api/lib.mjs';
import { launch, SHOTS, DESKTOP, PHONE, openPage, signInQuick, input, pickOrg, axeViolations, rawTextOnScreen, layoutProblems } from './browser.mjs';

let s, browser, tok, ids, seeded;
const DIR = join(SHOTS, 'members');
mkdirSync(DIR, { recursive: true });

function idWithCheck(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((a, c, i) => a + Number(c) * w[i], 0);
  return first17 + '10X98765432'[sum % 11];
}
const ID_MALE = idWithCheck('11010519850307123'); // male, born 1985-03-07
const ID_FORM = idWithCheck('32010219700101003'); // male, born 1970-01-01: registered through the form
const bad = (id) => id.slice(0, 17) + (id[17] === '0' ? '1' : '0'); // the same with a wrong check character

const api = async (method, path, body, headers = {}) => {
  const r = await fetch(`${s.url}${path}`, {
    method, headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json', ...headers }, body: body ? JSON.stringify(body) : undefined,
  });
  const j = await r.json().catch(() => null);
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j)}`);
  return j;
};
const monthsAgo = (n, plusDays = 0) => {
  const d = new Date(Date.now() + 8 * 3600e3);
  d.setUTCMonth(d.getUTCMonth() - n);
  d.setUTCDate(d.getUTCDate() + plusDays);
  return d.toISOString().slice(0, 10);
};

before(async () => {
  s = await startServer();
  browser = await launch();
  ids = Object.fromEntries(sql(s.db, 'SELECT code, id FROM org').trim().split('\n').map((l) => l.split('|')));
  tok = userWithToken(s.env, 'mweb.admin', 'org_admin', 'DC');
  const K1 = Number(ids['DC-C1-K1']);
  await api('PUT', `/api/v1/orgs/${K1}/member-config`, { number_pattern: 'AP{year}-{seq:4}', terms: [{ category: 'individual', term_months: 12, fee_cents: 5000 }, { category: 'student', term_months: 6, fee_cents: 1000 }] });
  const a = await api('POST', '/api/v1/members', { org_id: K1, name: '王建国', id_number: ID_MALE, mobile: '13800138000', education: '本科', title_level: '副高级', political_status: '中共党员', work_unit: '安平县农业技术推广站', tags: ['senior_expert'] });
  const b = await api('POST', '/api/v1/members', { org_id: K1, name: '阿依古丽·买买提', mobile: '13912345678', gender: '女', birth_date: '1992-06-11', education: '硕士研究生' });
  const c = await api('POST', '/api/v1/members', { org_id: K1, name: '单田芳', mobile: '13700000009', title_level: '中级' });
  // a's term ends within 30 days; c's ended a year ago (lapsed)
  const ma = await api('POST', '/api/v1/memberships', { org_id: K1, person_id: a.id, category: 'individual', joined_on: monthsAgo(12, 10) });
  await api('POST', `/api/v1/memberships/${ma.id}/payments`, { amount_cents: 5000, method: 'cash', paid_on: monthsAgo(12, 10) });
  const mc = await api('POST', '/api/v1/memberships', { org_id: K1, person_id: c.id, category: 'individual', joined_on: monthsAgo(24) });
  await api('POST', `/api/v1/memberships/${mc.id}/payments`, { amount_cents: 5000, method: 'wechat', paid_on: monthsAgo(24) });
  await api('POST', '/api/v1/memberships', { org_id: K1, person_id: b.id, category: 'student', joined_on: beijingDate(-3) });
  // a page and a bit of people in the neighbouring county, for "more"
  const K2 = Number(ids['DC-C1-K2']);
  for (let i = 0; i < 55; i++) await api('POST', '/api/v1/members', { org_id: K2, name: `张测试${i}号`, mobile: `1350000${String(1000 + i)}` });
  seeded = { a, b, c, ma, mc };
});
after(async () => {
  await browser?.close();
  await s?.stop();
});

async function settle(page) {
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(200);
}
async function checkPage(page, name, problems, { allow = [] } = {}) {
  await settle(page);
  await page.screenshot({ path: join(DIR, `${name}.png`), fullPage: true });
  assert.deepEqual(await layoutProblems(page), [], `${name}: layout`);
  assert.deepEqual(await rawTextOnScreen(page), [], `${name}: raw codes or ids on screen`);
  assert.deepEqual(await axeViolations(page), [], `${name}: axe serious/critical`);
  assert.deepEqual(problems.filter((p) => !allow.some((re) => re.test(p))), [], `${name}: console errors`);
}
async function session(viewport) {
  const p = await openPage(browser, { viewport, isMobile: viewport === PHONE });
  await signInQuick(p.ctx, s, 'dc.admin');
  return p;
}
// The form item that holds the control with test id `id`, and its error text.
const itemOf = (page, id) => page.locator('.el-form-item', { has: page.locator(`[data-test=${id}]`) }).last();
const errorOf = (page, id) => itemOf(page, id).locator('.el-form-item__error');
async function choose(page, id, text) {
  await page.locator(`[data-test=${id}]`).last().click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
}
// pickOrg (browser.mjs) for a picker inside a dialog over a drawer: the tree-select hands its
// test id to its (hidden) tree as well, so take the visible box
async function pickOrgIn(page, testId, text, query = text) {
  await pickOrg(page, testId, text, query, page.locator(`[data-test=${testId}]:not([role=tree]):visible`).first());
}
const toast = (page) => page.locator('.kx-toast-success').last();
// waits for `loc`; on a timeout leaves a screenshot of what was there instead
async function expectShown(page, loc, name, problems = []) {
  try {
    await loc.waitFor({ timeout: 10000 });
  } catch (e) {
    await page.screenshot({ path: join(DIR, `FAILED-${name}.png`), fullPage: true });
    throw new Error(`${e.message}\n${problems.join('\n')}`);
  }
}

for (const [vp, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`member pages at ${viewport.width}px: list, drawer, create form, expiry, settings`, async () => {
    const { page, ctx, problems } = await session(viewport);
    await page.goto(`${s.url}/members`);
    const list = vp === 'desktop' ? 'members-table' : 'members-cards';
    await page.getByTestId(list).getByText('王建国').first().waitFor();
    const text = await page.getByTestId(list).innerText();
    assert.match(text, /110\*{11}\d{3}[\dX]/, 'the ID number masked by the server');
    assert.match(text, /138\*{4}8000/);
    assert.ok(!text.includes(ID_MALE) && !text.includes('13800138000'), 'no full value in the list');
    if (vp === 'desktop') assert.match(text, /副高级/); // codes as words
    await checkPage(page, `list-${vp}`, problems);
    if (vp === 'phone') {
      assert.equal(await page.getByTestId('member-f-gender').count(), 0, 'filters folded away on a phone');
      await page.getByTestId('member-more-filters').click();
      await page.getByTestId('member-f-gender').waitFor();
      await checkPage(page, `list-filters-${vp}`, problems);
    }

    await page.getByTestId(list).getByText('王建国').first().click();
    await page.getByTestId('person-detail').waitFor();
    await page.getByTestId('membership').first().waitFor();
    const detail = await page.getByTestId('person-detail').innerText();
    for (const w of ['男', '1985-03-07', '中共党员', '大学本科', '副高级', '老科技工作者', '正常']) assert.ok(detail.includes(w), `${w} in the detail`);
    assert.match(detail, /AP\d{4}-\d{4}/);
    await checkPage(page, `drawer-${vp}`, problems);
    await page.keyboard.press('Escape');

    await page.getByTestId('member-create').click();
    await page.getByTestId('member-create-form').waitFor();
    await checkPage(page, `create-${vp}`, problems);
    await ctx.close();

    const p2 = await session(viewport);
    await p2.page.goto(`${s.url}/members/expiry`);
    await p2.page.getByText('王建国').first().waitFor();
    await checkPage(p2.page, `expiry-${vp}`, p2.problems);
    await p2.page.goto(`${s.url}/members/settings`);
    await p2.page.getByTestId('member-settings').waitFor();
    await checkPage(p2.page, `settings-${vp}`, p2.problems);
    await p2.ctx.close();
  });
}

test('register through the form: a bad ID number is refused on its field, a good one registers; the duplicate links to the person', async () => {
  const { page, ctx, problems } = await session(DESKTOP);
  await page.goto(`${s.url}/members`);
  await page.getByTestId('members-table').waitFor();
  await page.getByTestId('member-create').click();
  await pickOrg(page, 'person-org', 'DC-C1-K1', 'DC-C1-K1');
  await input(page, 'person-name').fill('曾国藩');
  await input(page, 'person-id-number').fill(bad(ID_FORM));
  await page.getByTestId('member-create-submit').click();
  await errorOf(page, 'person-id-number').waitFor();
  assert.match(await errorOf(page, 'person-id-number').innerText(), /校验位/);
  await page.screenshot({ path: join(DIR, 'create-bad-id.png'), fullPage: true });
  // Excel's lost precision says so
  await input(page, 'person-id-number').fill('1.10105E+17');
  await page.getByTestId('member-create-submit').click();
  await page.waitForFunction(() => /Excel/.test(document.body.innerText));
  await input(page, 'person-id-number').fill(ID_FORM);
  await input(page, 'person-mobile').fill('133 0000 0001');
  await page.getByTestId('member-create-submit').click();
  await expectShown(page, toast(page), 'create-good', problems);
  assert.match(await toast(page).innerText(), /已登记：曾国藩/);
  await page.getByTestId('person-detail').waitFor();
  const detail = await page.getByTestId('person-detail').innerText();
  assert.match(detail, /1970-01-01/, 'birth date read from the number');
  assert.ok(!detail.includes(ID_FORM), 'masked after registering');
  await page.keyboard.press('Escape');
  // the same number again: the error names the field and links to the person
  await page.getByTestId('member-create').click();
  await input(page, 'person-name').fill('曾国藩');
  await input(page, 'person-id-number').fill(ID_FORM.toLowerCase());
  await page.getByTestId('member-create-submit').click();
  await errorOf(page, 'person-id-number').waitFor();
  assert.match(await errorOf(page, 'person-id-number').innerText(), /已登记/);
  await page.getByTestId('member-existing').click();
  await page.getByTestId('person-detail').waitFor();
  assert.match(await page.getByTestId('person-drawer').innerText(), /曾国藩/);
  assert.deepEqual(problems.filter((p) => !/^(422|409) POST \/api\/v1\/members$/.test(p)), []);
  await ctx.close();
});

test('reveal: a reason is required, the full value shows in the dialog and is gone when it closes', async () => {
  const { page, ctx, problems } = await session(PHONE);
  await page.goto(`${s.url}/members?id=${seeded.a.id}`);
  await page.getByTestId('person-detail').waitFor();
  await page.getByTestId('reveal-id_number').click();
  await page.getByTestId('reveal-submit').click();
  await page.getByText('请填写 2 至 200 个字的原因').waitFor();
  await page.screenshot({ path: join(DIR, 'reveal-reason-phone.png'), fullPage: true });
  await page.locator('textarea[data-test=reveal-reason]').fill('核对评奖材料');
  await page.getByTestId('reveal-submit').click();
  await page.getByTestId('revealed-value').waitFor();
  assert.equal(await page.getByTestId('revealed-value').innerText(), ID_MALE);
  await page.screenshot({ path: join(DIR, 'reveal-phone.png'), fullPage: true });
  assert.deepEqual(await axeViolations(page), []);
  await page.getByTestId('reveal-close').click();
  await page.getByTestId('revealed-value').waitFor({ state: 'detached' });
  assert.ok(!(await page.locator('body').innerText()).includes(ID_MALE), 'hidden again after closing');
  // nothing of it kept in the page's storage
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!stored.includes(ID_MALE));
  const audit = sql(s.db, `SELECT detail FROM audit_log WHERE action = 'person.reveal' AND object_id = '${seeded.a.id}'`);
  assert.match(audit, /核对评奖材料/);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('edit: a gender the ID number contradicts is refused on both fields; a stale version asks to reload; a good edit saves', async () => {
  const { page, ctx, problems } = await session(DESKTOP);
  await page.goto(`${s.url}/members?id=${seeded.a.id}`);
  await page.getByTestId('person-detail').waitFor();
  await page.getByTestId('person-edit').click();
  await choose(page, 'person-gender', '女');
  await page.getByTestId('person-save').click();
  await errorOf(page, 'person-gender').waitFor();
  assert.match(await errorOf(page, 'person-gender').innerText(), /性别与身份证号不符/);
  assert.match(await errorOf(page, 'person-id-number').innerText(), /性别与身份证号不符/);
  await page.screenshot({ path: join(DIR, 'edit-mismatch.png'), fullPage: true });
  // someone else changes the person meanwhile
  await choose(page, 'person-gender', '男');
  const now = await api('GET', `/api/v1/members/${seeded.a.id}`);
  await api('PATCH', `/api/v1/members/${seeded.a.id}`, { position: '站长' }, { 'if-match': `"${now.version}"` });
  await input(page, 'person-title').fill('推广研究员');
  await page.getByTestId('person-save').click();
  await page.getByTestId('person-stale').waitFor();
  assert.match(await page.getByTestId('person-stale').innerText(), /已被他人修改/);
  await page.getByTestId('person-reload').click();
  await toast(page).waitFor();
  await input(page, 'person-title').fill('推广研究员');
  await page.getByTestId('person-save').click();
  await page.getByTestId('person-fields').waitFor();
  const detail = await page.getByTestId('person-fields').innerText();
  assert.match(detail, /推广研究员/);
  assert.match(detail, /站长/, 'the other change was kept');
  assert.deepEqual(problems.filter((p) => !/^(422|412) PATCH \/api\/v1\/members\/\d+$/.test(p)), []);
  await ctx.close();
});

test('memberships: one added with a number from the pattern, a payment recorded in yuan, one ended after asking', async () => {
  const { page, ctx, problems } = await session(PHONE);
  await page.goto(`${s.url}/members?id=${seeded.b.id}`);
  await page.getByTestId('person-detail').waitFor();
  await page.getByTestId('membership').first().waitFor();
  const before = await page.getByTestId('membership').count();
  await page.getByTestId('ms-add').click();
  await pickOrgIn(page, 'ms-org', 'DC-C1-K1', 'DC-C1-K1');
  await choose(page, 'ms-category', '个人会员');
  await page.getByTestId('ms-join-submit').click();
  // the same org twice: refused (she is a student member there already)
  await page.locator('[data-test=ms-join-dialog] .el-form-item__error').first().waitFor();
  assert.match(await page.getByTestId('ms-join-dialog').innerText(), /已是该组织的会员/);
  await pickOrgIn(page, 'ms-org', '东川省科学技术协会', '东川省科学技术协会');
  await page.getByTestId('ms-join-submit').click();
  await toast(page).waitFor();
  assert.match(await toast(page).innerText(), /已添加会籍/);
  await page.waitForFunction((n) => document.querySelectorAll('[data-test=membership]').length === n + 1, before);
  // pay the student membership: ¥10.00 -> 1000 fen
  const student = page.getByTestId('membership').filter({ hasText: '学生会员' });
  await student.getByTestId('ms-pay').click();
  await input(page, 'pay-amount').fill('abc');
  await page.getByTestId('pay-submit').click();
  await page.getByText('请填写金额').waitFor();
  await input(page, 'pay-amount').fill('10');
  await input(page, 'pay-receipt').fill('R-2026-001');
  await page.getByTestId('pay-submit').click();
  await page.locator('.kx-toast-success', { hasText: '已登记缴费' }).waitFor();
  await student.getByTestId('payment').first().waitFor();
  assert.match(await student.getByTestId('payment').first().innerText(), /¥10\.00/);
  assert.equal(sql(s.db, "SELECT amount_cents FROM dues_payment WHERE receipt_no = 'R-2026-001'").trim(), '1000');
  await page.screenshot({ path: join(DIR, 'memberships-phone.png'), fullPage: true });
  // end the new one: a reason, then a confirmation
  const added = page.getByTestId('membership').filter({ hasText: '东川省科学技术协会' });
  await added.getByTestId('ms-end').click();
  await input(page, 'ms-end-reason').fill('本人申请退会');
  await page.getByTestId('ms-end-submit').click();
  await page.locator('.kx-confirm').waitFor();
  await page.locator('.kx-confirm .el-button--danger').click();
  await page.locator('.kx-toast-success', { hasText: '已终止会籍' }).waitFor();
  await added.getByTestId('ms-status').filter({ hasText: '已退会' }).waitFor();
  assert.deepEqual(problems.filter((p) => !/^409 POST \/api\/v1\/memberships$/.test(p)), []);
  await ctx.close();
});

test('expiry: expiring within 30 days and lapsed, under a subtree', async () => {
  const { page, ctx, problems } = await session(DESKTOP);
  await page.goto(`${s.url}/members/expiry`);
  const table = page.getByTestId('expiry-table');
  await table.getByText('王建国').waitFor();
  assert.ok(!(await table.innerText()).includes('单田芳'), 'a lapsed one is not expiring');
  await page.getByTestId('expiry-lapsed').click();
  await table.getByText('单田芳').waitFor();
  assert.ok(!(await table.innerText()).includes('王建国'));
  await page.screenshot({ path: join(DIR, 'expiry-lapsed.png'), fullPage: true });
  await page.getByTestId('expiry-expiring').click();
  await page.getByTestId('expiry-days-90').click();
  await table.getByText('王建国').waitFor();
  // a sibling county's subtree has none of them
  await pickOrg(page, 'expiry-under', 'DC-C2', 'DC-C2');
  await table.getByText('没有符合条件的会籍').waitFor();
  await table.getByText('王建国').waitFor({ state: 'detached' }).catch(() => {});
  assert.ok(!(await table.innerText()).includes('王建国'));
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('settings: the number pattern and the terms saved; a bad pattern refused on its field', async () => {
  const { page, ctx, problems } = await session(DESKTOP);
  await page.goto(`${s.url}/members/settings`);
  await page.getByTestId('member-settings').waitFor();
  await pickOrg(page, 'settings-org', 'DC-C1-K1', 'DC-C1-K1');
  await page.getByTestId('settings-term').first().waitFor();
  assert.equal(await page.getByTestId('settings-term').count(), 2);
  await input(page, 'settings-pattern').fill('AP{year}');
  await page.getByTestId('settings-save').click();
  await errorOf(page, 'settings-pattern').waitFor();
  assert.match(await errorOf(page, 'settings-pattern').innerText(), /编号规则不正确/);
  await input(page, 'settings-pattern').fill('AP{year}{seq:5}');
  await input(page, 'settings-fee').first().fill('60');
  await page.getByTestId('settings-save').click();
  await page.locator('.kx-toast-success', { hasText: '已保存会员设置' }).waitFor();
  const c = await api('GET', `/api/v1/orgs/${ids['DC-C1-K1']}/member-config`);
  assert.equal(c.number_pattern, 'AP{year}{seq:5}');
  assert.equal(c.terms.find((x) => x.category === 'individual').fee_cents, 6000);
  assert.deepEqual(problems.filter((p) => !/^422 PUT /.test(p)), []);
  await ctx.close();
});

for (const [vp, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`list at ${viewport.width}px: search by pinyin, filters, keyset "more"`, async () => {
    const { page, ctx, problems } = await session(viewport);
    await page.goto(`${s.url}/members`);
    const list = page.getByTestId(vp === 'desktop' ? 'members-table' : 'members-cards');
    await list.getByText('王建国').first().waitFor();
    // 55 people in the neighbouring county: 50, then "more" for the rest
    await pickOrg(page, 'member-under', 'DC-C1-K2', 'DC-C1-K2');
    await page.getByTestId('table-count').filter({ hasText: '50+' }).waitFor();
    await page.getByTestId('table-more').click();
    await page.getByTestId('table-count').filter({ hasText: '共 55 条' }).waitFor();
    assert.equal(await page.getByTestId('table-more').count(), 0);
    await pickOrg(page, 'member-under', 'DC-C1-K1', 'DC-C1-K1');
    await input(page, 'member-q').fill('wjg');
    await page.getByTestId('member-search').click();
    await page.getByTestId('table-count').filter({ hasText: '共 1 条' }).waitFor();
    assert.match(await list.innerText(), /王建国/);
    await input(page, 'member-q').fill('王');
    await page.getByTestId('member-search').click();
    await page.getByText('至少 2 个字符').waitFor();
    await input(page, 'member-q').fill('');
    if (vp === 'phone') await page.getByTestId('member-more-filters').click();
    await choose(page, 'member-f-gender', '女');
    await page.getByTestId('member-search').click();
    await page.getByTestId('table-count').filter({ hasText: '共 1 条' }).waitFor();
    assert.match(await list.innerText(), /阿依古丽/);
    await page.screenshot({ path: join(DIR, `list-filtered-${vp}.png`), fullPage: true });
    assert.deepEqual(problems, []);
    await ctx.close();
  });
}

test('in English: the pages and the drawer speak English, codes as words', async () => {
  const { page, ctx, problems } = await openPage(browser, { viewport: DESKTOP, locale: 'en' });
  await signInQuick(ctx, s, 'dc.admin');
  await page.goto(`${s.url}/members?id=${seeded.a.id}`);
  await page.getByTestId('membership').first().waitFor();
  const text = await page.getByTestId('person-drawer').innerText();
  for (const w of ['Male', 'Bachelor', 'Associate', 'Senior expert', 'Individual member', 'Member number', 'Valid until']) assert.ok(text.includes(w), `${w} in ${text}`);
  assert.ok(!/[\u4e00-\u9fff]{2,}/.test(text.replace(/王建国|安平县科学技术协会|安平县农业技术推广站|推广研究员|站长/g, '')), `Chinese labels left: ${text}`);
  await page.screenshot({ path: join(DIR, 'drawer-en.png'), fullPage: true });
  await page.goto(`${s.url}/members/expiry`);
  await page.getByTestId('expiry-table').getByText('王建国').waitFor();
  assert.match(await page.locator('body').innerText(), /Individual member/);
  assert.deepEqual(problems, []);
  await ctx.close();
});
