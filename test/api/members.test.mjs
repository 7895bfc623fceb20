// members.test.mjs - the member register over HTTP (issue 12): people registered through the
// one normaliser, personal data sealed at rest and masked in answers, reveals with a reason
// (audited, rate-limited), duplicates found through the blind index, scope through the
// keeping org and memberships, search by name, pinyin, ID number and mobile, memberships
// with numbers by pattern, terms and dues. On SQLite and PostgreSQL alike.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, json, expectError, sql, userWithToken, kexie, beijingDate } from './lib.mjs';

let s, ids, tok;
const H = (t, extra = {}) => ({ authorization: `Bearer ${t}`, ...extra });
const get = (path, t) => fetch(`${s.url}${path}`, { headers: H(t) });
const send = (method, path, t, body, extra = {}) => fetch(`${s.url}${path}`, {
  method, headers: H(t, { 'content-type': 'application/json', ...extra }), body: JSON.stringify(body),
});
const post = (path, t, body, extra) => send('POST', path, t, body, extra);

// valid resident ID numbers (GB 11643 check characters computed here, not copied)
function idWithCheck(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((a, c, i) => a + Number(c) * w[i], 0);
  return first17 + '10X98765432'[sum % 11];
}
const ID_M = idWithCheck('11010519850307123'); // male (3rd-last digit odd), born 1985-03-07
const ID_F = idWithCheck('44030619920611002'); // female, born 1992-06-11
const ID_X = '11010519491231002X';             // the domain's valid example, ends in X

before(async () => {
  s = await startServer();
  ids = Object.fromEntries(sql(s.db, 'SELECT code, id FROM org').trim().split('\n').map((l) => l.split('|')));
  tok = {
    admin: userWithToken(s.env, 'm.admin', 'org_admin', 'DC-C1'),
    staff: userWithToken(s.env, 'm.staff', 'staff', 'DC-C1-K1'),
    sibling: userWithToken(s.env, 'm.sib', 'staff', 'DC-C1-K2'),
    reviewer: userWithToken(s.env, 'm.rev', 'reviewer', 'DC-C1'),
    xl: userWithToken(s.env, 'm.xl', 'org_admin', 'XL'),
    sys: userWithToken(s.env, 'm.sys', 'system_admin', 'CAST'),
  };
});
after(async () => { await s.stop(); });

const K1 = () => Number(ids['DC-C1-K1']);

test('register: the normaliser reads what people type; the answer is masked; gender and birth come from the number', async () => {
  const fullwidth = ID_M.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));
  const r = await post('/api/v1/members', tok.staff, {
    org_id: K1(), name: '  阿依古丽•买买提  ', id_number: ` ${fullwidth.slice(0, 6)} ${fullwidth.slice(6)} `,
    mobile: '+86 138-0013-8000', ethnicity: '维吾尔族', political_status: '中共党员', education: '本科',
    title_level: '副高级', work_unit: '安平县农业技术推广站', tags: ['senior_expert'],
  });
  assert.equal(r.status, 201, await r.clone().text());
  const p = await json(r);
  assert.equal(p.name, '阿依古丽·买买提');
  assert.equal(p.id_number, `${ID_M.slice(0, 3)}***********${ID_M.slice(-4)}`);
  assert.equal(p.mobile, '138****8000');
  assert.equal(p.gender, '1');
  assert.equal(p.birth_date, '1985-03-07');
  assert.equal(p.id_type, 'resident');
  assert.equal(p.ethnicity, '05');
  assert.equal(p.political_status, '01');
  assert.equal(p.status, 'active');
  assert.deepEqual(p.tags, ['senior_expert']);
  assert.equal(r.headers.get('etag'), `"${p.version}"`);
  // no plaintext anywhere in the database: not the number, not the mobile
  const dump = sql(s.db, 'SELECT * FROM person') + sql(s.db, 'SELECT detail FROM audit_log') + sql(s.db, 'SELECT * FROM name_text');
  assert.ok(!dump.includes(ID_M) && !dump.includes('13800138000'), 'a personal value in clear in the database');
  assert.match(sql(s.db, `SELECT id_enc FROM person WHERE id = ${p.id}`), /^1\$/);
  const audit = sql(s.db, `SELECT detail FROM audit_log WHERE action = 'person.create' AND object_id = '${p.id}'`);
  assert.match(audit, /"id_number":"changed"/);
  assert.match(audit, /"mobile":"changed"/);
});

test('bad inputs: each a 422 naming the field with a stable code, nothing stored, no value echoed', async () => {
  const before = sql(s.db, 'SELECT count(*) FROM person').trim();
  const cases = [
    [{ name: '张三', id_number: '110105194912310021' }, 'id_number', 'id_checksum'],
    [{ name: '张三', id_number: '1.10105E+17' }, 'id_number', 'id_excel_precision'],
    [{ name: '张三', id_number: '110105198503071234.0' }, 'id_number', 'id_excel_precision'],
    [{ name: '张三', id_number: idWithCheck('11010520991231001') }, 'id_number', 'id_birth_date'],
    [{ name: '张三', mobile: '138001380001' }, 'mobile', 'mobile_invalid'],
    [{ name: '张三' }, 'id_number', 'id_or_mobile'],
    [{ name: '张\u200b三', mobile: '13900000001' }, 'name', 'name_control'],
    [{ name: '张三', mobile: '13900000001', birth_date: '03/07/1985' }, 'birth_date', 'date_ambiguous'],
    [{ name: '张三', mobile: '13900000001', ethnicity: '火星族' }, 'ethnicity', 'not_allowed'],
    [{ name: '张三', mobile: '13900000001', tags: ['no_such_tag'] }, 'tags', 'not_allowed'],
  ];
  for (const [body, field, code] of cases) {
    const e = await expectError(assert, await post('/api/v1/members', tok.staff, { org_id: K1(), ...body }), 422);
    const d = e.details.find((x) => x.field === field);
    assert.ok(d, `${JSON.stringify(body)}: no error on ${field}: ${JSON.stringify(e.details)}`);
    assert.equal(d.code, code, JSON.stringify(e.details));
    assert.ok(!JSON.stringify(e).includes('110105194912310021'), 'the rejected number is echoed');
  }
  // gender and birth date given beside a number that says otherwise: both fields named
  const e = await expectError(assert, await post('/api/v1/members', tok.staff, { org_id: K1(), name: '李四', id_number: ID_F, gender: '男', birth_date: '1992-06-12' }), 422);
  const fields = e.details.map((d) => `${d.field}:${d.code}`).sort();
  assert.deepEqual(fields, ['birth_date:id_birth_mismatch', 'gender:id_gender_mismatch', 'id_number:id_birth_mismatch', 'id_number:id_gender_mismatch']);
  // unknown fields are refused by the route (no mass assignment)
  await expectError(assert, await post('/api/v1/members', tok.staff, { org_id: K1(), name: '王五', mobile: '13900000002', id_enc: 'x' }), 400);
  assert.equal(sql(s.db, 'SELECT count(*) FROM person').trim(), before);
});

test('status: active by default or given; deceased only with the date of death, and the date only when deceased', async () => {
  let r = await post('/api/v1/members', tok.staff, { org_id: K1(), name: '状态甲', mobile: '13400000001', status: 'active' });
  assert.equal(r.status, 201, await r.clone().text());
  let e = await expectError(assert, await post('/api/v1/members', tok.staff, { org_id: K1(), name: '状态乙', mobile: '13400000002', status: 'deceased' }), 422);
  assert.equal(e.details[0].code, 'deceased_pair');
  e = await expectError(assert, await post('/api/v1/members', tok.staff, { org_id: K1(), name: '状态丙', mobile: '13400000003', deceased_on: '2020-01-01' }), 422);
  assert.equal(e.details[0].code, 'deceased_pair');
  r = await post('/api/v1/members', tok.staff, { org_id: K1(), name: '状态丁', mobile: '13400000004', status: '已故', deceased_on: '2020年1月1日' });
  assert.equal(r.status, 201, await r.clone().text());
  const p = await json(r);
  assert.equal(p.status, 'deceased');
  assert.equal(p.deceased_on, '2020-01-01');
});

test('duplicates: the same ID number in another spelling, or the same name and mobile, is one person (409)', async () => {
  let r = await post('/api/v1/members', tok.staff, { org_id: K1(), name: '赵六', id_number: ID_X.toLowerCase() });
  assert.equal(r.status, 201);
  const first = await json(r);
  let e = await expectError(assert, await post('/api/v1/members', tok.staff, { org_id: K1(), name: '赵六', id_number: ID_X }), 409);
  assert.equal(e.details[0].field, 'id_number');
  assert.equal(e.details[0].code, 'person_exists');
  assert.equal(e.details[0].params.id, first.id); // the caller sees that person
  // a caller who cannot see the person learns only that it exists
  e = await expectError(assert, await post('/api/v1/members', tok.xl, { org_id: Number(ids['XL-C1-K1']), name: '赵六', id_number: ID_X }), 409);
  assert.equal(e.details[0].params, undefined);
  // name + mobile
  r = await post('/api/v1/members', tok.staff, { org_id: K1(), name: '钱七', mobile: '13912345678' });
  assert.equal(r.status, 201);
  e = await expectError(assert, await post('/api/v1/members', tok.staff, { org_id: K1(), name: '钱七', mobile: '139 1234 5678' }), 409);
  assert.equal(e.details[0].field, 'mobile');
  // another name with the same mobile is another person (families share phones)
  r = await post('/api/v1/members', tok.staff, { org_id: K1(), name: '钱八', mobile: '13912345678' });
  assert.equal(r.status, 201);
});

async function register(t, body) {
  const r = await post('/api/v1/members', t, { org_id: K1(), ...body });
  assert.equal(r.status, 201, await r.clone().text());
  return json(r);
}

test('scope: kept in the subtree or a member of an org there; a sibling county gets 404 everywhere', async () => {
  const p = await register(tok.staff, { name: '孙九', mobile: '13700000009' });
  assert.equal((await get(`/api/v1/members/${p.id}`, tok.staff)).status, 200);
  assert.equal((await get(`/api/v1/members/${p.id}`, tok.admin)).status, 200);
  await expectError(assert, await get(`/api/v1/members/${p.id}`, tok.sibling), 404, 'not_found');
  await expectError(assert, await get(`/api/v1/members/${p.id}`, tok.xl), 404);
  await expectError(assert, await send('PATCH', `/api/v1/members/${p.id}`, tok.sibling, { title: 'x' }, { 'if-match': `"${p.version}"` }), 404);
  await expectError(assert, await get(`/api/v1/members?under=${ids['DC-C1-K1']}`, tok.sibling), 404);
  // a reviewer has no member.read; a system administrator post neither (business data)
  await expectError(assert, await get(`/api/v1/members/${p.id}`, tok.reviewer), 403);
  await expectError(assert, await get(`/api/v1/members/${p.id}`, tok.sys), 403);
  // a membership in the sibling county makes the person visible there
  const ms = await post('/api/v1/memberships', tok.admin, { org_id: Number(ids['DC-C1-K2']), person_id: p.id, category: '个人会员' });
  assert.equal(ms.status, 201, await ms.clone().text());
  assert.equal((await get(`/api/v1/members/${p.id}`, tok.sibling)).status, 200);
  // but the sibling sees only memberships of orgs it sees
  const list = await json(await get(`/api/v1/members/${p.id}/memberships`, tok.sibling));
  assert.deepEqual(list.items.map((m) => m.org_id), [Number(ids['DC-C1-K2'])]);
  // and the sibling's list under its county finds the person
  const l = await json(await get(`/api/v1/members?under=${ids['DC-C1-K2']}`, tok.sibling));
  assert.ok(l.items.some((x) => x.id === p.id));
});

test('reveal: needs member.reveal and a reason; audited with the reason; never cached; rate-limited', async () => {
  const p = await register(tok.staff, { name: '周十', id_number: ID_F, mobile: '13600000010' });
  await expectError(assert, await post(`/api/v1/members/${p.id}/reveal`, tok.staff, { field: 'id_number', reason: '核对身份' }), 403);
  let e = await expectError(assert, await post(`/api/v1/members/${p.id}/reveal`, tok.admin, { field: 'id_number' }), 422);
  assert.equal(e.details[0].field, 'reason');
  const r = await post(`/api/v1/members/${p.id}/reveal`, tok.admin, { field: 'id_number', reason: '核对评奖材料' });
  assert.equal(r.status, 200);
  assert.deepEqual(await json(r), { field: 'id_number', value: ID_F });
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const m = await json(await post(`/api/v1/members/${p.id}/reveal`, tok.admin, { field: 'mobile', reason: '电话联系' }));
  assert.equal(m.value, '13600000010');
  const a = sql(s.db, `SELECT detail FROM audit_log WHERE action = 'person.reveal' AND object_id = '${p.id}' ORDER BY seq`);
  assert.match(a, /"field":"id_number","reason":"核对评奖材料"/);
  assert.ok(!a.includes(ID_F) && !a.includes('13600000010'));
  // 30 an hour per account; the 31st is 429 with Retry-After
  const n = Number(sql(s.db, "SELECT COALESCE(SUM(n), 0) FROM pii_reveal_count pr JOIN app_user u ON u.id = pr.user_id WHERE u.login = 'm.admin'").trim());
  for (let i = n; i < 30; i++) assert.equal((await post(`/api/v1/members/${p.id}/reveal`, tok.admin, { field: 'mobile', reason: '批量核对' })).status, 200);
  const over = await post(`/api/v1/members/${p.id}/reveal`, tok.admin, { field: 'mobile', reason: '批量核对' });
  await expectError(assert, over, 429);
  assert.equal(over.headers.get('retry-after'), '3600');
});

test('update: If-Match required (428) and checked (412); changes audited, personal values only as changed', async () => {
  const p = await register(tok.staff, { name: '吴十一', mobile: '13500000011' });
  await expectError(assert, await send('PATCH', `/api/v1/members/${p.id}`, tok.staff, { title: '高级工程师' }), 428);
  await expectError(assert, await send('PATCH', `/api/v1/members/${p.id}`, tok.staff, { title: '高级工程师' }, { 'if-match': `"${p.version + 5}"` }), 412);
  let r = await send('PATCH', `/api/v1/members/${p.id}`, tok.staff, { title: '高级工程师', mobile: '135 0000 0012', gender: '女' }, { 'if-match': `"${p.version}"` });
  assert.equal(r.status, 200, await r.clone().text());
  const q = await json(r);
  assert.equal(q.title, '高级工程师');
  assert.equal(q.gender, '2');
  assert.equal(q.mobile, '135****0012');
  assert.equal(q.version, p.version + 1);
  const a = sql(s.db, `SELECT detail FROM audit_log WHERE action = 'person.update' AND object_id = '${p.id}'`);
  assert.match(a, /"mobile":"changed"/);
  assert.match(a, /"title":\[null,"高级工程师"\]/);
  assert.ok(!a.includes('13500000012'));
  // the same values again: nothing changes, no new record, same version
  r = await send('PATCH', `/api/v1/members/${p.id}`, tok.staff, { title: '高级工程师' }, { 'if-match': `"${q.version}"` });
  assert.equal((await json(r)).version, q.version);
  // a gender that contradicts the stored ID number is refused naming both fields
  const w = await register(tok.staff, { name: '郑十二', id_number: idWithCheck('11010519850307201') });
  const e = await expectError(assert, await send('PATCH', `/api/v1/members/${w.id}`, tok.staff, { gender: '2' }, { 'if-match': `"${w.version}"` }), 422);
  assert.deepEqual(e.details.map((d) => d.field).sort(), ['gender', 'id_number']);
  // the keeping org is not changed by PATCH
  await expectError(assert, await send('PATCH', `/api/v1/members/${w.id}`, tok.staff, { org_id: 1 }, { 'if-match': `"${w.version}"` }), 400);
});

test('list: search by two characters, pinyin, initials, work unit, full ID number and mobile; filters; pinyin order; keyset pages', async () => {
  const under = `under=${ids['DC-C1-K1']}`;
  const names = (b) => b.items.map((x) => x.name);
  const w = await register(tok.staff, { name: '王建国', id_number: idWithCheck('32010219700101003'), work_unit: '青石市第一医院', mobile: '13300000001' });
  await register(tok.staff, { name: '单田芳', mobile: '13300000002' });
  await register(tok.staff, { name: '曾国藩', mobile: '13300000003' });
  let b = await json(await get(`/api/v1/members?${under}&q=${encodeURIComponent('建国')}`, tok.staff));
  assert.deepEqual(names(b), ['王建国']);
  for (const q of ['wangjianguo', 'wjg', 'jianguo']) {
    b = await json(await get(`/api/v1/members?${under}&q=${q}`, tok.staff));
    assert.ok(names(b).includes('王建国'), `${q}: ${names(b)}`);
  }
  b = await json(await get(`/api/v1/members?${under}&q=${encodeURIComponent('第一医院')}`, tok.staff));
  assert.deepEqual(names(b), ['王建国']);
  const idq = idWithCheck('32010219700101003');
  b = await json(await get(`/api/v1/members?${under}&q=${idq.toLowerCase()}`, tok.staff));
  assert.deepEqual(names(b), ['王建国']);
  b = await json(await get(`/api/v1/members?${under}&q=${encodeURIComponent('+86 133-0000-0001')}`, tok.staff));
  assert.deepEqual(names(b), ['王建国']);
  // surnames with special readings: 单 shan, 曾 zeng
  b = await json(await get(`/api/v1/members?${under}&q=stf`, tok.staff));
  assert.ok(names(b).includes('单田芳'), names(b));
  // filters and sort
  b = await json(await get(`/api/v1/members?${under}&gender=1&limit=200`, tok.staff));
  assert.ok(b.items.every((x) => x.gender === '1') && b.items.length >= 2);
  await expectError(assert, await get(`/api/v1/members?${under}&sort=name;DROP TABLE person`, tok.staff), 400);
  await expectError(assert, await get(`/api/v1/members?${under}&gender=9x`, tok.staff), 400);
  await expectError(assert, await get(`/api/v1/members?${under}&q=${encodeURIComponent('王')}`, tok.staff), 400);
  // pinyin order over the whole subtree, then keyset pages of 2 give the same sequence
  const all = names(await json(await get(`/api/v1/members?${under}&limit=200`, tok.staff)));
  const seen = [];
  let after = '';
  for (let i = 0; i < 100; i++) {
    const page = await json(await get(`/api/v1/members?${under}&limit=2${after ? `&after=${after}` : ''}`, tok.staff));
    seen.push(...names(page));
    if (!page.next_after) break;
    after = encodeURIComponent(page.next_after);
  }
  assert.deepEqual(seen, all);
  const i曾 = all.indexOf('曾国藩'), i单 = all.indexOf('单田芳'), i王 = all.indexOf('王建国');
  assert.ok(i单 < i王 && i王 < i曾, `pinyin order: ${all}`); // shan < wang < zeng
  assert.ok(w.id > 0);
  await expectError(assert, await get(`/api/v1/members?${under}&after=zz`, tok.staff), 400);
});

test('search plans agree: the name index (names and work units), a walk of the register while the index is not built, the subtree\'s people; kexie member reindex', async () => {
  const sub = `under=${ids['DC-C1-K1']}`;
  const city = `under=${ids['DC-C1']}`;
  const names = (b) => b.items.map((x) => x.name).sort();
  await register(tok.staff, { name: '欧阳修竹', mobile: '13300000031', work_unit: '青石市第二中学' });
  await register(tok.staff, { name: '区志明', mobile: '13300000032', work_unit: '青石市第二中学' });
  await register(tok.staff, { name: '修远', mobile: '13300000033' });
  const queries = ['修竹', '第二中学', 'oyxz', 'ouyang', 'ozm', 'ouzhiming', 'xiuyuan', 'xy', '青石'];
  const run = async () => {
    const out = {};
    for (const q of queries)
      for (const [u, t] of [[sub, tok.staff], [city, tok.admin]]) {
        const r = await get(`/api/v1/members?${u}&limit=200&q=${encodeURIComponent(q)}`, t);
        assert.equal(r.status, 200, `${q} ${u}: ${await r.clone().text()}`);
        out[`${q} ${u}`] = names(await json(r));
      }
    // no q: the subtree's people (a driver) and the city's agree on the county's
    const county = names(await json(await get(`/api/v1/members?${sub}&limit=200`, tok.staff)));
    const wide = names(await json(await get(`/api/v1/members?${city}&limit=200`, tok.admin)));
    assert.ok(county.length >= 3 && county.every((n) => wide.includes(n)), `${county} / ${wide}`);
    out.county = county;
    return out;
  };
  const indexed = await run();
  assert.deepEqual(indexed[`修竹 ${sub}`], ['欧阳修竹']);
  assert.deepEqual(indexed[`第二中学 ${sub}`], ['区志明', '欧阳修竹']);  // the work unit, through the index
  assert.ok(indexed[`ozm ${sub}`].includes('区志明'));                     // 区 read as a surname: ou
  assert.ok(indexed[`ouyang ${sub}`].includes('欧阳修竹'));
  assert.ok(!indexed[`xy ${sub}`].includes('区志明'));                      // work unit pinyin is not a name match
  assert.ok(indexed[`xy ${sub}`].includes('修远'));
  // the index not built (as after the upgrade that added work units): the same answers by walking
  sql(s.db, 'UPDATE nameindex_state SET built = 0 WHERE kind = 2');
  assert.deepEqual(await run(), indexed);
  const r = kexie(['member', 'reindex'], s.env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(sql(s.db, 'SELECT built FROM nameindex_state WHERE kind = 2').trim(), '1');
  assert.deepEqual(await run(), indexed);
});

test('memberships: numbers by pattern never reused, one current membership per org, leave and rejoin', async () => {
  const org = Number(ids['DC-C1-K1']);
  let r = await send('PUT', `/api/v1/orgs/${org}/member-config`, tok.staff, { number_pattern: 'AP{year}-{seq:4}', terms: [{ category: 'individual', term_months: 12, fee_cents: 5000 }, { category: 'student', term_months: 6, fee_cents: 1000 }] });
  assert.equal(r.status, 200, await r.clone().text());
  await expectError(assert, await send('PUT', `/api/v1/orgs/${org}/member-config`, tok.staff, { number_pattern: 'AP{year}' }), 422);
  const a = await register(tok.staff, { name: '冯十三', mobile: '13200000013' });
  const b = await register(tok.staff, { name: '陈十四', mobile: '13200000014' });
  r = await post('/api/v1/memberships', tok.staff, { org_id: org, person_id: a.id, category: 'individual', joined_on: '2026-03-01' });
  assert.equal(r.status, 201, await r.clone().text());
  const ma = await json(r);
  assert.equal(ma.number, '2026AP'.replace('2026AP', 'AP2026-0001'));
  const mb = await json(await post('/api/v1/memberships', tok.staff, { org_id: org, person_id: b.id, category: '学生会员', joined_on: '2026-04-01' }));
  assert.equal(mb.number, 'AP2026-0002');
  assert.equal(mb.category, 'student');
  const e = await expectError(assert, await post('/api/v1/memberships', tok.staff, { org_id: org, person_id: a.id, category: 'individual' }), 409);
  assert.equal(e.details[0].code, 'member_exists');
  await expectError(assert, await post('/api/v1/memberships', tok.staff, { org_id: org, person_id: a.id, category: 'astronaut' }), 422);
  // a number given by hand is kept, and the sequence steps over it
  const c = await register(tok.staff, { name: '褚十五', mobile: '13200000015' });
  const mc = await json(await post('/api/v1/memberships', tok.staff, { org_id: org, person_id: c.id, category: 'individual', number: 'AP2026-0003' }));
  assert.equal(mc.number, 'AP2026-0003');
  // leave with a reason, then rejoin: a new number, the old one never comes back
  await expectError(assert, await post(`/api/v1/memberships/${ma.id}/end`, tok.staff, {}), 422);
  r = await post(`/api/v1/memberships/${ma.id}/end`, tok.staff, { reason: '本人申请退会', on: '2026-10-01' });
  assert.equal(r.status, 200, await r.clone().text());
  assert.equal((await json(r)).status, 'left');
  await expectError(assert, await post(`/api/v1/memberships/${ma.id}/end`, tok.staff, { reason: '再次退会' }), 409);
  const again = await json(await post('/api/v1/memberships', tok.staff, { org_id: org, person_id: a.id, category: 'individual', joined_on: '2026-11-01' }));
  assert.equal(again.number, 'AP2026-0004');
  // the sibling county cannot see these memberships
  await expectError(assert, await get(`/api/v1/memberships/${again.id}`, tok.sibling), 404);
  assert.ok(sql(s.db, "SELECT count(*) FROM audit_log WHERE action = 'membership.create'").trim() >= '4');
});

test('dues: a payment extends the paid term by the category term; expiring and lapsed lists; a lapsed member is active again after paying', async () => {
  const org = Number(ids['DC-C1-K1']);
  const p = await register(tok.staff, { name: '卫十六', mobile: '13100000016' });
  const m = await json(await post('/api/v1/memberships', tok.staff, { org_id: org, person_id: p.id, category: 'student', joined_on: '2025-01-10' }));
  let r = await post(`/api/v1/memberships/${m.id}/payments`, tok.staff, { amount_cents: 1000, method: '银行转账', receipt_no: 'R-001', paid_on: '2025-01-10' });
  assert.equal(r.status, 201, await r.clone().text());
  let x = await json(r);
  assert.equal(x.valid_until, '2025-07-09'); // the student term is 6 months from joining
  r = await post(`/api/v1/memberships/${m.id}/payments`, tok.staff, { amount_cents: 1000, method: 'cash', paid_on: '2025-07-01' });
  x = await json(r);
  assert.equal(x.valid_until, '2026-01-09'); // the next term follows the last
  await expectError(assert, await post(`/api/v1/memberships/${m.id}/payments`, tok.staff, { amount_cents: 1000, method: 'bitcoin' }), 422);
  await expectError(assert, await post(`/api/v1/memberships/${m.id}/payments`, tok.staff, { amount_cents: 1000, method: 'cash', paid_on: '2999-01-01' }), 422);
  const pays = await json(await get(`/api/v1/memberships/${m.id}/payments`, tok.staff));
  assert.deepEqual(pays.items.map((i) => i.period_from), ['2025-07-10', '2025-01-10']);
  // its term ended in January 2026: it is in the lapsed list, not in the expiring one
  let l = await json(await get(`/api/v1/memberships?under=${org}&lapsed=true&limit=200`, tok.staff));
  assert.ok(l.items.some((i) => i.id === m.id));
  l = await json(await get(`/api/v1/memberships?under=${org}&expiring_days=30&limit=200`, tok.staff));
  assert.ok(!l.items.some((i) => i.id === m.id));
  // mark it lapsed as the nightly run would, then pay: active again from the day paid
  sql(s.db, `UPDATE membership SET status = 'lapsed' WHERE id = ${m.id}`);
  const today = beijingDate();
  x = await json(await post(`/api/v1/memberships/${m.id}/payments`, tok.staff, { amount_cents: 1000, method: 'wechat' }));
  assert.equal(x.status, 'active');
  assert.ok(x.valid_until > today);
  l = await json(await get(`/api/v1/memberships?under=${org}&expiring_days=200&limit=200`, tok.staff));
  assert.ok(l.items.some((i) => i.id === m.id));
  assert.match(sql(s.db, `SELECT detail FROM audit_log WHERE action = 'membership.pay' AND object_id = '${m.id}' ORDER BY seq DESC LIMIT 1`), /"status":\["lapsed","active"\]/);
});

test('statistics: make-up, growth, coverage and dues of a subtree, scoped like every list', async () => {
  const org = Number(ids['DC-C1-K2']);
  const t = userWithToken(s.env, 'm.k2', 'org_admin', 'DC-C1-K2');
  const before = await json(await get(`/api/v1/members/stats?under=${org}`, t));
  const reg = async (body) => json(await post('/api/v1/members', t, { org_id: org, ...body }));
  const a = await reg({ name: '统计甲', id_number: idWithCheck('11010519600101011'), title_level: '正高级', education: '博士研究生' }); // male, 66
  const b = await reg({ name: '统计乙', mobile: '13011110002', gender: '女', birth_date: '2000-05-01', political_status: '中共党员' });
  const ma = await json(await post('/api/v1/memberships', t, { org_id: org, person_id: a.id, category: 'fellow' }));
  await post('/api/v1/memberships', t, { org_id: org, person_id: b.id, category: 'student' });
  const today = beijingDate();
  await post(`/api/v1/memberships/${ma.id}/payments`, t, { amount_cents: 30000, method: 'cash', paid_on: today });
  const r = await get(`/api/v1/members/stats?under=${org}`, t);
  assert.equal(r.status, 200, await r.clone().text());
  const st = await json(r);
  const d = (k, key) => (st[k][key] || 0) - (before[k][key] || 0);
  assert.equal(st.people - before.people, 2);
  assert.equal(d('by_gender', '1'), 1);
  assert.equal(d('by_gender', '2'), 1);
  assert.equal(d('by_age', '65_over'), 1);
  assert.equal(d('by_age', 'under_35'), 1);
  assert.equal(d('by_title_level', 'senior'), 1);
  assert.equal(d('by_political', '01'), 1);
  assert.equal(d('by_category', 'fellow'), 1);
  assert.equal(d('by_category', 'student'), 1);
  const month = today.slice(0, 7);
  const g = st.growth.find((x) => x.month === month);
  assert.ok(g && g.joined >= 2, JSON.stringify(st.growth));
  const dues = st.dues.find((x) => x.month === month);
  assert.ok(dues && dues.amount_cents >= 30000);
  assert.ok(st.coverage.orgs >= 1 && st.coverage.covered >= 1 && st.coverage.covered <= st.coverage.orgs);
  // outside the caller's scope: 404
  await expectError(assert, await get(`/api/v1/members/stats?under=${ids['DC-C1-K1']}`, t), 404);
});

function usccWithCheck(first17) {
  const cs = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...first17].reduce((a, c, i) => a + cs.indexOf(c) * w[i], 0);
  return first17 + cs[(31 - (sum % 31)) % 31];
}

test('group members: a unit with a checked credit code and a representative holds a membership; an org that is a group member counts as covered', async () => {
  const org = Number(ids['DC-C1-K2']);
  const t = userWithToken(s.env, 'm.k2u', 'org_admin', 'DC-C1-K2');
  const code = usccWithCheck('91350100MA2XY712A');
  let e = await expectError(assert, await post('/api/v1/member-units', t, { org_id: org, name: '河口县示范农业公司', credit_code: code.slice(0, 17) + (code[17] === '1' ? '2' : '1') }), 422);
  assert.equal(e.details[0].field, 'credit_code');
  assert.equal(e.details[0].code, 'credit_code_checksum'); // the organization's credit code has the same check and codes
  const rep = await json(await post('/api/v1/members', t, { org_id: org, name: '单位代表', mobile: '13022220001' }));
  let r = await post('/api/v1/member-units', t, { org_id: org, name: '河口县示范农业公司', credit_code: code.toLowerCase(), contact: '王经理 13022220002', representative_id: rep.id });
  assert.equal(r.status, 201, await r.clone().text());
  const u = await json(r);
  assert.equal(u.credit_code, code);
  assert.equal(u.representative_name, '单位代表');
  await expectError(assert, await post('/api/v1/member-units', t, { org_id: org, name: '重复', credit_code: code }), 409);
  // a representative the caller cannot see is refused by the route (404 naming the field)
  const outside = await json(await post('/api/v1/members', tok.staff, { org_id: K1(), name: '外县代表', mobile: '13022220003' }));
  e = await expectError(assert, await post('/api/v1/member-units', t, { org_id: org, name: '另一家', representative_id: outside.id }), 404);
  assert.equal(e.details[0].field, 'representative_id');
  await expectError(assert, await get(`/api/v1/member-units/${u.id}`, tok.staff), 404);
  // an org of the tree with that credit code, then the unit joins: the org is covered
  const before = await json(await get(`/api/v1/members/stats?under=${org}`, t));
  r = await post('/api/v1/orgs', t, { code: 'DC-C1-K2-AGR', name: '河口县示范农业公司科协', level: 'grassroots', type: 'enterprise', parent_id: org, credit_code: code });
  assert.equal(r.status, 201, await r.clone().text());
  const mid = await json(await get(`/api/v1/members/stats?under=${org}`, t));
  assert.equal(mid.coverage.orgs, before.coverage.orgs + 1);
  assert.equal(mid.coverage.covered, before.coverage.covered);
  r = await post('/api/v1/memberships', t, { org_id: org, unit_id: u.id, category: 'group' });
  assert.equal(r.status, 201, await r.clone().text());
  const ms = await json(r);
  assert.equal(ms.holder_name, '河口县示范农业公司');
  assert.equal(ms.unit_id, u.id);
  const after = await json(await get(`/api/v1/members/stats?under=${org}`, t));
  assert.equal(after.coverage.covered, mid.coverage.covered + 1);
  // PATCH with If-Match; null clears the representative
  r = await send('PATCH', `/api/v1/member-units/${u.id}`, t, { representative_id: null, name: '河口县示范农业股份公司' }, { 'if-match': `"${u.version}"` });
  assert.equal(r.status, 200, await r.clone().text());
  const u2 = await json(r);
  assert.equal(u2.representative_id, null);
  assert.equal(u2.name, '河口县示范农业股份公司');
  await expectError(assert, await send('PATCH', `/api/v1/member-units/${u.id}`, t, { name: 'x' }, { 'if-match': `"${u.version}"` }), 412);
});

test('the managed tag list, with words, for pickers (member.read)', async () => {
  const b = await json(await get('/api/v1/members/tags', tok.staff));
  assert.ok(b.items.length >= 6);
  assert.deepEqual(b.items[0], { code: 'senior_expert', zh: '老科技工作者', en: 'Senior expert' });
  await expectError(assert, await get('/api/v1/members/tags', tok.reviewer), 403);
});

test('kexie member rekey: every sealed value under a new key version while the server runs; reveals still work; lapse marks ended terms', async () => {
  const p = await json(await post('/api/v1/members', tok.staff, { org_id: K1(), name: '换钥人', id_number: idWithCheck('11010519550505005'), mobile: '13900009999' }));
  const before = sql(s.db, 'SELECT version FROM pii_key').trim();
  let r = kexie(['member', 'rekey'], s.env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`key version ${before} -> ${Number(before) + 1}: \\d+ values re-encrypted`));
  assert.equal(sql(s.db, "SELECT count(*) FROM person WHERE id_enc IS NOT NULL AND id_enc NOT LIKE (SELECT version || '$%' FROM pii_key)").trim(), '0');
  // the running server reads the new version: the masked answer and a reveal
  const admin2 = userWithToken(s.env, 'm.admin2', 'org_admin', 'DC-C1');
  const q = await json(await get(`/api/v1/members/${p.id}`, admin2));
  assert.equal(q.mobile, '139****9999');
  const v = await json(await post(`/api/v1/members/${p.id}/reveal`, admin2, { field: 'id_number', reason: '换钥后核对' }));
  assert.equal(v.value, idWithCheck('11010519550505005'));
  assert.ok(sql(s.db, "SELECT count(*) FROM audit_log WHERE action = 'pii.rekey'").trim() >= '1');
  // lapse: an active membership whose term ended yesterday
  const m = await json(await post('/api/v1/memberships', tok.staff, { org_id: K1(), person_id: p.id, category: 'individual', joined_on: '2020-01-01' }));
  sql(s.db, `UPDATE membership SET valid_until = '2021-01-01' WHERE id = ${m.id}`);
  r = kexie(['member', 'lapse'], s.env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /[1-9]\d* memberships? lapsed/);
  assert.equal((await json(await get(`/api/v1/memberships/${m.id}`, tok.staff))).status, 'lapsed');
});
