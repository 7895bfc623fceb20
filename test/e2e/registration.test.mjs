// registration.test.mjs - issue 12, "Members themselves", in Debian's Chromium: the public
// registration and outcome pages, the staff's application queue and erasure requests and a
// member's own page, each at 1440 and 390 px with axe, layout and raw-code checks and a
// screenshot in build/e2e/registration/; then end to end: an application filled in on a
// phone (a bad ID number refused on its field first), the token shown; the county staff
// approve it in the queue; the outcome page says approved with the member number; the new
// member signs in through the sign-in page on the phone, sees their record and membership,
// changes their work unit and asks for erasure; the province's admin erases them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, kexie } from '../api/lib.mjs';
import { launch, SHOTS, DESKTOP, PHONE, openPage, signInQuick, input, axeViolations, rawTextOnScreen, layoutProblems } from './browser.mjs';

const DIR = join(SHOTS, 'registration');
mkdirSync(DIR, { recursive: true });
const PW = 'Zhuce-2026-unusual';
let s, browser;
before(async () => {
  s = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await s?.stop();
});

function idWithCheck(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((a, c, i) => a + Number(c) * w[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

async function settle(page) {
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(200);
}
async function check(page, name, problems, { allow = [] } = {}) {
  await settle(page);
  await page.screenshot({ path: join(DIR, `${name}.png`), fullPage: true });
  assert.deepEqual(await layoutProblems(page), [], `${name}: layout`);
  assert.deepEqual(await rawTextOnScreen(page), [], `${name}: raw codes or ids on screen`);
  assert.deepEqual(await axeViolations(page), [], `${name}: axe serious/critical`);
  assert.deepEqual(problems.filter((p) => !allow.some((re) => re.test(p))), [], `${name}: console errors`);
}
const area = (page, id) => page.locator(`textarea[data-test=${id}], [data-test=${id}] textarea`).first();
const vp = (label) => ({ viewport: label === 'phone' ? PHONE : DESKTOP, isMobile: label === 'phone' });
const WIDTHS = ['desktop', 'phone'];

// Applies through the API (for the page checks that need something in the queues).
async function applyByApi(name, login, idn) {
  const consent = await (await fetch(`${s.url}/api/v1/public/consent`)).json();
  const orgs = await (await fetch(`${s.url}/api/v1/public/orgs?q=${encodeURIComponent('安平')}`)).json();
  const r = await fetch(`${s.url}/api/v1/public/member-applications`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ org_id: orgs.items[0].id, category: 'individual', name, id_number: idn, mobile: '13712345678', work_unit: '安平县人民医院',
      login, password: PW, consent_version: consent.version }),
  });
  assert.equal(r.status, 201, await r.clone().text());
  return r.json();
}

for (const label of WIDTHS) {
  test(`public pages (${label}): registration with the consent, the outcome page, the link from sign-in`, async () => {
    const { page, ctx, problems } = await openPage(browser, vp(label));
    await page.goto(`${s.url}/login`);
    await page.getByTestId('to-register').click();
    await page.getByTestId('reg-form').waitFor();
    await page.getByTestId('reg-consent').waitFor();
    assert.match(await page.getByTestId('reg-consent').innerText(), /个人信息保护法/);
    await check(page, `register-${label}`, problems);
    await page.getByTestId('to-status').click();
    await page.getByTestId('status-form').waitFor();
    await check(page, `status-${label}`, problems);
    await ctx.close();
  });
}

test('staff queue and erasure pages at both widths: masked values, tabs, accessible', async () => {
  await applyByApi('页面检查', 'pg.check', idWithCheck('11010519850505007'));
  for (const label of WIDTHS) {
    const { page, ctx, problems } = await openPage(browser, vp(label));
    await signInQuick(ctx, s, 'county.staff');
    await page.goto(`${s.url}/members/applications`);
    const row = page.locator('[data-test=app-row], .app-row').filter({ hasText: '页面检查' }).first();
    await row.waitFor();
    assert.match(await row.innerText(), /110\*+\d{3}[\dX]/, 'the ID number is masked');
    assert.match(await row.innerText(), /137\*{4}5678/, 'the mobile is masked');
    await check(page, `applications-${label}`, problems);
    await page.getByTestId('apps-tab-approved').click();
    await settle(page);
    await page.goto(`${s.url}/members/erasures`);
    await page.getByTestId('er-list').waitFor();
    await check(page, `erasures-staff-${label}`, problems);
    await ctx.close();
  }
});

test('end to end: apply on a phone, staff approve, the outcome, the member signs in, edits, asks for erasure', async () => {
  // 1. the applicant, on a phone, from the sign-in page
  const a = await openPage(browser, vp('phone'));
  await a.page.goto(`${s.url}/login`);
  await a.page.getByTestId('to-register').click();
  await a.page.getByTestId('reg-consent').waitFor();
  const sel = a.page.getByTestId('reg-org');
  await sel.click();
  await sel.locator('input').fill('安平');
  await a.page.locator('.reg-org-pop .el-select-dropdown__item:visible', { hasText: '安平' }).first().click();
  await input(a.page, 'reg-name').fill('王注册');
  const bad = '110105194912310021';
  await input(a.page, 'reg-id-number').fill(bad);
  await input(a.page, 'reg-mobile').fill('13698765432');
  await input(a.page, 'reg-work-unit').fill('安平县第一中学');
  await input(a.page, 'reg-login').fill('wang.zhuce');
  await input(a.page, 'reg-password').fill(PW);
  await input(a.page, 'reg-password2').fill(PW);
  await a.page.getByTestId('reg-agree').click();
  await a.page.getByTestId('reg-submit').click();
  const idErr = a.page.locator('[data-test=reg-id-number-item] .el-form-item__error');
  await idErr.waitFor();
  assert.match(await idErr.innerText(), /校验位/, 'the bad ID number is refused on its field, in words');
  await a.page.screenshot({ path: join(DIR, 'register-bad-id-phone.png'), fullPage: true });
  const idn = idWithCheck('11010519900315002');
  await input(a.page, 'reg-id-number').fill(idn);
  await a.page.getByTestId('reg-submit').click();
  await a.page.getByTestId('reg-token').waitFor();
  const token = (await a.page.getByTestId('reg-token').innerText()).trim();
  assert.equal(token.length, 43);
  await check(a.page, 'register-token-phone', a.problems, { allow: [/^422 POST \/api\/v1\/public\/member-applications$/] });

  // 2. the county staff approve it in the queue (desktop)
  const st = await openPage(browser, vp('desktop'));
  await signInQuick(st.ctx, s, 'county.staff');
  await st.page.goto(`${s.url}/members/applications`);
  const row = st.page.getByTestId('apps-list').locator('.app-row', { hasText: '王注册' }).first();
  await row.waitFor();
  assert.ok(!(await row.innerText()).includes(idn), 'the full ID number is not on screen');
  await row.getByTestId('app-approve').click();
  await st.page.locator('.kx-confirm').getByText('王注册', { exact: false }).waitFor();
  await st.page.locator('.kx-confirm .el-message-box__btns .el-button--primary').click();
  const toast = st.page.locator('.kx-toast-success', { hasText: '已通过：王注册' });
  await toast.waitFor();
  const number = /会员编号 (\S+)/.exec(await toast.innerText())[1];
  assert.match(number, /^DC-C1-K1/);
  await st.page.getByTestId('apps-tab-approved').click();
  await st.page.getByTestId('apps-list').getByText(number).waitFor();
  await check(st.page, 'applications-approved-desktop', st.problems);
  await st.ctx.close();

  // 3. the applicant checks the outcome with the token (from the receipt's link)
  await a.page.getByTestId('reg-to-status').click();
  await a.page.getByTestId('status-result').waitFor();
  assert.equal(await a.page.getByTestId('status-result').getAttribute('data-status'), 'approved');
  assert.equal((await a.page.getByTestId('status-number').innerText()).trim(), number);
  assert.match(await a.page.getByTestId('status-result').innerText(), /现在可以.*登录/);
  await check(a.page, 'status-approved-phone', a.problems, { allow: [/^422 POST/] });
  // pasting the token into a fresh page gives the same
  await a.page.goto(`${s.url}/register/status`);
  await input(a.page, 'status-token').fill(token);
  await a.page.getByTestId('status-check').click();
  await a.page.getByTestId('status-number').waitFor();

  // 4. the new member signs in through the sign-in page, on the phone
  await a.page.getByTestId('status-sign-in').click();
  await input(a.page, 'login-name').fill('wang.zhuce');
  await input(a.page, 'login-password').fill(PW);
  await a.page.getByTestId('login-submit').click();
  await a.page.waitForURL((u) => u.pathname === '/');
  await a.page.getByTestId('menu-toggle').click();
  await a.page.getByTestId('menu-me/member').click();
  await a.page.waitForURL((u) => u.pathname === '/me/member');
  await a.page.getByTestId('my-membership').waitFor();
  assert.equal((await a.page.getByTestId('my-number').innerText()).trim(), number);
  assert.equal((await a.page.getByTestId('my-name').innerText()).trim(), '王注册');
  assert.match(await a.page.getByTestId('my-idNumber').innerText(), /\*/, 'the ID number is masked');
  assert.ok(!(await a.page.locator('body').innerText()).includes(idn));
  assert.match(await a.page.getByTestId('my-membership').innerText(), /个人会员/);
  assert.match(await a.page.getByTestId('my-membership').innerText(), /有效/);
  await check(a.page, 'my-member-phone', a.problems, { allow: [/^422 POST/] });

  // the download of everything, unmasked
  const [dl] = await Promise.all([a.page.waitForEvent('download'), a.page.getByTestId('my-download').click()]);
  const full = JSON.parse(readFileSync(await dl.path(), 'utf8'));
  assert.equal(full.person.id_number, idn);

  // 5. edits the work unit
  await a.page.getByTestId('my-edit').scrollIntoViewIfNeeded();
  await a.page.screenshot({ path: join(DIR, 'my-member-edit-phone.png') });
  await input(a.page, 'my-work-unit').fill('安平县实验中学');
  await a.page.getByTestId('my-save').click();
  await a.page.locator('.kx-toast-success', { hasText: '已保存' }).waitFor();
  await a.page.reload();
  await a.page.getByTestId('my-membership').waitFor();
  assert.equal(await input(a.page, 'my-work-unit').inputValue(), '安平县实验中学');

  // someone else (a script of the member's) changes the record meanwhile: the page's save
  // is refused (412), says so and reloads the record
  const tk = kexie(['token', 'create', '--login', 'wang.zhuce'], s.env).stdout.trim();
  const cur = await fetch(`${s.url}/api/v1/me/member`, { headers: { authorization: `Bearer ${tk}` } });
  const upd = await fetch(`${s.url}/api/v1/me/member`, { method: 'PATCH', body: JSON.stringify({ position: '教师' }),
    headers: { authorization: `Bearer ${tk}`, 'content-type': 'application/json', 'if-match': cur.headers.get('etag') } });
  assert.equal(upd.status, 200, await upd.clone().text());
  await input(a.page, 'my-landline').fill('0571-88886666');
  await a.page.getByTestId('my-save').click();
  await a.page.getByTestId('my-stale').waitFor();
  assert.equal(await input(a.page, 'my-position').inputValue(), '教师', 'the record was reloaded');

  // 6. asks for erasure: a dialog, then a confirmation
  await a.page.getByTestId('my-erase').click();
  await area(a.page, 'my-erase-reason').fill('不再参加学会活动');
  await a.page.getByTestId('my-erase-send').click();
  await a.page.locator('.kx-confirm .el-button--danger').click();
  await a.page.locator('.kx-toast-success', { hasText: '注销申请已提交' }).waitFor();
  await a.page.getByTestId('my-erase-sent').waitFor();
  await check(a.page, 'my-member-erasure-sent-phone', a.problems, { allow: [/^422 POST/, /^412 PATCH \/api\/v1\/me\/member$/] });
  await a.ctx.close();

  // 7. the province's admin erases them: a strong confirmation (the name typed)
  for (const label of WIDTHS) {
    const ad = await openPage(browser, vp(label));
    await signInQuick(ad.ctx, s, 'dc.admin');
    await ad.page.goto(`${s.url}/members/erasures`);
    await ad.page.getByTestId('er-list').getByText('王注册').first().waitFor();
    await check(ad.page, `erasures-admin-${label}`, ad.problems);
    if (label === 'phone') {
      await ad.page.getByTestId('er-row').filter({ hasText: '王注册' }).getByTestId('er-approve').click();
      await ad.page.getByTestId('er-warning').waitFor();
      assert.ok(await ad.page.getByTestId('er-confirm').isDisabled(), 'erasing needs the name typed first');
      await input(ad.page, 'er-type-name').fill('王注册');
      await area(ad.page, 'er-answer').fill('已按您的要求注销');
      await ad.page.screenshot({ path: join(DIR, 'erasure-confirm-phone.png'), fullPage: true });
      await ad.page.getByTestId('er-confirm').click();
      await ad.page.locator('.kx-toast-success', { hasText: '已注销：王注册' }).waitFor();
      await ad.page.getByTestId('er-tab-approved').click();
      await ad.page.getByTestId('er-list').getByText('已按您的要求注销').waitFor();
    }
    await ad.ctx.close();
  }
});

test('the registration page in English', async () => {
  const { page, ctx, problems } = await openPage(browser, { ...vp('desktop'), locale: 'en' });
  await page.goto(`${s.url}/register`);
  await page.getByTestId('reg-consent').waitFor();
  assert.match(await page.locator('h1').first().innerText(), /Join as a member/);
  await check(page, 'register-en-desktop', problems);
  await ctx.close();
});
