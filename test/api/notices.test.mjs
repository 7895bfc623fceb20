// notices.test.mjs - notices down the tree (issue 13, "Notices"): composing with chosen
// orgs and rules, the live count equal to the recipients fixed when sent, closed orgs left
// out, the document number allocated on send and never reused after a recall, the inbox
// (read, acknowledge: who and when), forwarding that rolls up to the original, recall shown
// as withdrawn, approval, guided-by rules reaching outside the subtree, scope (404 outside,
// 403 without the permission) and Markdown that cannot carry script.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, json, expectError, sql, userWithToken, beijingDate } from './lib.mjs';

let s, ids, tok;
const H = (t, extra = {}) => ({ authorization: `Bearer ${t}`, ...extra });
const get = (path, t) => fetch(`${s.url}${path}`, { headers: H(t) });
const send = (method, path, t, body, extra = {}) => fetch(`${s.url}${path}`, {
  method, headers: H(t, { 'content-type': 'application/json', ...extra }), body: JSON.stringify(body ?? {}),
});
const post = (path, t, body) => send('POST', path, t, body);
const id = (code) => Number(ids[code]);
const year = beijingDate().slice(0, 4);

async function draft(t, body) {
  const r = await post('/api/v1/notices', t, body);
  const b = await json(r);
  assert.equal(r.status, 201, JSON.stringify(b));
  return b;
}
async function ok(res, status = 200) {
  const b = await json(res);
  assert.equal(res.status, status, JSON.stringify(b));
  return b;
}
const inbox = async (t, org, q = '') => ok(await get(`/api/v1/orgs/${id(org)}/inbox${q}`, t));
const receipts = async (t, n, q = '') => ok(await get(`/api/v1/notices/${n}/receipts${q}`, t));

before(async () => {
  s = await startServer();
  ids = Object.fromEntries(sql(s.db, 'SELECT code, id FROM org').trim().split('\n').map((l) => l.split('|')));
  tok = {
    cast: userWithToken(s.env, 'n.cast', 'org_admin', 'CAST'),
    dcAdmin: userWithToken(s.env, 'n.dcadmin', 'org_admin', 'DC'),
    dc: userWithToken(s.env, 'n.dc', 'staff', 'DC'),
    k1: userWithToken(s.env, 'n.k1', 'staff', 'DC-C1-K1'),
    t1: userWithToken(s.env, 'n.t1', 'staff', 'DC-C1-K1-T1'),
    k2: userWithToken(s.env, 'n.k2', 'staff', 'DC-C1-K2'),
    reviewer: userWithToken(s.env, 'n.rev', 'reviewer', 'DC'),
    smech: userWithToken(s.env, 'n.smech', 'staff', 'S-MECH'),
    dcsmech: userWithToken(s.env, 'n.dcsmech', 'staff', 'DC-S-MECH'),
  };
  await ok(await send('PUT', `/api/v1/orgs/${id('DC')}/notice-config`, tok.dcAdmin, { prefix: 'X科协发' }));
});
after(async () => { await s.stop(); });

test('Markdown is rendered on the server to safe HTML: no script, links only http/https/mailto', async () => {
  const body = [
    '# 标题', '', '<script>alert(1)</script>', '', '<img src=x onerror=alert(2)>', '',
    '[bad](javascript:alert(3)) [data](data:text/html;base64,PHNjcmlwdD4=) [ent](jav&#x61;script:alert(4))',
    '[good](https://example.org/a?b=1&c=2) [mail](mailto:office@example.org) <https://kexie.example/x>', '',
    '![pic](https://example.org/p.png "t")', '', '| a | b |', '|---|---|', '| 1 | 2 |',
  ].join('\n');
  const n = await draft(tok.dc, { org_id: id('DC'), title: '安全渲染', body });
  const h = n.body_html;
  assert.doesNotMatch(h, /<script|<img|<[a-z][^>]*\son\w+=|href="(javascript|data|jav&)/i, h);
  assert.match(h, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(h, /<h1>标题<\/h1>/);
  assert.match(h, /<a href="https:\/\/example\.org\/a\?b=1&amp;c=2" rel="nofollow noopener noreferrer">good<\/a>/);
  assert.match(h, /<a href="mailto:office@example\.org"/);
  assert.match(h, /<a href="https:\/\/kexie\.example\/x"/);
  assert.match(h, /bad/); // the text stays, the link goes
  assert.match(h, /<table>/);
  assert.equal(n.body, body); // the Markdown is kept as written
  const prev = await ok(await post('/api/v1/notices/render', tok.dc, { body: '[x](javascript:alert(1)) **b**' }));
  assert.doesNotMatch(prev.html, /href/);
  assert.match(prev.html, /<strong>b<\/strong>/);
});

test('compose with rules: the live count equals the recipients fixed when sent; a closed org is not one', async () => {
  const targets = {
    orgs: [id('DC-C1-K1-UNI')],
    rules: [{ kind: 'subtree', org_id: id('DC'), level: 'county', type: 'association' },
      { kind: 'subtree', org_id: id('DC-C2'), level: 'grassroots' }],
  };
  const p1 = await ok(await post('/api/v1/notices/preview-targets', tok.dc, { org_id: id('DC'), targets, limit: 3 }));
  // 4 county associations + 1 chosen + DC-C2's grassroots (PARK, INST, INST, HOSP)
  assert.equal(p1.count, 9);
  assert.equal(p1.items.length, 3);
  assert.deepEqual(p1.items.map((o) => o.code), [...p1.items.map((o) => o.code)].sort());
  // a county is not repeated when two targets reach it
  const dup = await ok(await post('/api/v1/notices/preview-targets', tok.dc,
    { org_id: id('DC'), targets: { orgs: [id('DC-C1-K1')], rules: [targets.rules[0]] } }));
  assert.equal(dup.count, 4);
  const n = await draft(tok.dc, { org_id: id('DC'), title: '关于报送5.30活动总结的通知', body: '请于6月15日前报送。',
    contact_name: '王老师', contact_phone: '010-12345678', deadline_date: '2026-06-15', receipt_required: true, targets });
  assert.equal(n.state, 'draft');
  assert.equal(n.number, null);
  assert.equal(n.deadline_at, Date.UTC(2026, 5, 15, 15, 59, 59, 999)); // 23:59:59.999 Beijing
  assert.deepEqual(n.targets.orgs, [id('DC-C1-K1-UNI')]);
  assert.equal(n.targets.rules.length, 2);
  // close one of the targets today: it leaves the count and the recipients
  await ok(await post(`/api/v1/orgs/${id('DC-C2-K2-HOSP')}/close`, tok.cast, {}));
  const p2 = await ok(await post('/api/v1/notices/preview-targets', tok.dc, { org_id: id('DC'), targets, limit: 200 }));
  assert.equal(p2.count, 8);
  assert.ok(!p2.items.some((o) => o.code === 'DC-C2-K2-HOSP'));
  const sent = await ok(await post(`/api/v1/notices/${n.id}/send`, tok.dc));
  assert.equal(sent.state, 'sent');
  assert.equal(sent.recipient_count, p2.count);
  assert.match(sent.number, new RegExp(`^X科协发〔${year}〕\\d+号$`));
  const rows = await ok(await get(`/api/v1/notices/${n.id}/recipients?limit=500`, tok.dc));
  assert.deepEqual(rows.items.map((r) => r.org.code).sort(), p2.items.map((o) => o.code).sort());
  assert.equal(sql(s.db, `SELECT count(*) FROM audit_log WHERE action = 'notice.send' AND object_id = '${n.id}'`).trim(), '1');
  // a sent notice is no draft any more
  await expectError(assert, await send('PATCH', `/api/v1/notices/${n.id}`, tok.dc, { title: 'x' }, { 'if-match': `"${sent.version}"` }), 409);
  await expectError(assert, await post(`/api/v1/notices/${n.id}/send`, tok.dc), 409);
});

test('the document number is allocated on send, per org and year, and never reused after a recall', async () => {
  const a = await draft(tok.dc, { org_id: id('DC'), title: '通知甲', targets: { orgs: [id('DC-C1')] } });
  const b = await draft(tok.dc, { org_id: id('DC'), title: '通知乙', targets: { orgs: [id('DC-C1')] } });
  const sb = await ok(await post(`/api/v1/notices/${b.id}/send`, tok.dc));
  const seqB = Number(/〕(\d+)号/.exec(sb.number)[1]);
  await expectError(assert, await post(`/api/v1/notices/${b.id}/recall`, tok.dc, { reason: 'x' }), 422);
  const rb = await ok(await post(`/api/v1/notices/${b.id}/recall`, tok.dc, { reason: '内容有误，重新发文' }));
  assert.equal(rb.state, 'recalled');
  assert.equal(rb.number, sb.number); // kept
  const sa = await ok(await post(`/api/v1/notices/${a.id}/send`, tok.dc));
  assert.equal(sa.number, `X科协发〔${year}〕${seqB + 1}号`);
  // another org counts on its own
  const c = await draft(tok.cast, { org_id: id('CAST'), title: '全国通知', targets: { orgs: [id('XL')] } });
  const sc = await ok(await post(`/api/v1/notices/${c.id}/send`, tok.cast));
  assert.match(sc.number, new RegExp(`〔${year}〕1号$`));
});

test('inbox: read marks the first read, acknowledge records who and when; the sender sees the figures', async () => {
  const n = await draft(tok.dc, { org_id: id('DC'), title: '请签收', receipt_required: true,
    targets: { rules: [{ kind: 'subtree', org_id: id('DC-C1'), level: 'county' }] } });
  await ok(await post(`/api/v1/notices/${n.id}/send`, tok.dc));
  let box = await inbox(tok.k1, 'DC-C1-K1', '?state=unread');
  const item = box.items.find((x) => x.notice_id === n.id);
  assert.ok(item && item.state === 'unread' && item.receipt_required && !item.withdrawn, JSON.stringify(box));
  let r = await receipts(tok.dc, n.id);
  assert.deepEqual(r.all, { total: 2, unread: 2, read: 0, acknowledged: 0 });
  const read = await ok(await post(`/api/v1/orgs/${id('DC-C1-K1')}/inbox/${n.id}/read`, tok.k1));
  assert.equal(read.state, 'read');
  assert.equal(read.read_by, 'n.k1');
  assert.ok(read.read_at > 0);
  assert.match(read.notice.body_html, /^$|<p>/);
  const again = await ok(await post(`/api/v1/orgs/${id('DC-C1-K1')}/inbox/${n.id}/read`, tok.k1));
  assert.equal(again.read_at, read.read_at); // the first read is kept
  const ack = await ok(await post(`/api/v1/orgs/${id('DC-C1-K1')}/inbox/${n.id}/acknowledge`, tok.k1));
  assert.equal(ack.state, 'acknowledged');
  assert.equal(ack.ack_by, 'n.k1');
  r = await receipts(tok.dc, n.id);
  assert.deepEqual(r.all, { total: 2, unread: 1, read: 0, acknowledged: 1 });
  box = await inbox(tok.k1, 'DC-C1-K1', '?state=acknowledged');
  assert.ok(box.items.some((x) => x.notice_id === n.id));
  assert.ok(!(await inbox(tok.k1, 'DC-C1-K1', '?state=unread')).items.some((x) => x.notice_id === n.id));
  const unread = await ok(await get(`/api/v1/notices/${n.id}/recipients?state=unread`, tok.dc));
  assert.deepEqual(unread.items.map((x) => x.org.code), ['DC-C1-K2']);
  // the parent sees its child's inbox; keyset pages
  const p1 = await inbox(tok.dc, 'DC-C1-K1', '?limit=1');
  assert.equal(p1.items.length, 1);
  assert.ok(p1.next_after);
  const p2 = await inbox(tok.dc, 'DC-C1-K1', `?limit=1&after=${encodeURIComponent(p1.next_after)}`);
  assert.notEqual(p2.items[0]?.notice_id, p1.items[0].notice_id);
  assert.equal(sql(s.db, `SELECT count(*) FROM audit_log WHERE action IN ('notice.read', 'notice.acknowledge') AND object_id = '${n.id}'`).trim(), '2');
  // the list of sent notices carries the receipt progress
  const list = await ok(await get(`/api/v1/notices?org_id=${id('DC')}&state=sent`, tok.dc));
  const row = list.items.find((x) => x.id === n.id);
  assert.deepEqual(row.receipts, { total: 2, unread: 1, read: 0, acknowledged: 1 });
});

test('forwarding down: a linked child notice whose receipts roll up to the original, per branch', async () => {
  const n = await draft(tok.dc, { org_id: id('DC'), title: '全省通知', targets: { rules: [{ kind: 'subtree', org_id: id('DC'), level: 'county' }] } });
  await ok(await post(`/api/v1/notices/${n.id}/send`, tok.dc));
  // a county forwards to its own subtree with instructions
  const f = await ok(await post(`/api/v1/orgs/${id('DC-C1-K1')}/inbox/${n.id}/forward`, tok.k1, {
    body: '请各单位认真落实。', targets: { rules: [{ kind: 'subtree', org_id: id('DC-C1-K1') }] } }), 201);
  assert.equal(f.parent_id, n.id);
  assert.equal(f.title, '关于转发《全省通知》的通知');
  assert.equal(f.org_id, id('DC-C1-K1'));
  // outside its subtree: refused, naming the field
  const bad = await expectError(assert, await post(`/api/v1/orgs/${id('DC-C1-K1')}/inbox/${n.id}/forward`, tok.k1, {
    targets: { orgs: [id('DC-C1-K2')] } }), 422);
  assert.equal(bad.details[0].field, 'targets.orgs[0]');
  assert.equal(bad.details[0].code, 'out_of_scope');
  const sf = await ok(await post(`/api/v1/notices/${f.id}/send`, tok.k1));
  assert.equal(sf.recipient_count, 3); // T1, ENT, UNI below T1
  const box = await inbox(tok.t1, 'DC-C1-K1-T1');
  assert.ok(box.items.some((x) => x.notice_id === f.id && x.parent_id === n.id));
  await ok(await post(`/api/v1/orgs/${id('DC-C1-K1-T1')}/inbox/${f.id}/acknowledge`, tok.t1));
  const r = await receipts(tok.dc, n.id);
  assert.deepEqual(r.all, { total: 7, unread: 6, read: 0, acknowledged: 1 });
  const c1 = r.branches.find((b) => b.code === 'DC-C1');
  assert.deepEqual([c1.total, c1.acknowledged], [5, 1]); // K1, K2 + K1's three
  const c2 = r.branches.find((b) => b.code === 'DC-C2');
  assert.equal(c2.total, 2);
  // drill down one level: under DC-C1
  const d = await receipts(tok.dc, n.id, `?under=${id('DC-C1')}`);
  assert.deepEqual(d.branches.map((b) => [b.code, b.total, b.acknowledged]), [['DC-C1-K1', 4, 1], ['DC-C1-K2', 1, 0]]);
  await expectError(assert, await get(`/api/v1/notices/${n.id}/receipts?under=${id('XL')}`, tok.dc), 422);
  // the original's recipient records its forward
  const rows = await ok(await get(`/api/v1/notices/${n.id}/recipients?under=${id('DC-C1-K1')}`, tok.dc));
  assert.equal(rows.items.find((x) => x.org.code === 'DC-C1-K1').forwarded_id, f.id);
  assert.ok(rows.items.some((x) => x.org.code === 'DC-C1-K1-T1' && x.via_id === f.id && x.state === 'acknowledged'));
  // the forwarder's own figures
  assert.deepEqual((await receipts(tok.k1, f.id)).all, { total: 3, unread: 2, read: 0, acknowledged: 1 });
});

test('recall: recipients see it withdrawn; acknowledging is refused; nothing is deleted', async () => {
  const n = await draft(tok.dc, { org_id: id('DC'), title: '将撤回', targets: { orgs: [id('DC-C1-K2')] } });
  await ok(await post(`/api/v1/notices/${n.id}/send`, tok.dc));
  await ok(await post(`/api/v1/notices/${n.id}/recall`, tok.dc, { reason: '另行通知' }));
  const box = await inbox(tok.k2, 'DC-C1-K2');
  const it = box.items.find((x) => x.notice_id === n.id);
  assert.equal(it.withdrawn, true);
  const e = await expectError(assert, await post(`/api/v1/orgs/${id('DC-C1-K2')}/inbox/${n.id}/acknowledge`, tok.k2), 409);
  assert.equal(e.details[0].code, 'withdrawn');
  const entry = await ok(await get(`/api/v1/orgs/${id('DC-C1-K2')}/inbox/${n.id}`, tok.k2));
  assert.equal(entry.notice.recall_reason, '另行通知');
  assert.equal(entry.notice.state, 'recalled');
  assert.equal(sql(s.db, `SELECT count(*) FROM notice_recipient WHERE notice_id = ${n.id}`).trim(), '1');
});

test('approval by an administrator of the issuing org when its settings ask for it', async () => {
  const cfg = await ok(await get(`/api/v1/orgs/${id('DC')}/notice-config`, tok.dc));
  await expectError(assert, await send('PUT', `/api/v1/orgs/${id('DC')}/notice-config`, tok.dc, { prefix: 'X科协发', approval_required: true }), 403);
  await ok(await send('PUT', `/api/v1/orgs/${id('DC')}/notice-config`, tok.dcAdmin, { prefix: 'X科协发', approval_required: true }, { 'if-match': `"${cfg.version}"` }));
  const n = await draft(tok.dc, { org_id: id('DC'), title: '须审核', targets: { orgs: [id('DC-C1')] } });
  const e = await expectError(assert, await post(`/api/v1/notices/${n.id}/send`, tok.dc), 409);
  assert.equal(e.details[0].code, 'approval_required');
  await ok(await post(`/api/v1/notices/${n.id}/submit`, tok.dc));
  await expectError(assert, await post(`/api/v1/notices/${n.id}/approve`, tok.dc), 403); // staff: no notice.approve
  const rj = await ok(await post(`/api/v1/notices/${n.id}/reject`, tok.dcAdmin, { reason: '请补充联系人' }));
  assert.equal(rj.state, 'draft');
  assert.equal(rj.reject_reason, '请补充联系人');
  await expectError(assert, await send('PATCH', `/api/v1/notices/${n.id}`, tok.dc, { contact_name: '李' }), 428);
  await expectError(assert, await send('PATCH', `/api/v1/notices/${n.id}`, tok.dc, { contact_name: '李' }, { 'if-match': '"1"' }), 412);
  const up = await ok(await send('PATCH', `/api/v1/notices/${n.id}`, tok.dc, { contact_name: '李老师', deadline_date: '2026-06-15', deadline_time: '17:00' }, { 'if-match': `"${rj.version}"` }));
  assert.equal(up.deadline_at, Date.UTC(2026, 5, 15, 9, 0, 59, 999));
  await ok(await post(`/api/v1/notices/${n.id}/submit`, tok.dc));
  await ok(await post(`/api/v1/notices/${n.id}/approve`, tok.dcAdmin));
  const sent = await ok(await post(`/api/v1/notices/${n.id}/send`, tok.dc));
  assert.equal(sent.state, 'sent');
  await ok(await send('PUT', `/api/v1/orgs/${id('DC')}/notice-config`, tok.dcAdmin, { prefix: 'X科协发', approval_required: false }));
});

test('guided-by rules reach societies outside the issuer\'s subtree; they see it in their inbox', async () => {
  const targets = { rules: [{ kind: 'guided', org_id: id('S-MECH') }] };
  const p = await ok(await post('/api/v1/notices/preview-targets', tok.smech, { org_id: id('S-MECH'), targets }));
  assert.deepEqual(p.items.map((o) => o.code), ['DC-S-MECH', 'NH-S-MECH', 'XL-S-MECH']);
  const n = await draft(tok.smech, { org_id: id('S-MECH'), title: '学会通知', targets });
  await ok(await post(`/api/v1/notices/${n.id}/send`, tok.smech));
  const box = await inbox(tok.dcsmech, 'DC-S-MECH');
  assert.ok(box.items.some((x) => x.notice_id === n.id));
  await ok(await post(`/api/v1/orgs/${id('DC-S-MECH')}/inbox/${n.id}/acknowledge`, tok.dcsmech));
  const r = await receipts(tok.smech, n.id);
  assert.deepEqual(r.all, { total: 3, unread: 2, read: 0, acknowledged: 1 });
  assert.deepEqual(r.outside, { total: 3, unread: 2, read: 0, acknowledged: 1 });
  // the recipient still cannot open the sender's side
  await expectError(assert, await get(`/api/v1/notices/${n.id}`, tok.dcsmech), 404);
  // a guide outside the sender's subtree is refused
  const e = await expectError(assert, await post('/api/v1/notices/preview-targets', tok.dc, { org_id: id('DC'), targets }), 422);
  assert.equal(e.details[0].field, 'targets.rules[0].org_id');
});

test('scope and permissions: outside the subtree 404, without the permission 403, bad input names the field', async () => {
  const n = await draft(tok.dc, { org_id: id('DC'), title: '范围', targets: { orgs: [id('DC-C1-K1')] } });
  await ok(await post(`/api/v1/notices/${n.id}/send`, tok.dc));
  await expectError(assert, await get(`/api/v1/notices/${n.id}`, tok.k2), 404);
  await expectError(assert, await get(`/api/v1/notices/${n.id}/receipts`, tok.k2), 404);
  await expectError(assert, await get(`/api/v1/orgs/${id('DC-C1-K1')}/inbox`, tok.k2), 404);
  await expectError(assert, await get(`/api/v1/orgs/${id('DC-C1-K2')}/inbox/${n.id}`, tok.k2), 404); // not a recipient
  await expectError(assert, await post(`/api/v1/orgs/${id('DC-C1-K2')}/inbox/${n.id}/acknowledge`, tok.k2), 404);
  await expectError(assert, await get(`/api/v1/notices/${n.id}`, tok.reviewer), 403);
  await expectError(assert, await post('/api/v1/notices', tok.reviewer, { org_id: id('DC'), title: 'x' }), 403);
  await expectError(assert, await post('/api/v1/notices', tok.k1, { org_id: id('DC'), title: 'x' }), 404);
  const out = await expectError(assert, await post('/api/v1/notices', tok.dc, { org_id: id('DC'), title: 'x', targets: { orgs: [id('XL-C1')] } }), 422);
  assert.equal(out.details[0].field, 'targets.orgs[0]');
  const unk = await expectError(assert, await post('/api/v1/notices', tok.dc, { org_id: id('DC'), title: 'x', targets: { rules: [{ kind: 'subtree', org_id: id('DC'), depth: 2 }] } }), 400);
  assert.equal(unk.details[0].field, 'targets.rules[0].depth');
  const lvl = await expectError(assert, await post('/api/v1/notices', tok.dc, { org_id: id('DC'), title: 'x', targets: { rules: [{ kind: 'subtree', org_id: id('DC'), level: 'galaxy' }] } }), 422);
  assert.equal(lvl.details[0].field, 'targets.rules[0].level');
  const dl = await expectError(assert, await post('/api/v1/notices', tok.dc, { org_id: id('DC'), title: 'x', deadline_date: '2026-06-15', deadline_time: '25:00' }), 422);
  assert.equal(dl.details[0].field, 'deadline_time');
  await expectError(assert, await post('/api/v1/notices', tok.dc, { org_id: id('DC'), title: 'x', colour: 'red' }), 400);
  const none = await draft(tok.dc, { org_id: id('DC'), title: '无对象', targets: { orgs: [id('DC-C2-K2-HOSP')] } });
  const e = await expectError(assert, await post(`/api/v1/notices/${none.id}/send`, tok.dc), 422);
  assert.equal(e.details[0].code, 'no_recipients');
  assert.equal(sql(s.db, `SELECT count(*) FROM notice WHERE id = ${none.id} AND number IS NULL`).trim(), '1');
});
