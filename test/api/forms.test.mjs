// forms.test.mjs - the forms mechanism over HTTP (issue 13, "Forms and submissions"):
// templates with versions (a change of schema is a new version; a submission keeps its
// own), schema errors by path, preview validation with errors by field, drafts autosaved
// with If-Match (428/412), submit with an Idempotency-Key (a retry makes one submission, a
// different request with the key is refused), return -> resubmit -> accept, revisions and
// their diff, late against a deadline in Asia/Shanghai, the built-in templates, and scope:
// an org outside gets 404, a role without the permission 403. Runs on SQLite and, with
// KEXIE_TEST_PG, on PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, json, expectError, sql, userWithToken, beijingDate } from './lib.mjs';

let s, ids, tok;
const H = (t, extra = {}) => ({ ...(t ? { authorization: `Bearer ${t}` } : {}), ...extra });
const get = (path, t) => fetch(`${s.url}${path}`, { headers: H(t) });
const send = (method, path, t, body, extra = {}) => fetch(`${s.url}${path}`, {
  method, headers: H(t, { 'content-type': 'application/json', ...extra }), body: JSON.stringify(body),
});
const post = (path, t, body, extra) => send('POST', path, t, body, extra);
const L = (zh, en) => ({ zh, en });

// An activity report: a table of activities whose participants the total must equal.
const SCHEMA = {
  fields: [
    { key: 'title', type: 'text', label: L('标题', 'Title'), required: true, max: 50 },
    { key: 'held_on', type: 'date', label: L('日期', 'Date'), required: true },
    { key: 'cost', type: 'decimal', label: L('经费', 'Cost'), scale: 2, min: '0' },
    { key: 'extra', type: 'decimal', label: L('补助', 'Grant'), scale: 2 },
    { key: 'total_cost', type: 'decimal', label: L('合计', 'Total'), scale: 2, rule: { sum: ['cost', 'extra'] } },
    { key: 'kind', type: 'choice', label: L('类型', 'Kind'), options: [{ code: 'talk', label: L('讲座', 'Talk') }, { code: 'fair', label: L('科普展', 'Fair') }] },
    { key: 'rows', type: 'table', label: L('活动', 'Activities'), max: 5, columns: [
      { key: 'name', type: 'text', label: L('名称', 'Name'), required: true },
      { key: 'people', type: 'integer', label: L('人数', 'People'), min: 0 },
    ] },
    { key: 'people', type: 'integer', label: L('总人数', 'People in all'), rule: { sum: ['rows.people'] } },
    { key: 'unit', type: 'org', label: L('承办单位', 'Host') },
  ],
};
const GOOD = { title: '科普日', held_on: '2026年9月16日', cost: '0.1', extra: '0.2', total_cost: '0.3', kind: 'talk', rows: [{ name: '讲座', people: 30 }, { name: '展览', people: 12 }], people: 42 };

before(async () => {
  s = await startServer();
  ids = Object.fromEntries(sql(s.db, 'SELECT code, id FROM org').trim().split('\n').map((l) => l.split('|')));
  tok = {
    designer: userWithToken(s.env, 'f.design', 'staff', 'DC-C1'),
    reviewer: userWithToken(s.env, 'f.review', 'reviewer', 'DC-C1'),
    staff: userWithToken(s.env, 'f.staff', 'staff', 'DC-C1-K1'),
    sibling: userWithToken(s.env, 'f.sib', 'staff', 'DC-C1-K2'),
    outside: userWithToken(s.env, 'f.out', 'org_admin', 'XL'),
    member: userWithToken(s.env, 'f.member', 'member', 'DC-C1-K1'),
    k1reviewer: userWithToken(s.env, 'f.k1rev', 'reviewer', 'DC-C1-K1'),
  };
});
after(async () => { if (process.env.FORMS_LOG) console.log(s.log().slice(-3000)); await s.stop(); });

const org = (code) => Number(ids[code]);
let form; // the form made below, used by the later tests

test('create a form: the schema is checked, errors name the path; the answer carries version 1', async () => {
  const bad = structuredClone(SCHEMA);
  bad.fields[4].rule.sum[1] = 'nope';
  bad.fields[5].options[1].code = 'talk';
  bad.fields.push({ key: 'title', type: 'text', label: L('重复', 'Again') });
  let e = await expectError(assert, await post('/api/v1/forms', tok.designer, { org_id: org('DC-C1'), code: 'act', name: '活动报告', schema: bad }), 422, 'unprocessable');
  const got = e.details.map((d) => `${d.field}:${d.code}`);
  assert.ok(got.includes('schema.fields[5].options[1].code:duplicate_option'), got.join(' '));
  assert.ok(got.includes('schema.fields[9].key:duplicate_key'), got.join(' '));
  // references are checked once the fields themselves are right
  bad.fields.pop();
  bad.fields[5].options[1].code = 'fair';
  e = await expectError(assert, await post('/api/v1/forms', tok.designer, { org_id: org('DC-C1'), code: 'act', name: '活动报告', schema: bad }), 422);
  assert.deepEqual(e.details.map((d) => `${d.field}:${d.code}`), ['schema.fields[4].rule.sum[1]:unknown_reference']);
  e = await expectError(assert, await post('/api/v1/forms', tok.designer, { org_id: org('DC-C1'), code: 'act', name: '活动报告', schema: { fields: [{ key: 'p', type: 'text', label: L('甲', 'A'), pattern: '(a+)+$' }] } }), 422);
  assert.equal(e.details[0].field, 'schema.fields[0].pattern');
  assert.equal(e.details[0].code, 'pattern_unsafe');
  assert.equal(sql(s.db, "SELECT count(*) FROM form_template WHERE code = 'act'").trim(), '0');

  const r = await post('/api/v1/forms', tok.designer, { org_id: org('DC-C1'), code: 'act', name: '活动报告', name_en: 'Activity report', schema: SCHEMA });
  assert.equal(r.status, 201, await r.clone().text());
  form = await json(r);
  assert.equal(r.headers.get('etag'), `"${form.version}"`);
  assert.equal(form.current_version, 1);
  assert.equal(form.schema_version, 1);
  assert.equal(form.builtin, false);
  assert.equal(form.schema.fields.length, SCHEMA.fields.length);
  assert.equal(form.schema.fields[2].min, '0.000000'); // decimal bounds kept as exact strings
  assert.equal(form.schema.fields[0].required, true);
  // the same code twice in one org
  await expectError(assert, await post('/api/v1/forms', tok.designer, { org_id: org('DC-C1'), code: 'act', name: '又一个', schema: SCHEMA }), 409);
  assert.equal(sql(s.db, `SELECT count(*) FROM audit_log WHERE action = 'form.create' AND object_id = '${form.id}'`).trim(), '1');
});

test('change a form: If-Match required (428) and current (412); a new schema is a new version, the old one kept', async () => {
  const path = `/api/v1/forms/${form.id}`;
  await expectError(assert, await send('PATCH', path, tok.designer, { name: '活动报告（新）' }), 428);
  await expectError(assert, await send('PATCH', path, tok.designer, { name: '活动报告（新）' }, { 'if-match': '"999"' }), 412);
  let r = await send('PATCH', path, tok.designer, { name: '活动报告（新）' }, { 'if-match': `"${form.version}"` });
  assert.equal(r.status, 200, await r.clone().text());
  let f = await json(r);
  assert.equal(f.current_version, 1); // a new name is no new version
  const v2 = structuredClone(SCHEMA);
  v2.fields.push({ key: 'note', type: 'long_text', label: L('备注', 'Note') });
  r = await send('PATCH', path, tok.designer, { schema: v2 }, { 'if-match': `"${f.version}"` });
  assert.equal(r.status, 200, await r.clone().text());
  f = await json(r);
  assert.equal(f.current_version, 2);
  assert.equal(f.schema.fields.at(-1).key, 'note');
  const old = await json(await get(`${path}?version=1`, tok.designer));
  assert.equal(old.schema_version, 1);
  assert.equal(old.schema.fields.length, SCHEMA.fields.length);
  await expectError(assert, await get(`${path}?version=9`, tok.designer), 404);
  const vs = await json(await get(`${path}/versions`, tok.designer));
  assert.deepEqual(vs.items.map((v) => v.number), [2, 1]);
  assert.equal(vs.items[0].created_by, 'f.design');
  // a bad schema changes nothing
  await expectError(assert, await send('PATCH', path, tok.designer, { schema: { fields: [{ key: 'x', type: 'rich', label: L('x', 'x') }] } }, { 'if-match': `"${f.version}"` }), 422);
  assert.equal((await json(await get(path, tok.designer))).current_version, 2);
  form = f;
});

test('scope of a form: read and filled in from below, changed only in the owner\'s subtree; outside 404; no permission 403', async () => {
  const path = `/api/v1/forms/${form.id}`;
  assert.equal((await get(path, tok.staff)).status, 200); // K1 is below the owner DC-C1
  await expectError(assert, await send('PATCH', path, tok.staff, { name: '改' }, { 'if-match': `"${form.version}"` }), 404);
  await expectError(assert, await get(path, tok.outside), 404);
  await expectError(assert, await get(path, tok.member), 403);
  const list = await json(await get(`/api/v1/forms?under=${org('DC-C1-K1')}`, tok.staff));
  const codes = list.items.map((f) => f.code);
  assert.ok(codes.includes('act') && codes.includes('monthly_briefing') && codes.includes('activity_summary'), codes.join());
  const outList = await json(await get('/api/v1/forms', tok.outside));
  assert.ok(!outList.items.some((f) => f.id === form.id));
});

test('the built-in templates: 月度工作简报 and 活动总结, usable by every org, changed by nobody', async () => {
  const list = await json(await get('/api/v1/forms', tok.staff));
  const brief = list.items.find((f) => f.code === 'monthly_briefing');
  assert.equal(brief.name, '月度工作简报');
  assert.equal(brief.builtin, true);
  const one = await json(await get(`/api/v1/forms/${brief.id}`, tok.staff));
  assert.deepEqual(one.schema.fields.map((f) => f.key), ['highlights', 'activities', 'participants', 'volunteers', 'typical_cases', 'next_plan']);
  const act = list.items.find((f) => f.code === 'activity_summary');
  const a = await json(await get(`/api/v1/forms/${act.id}`, tok.staff));
  assert.deepEqual(a.schema.fields.map((f) => f.key), ['activity_count', 'participants', 'volunteers', 'photos', 'narrative']);
  await expectError(assert, await send('PATCH', `/api/v1/forms/${brief.id}`, tok.designer, { name: '改' }, { 'if-match': `"${one.version}"` }), 403);
  // a built-in form needs the receiving org, which must be at or above the submitter
  let e = await expectError(assert, await post('/api/v1/form-submissions', tok.staff, { template_id: brief.id, org_id: org('DC-C1-K1'), subject_kind: 'period', subject_id: 202611 }), 422);
  assert.equal(e.details[0].field, 'receiving_org_id');
  assert.equal(e.details[0].code, 'required');
  e = await expectError(assert, await post('/api/v1/form-submissions', tok.staff, { template_id: brief.id, org_id: org('DC-C1-K1'), subject_kind: 'period', subject_id: 202611, receiving_org_id: org('DC-C1-K2') }), 422);
  assert.equal(e.details[0].code, 'not_above');
  const r = await post('/api/v1/form-submissions', tok.staff, { template_id: brief.id, org_id: org('DC-C1-K1'), subject_kind: 'period', subject_id: 202611, receiving_org_id: org('DC-C1') });
  assert.equal(r.status, 201, await r.clone().text());
  const sub = await json(r);
  // submitting it empty names every required field of the briefing
  e = await expectError(assert, await post(`/api/v1/form-submissions/${sub.id}/submit`, tok.staff, {}), 422);
  assert.deepEqual(e.details.map((d) => d.field).sort(), ['values.activities', 'values.highlights', 'values.next_plan', 'values.participants']);
  const ok = await post(`/api/v1/form-submissions/${sub.id}/submit`, tok.staff, { values: { highlights: '开展科普日活动', activities: 12, participants: 3400, next_plan: '筹备年会' } });
  assert.equal(ok.status, 200, await ok.clone().text());
  assert.equal((await json(ok)).status, 'submitted');
});

test('preview validation: errors by field (key[row].col in tables), exact sums, nothing stored', async () => {
  const path = `/api/v1/forms/${form.id}/validate`;
  const n = sql(s.db, 'SELECT count(*) FROM form_submission').trim();
  let e = await expectError(assert, await post(path, tok.staff, { values: { ...GOOD, title: '', total_cost: '0.31', rows: [{ name: '讲座', people: -1 }, { people: 3 }], unit: org('XL') } }), 422);
  const got = Object.fromEntries(e.details.map((d) => [d.field, d]));
  assert.equal(got['values.title'].code, 'required');
  assert.equal(got['values.rows[0].people'].code, 'out_of_range');
  assert.equal(got['values.rows[1].name'].code, 'required');
  assert.equal(got['values.unit'].code, 'org_outside_scope');
  e = await expectError(assert, await post(path, tok.staff, { values: { ...GOOD, total_cost: '0.31' } }), 422);
  assert.equal(e.details[0].field, 'values.total_cost');
  assert.equal(e.details[0].code, 'sum_mismatch');
  assert.equal(e.details[0].params.expected, '0.30');
  e = await expectError(assert, await post(path, tok.staff, { values: { ...GOOD, surprise: 1 } }), 422);
  assert.equal(e.details[0].field, 'values.surprise');
  assert.equal(e.details[0].code, 'unknown_field');
  const r = await post(path, tok.staff, { values: { ...GOOD, unit: org('DC-C1-K1') } });
  assert.equal(r.status, 200, await r.clone().text());
  const v = await json(r);
  assert.equal(v.valid, true);
  assert.equal(v.form_version, 2);
  assert.equal(v.values.held_on, '2026-09-16');
  assert.equal(v.values.cost, '0.10');
  assert.equal(v.values.total_cost, '0.30');
  // against version 1 the new field is unknown; as a draft the required ones may wait
  e = await expectError(assert, await post(path, tok.staff, { values: { ...GOOD, note: 'x' }, version: 1 }), 422);
  assert.equal(e.details[0].field, 'values.note');
  assert.equal((await post(path, tok.staff, { values: { cost: '1' }, draft: true })).status, 200);
  assert.equal(sql(s.db, 'SELECT count(*) FROM form_submission').trim(), n);
});

let sub;
test('a draft: started by the org\'s staff, autosaved with If-Match (428 without, 412 stale)', async () => {
  let e = await expectError(assert, await post('/api/v1/form-submissions', tok.staff, { template_id: form.id, org_id: org('DC-C1-K1'), subject_kind: 'notice', subject_id: 1, deadline: '2026-6-15' }), 422);
  assert.equal(e.details[0].field, 'deadline');
  const r = await post('/api/v1/form-submissions', tok.staff, { template_id: form.id, org_id: org('DC-C1-K1'), subject_kind: 'notice', subject_id: 1, deadline: beijingDate(0), values: { title: '草稿' } });
  assert.equal(r.status, 201, await r.clone().text());
  sub = await json(r);
  assert.equal(sub.status, 'draft');
  assert.equal(sub.form_version, 2);
  assert.equal(sub.receiving_org_id, org('DC-C1'));
  assert.equal(sub.late, null);
  assert.deepEqual(sub.values, { title: '草稿' });
  // one submission of a form per org and subject
  await expectError(assert, await post('/api/v1/form-submissions', tok.staff, { template_id: form.id, org_id: org('DC-C1-K1'), subject_kind: 'notice', subject_id: 1 }), 409);
  const path = `/api/v1/form-submissions/${sub.id}`;
  await expectError(assert, await send('PATCH', path, tok.staff, { values: { title: '再改' } }), 428);
  await expectError(assert, await send('PATCH', path, tok.staff, { values: { title: '再改' } }, { 'if-match': `"${sub.version + 5}"` }), 412);
  e = await expectError(assert, await send('PATCH', path, tok.staff, { values: { title: '再改', cost: 'abc' } }, { 'if-match': `"${sub.version}"` }), 422);
  assert.equal(e.details[0].field, 'values.cost');
  let ok = await send('PATCH', path, tok.staff, { values: { title: '再改', cost: '5' } }, { 'if-match': `"${sub.version}"` });
  assert.equal(ok.status, 200, await ok.clone().text());
  const saved = await json(ok);
  assert.equal(saved.version, sub.version + 1);
  assert.deepEqual(saved.values, { title: '再改', cost: '5.00' });
  // the same version again is stale now: no lost update
  await expectError(assert, await send('PATCH', path, tok.staff, { values: { title: '覆盖' } }, { 'if-match': `"${sub.version}"` }), 412);
  sub = saved;
});

test('submit with an Idempotency-Key: a retry answers the first outcome and makes one revision; another request with the key 422', async () => {
  const path = `/api/v1/form-submissions/${sub.id}/submit`;
  const key = { 'idempotency-key': 'k-1f2e3d' };
  const r1 = await post(path, tok.staff, { values: GOOD }, key);
  assert.equal(r1.status, 200, await r1.clone().text());
  const a = await json(r1);
  assert.equal(a.status, 'submitted');
  assert.equal(a.rev, 1);
  assert.equal(a.late, false); // the deadline is today in Beijing
  assert.match(a.submitted_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const r2 = await post(path, tok.staff, { values: GOOD }, key);
  assert.equal(r2.status, 200, await r2.clone().text());
  assert.equal(r2.headers.get('idempotency-replayed'), 'true');
  const b = await json(r2);
  assert.equal(b.rev, 1);
  assert.equal(b.version, a.version);
  assert.equal(sql(s.db, `SELECT count(*) FROM form_submission_rev WHERE submission_id = ${sub.id}`).trim(), '1');
  assert.equal(sql(s.db, `SELECT count(*) FROM audit_log WHERE action = 'submission.submit' AND object_id = '${sub.id}'`).trim(), '1');
  let e = await expectError(assert, await post(path, tok.staff, { values: { ...GOOD, title: '别的' } }, key), 422);
  assert.equal(e.details[0].code, 'idempotency_key_reused');
  // without a key, a second submit is refused: it is with the reviewers
  e = await expectError(assert, await post(path, tok.staff, { values: GOOD }), 409);
  assert.equal(e.details[0].code, 'not_editable');
  await expectError(assert, await post(path, tok.staff, {}, { 'idempotency-key': 'x'.repeat(101) }), 400);
  // a draft cannot be changed once submitted
  await expectError(assert, await send('PATCH', `/api/v1/form-submissions/${sub.id}`, tok.staff, { values: GOOD }, { 'if-match': `"${a.version}"` }), 409);
  sub = a;
});

test('return with a reason -> resubmit -> accept by the receiving org; revisions and their diff', async () => {
  const base = `/api/v1/form-submissions/${sub.id}`;
  // the submitting org's own staff and reviewers are not the receiving org's reviewers
  await expectError(assert, await post(`${base}/return`, tok.staff, { reason: '请补充' }), 404);
  await expectError(assert, await post(`${base}/accept`, tok.k1reviewer, {}), 404);
  await expectError(assert, await post(`${base}/return`, tok.reviewer, { reason: '' }), 422);
  let r = await post(`${base}/return`, tok.reviewer, { reason: '经费合计请核对' });
  assert.equal(r.status, 200, await r.clone().text());
  let x = await json(r);
  assert.equal(x.status, 'returned');
  assert.equal(x.reason, '经费合计请核对');
  await expectError(assert, await post(`${base}/accept`, tok.reviewer, {}), 409); // nothing to accept now
  // the org fixes it (autosave) and submits again
  r = await send('PATCH', base, tok.staff, { values: { ...GOOD, cost: '1.5', total_cost: '1.7' } }, { 'if-match': `"${x.version}"` });
  assert.equal(r.status, 200, await r.clone().text());
  r = await post(`${base}/submit`, tok.staff, {}, { 'idempotency-key': 'k-second' });
  assert.equal(r.status, 200, await r.clone().text());
  x = await json(r);
  assert.equal(x.status, 'resubmitted');
  assert.equal(x.rev, 2);
  assert.equal(x.reason, null);
  assert.equal(x.late, false); // judged at the first submit
  r = await post(`${base}/accept`, tok.reviewer, {});
  assert.equal(r.status, 200, await r.clone().text());
  assert.equal((await json(r)).status, 'accepted');
  const revs = await json(await get(`${base}/revisions`, tok.staff));
  assert.deepEqual(revs.items.map((v) => [v.rev, v.kind]), [[1, 'submitted'], [2, 'resubmitted']]);
  assert.equal(revs.items[0].values.cost, '0.10');
  assert.equal(revs.items[1].values.cost, '1.50');
  const d = await json(await get(`${base}/diff`, tok.reviewer));
  assert.equal(d.from, 1);
  assert.equal(d.to, 2);
  assert.deepEqual(d.changes.map((c) => [c.key, c.before, c.after]), [['cost', '0.10', '1.50'], ['total_cost', '0.30', '1.70']]);
  assert.equal(d.changes[0].label.zh, '经费');
  const first = await json(await get(`${base}/diff?from=0&to=1`, tok.staff));
  assert.ok(first.changes.length >= 8);
  await expectError(assert, await get(`${base}/diff?from=2&to=2`, tok.staff), 422);
  for (const action of ['submission.return', 'submission.resubmit', 'submission.accept'])
    assert.equal(sql(s.db, `SELECT count(*) FROM audit_log WHERE action = '${action}' AND object_id = '${sub.id}'`).trim(), '1', action);
});

test('late: judged by the server clock against a deadline in Asia/Shanghai', async () => {
  const cases = [[beijingDate(-1), true], [beijingDate(1), false], [`${beijingDate(-1)}T23:59`, true]];
  for (const [i, [deadline, late]] of cases.entries()) {
    let r = await post('/api/v1/form-submissions', tok.staff, { template_id: form.id, org_id: org('DC-C1-K1'), subject_kind: 'period', subject_id: 100 + i, deadline });
    assert.equal(r.status, 201, await r.clone().text());
    const d = await json(r);
    r = await post(`/api/v1/form-submissions/${d.id}/submit`, tok.staff, { values: GOOD });
    assert.equal(r.status, 200, await r.clone().text());
    assert.equal((await json(r)).late, late, deadline);
  }
  const list = await json(await get(`/api/v1/form-submissions?under=${org('DC-C1')}&template_id=${form.id}&subject_kind=period&subject_id=100`, tok.reviewer));
  assert.equal(list.items.length, 1);
  assert.equal(list.items[0].late, true);
});

test('scope of submissions: an org outside 404, a role without the permission 403, staff only for their subtree', async () => {
  const base = `/api/v1/form-submissions/${sub.id}`;
  await expectError(assert, await get(base, tok.sibling), 404);
  await expectError(assert, await get(base, tok.outside), 404);
  await expectError(assert, await get(base, tok.member), 403);
  assert.equal((await get(base, tok.reviewer)).status, 200); // the receiving org above sees it
  // staff of a sibling cannot start one for K1; a reviewer cannot submit at all
  await expectError(assert, await post('/api/v1/form-submissions', tok.sibling, { template_id: form.id, org_id: org('DC-C1-K1'), subject_kind: 'adhoc', subject_id: 0 }), 404);
  await expectError(assert, await post('/api/v1/form-submissions', tok.k1reviewer, { template_id: form.id, org_id: org('DC-C1-K1'), subject_kind: 'adhoc', subject_id: 0 }), 403);
  // a form of an org that is not above the submitter cannot be used by it
  const r = await post('/api/v1/forms', tok.sibling, { org_id: org('DC-C1-K2'), code: 'k2', name: '二区', schema: { fields: [{ key: 'a', type: 'text', label: L('甲', 'A') }] } });
  assert.equal(r.status, 201, await r.clone().text());
  const k2 = await json(r);
  await expectError(assert, await post('/api/v1/form-submissions', tok.designer, { template_id: k2.id, org_id: org('DC-C1-K1'), subject_kind: 'adhoc', subject_id: 0 }), 422);
  // lists never show another subtree's submissions
  const mine = await json(await get('/api/v1/form-submissions', tok.sibling));
  assert.ok(!mine.items.some((x) => x.org_id === org('DC-C1-K1')));
});
