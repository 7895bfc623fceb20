// workbench.test.mjs - issue 11's server parts for the org pages and the workbench: reopening
// a closed org, names instead of ids (parent, guides, account roles), yearly figures and
// recent changes of a subtree, the to-do list, and the audit CSV in the user's language.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sql, userWithToken, expectError, json, kexie, beijingDate } from './lib.mjs';

let s, ids, admin, staff, security, auditor;
before(async () => {
  s = await startServer();
  ids = Object.fromEntries(sql(s.db, 'SELECT code, id FROM org').trim().split('\n').map((l) => l.split('|')));
  admin = userWithToken(s.env, 'wb.admin', 'system_admin', 'CAST');
  staff = userWithToken(s.env, 'wb.staff', 'staff', 'DC-C1');
  security = userWithToken(s.env, 'wb.security', 'security_admin', 'DC');
  auditor = userWithToken(s.env, 'wb.auditor', 'audit_admin', 'CAST');
});
after(async () => { await s.stop(); });

// After a command-line call that blocked the event loop for seconds, let the HTTP client
// notice the keep-alive connections the server closed meanwhile (header_timeout), before
// the next request would be written to one of them.
const settle = () => new Promise((res) => setTimeout(res, 1500)); // undici checks its timers about once a second
const H = (tok, extra = {}) => ({ authorization: `Bearer ${tok}`, ...extra });
const get = async (path, tok = admin, extra = {}) => fetch(`${s.url}${path}`, { headers: H(tok, extra) });
const getJ = async (path, tok = admin, extra = {}) => {
  const r = await get(path, tok, extra);
  assert.equal(r.status, 200, `${path}: ${r.status}`);
  return json(r);
};
const send = (method, path, body, extra = {}, tok = admin) => fetch(`${s.url}${path}`, {
  method, headers: H(tok, { 'content-type': 'application/json', ...extra }), body: JSON.stringify(body),
});
const etagOf = async (id) => { const r = await get(`/api/v1/orgs/${id}`); await r.arrayBuffer(); return r.headers.get('etag'); };
const today = beijingDate();
const daysAgo = (n) => beijingDate(-n);
// CSV bytes as sent (fetch's text() would drop the BOM)
const csvText = async (r) => {
  const bytes = new Uint8Array(await r.arrayBuffer());
  assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.slice(3));
};
const counts = async (id) => { const c = await getJ(`/api/v1/orgs/${id}/counts`); return { total: c.total, by_level: c.by_level, by_type: c.by_type }; };

describe('names instead of ids', () => {
  test('issue11 defect 4: an org names its parent; links name the guide', async () => {
    const o = await getJ(`/api/v1/orgs/${ids['DC-C1-K1']}`);
    assert.equal(o.parent_id, Number(ids['DC-C1']));
    assert.equal(o.parent_name, sql(s.db, "SELECT name FROM org WHERE code = 'DC-C1'").trim());
    const root = await getJ(`/api/v1/orgs/${ids.CAST}`);
    assert.equal(root.parent_id, null);
    assert.equal(root.parent_name, null);
    // as of another date, and in lists (children, search) too
    const past = await getJ(`/api/v1/orgs/${ids['DC-C1-K1']}?as_of=2020-01-01`);
    assert.equal(past.parent_name, o.parent_name);
    const kids = await getJ(`/api/v1/orgs/${ids['DC-C1']}/children`);
    assert.ok(kids.items.length > 0);
    for (const k of kids.items) assert.equal(k.parent_name, sql(s.db, "SELECT name FROM org WHERE code = 'DC-C1'").trim());
    const r = await send('POST', `/api/v1/orgs/${ids['DC-C1-K1']}/links`, { guide_id: Number(ids.DC), on: '2021-01-01' });
    assert.equal(r.status, 201);
    const { guided_by } = await json(r);
    assert.equal(guided_by[0].guide_id, Number(ids.DC));
    assert.equal(guided_by[0].guide_code, 'DC');
    assert.equal(guided_by[0].guide_name, sql(s.db, "SELECT name FROM org WHERE code = 'DC'").trim());
  });

  test('issue11 defect 8: who am I names the org of each role', async () => {
    const me = await getJ('/api/v1/session', staff);
    assert.deepEqual(me.roles, [{ role: 'staff', org_id: Number(ids['DC-C1']), org_code: 'DC-C1', org_name: sql(s.db, "SELECT name FROM org WHERE code = 'DC-C1'").trim() }]);
  });

  test('issue11 defect 8: the user list gives each role with its org name (not "staff@DC-C1")', async () => {
    const b = await getJ(`/api/v1/users?under=${ids.DC}&q=wb.staff`, security);
    const u = b.items.find((x) => x.login === 'wb.staff');
    assert.deepEqual(u.grants, [{ role: 'staff', org_id: Number(ids['DC-C1']), org_code: 'DC-C1', org_name: sql(s.db, "SELECT name FROM org WHERE code = 'DC-C1'").trim() }]);
  });
});

describe('reopen a closed org', () => {
  test('reopen: If-Match required, 409 not_closed when open, and a reopened org is back with its counts', async () => {
    const k = ids['XL-C1-K1'];
    const before = await counts(ids.XL);
    // open: 409 with the detail code not_closed
    let e = await expectError(assert, await send('POST', `/api/v1/orgs/${k}/reopen`, {}, { 'if-match': await etagOf(k) }), 409, 'conflict');
    assert.equal(e.details[0].code, 'not_closed');
    // close the branch 10 days ago
    let r = await send('POST', `/api/v1/orgs/${k}/close`, { on: daysAgo(10), branch: true });
    assert.equal(r.status, 200);
    const closed = (await json(r)).closed;
    assert.ok(closed >= 2, 'a county with orgs below');
    const afterClose = await counts(ids.XL);
    assert.equal(afterClose.total, before.total - closed);
    // no If-Match: 428; a stale one: 412
    await expectError(assert, await send('POST', `/api/v1/orgs/${k}/reopen`, { on: daysAgo(3) }), 428);
    await expectError(assert, await send('POST', `/api/v1/orgs/${k}/reopen`, { on: daysAgo(3) }, { 'if-match': '"1"' }), 412);
    const etag = await etagOf(k);
    // before the closing day, or ahead: refused, naming `on`
    e = await expectError(assert, await send('POST', `/api/v1/orgs/${k}/reopen`, { on: daysAgo(11) }, { 'if-match': etag }), 409);
    assert.deepEqual([e.details[0].field, e.details[0].code, e.details[0].params], ['on', 'before_closed', { min: daysAgo(10) }]);
    e = await expectError(assert, await send('POST', `/api/v1/orgs/${k}/reopen`, { on: '2999-01-01' }, { 'if-match': etag }), 422);
    assert.deepEqual([e.details[0].field, e.details[0].code], ['on', 'out_of_range']);
    // reopen 3 days ago
    r = await send('POST', `/api/v1/orgs/${k}/reopen`, { on: daysAgo(3) }, { 'if-match': etag });
    assert.equal(r.status, 200);
    const o = await json(r);
    assert.equal(o.closed_on, null);
    assert.equal(o.version, Number(JSON.parse(etag)) + 1);
    assert.equal(r.headers.get('etag'), `"${o.version}"`);
    assert.equal(o.parent_id, Number(ids['XL-C1']));
    // the orgs below stay closed: the subtree gains this org alone
    const afterReopen = await counts(ids.XL);
    assert.equal(afterReopen.total, afterClose.total + 1);
    // the tally kept with the writes equals a recount from the tree
    assert.equal(kexie(['org', 'recount'], s.env).code, 0);
    await settle();
    assert.deepEqual(await counts(ids.XL), afterReopen);
    // audited
    const a = sql(s.db, `SELECT action || ' ' || detail FROM audit_log WHERE object_type = 'org' AND object_id = '${k}' ORDER BY seq DESC LIMIT 1`).trim();
    assert.equal(a, `org.reopen {"closed_on":["${daysAgo(10)}",null],"from":"${daysAgo(3)}"}`);
  });

  test('reopen: the closed days stay closed in the history; a closing cannot go back before the reopening', async () => {
    const k = ids['XL-C1-K1'];
    // a day inside the closed period: the org reads closed, and is not among its parent's children
    const gap = await getJ(`/api/v1/orgs/${k}?as_of=${daysAgo(5)}`);
    assert.equal(gap.closed_on, daysAgo(10));
    const kids = await getJ(`/api/v1/orgs/${ids['XL-C1']}/children?as_of=${daysAgo(5)}&include_closed=true`);
    assert.ok(!kids.items.some((x) => x.id === Number(k)));
    const now = await getJ(`/api/v1/orgs/${ids['XL-C1']}/children`);
    assert.ok(now.items.some((x) => x.id === Number(k)));
    const hist = await getJ(`/api/v1/orgs/${k}/history`);
    assert.deepEqual(hist.parents.slice(-2).map((p) => [p.from, p.to, p.id]),
      [['2015-01-01', daysAgo(10), Number(ids['XL-C1'])], [daysAgo(3), null, Number(ids['XL-C1'])]]);
    let e = await expectError(assert, await send('POST', `/api/v1/orgs/${k}/close`, { on: daysAgo(12), branch: true }, { 'if-match': await etagOf(k) }), 409);
    assert.deepEqual([e.details[0].field, e.details[0].code, e.details[0].params], ['on', 'before_current', { min: daysAgo(3) }]);
    e = await expectError(assert, await send('POST', `/api/v1/orgs/${k}/close`, { on: daysAgo(4), branch: true }, { 'if-match': await etagOf(k) }), 409);
    assert.equal(e.details[0].code, 'closed', 'it was closed on that day');
  });

  test('reopen: an org under a closed parent waits for the parent', async () => {
    // XL-C1-K1's children were closed with it; reopening one before... its parent is open
    // now, so close XL-C1-K1 again and try a child
    const k = ids['XL-C1-K1'];
    let r = await send('POST', `/api/v1/orgs/${k}/close`, { on: today, branch: true }, { 'if-match': await etagOf(k) });
    assert.equal(r.status, 200, await r.text());
    const child = sql(s.db, `SELECT org_id FROM org_parent WHERE parent_id = ${k} AND valid_to IS NULL LIMIT 1`).trim();
    const e = await expectError(assert, await send('POST', `/api/v1/orgs/${child}/reopen`, { on: today }, { 'if-match': await etagOf(child) }), 409);
    assert.equal(e.details[0].code, 'parent_closed');
    // undo on the closing day: no closed period left behind
    r = await send('POST', `/api/v1/orgs/${k}/reopen`, { on: today }, { 'if-match': await etagOf(k) });
    assert.equal(r.status, 200);
    assert.equal(sql(s.db, `SELECT count(*) FROM org_closed_period WHERE org_id = ${k}`).trim(), '1');
    r = await send('POST', `/api/v1/orgs/${child}/reopen`, { on: today }, { 'if-match': await etagOf(child) });
    assert.equal(r.status, 200);
  });

  test('reopen: staff may not (403), outside the scope is 404', async () => {
    await expectError(assert, await send('POST', `/api/v1/orgs/${ids['DC-C1-K1']}/reopen`, {}, { 'if-match': '"1"' }, staff), 403);
    const dcAdmin = userWithToken(s.env, 'wb.dcadmin', 'org_admin', 'DC');
    await settle();
    await expectError(assert, await send('POST', `/api/v1/orgs/${ids['XL-C1-K1']}/reopen`, {}, { 'if-match': '"1"' }, dcAdmin), 404);
  });
});

describe('the workbench', () => {
  test('stats: opened, closed and reopened in a year, in the subtree only', async () => {
    const year = Number(today.slice(0, 4));
    const y = await getJ(`/api/v1/orgs/${ids.XL}/stats?year=${year}`);
    const closedThisYear = Number(sql(s.db, `SELECT count(*) FROM org WHERE closed_on >= '${year}-01-01' AND closed_on <= '${year}-12-31'`).trim())
      + Number(sql(s.db, `SELECT count(*) FROM org_closed_period WHERE closed_on >= '${year}-01-01' AND closed_on <= '${year}-12-31'`).trim());
    assert.equal(y.year, year);
    if (daysAgo(10).slice(0, 4) === String(year)) { // the closings above fall in this year
      assert.equal(y.closed, closedThisYear);
      assert.ok(y.reopened >= 1);
    }
    // an org opened this year inside DC counts for DC and CAST, not XL
    const r = await send('POST', '/api/v1/orgs', { code: 'WB-NEW', name: '新成立的组织', level: 'grassroots', type: 'other', parent_id: Number(ids['DC-C1-K1']), opened_on: today });
    assert.equal(r.status, 201);
    const dc = await getJ(`/api/v1/orgs/${ids.DC}/stats`);
    assert.equal(dc.year, year);
    assert.equal(dc.opened, 1);
    assert.equal((await getJ(`/api/v1/orgs/${ids.XL}/stats?year=${year}`)).opened, 0);
    assert.equal((await getJ(`/api/v1/orgs/${ids.DC}/stats?year=2015`)).opened, Number(sql(s.db, "SELECT count(*) FROM org WHERE opened_on LIKE '2015-%' AND code LIKE 'DC%'").trim()));
    await expectError(assert, await get(`/api/v1/orgs/${ids.DC}/stats?year=99`), 400);
    await expectError(assert, await get(`/api/v1/orgs/${ids.XL}/stats`, staff), 404);
  });

  test('changes: newest first, about orgs of the subtree, with names and a readable line', async () => {
    // move DC-C1-K2 from DC-C1 to DC-C2 and back: two records naming both parents
    const k = ids['DC-C1-K2'];
    let r = await send('POST', `/api/v1/orgs/${k}/move`, { parent_id: Number(ids['DC-C2']) });
    assert.equal(r.status, 200);
    const b = await getJ(`/api/v1/orgs/${ids.DC}/changes?limit=5`);
    assert.ok(b.items.length >= 2 && b.items.length <= 5);
    for (let i = 1; i < b.items.length; i++) assert.ok(b.items[i - 1].seq > b.items[i].seq, 'newest first');
    const mv = b.items[0];
    assert.equal(mv.action, 'org.move');
    assert.equal(mv.org_id, Number(k));
    assert.equal(mv.object_id, String(k));
    assert.equal(mv.org_name, sql(s.db, `SELECT name FROM org WHERE id = ${k}`).trim());
    assert.equal(mv.actor, 'wb.admin');
    assert.match(mv.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(mv.changes.parent_id, [Number(ids['DC-C1']), Number(ids['DC-C2'])]);
    const c1 = sql(s.db, "SELECT name FROM org WHERE code = 'DC-C1'").trim(), c2 = sql(s.db, "SELECT name FROM org WHERE code = 'DC-C2'").trim();
    assert.ok(mv.text.startsWith(`上级组织：${c1} → ${c2}`), mv.text);
    const en = await getJ(`/api/v1/orgs/${ids.DC}/changes?limit=1`, admin, { 'accept-language': 'en-US,en;q=0.9,zh-CN;q=0.5' });
    assert.ok(en.items[0].text.startsWith(`Parent: ${c1} → ${c2}`), en.items[0].text);
    // staff of DC-C1 sees DC-C1's orgs only: the move out of DC-C1 is no longer theirs
    const mine = await getJ(`/api/v1/orgs/${ids['DC-C1']}/changes?limit=100`, staff);
    assert.ok(mine.items.every((x) => sql(s.db, `SELECT 1 FROM org_parent WHERE org_id = ${x.org_id}`).trim()));
    assert.ok(!mine.items.some((x) => x.org_id === Number(k)));
    assert.ok(!mine.items.some((x) => x.org_code.startsWith('XL')));
    await expectError(assert, await get(`/api/v1/orgs/${ids.XL}/changes`, staff), 404);
    r = await send('POST', `/api/v1/orgs/${k}/move`, { parent_id: Number(ids['DC-C1']) });
    assert.equal(r.status, 200);
  });

  test('to-do: locked accounts for those who may unlock them, missing credit codes for tree editors', async () => {
    // lock an account of DC-C1-K1 (inside the security admin's DC) and one of XL (outside)
    for (const [login, org] of [['wb.locked.in', 'DC-C1-K1'], ['wb.locked.out', 'XL-C1']]) {
      const add = kexie(['user', 'add', '--login', login, '--name', login, '--role', 'member', '--org', org, '--password-stdin'], s.env, { input: 'A-l0ng-and-unusual-pass\n' });
      assert.equal(add.code, 0, add.stderr);
    }
    sql(s.db, `UPDATE app_user SET locked_until = ${Math.floor(Date.now() / 1000) + 900} WHERE login LIKE 'wb.locked.%'`);
    // an org administrator of DC may unlock the one inside DC only
    const dcUsers = userWithToken(s.env, 'wb.dcusers', 'org_admin', 'DC');
    await settle();
    const mine = await getJ('/api/v1/todo', dcUsers);
    const locked = mine.items.find((i) => i.kind === 'account.locked');
    assert.deepEqual([locked.count, locked.link], [1, '/users']);
    assert.match(locked.title, /^1 个账号/);
    const en = await getJ('/api/v1/todo', dcUsers, { 'accept-language': 'en' });
    assert.match(en.items.find((i) => i.kind === 'account.locked').title, /^1 account locked/);
    // a security administrator's post is system-wide, wherever it was recorded: both
    assert.equal((await getJ('/api/v1/todo', security)).items.find((i) => i.kind === 'account.locked').count, 2);
    // Accept-Language: q-values decide; Chinese unless English is preferred
    for (const [h, zh] of [['zh-CN,zh;q=0.9,en;q=0.8', true], ['en ;q=0.5, zh;q=0.4', false], ['fr, en;q=0.1', false],
      ['de', true], ['EN-gb', false], ['en;q=0, zh-TW', true]]) {
      const t = (await getJ('/api/v1/todo', dcUsers, { 'accept-language': h })).items.find((i) => i.kind === 'account.locked').title;
      assert.equal(/个账号/.test(t), zh, `${h}: ${t}`);
    }
    // staff: nothing of either
    assert.deepEqual((await getJ('/api/v1/todo', staff)).items, []);
    // the tree's editor: associations at county level or above without a credit code
    const want = Number(sql(s.db, "SELECT count(*) FROM org WHERE type = 'association' AND closed_on IS NULL AND credit_code IS NULL AND level IN ('national','provincial','city','county')").trim());
    const adm = await getJ('/api/v1/todo');
    const cc = adm.items.find((i) => i.kind === 'org.credit_code_missing');
    assert.equal(cc.count, want);
    assert.equal(cc.link, '/orgs');
    assert.ok(!adm.items.some((i) => i.kind === 'account.locked'), 'a system admin manages no accounts');
    await expectError(assert, await fetch(`${s.url}/api/v1/todo`), 401);
  });
});

describe('the audit CSV in the user\'s language', () => {
  test('issue11 defect 8: Chinese by default: headers, action words, Beijing time, one readable change column', async () => {
    const r = await get(`/api/v1/audit?format=csv&action=org.move&limit=10`, auditor);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/csv/);
    assert.equal(r.headers.get('content-language'), 'zh-CN');
    const lines = (await csvText(r)).trim().split('\r\n');
    assert.equal(lines[0], '序号,时间（北京时间）,账号,角色,方式,请求编号,客户端地址,操作,对象类型,对象,组织,变更内容');
    const row = lines[1];
    assert.match(row, /^\d+,\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,wb\.admin,系统管理员,API 令牌 \d+,/);
    assert.match(row, /,调整隶属关系,组织,/);
    const c1 = sql(s.db, "SELECT name FROM org WHERE code = 'DC-C1'").trim(), c2 = sql(s.db, "SELECT name FROM org WHERE code = 'DC-C2'").trim();
    assert.ok(row.includes(`上级组织：${c2} → ${c1}`), row);
    assert.doesNotMatch(row, /\{"|parent_id/);
    // Beijing time is UTC + 8 hours
    const seq = row.split(',')[0];
    const at = sql(s.db, `SELECT at FROM audit_log WHERE seq = ${seq}`).trim();
    const bj = new Date(Date.parse(at) + 8 * 3600000).toISOString().slice(0, 19).replace('T', ' ');
    assert.equal(row.split(',')[1], bj);
  });

  test('Accept-Language en: English headers and words', async () => {
    const r = await get(`/api/v1/audit?format=csv&action=org.reopen&limit=10`, auditor, { 'accept-language': 'en' });
    const text = await csvText(r);
    assert.equal(r.headers.get('content-language'), 'en');
    const [head, row] = text.trim().split('\r\n');
    assert.equal(head, 'No.,Time (Beijing),Login,Role,Via,Request ID,Client address,Action,Object type,Object,Organization,Changes');
    assert.match(row, /,Reopen organization,Organization,/);
    assert.match(row, /Closed on: \d{4}-\d\d-\d\d → \(none\); Effective from: \d{4}-/);
  });
});

describe('large subtrees (the walks that scale by events, not by size)', () => {
  test('changes and stats agree with the database when the subtree is too large to walk', async () => {
    const g = kexie(['seed', '--orgs', '2500'], s.env);
    assert.equal(g.code, 0, g.stderr);
    await settle();
    // today's subtree of an org, in SQL (the generated tree has moves dated ahead)
    const below = (root) => `WITH RECURSIVE d(id) AS (SELECT CAST(${root} AS BIGINT) UNION ALL SELECT p.org_id FROM org_parent p JOIN d ON p.parent_id = d.id WHERE p.valid_from <= '${today}' AND (p.valid_to IS NULL OR p.valid_to > '${today}')) SELECT id FROM d`;
    const big = Number(sql(s.db, `SELECT count(*) FROM org WHERE closed_on IS NULL AND id IN (${below(ids.CAST)})`).trim());
    assert.ok(big > 2000, `the national subtree counts ${big}`);
    // a move deep in the generated tree: found from the top by its ancestry
    const org = sql(s.db, "SELECT id FROM org WHERE code = 'P1-C1-K1-T1'").trim();
    const to = sql(s.db, "SELECT id FROM org WHERE code = 'P1-C1-K0'").trim();
    const r = await send('POST', `/api/v1/orgs/${org}/move`, { parent_id: Number(to) });
    assert.equal(r.status, 200);
    const top = await getJ(`/api/v1/orgs/${ids.CAST}/changes?limit=3`);
    assert.equal(top.items[0].org_id, Number(org));
    assert.equal(top.items[0].action, 'org.move');
    // a province of the generated tree, and one of the demo's, see only their own
    const g1 = sql(s.db, "SELECT id FROM org WHERE code = 'P1'").trim();
    assert.equal((await getJ(`/api/v1/orgs/${g1}/changes?limit=3`)).items[0].org_id, Number(org));
    assert.ok(!(await getJ(`/api/v1/orgs/${ids.DC}/changes?limit=50`)).items.some((x) => x.org_id === Number(org)));
    // yearly figures: this year (few events) and 2015 (many generated openings) match SQL over
    // today's subtree of CAST (the national societies are roots of their own)
    const under = below(ids.CAST);
    const year = Number(today.slice(0, 4));
    for (const y of [year, 2015]) {
      const b = await getJ(`/api/v1/orgs/${ids.CAST}/stats?year=${y}`);
      assert.equal(b.opened, Number(sql(s.db, `SELECT count(*) FROM org WHERE opened_on LIKE '${y}-%' AND id IN (${under})`).trim()), `opened in ${y}`);
      const closed = Number(sql(s.db, `SELECT count(*) FROM org WHERE closed_on LIKE '${y}-%' AND id IN (${under})`).trim())
        + Number(sql(s.db, `SELECT count(*) FROM org_closed_period WHERE closed_on LIKE '${y}-%' AND org_id IN (${under})`).trim());
      assert.equal(b.closed, closed, `closed in ${y}`);
    }
    const g1open = Number(sql(s.db, `SELECT count(*) FROM org WHERE opened_on LIKE '2015-%' AND id IN (${below(g1)})`).trim());
    assert.ok(g1open > 0);
    assert.equal((await getJ(`/api/v1/orgs/${g1}/stats?year=2015`)).opened, g1open);
  });
});
