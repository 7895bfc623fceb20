// registration.test.mjs - joining the register from outside (issue 12, "Members
// themselves"): the public registration page's consent text and org picker, applications
// through the one normaliser with personal values sealed, approval by the org's staff
// (person found or created, membership numbered, member account), rejection with a reason
// the applicant sees, the new member signing in to their own record, changing what they may,
// downloading everything kept about them, and erasure that keeps every count right.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, json, expectError, sql, userWithToken, kexie } from './lib.mjs';

const PW = 'A-l0ng-and-unusual-pass';
let s, ids, tok, consent;
const H = (t, extra = {}) => ({ ...(t ? { authorization: `Bearer ${t}` } : {}), ...extra });
const get = (path, t) => fetch(`${s.url}${path}`, { headers: H(t) });
const send = (method, path, t, body, extra = {}) => fetch(`${s.url}${path}`, {
  method, headers: H(t, { 'content-type': 'application/json', ...extra }), body: JSON.stringify(body),
});
const post = (path, t, body) => send('POST', path, t, body);
function idWithCheck(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((a, c, i) => a + Number(c) * w[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

before(async () => {
  s = await startServer();
  ids = Object.fromEntries(sql(s.db, 'SELECT code, id FROM org').trim().split('\n').map((l) => l.split('|')));
  tok = {
    admin: userWithToken(s.env, 'r.admin', 'org_admin', 'DC-C1-K1'),
    staff: userWithToken(s.env, 'r.staff', 'staff', 'DC-C1-K1'),
    sibling: userWithToken(s.env, 'r.sib', 'org_admin', 'DC-C1-K2'),
  };
  consent = await json(await get('/api/v1/public/consent'));
});
after(async () => { await s.stop(); });

const K1 = () => Number(ids['DC-C1-K1']);
const apply = (body) => post('/api/v1/public/member-applications', null, { org_id: K1(), category: 'individual', consent_version: consent.version, password: PW, ...body });

test('the public page: the consent text with its version, and open organizations to pick by name', async () => {
  assert.match(consent.version, /\S/);
  assert.match(consent.text, /个人信息保护法/);
  const orgs = await json(await get(`/api/v1/public/orgs?q=${encodeURIComponent('安平')}`));
  assert.ok(orgs.items.some((o) => o.id === K1()), JSON.stringify(orgs));
  assert.ok(orgs.items.length <= 20);
  assert.deepEqual((await json(await get(`/api/v1/public/orgs?q=${encodeURIComponent('安')}`))).items, []);
  // the public routes answer without a caller; the staff routes do not
  await expectError(assert, await get('/api/v1/member-applications'), 401);
});

test('apply: refusals name the field; nothing is stored; the personal values are sealed', async () => {
  const n = sql(s.db, 'SELECT count(*) FROM member_application').trim();
  const cases = [
    [{ name: '申请人', mobile: '13800000001', login: 'ap.one', consent_version: 'old' }, 'consent_version', 'consent_outdated'],
    [{ name: '申请人', id_number: '110105194912310021', login: 'ap.one' }, 'id_number', 'id_checksum'],
    [{ name: '申请人', login: 'ap.one' }, 'id_number', 'id_or_mobile'],
    [{ name: '申请人', mobile: '13800000001', login: 'ap.one', password: 'password' }, 'password', null],
    [{ name: '申请人', mobile: '13800000001', login: 'r.admin' }, 'login', 'taken'],
    [{ name: '申请人', mobile: '13800000001', login: 'ap.one', category: '宇航员' }, 'category', 'not_allowed'],
    [{ name: '申请人', mobile: '13800000001', login: 'ap.one', org_id: 987654 }, 'org_id', 'not_found'],
  ];
  for (const [body, field, code] of cases) {
    const r = await apply(body);
    assert.ok([409, 422].includes(r.status), `${JSON.stringify(body)}: ${r.status}`);
    const e = (await json(r)).error;
    const d = e.details.find((x) => x.field === field);
    assert.ok(d, `${field}: ${JSON.stringify(e.details)}`);
    if (code) assert.equal(d.code, code);
  }
  assert.equal(sql(s.db, 'SELECT count(*) FROM member_application').trim(), n);
  const idn = idWithCheck('11010519900101001');
  const r = await apply({ name: '林小一', id_number: idn, mobile: '+86 137 0000 0001', login: 'ap.lin' });
  assert.equal(r.status, 201, await r.clone().text());
  const a = await json(r);
  assert.equal(a.status, 'pending');
  assert.equal(a.token.length, 43);
  const dump = sql(s.db, 'SELECT * FROM member_application') + sql(s.db, 'SELECT detail FROM audit_log');
  assert.ok(!dump.includes(idn) && !dump.includes('13700000001') && !dump.includes(a.token) && !dump.includes(PW));
  // the same ID number again while the first waits: refused
  const again = await apply({ name: '林小一', id_number: idn, login: 'ap.lin2' });
  assert.equal(again.status, 409);
  // the outcome by token; a made-up token is 404
  const st = await json(await post('/api/v1/public/member-applications/status', null, { token: a.token }));
  assert.equal(st.status, 'pending');
  assert.equal(st.id_number, undefined); // the applicant's view holds no personal value
  await expectError(assert, await post('/api/v1/public/member-applications/status', null, { token: 'x'.repeat(43) }), 404);
});

test('approve: person, numbered membership and member account; the member signs in and sees their record', async () => {
  const idn = idWithCheck('11010519880808002');
  const a = await json(await apply({ name: '陈新会员', id_number: idn, mobile: '13700000002', login: 'ap.chen', email: 'Chen@Example.COM' }));
  // the to-do list of the staff shows it; the sibling county cannot see it
  const todo = await json(await get('/api/v1/todo', tok.staff));
  assert.ok(todo.items.some((i) => i.kind === 'member.applications'), JSON.stringify(todo));
  await expectError(assert, await get(`/api/v1/member-applications/${a.id}`, tok.sibling), 404);
  await expectError(assert, await post(`/api/v1/member-applications/${a.id}/approve`, tok.sibling, {}), 404);
  const list = await json(await get(`/api/v1/member-applications?under=${K1()}`, tok.staff));
  const row = list.items.find((x) => x.id === a.id);
  assert.equal(row.id_number, `110***********${idn.slice(-4)}`);
  assert.equal(row.mobile, '137****0002');
  let r = await post(`/api/v1/member-applications/${a.id}/approve`, tok.staff, {});
  assert.equal(r.status, 200, await r.clone().text());
  const done = await json(r);
  assert.equal(done.status, 'approved');
  assert.match(done.member_number, /^DC-C1-K1\d{4}\d{6}$/);
  await expectError(assert, await post(`/api/v1/member-applications/${a.id}/approve`, tok.staff, {}), 409);
  const st = await json(await post('/api/v1/public/member-applications/status', null, { token: a.token }));
  assert.equal(st.status, 'approved');
  assert.equal(st.member_number, done.member_number);
  // the consent given goes with the person, with its version and time
  assert.match(sql(s.db, `SELECT consent_version || '|' || CASE WHEN consent_at > 0 THEN 'yes' ELSE 'no' END FROM person WHERE name = '陈新会员'`).trim(), new RegExp(`^${consent.version}\\|yes$`));
  // the sealed values and the password hash are gone from the application
  assert.equal(sql(s.db, `SELECT COALESCE(id_enc, 'none') || COALESCE(password_hash, 'none') FROM member_application WHERE id = ${a.id}`).trim(), 'nonenone');
  // the new member: an account with the member role, linked to the person
  const t = kexie(['token', 'create', '--login', 'ap.chen'], s.env);
  assert.equal(t.code, 0, t.stderr);
  const me = t.stdout.trim();
  r = await get('/api/v1/me/member', me);
  assert.equal(r.status, 200, await r.clone().text());
  const rec = await json(r);
  assert.equal(rec.person.name, '陈新会员');
  assert.equal(rec.person.email, 'Chen@example.com');
  assert.equal(rec.person.id_number, `110***********${idn.slice(-4)}`);
  assert.equal(rec.memberships.length, 1);
  assert.equal(rec.memberships[0].number, done.member_number);
  assert.equal(rec.memberships[0].status, 'active');
  // a member changes their contact fields, not their name or ID (400: not a field here)
  const etag = r.headers.get('etag');
  r = await send('PATCH', '/api/v1/me/member', me, { email: 'chen@new.cn', work_unit: '安平县医院' }, { 'if-match': etag });
  assert.equal(r.status, 200, await r.clone().text());
  assert.equal((await json(r)).person.work_unit, '安平县医院');
  await expectError(assert, await send('PATCH', '/api/v1/me/member', me, { name: '别人' }, { 'if-match': etag }), 400);
  // the member is not staff: the register's routes are closed to them
  await expectError(assert, await get(`/api/v1/members?under=${K1()}`, me), 403);
  // the download holds everything, in full, and is audited
  r = await get('/api/v1/me/member/export', me);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-disposition') || '', /attachment/);
  const full = await json(r);
  assert.equal(full.person.id_number, idn);
  assert.equal(full.person.mobile, '13700000002');
  assert.ok(sql(s.db, "SELECT count(*) FROM audit_log WHERE action = 'person.export_self'").trim() >= '1');
  // staff see the person in the register, kept by the org applied to
  const p = await json(await get(`/api/v1/members?under=${K1()}&q=${encodeURIComponent('陈新会员')}`, tok.staff));
  assert.equal(p.items.length, 1);
});

test('approve links a person the register has already (same ID number); reject tells the applicant why', async () => {
  const idn = idWithCheck('11010519770707003');
  let r = await post('/api/v1/members', tok.staff, { org_id: K1(), name: '何已登记', id_number: idn });
  assert.equal(r.status, 201);
  const p = await json(r);
  const a = await json(await apply({ name: '何已登记', id_number: idn, login: 'ap.he' }));
  r = await post(`/api/v1/member-applications/${a.id}/approve`, tok.staff, {});
  assert.equal(r.status, 200, await r.clone().text());
  assert.equal(Number(sql(s.db, `SELECT person_id FROM member_application WHERE id = ${a.id}`).trim()), p.id);
  assert.equal(sql(s.db, `SELECT count(*) FROM person WHERE name = '何已登记'`).trim(), '1');
  const b = await json(await apply({ name: '驳回者', mobile: '13700000004', login: 'ap.no' }));
  await expectError(assert, await post(`/api/v1/member-applications/${b.id}/reject`, tok.staff, {}), 422);
  r = await post(`/api/v1/member-applications/${b.id}/reject`, tok.staff, { reason: '所填工作单位不在本会服务范围' });
  assert.equal(r.status, 200);
  const st = await json(await post('/api/v1/public/member-applications/status', null, { token: b.token }));
  assert.equal(st.status, 'rejected');
  assert.equal(st.reason, '所填工作单位不在本会服务范围');
  assert.equal(sql(s.db, `SELECT count(*) FROM app_user WHERE login = 'ap.no'`).trim(), '0');
});

test('erasure: the member asks, the admin approves; the person is anonymised, the account stops, counts stay', async () => {
  const a = await json(await apply({ name: '注销者', id_number: idWithCheck('11010519660606004'), mobile: '13700000005', login: 'ap.bye' }));
  assert.equal((await post(`/api/v1/member-applications/${a.id}/approve`, tok.staff, {})).status, 200);
  const me = kexie(['token', 'create', '--login', 'ap.bye'], s.env).stdout.trim();
  const rec = await json(await get('/api/v1/me/member', me));
  const personId = rec.person.id;
  const msId = rec.memberships[0].id;
  let r = await post('/api/v1/me/member/erasure', me, { reason: '不再参加学会活动' });
  assert.equal(r.status, 201);
  const e = await json(r);
  await expectError(assert, await post('/api/v1/me/member/erasure', me, {}), 409);
  const list = await json(await get(`/api/v1/member-erasures?under=${K1()}`, tok.admin));
  const item = list.items.find((x) => x.id === e.id);
  assert.equal(item.org_name, '安平县科学技术协会');
  assert.equal(item.decided_at, null);
  // staff may not erase: the admin of the org may
  await expectError(assert, await post(`/api/v1/member-erasures/${e.id}/approve`, tok.staff, {}), 403);
  await expectError(assert, await post(`/api/v1/member-erasures/${e.id}/approve`, tok.sibling, {}), 404);
  const before = sql(s.db, `SELECT count(*) FROM membership WHERE org_id = ${K1()} AND status = 'active'`).trim();
  r = await post(`/api/v1/member-erasures/${e.id}/approve`, tok.admin, { answer: '已按您的要求注销' });
  assert.equal(r.status, 200, await r.clone().text());
  // the person: gone from the register's answers, nothing identifying left in the row
  await expectError(assert, await get(`/api/v1/members/${personId}`, tok.admin), 404);
  const row = sql(s.db, `SELECT name || '|' || COALESCE(id_enc, '') || '|' || COALESCE(mobile_enc, '') || '|' || COALESCE(birth_date, '') FROM person WHERE id = ${personId}`).trim();
  assert.equal(row, `已注销人员${personId}|||1966-07-01`);
  assert.equal(sql(s.db, `SELECT count(*) FROM name_text WHERE kind = 2 AND obj_id = ${personId}`).trim(), '0');
  // the membership stays (the count is unchanged), the account is disabled
  assert.equal(sql(s.db, `SELECT count(*) FROM membership WHERE org_id = ${K1()} AND status = 'active'`).trim(), before);
  assert.equal((await get(`/api/v1/memberships/${msId}`, tok.admin)).status, 200);
  await expectError(assert, await get('/api/v1/me/member', me), 401);
  assert.ok(sql(s.db, "SELECT count(*) FROM audit_log WHERE action = 'person.erase'").trim() === '1');
});

test('applications from one address are limited per hour (each hashes a password)', async () => {
  let last;
  for (let i = 0; i < 25; i++) {
    last = await apply({ name: '批量', mobile: `1360000${String(i).padStart(4, '0')}`, login: `ap.bulk${i}` });
    if (last.status === 429) break;
  }
  await expectError(assert, last, 429);
  assert.equal(last.headers.get('retry-after'), '3600');
});
