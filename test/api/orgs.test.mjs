// orgs.test.mjs - the organization tree over HTTP with real API tokens: scope over
// subtrees (404 outside, 403 without the role), dated moves, cycles, versions, closing,
// validation, and the audit trail naming the actor.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, json, expectError, sql, userWithToken, kexie, beijingDate } from './lib.mjs';

let s, ids, tok;
const H = (t, extra = {}) => ({ authorization: `Bearer ${t}`, ...extra });
const get = (path, t) => fetch(`${s.url}${path}`, { headers: t ? H(t) : {} });
const post = (path, t, body, extra = {}) => fetch(`${s.url}${path}`, {
  method: 'POST', headers: H(t, { 'content-type': 'application/json', ...extra }), body: JSON.stringify(body),
});

before(async () => {
  s = await startServer();
  ids = Object.fromEntries(sql(s.db, 'SELECT code, id FROM org').trim().split('\n').map((l) => l.split('|')));
  tok = {
    county: userWithToken(s.env, 't.county', 'staff', 'DC-C1-K1'),
    city: userWithToken(s.env, 'city.admin', 'org_admin', 'DC-C1'),
    audit: userWithToken(s.env, 't.auditor', 'audit_admin', 'CAST'),
    sys: userWithToken(s.env, 'sysadmin', 'system_admin', 'CAST'),
  };
});
after(async () => { await s.stop(); });

test('no token, a malformed or unknown token: 401 with WWW-Authenticate', async () => {
  let r = await get(`/api/v1/orgs/${ids.CAST}`);
  await expectError(assert, r, 401, 'unauthorized');
  assert.equal(r.headers.get('www-authenticate'), 'Bearer');
  r = await fetch(`${s.url}/api/v1/orgs/${ids.CAST}`, { headers: { authorization: 'Basic eDp5' } });
  await expectError(assert, r, 401);
  await expectError(assert, await get(`/api/v1/orgs/${ids.CAST}`, `kx_${'A'.repeat(43)}`), 401);
});

test('county staff see their subtree; siblings and parents are 404, not 403', async () => {
  const own = await get(`/api/v1/orgs/${ids['DC-C1-K1']}`, tok.county);
  assert.equal(own.status, 200);
  const o = await json(own);
  assert.equal(o.code, 'DC-C1-K1');
  assert.equal(o.parent_id, Number(ids['DC-C1']));
  assert.equal(own.headers.get('etag'), `"${o.version}"`);
  const kids = await json(await get(`/api/v1/orgs/${ids['DC-C1-K1']}/children`, tok.county));
  assert.deepEqual(kids.items.map((k) => k.code), ['DC-C1-K1-ENT', 'DC-C1-K1-T1']);
  for (const other of ['DC-C1-K2', 'DC-C1', 'XL', 'CAST']) {
    await expectError(assert, await get(`/api/v1/orgs/${ids[other]}`, tok.county), 404, 'not_found');
    await expectError(assert, await get(`/api/v1/orgs/${ids[other]}/children`, tok.county), 404);
  }
});

test('a role without org.write gets 403 on writes, even inside its scope', async () => {
  await expectError(assert, await post('/api/v1/orgs', tok.county, { code: 'X1', name: '新单位', level: 'grassroots', type: 'enterprise', parent_id: Number(ids['DC-C1-K1']) }), 403, 'forbidden');
  await expectError(assert, await post(`/api/v1/orgs/${ids['DC-C1-K1-ENT']}/move`, tok.audit, { parent_id: Number(ids['DC-C1-K2']) }), 403);
});

test('create: inside the scope 201 + Location + audit actor; outside 404; bad fields named', async () => {
  const r = await post('/api/v1/orgs', tok.city, { code: 'DC-C1-K1-NEW', name: '安平县新材料公司科协', level: 'grassroots', type: 'enterprise', parent_id: Number(ids['DC-C1-K1']), credit_code: '91350100M000100Y43', opened_on: '2026-01-05' });
  assert.equal(r.status, 201);
  const o = await json(r);
  assert.equal(r.headers.get('location'), `/api/v1/orgs/${o.id}`);
  assert.equal(o.parent_id, Number(ids['DC-C1-K1']));
  const rid = r.headers.get('x-request-id');
  const audit = sql(s.db, `SELECT role || ' ' || via || ' ' || request_id || ' ' || action FROM audit_log WHERE object_id = '${o.id}' AND action = 'org.create'`).trim();
  assert.match(audit, new RegExp(`^org_admin token:\\d+ ${rid} org.create$`), 'the role used and which token');
  const e1 = await expectError(assert, await post('/api/v1/orgs', tok.city, { code: 'XL-NEW', name: '越界', level: 'city', type: 'association', parent_id: Number(ids.XL) }), 404);
  assert.equal(e1.details[0].field, 'parent_id');
  const e2 = await expectError(assert, await post('/api/v1/orgs', tok.city, { code: 'DC-C1-K1-NEW2', name: '校验', level: 'grassroots', type: 'enterprise', parent_id: Number(ids['DC-C1-K1']), credit_code: '91350100M000100Y44' }), 422);
  assert.deepEqual([e2.details[0].field, e2.details[0].code], ['credit_code', 'credit_code_checksum']);
  const e3 = await expectError(assert, await post('/api/v1/orgs', tok.city, { code: 'DC-C1-K1-NEW', name: '重复', level: 'grassroots', type: 'enterprise', parent_id: Number(ids['DC-C1-K1']) }), 409);
  assert.equal(e3.details[0].field, 'code');
  const e4 = await expectError(assert, await post('/api/v1/orgs', tok.city, { code: 'A1', name: 'x', level: 'grassroots', type: 'enterprise', parent_id: Number(ids['DC-C1-K1']), version: 9 }), 400);
  assert.equal(e4.details[0].code, 'unknown_field');
});

test('dated move, as-of reads, cycle 409 and stale version 412', async () => {
  const id = ids['DC-C1-K1-ENT'];
  const cur = await get(`/api/v1/orgs/${id}`, tok.city);
  const v = Number(cur.headers.get('etag').replaceAll('"', ''));
  await cur.text();
  await expectError(assert, await post(`/api/v1/orgs/${id}/move`, tok.city, { parent_id: Number(ids['DC-C1-K2']), on: '2026-03-01' }, { 'if-match': `"${v + 7}"` }), 412, 'precondition_failed');
  const r = await post(`/api/v1/orgs/${id}/move`, tok.city, { parent_id: Number(ids['DC-C1-K2']), on: '2026-03-01' }, { 'if-match': `"${v}"` });
  assert.equal(r.status, 200);
  assert.equal((await json(r)).parent_id, Number(ids['DC-C1-K2']));
  const then = await json(await get(`/api/v1/orgs/${id}?as_of=2026-02-28`, tok.city));
  assert.equal(then.parent_id, Number(ids['DC-C1-K1']));
  // the county staff of K1 could see it before the move, not after (scope is as of today)
  await expectError(assert, await get(`/api/v1/orgs/${id}`, tok.county), 404);
  const e = await expectError(assert, await post(`/api/v1/orgs/${ids['DC-C1']}/move`, tok.city, { parent_id: Number(ids['DC-C1-K1-T1']) }), 409, 'conflict');
  assert.equal(e.details[0].code, 'cycle');
  await expectError(assert, await post(`/api/v1/orgs/${id}/move`, tok.city, { parent_id: Number(ids['XL-C1']) }), 404);
});

test('close: open children 409 unless branch; counts follow', async () => {
  const k2 = ids['DC-C1-K2'];
  const e = await expectError(assert, await post(`/api/v1/orgs/${k2}/close`, tok.city, { on: '2026-06-01' }), 409);
  assert.equal(e.details[0].code, 'open_children');
  const r = await post(`/api/v1/orgs/${k2}/close`, tok.city, { on: '2026-06-01', branch: true });
  assert.equal(r.status, 200);
  assert.ok((await json(r)).closed >= 4);
  const before = await json(await get(`/api/v1/orgs/${ids['DC-C1']}/counts?as_of=2026-05-31`, tok.city));
  const afterC = await json(await get(`/api/v1/orgs/${ids['DC-C1']}/counts?as_of=2026-06-01`, tok.city));
  assert.equal(before.by_level.county, 2);
  assert.equal(afterC.by_level.county, 1);
  const all = await json(await get(`/api/v1/orgs/${ids.CAST}/counts?as_of=2020-01-01`, tok.sys));
  assert.equal(all.by_level.provincial, 6);
});

test('a disabled account\'s token stops working at once; the audit chain holds', async () => {
  assert.equal((await get(`/api/v1/orgs/${ids['DC-C1-K1']}`, tok.county)).status, 200);
  assert.equal(kexie(['user', 'disable', 't.county'], s.env).code, 0);
  await expectError(assert, await get(`/api/v1/orgs/${ids['DC-C1-K1']}`, tok.county), 401);
  assert.match(kexie(['audit', 'verify'], s.env).stdout, /^ok \d+ records/);
});

test('audit log: only the audit admin reads it; filters, paging and CSV export', async () => {
  await expectError(assert, await get('/api/v1/audit', tok.sys), 403, 'forbidden'); // 等保: not the system admin
  await expectError(assert, await get('/api/v1/audit', tok.city), 403);
  await expectError(assert, await get('/api/v1/audit'), 401);
  const all = await json(await get('/api/v1/audit?limit=1000', tok.audit));
  assert.ok(all.items.length > 70);
  assert.ok(all.items[0].seq > all.items[1].seq, 'newest first');
  const moves = await json(await get('/api/v1/audit?action=org.move&login=city.admin', tok.audit));
  assert.equal(moves.items.length, 1);
  assert.equal(moves.items[0].role, 'org_admin');
  assert.match(moves.items[0].via, /^token:\d+$/);
  assert.equal(moves.items[0].org_code, 'DC-C1-K1-ENT');
  const sub = await json(await get(`/api/v1/audit?org_id=${ids.XL}&limit=1000`, tok.audit));
  assert.ok(sub.items.length > 0 && sub.items.every((x) => x.org_code.startsWith('XL')));
  const p1 = await json(await get('/api/v1/audit?limit=2', tok.audit));
  assert.equal(p1.items.length, 2);
  const p2 = await json(await get(`/api/v1/audit?limit=2&before=${p1.next_before}`, tok.audit));
  assert.equal(p2.items[0].seq, p1.items[1].seq - 1);
  const none = await json(await get('/api/v1/audit?from=2001-01-01&to=2001-12-31', tok.audit));
  assert.equal(none.items.length, 0);
  const r = await fetch(`${s.url}/api/v1/audit?format=csv&action=org.create`, { headers: H(tok.audit) });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.match(r.headers.get('content-disposition'), /attachment/);
  const bytes = Buffer.from(await r.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = bytes.subarray(3).toString('utf8').trim().split('\r\n');
  assert.equal(lines[0], '序号,时间（北京时间）,账号,角色,方式,请求编号,客户端地址,操作,对象类型,对象,组织,变更内容'); // issue 11: in the user's language
  assert.ok(lines.length > 60);
  await expectError(assert, await get('/api/v1/audit?format=xml', tok.audit), 400);
});

test('PATCH: If-Match required (428), stale 412, changes audited by field name, null clears', async () => {
  const CODE = '51110105MJ0001234M'; // a society code (51...) with a valid check character, not used elsewhere
  const id = ids['DC-C1-K1-T1'];
  const patch = (body, extra = {}) => fetch(`${s.url}/api/v1/orgs/${id}`, { method: 'PATCH', headers: H(tok.city, { 'content-type': 'application/json', ...extra }), body: JSON.stringify(body) });
  await expectError(assert, await patch({ contact: '张老师 13800138000' }), 428, 'precondition_required');
  const cur = await get(`/api/v1/orgs/${id}`, tok.city);
  const v = Number(cur.headers.get('etag').replaceAll('"', ''));
  await cur.text();
  await expectError(assert, await patch({ contact: 'x' }, { 'if-match': `"${v + 3}"` }), 412);
  let e = await expectError(assert, await patch({ credit_code: '91350100M000100Y44' }, { 'if-match': `"${v}"` }), 422);
  assert.equal(e.details[0].code, 'credit_code_checksum');
  e = await expectError(assert, await patch({ level: 'city' }, { 'if-match': `"${v}"` }), 400);
  assert.equal(e.details[0].code, 'unknown_field', 'level changes only by moving');
  const r = await patch({ name: '安平镇科学技术普及协会', credit_code: CODE, region_code: '110105' }, { 'if-match': `"${v}"` });
  assert.equal(r.status, 200);
  const o = await json(r);
  assert.equal(o.version, v + 1);
  assert.equal(o.credit_code, CODE);
  const detail = sql(s.db, `SELECT detail FROM audit_log WHERE action = 'org.update' AND object_id = '${id}'`).trim();
  const d = JSON.parse(detail); // per-field diff: [old, new]
  assert.deepEqual(Object.keys(d).sort(), ['credit_code', 'name', 'region_code']);
  assert.equal(d.name[1], '安平镇科学技术普及协会');
  assert.deepEqual(d.credit_code, [null, CODE]);
  assert.equal(d.region_code[1], '110105');
  const cleared = await json(await patch({ credit_code: null }, { 'if-match': `"${v + 1}"` }));
  assert.equal(cleared.credit_code, null);
  // contact holds a person's phone: recorded as changed, never in clear
  assert.equal((await patch({ contact: '王老师 13800138000' }, { 'if-match': `"${v + 2}"` })).status, 200);
  const last = sql(s.db, `SELECT detail FROM audit_log WHERE action = 'org.update' AND object_id = '${id}' ORDER BY seq DESC LIMIT 1`).trim();
  assert.deepEqual(JSON.parse(last), { contact: 'changed' });
  assert.equal(sql(s.db, "SELECT count(*) FROM audit_log WHERE detail LIKE '%13800138000%'").trim(), '0');
});

test('history lists placement periods; links list and add guided-by', async () => {
  const moved = ids['DC-C1-K1-ENT']; // moved to DC-C1-K2 from 2026-03-01 earlier in this file
  const h = await json(await get(`/api/v1/orgs/${moved}/history`, tok.city));
  assert.deepEqual(h.parents.map((p) => [p.code, p.from, p.to]), [['DC-C1-K1', '2015-01-01', '2026-03-01'], ['DC-C1-K2', '2026-03-01', null]]);
  const soc = ids['DC-S-MECH'];
  let l = await json(await get(`/api/v1/orgs/${soc}/links`, tok.sys));
  assert.deepEqual(l.guided_by.map((x) => x.code), ['S-MECH']);
  const r = await post(`/api/v1/orgs/${soc}/links`, tok.sys, { guide_id: Number(ids['S-INFO']), on: '2024-01-01' });
  assert.equal(r.status, 201);
  l = await json(r);
  assert.deepEqual(l.guided_by.map((x) => x.code).sort(), ['S-INFO', 'S-MECH']);
  await expectError(assert, await post(`/api/v1/orgs/${soc}/links`, tok.sys, { guide_id: Number(ids['S-INFO']), on: '2024-01-01' }), 409);
  const gone = await expectError(assert, await post(`/api/v1/orgs/${soc}/links`, tok.sys, { guide_id: 999999 }), 404);
  assert.equal(gone.details[0].field, 'guide_id');
});

test('search within a subtree: code prefix, name part, level, keyset pages, scope', async () => {
  const q = (params, t = tok.city) => get(`/api/v1/orgs?${new URLSearchParams(params)}`, t);
  let b = await json(await q({ q: 'DC-C1-K1' }));
  assert.ok(b.items.length >= 3 && b.items.every((o) => o.code.startsWith('DC-C1-K1')));
  b = await json(await q({ q: '河口', level: 'county', include_closed: 'true' }));
  assert.ok(b.items.length > 0 && b.items.every((o) => o.level === 'county' && o.name.includes('河口')));
  b = await json(await q({ type: 'university' }));
  assert.ok(b.items.length > 0 && b.items.every((o) => o.type === 'university' && o.code.startsWith('DC-C1')));
  const p1 = await json(await q({ limit: '2' }));
  const p2 = await json(await q({ limit: '2', after: p1.next_after }));
  assert.equal(p1.items.length, 2);
  assert.ok(p2.items[0].code > p1.items[1].code);
  b = await json(await q({ q: '%' }));
  assert.equal(b.items.length, 0, 'a % in q is matched literally, not as a wildcard');
  await expectError(assert, await q({ under: ids.XL }), 404);
  const staff = userWithToken(s.env, 't.county2', 'staff', 'DC-C1-K1'); // t.county was disabled above
  const mine = await json(await q({}, staff)); // default: the caller's own scope
  assert.ok(mine.items.length > 0 && mine.items.every((o) => o.code.startsWith('DC-C1-K1')));
});

test('subtree counts by level and type: today\'s (kept with every write) agree with a walk of the tree for every org', async () => {
  const today = await json(await get(`/api/v1/orgs/${ids.CAST}/counts`, tok.sys));
  assert.equal(typeof today.by_type.association, 'number');
  assert.equal(Object.values(today.by_type).reduce((a, b) => a + b, 0), today.total);
  assert.equal(Object.values(today.by_level).reduce((a, b) => a + b, 0), today.total);
  const open = sql(s.db, 'SELECT id FROM org WHERE closed_on IS NULL').trim().split('\n');
  assert.ok(open.length > 40);
  let compared = 0;
  for (const id of open) {
    const ra = await get(`/api/v1/orgs/${id}/counts`, tok.sys);
    if (ra.status === 404) { await ra.arrayBuffer(); continue; } // a society root outside the caller's tree
    const a = await json(ra);
    const b = await json(await get(`/api/v1/orgs/${id}/counts?as_of=9999-12-31`, tok.sys));
    assert.deepEqual(a, b, `org ${id}`);
    compared++;
  }
  assert.ok(compared > 40, `${compared} compared`);
});

// ---- issue 10: search and dated counts at national scale keep the old answers ----
// A tree generated over HTTP with dated creates (some in the future), dated moves (some
// into the future, some recorded before others' later moves), closes of one org and of
// branches, type and name changes, and reopens (closed_on cleared in the database, then
// `kexie org recount`, as a bulk load would). Every subtree count for every org and date,
// and every page of searches anywhere in the tree, is compared with the recursive walks of
// the old code (run here as SQL on the same database) plus, for pinyin, a reference written
// here from the rule in docs/nameindex.md.
describe('issue10: search and dated counts agree with the recursive walks', () => {
  let s2, t2, made;
  const get2 = (path) => fetch(`${s2.url}${path}`, { headers: H(t2) });
  const post2 = (path, body, extra = {}) => fetch(`${s2.url}${path}`, {
    method: 'POST', headers: H(t2, { 'content-type': 'application/json', ...extra }), body: JSON.stringify(body),
  });
  const DATES = ['2004-12-31', '2011-06-30', '2016-02-29', '2020-12-31', '2026-01-15', '2031-07-01', '2036-01-01'];
  let seed = 0x2545f491;
  const rnd = () => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed; };
  const day = (r, years = 26) => `${2010 + (r % years)}-${String(1 + ((r >>> 8) % 12)).padStart(2, '0')}-${String(1 + ((r >>> 16) % 28)).padStart(2, '0')}`;
  const PLACES = ['宝宜', '临江', '青石', '宜宾', '长沙', '绿水', '东川'];
  const UNITS = ['县科学技术协会', '镇科普协会', '有限公司科协', '学院科协', '村农技协', 'IBM科协', '医院科协'];
  // the readings of the characters above (长 as ICU reads it: zhang, see docs/nameindex.md)
  const PY = {
    宝: 'bao', 宜: 'yi', 临: 'lin', 江: 'jiang', 青: 'qing', 石: 'shi', 宾: 'bin', 长: 'zhang', 沙: 'sha', 绿: 'lv',
    水: 'shui', 东: 'dong', 川: 'chuan', 县: 'xian', 科: 'ke', 学: 'xue', 技: 'ji', 术: 'shu', 协: 'xie', 会: 'hui',
    镇: 'zhen', 普: 'pu', 有: 'you', 限: 'xian', 公: 'gong', 司: 'si', 院: 'yuan', 村: 'cun', 农: 'nong', 医: 'yi',
    中: 'zhong', 国: 'guo',
  };
  const pinyinMatch = (name, q) => {
    if (!/^[A-Za-z]{2,64}$/.test(q)) return false;
    const l = q.toLowerCase();
    const syl = [...name].map((ch) => PY[ch] || null);
    for (let i = 0; i < syl.length; i++) {
      if (!syl[i]) continue;
      let full = '', ini = '';
      for (let j = i; j < syl.length && syl[j]; j++) { full += syl[j]; ini += syl[j][0]; }
      if (ini.startsWith(l)) return true;
      // full pinyin from syllable i: q may end inside a syllable
      let rest = l, j = i;
      while (rest && j < syl.length && syl[j]) {
        if (rest.length <= syl[j].length) { if (syl[j].startsWith(rest)) return true; break; }
        if (!rest.startsWith(syl[j])) break;
        rest = rest.slice(syl[j].length); j++;
      }
    }
    return false;
  };

  before(async () => {
    s2 = await startServer();
    t2 = userWithToken(s2.env, 'p.sys', 'system_admin', 'CAST');
    const cast = Number(sql(s2.db, "SELECT id FROM org WHERE code = 'CAST'").trim());
    made = [{ id: cast, code: 'CAST', opened: '2015-01-01' }];
    const LEVELS = ['provincial', 'city', 'county', 'township', 'grassroots'];
    const TYPES = ['association', 'enterprise', 'university', 'village', 'hospital'];
    for (let n = 0; made.length < 90 && n < 400; n++) {
      const r = rnd(), p = made[r % made.length], opened = day(rnd(), 19); // a few open in the future
      if (opened < p.opened) continue;
      const code = `${n % 5 ? 'Q' : 'q'}${n}`; // some lower case: SQLite's LIKE ignores ASCII case
      const name = PLACES[rnd() % 7] + UNITS[rnd() % 7];
      const res = await post2('/api/v1/orgs', { code, name, level: LEVELS[(r >>> 8) % 5], type: TYPES[(r >>> 12) % 5], parent_id: p.id, opened_on: opened });
      await res.arrayBuffer();
      // an org opening in the future is created but answered 404 (not open today): find it
      const id = sql(s2.db, `SELECT id FROM org WHERE code = '${code}'`).trim();
      if (id) made.push({ id: Number(id), code, opened });
    }
    let moved = 0, closed = 0, patched = 0;
    for (let op = 0; op < 600; op++) {
      const r = rnd(), x = made[1 + (rnd() % (made.length - 1))], y = made[rnd() % made.length];
      let on = day(rnd());
      if (on < x.opened) on = x.opened > y.opened ? x.opened : y.opened; // moves from a day both exist
      const kind = (r >>> 24) % 5;
      if (kind <= 1) {
        const res = await post2(`/api/v1/orgs/${x.id}/move`, { parent_id: y.id, on });
        moved += res.status === 200; await res.arrayBuffer();
      } else if (kind === 2) {
        const res = await post2(`/api/v1/orgs/${x.id}/close`, { on, branch: (r & 1) === 1 });
        closed += res.status === 200; await res.arrayBuffer();
      } else if (kind === 3) {
        const cur = await get2(`/api/v1/orgs/${x.id}?as_of=9999-12-31`);
        if (cur.status !== 200) { await cur.arrayBuffer(); continue; }
        const v = (await json(cur)).version;
        const res = await fetch(`${s2.url}/api/v1/orgs/${x.id}`, {
          method: 'PATCH', headers: H(t2, { 'content-type': 'application/json', 'if-match': `"${v}"` }),
          body: JSON.stringify({ type: TYPES[(r >>> 4) % 5], name: PLACES[rnd() % 7] + UNITS[rnd() % 7] }),
        });
        patched += res.status === 200; await res.arrayBuffer();
      }
    }
    assert.ok(moved > 8 && closed > 4 && patched > 10, `moved ${moved} closed ${closed} patched ${patched}`);
    // reopens through the route (srv11): on the closing day (no gap) and later (a gap in the
    // placement, which splits the closure rows of the branch below)
    const today = beijingDate();
    const shut = sql(s2.db, `SELECT id, closed_on FROM org WHERE closed_on IS NOT NULL AND closed_on <= '${today}' ORDER BY closed_on DESC`)
      .trim().split('\n').filter(Boolean).map((l) => l.split('|'));
    let reopened = 0, gaps = 0;
    for (const [i, [id, closedOn]] of shut.entries()) {
      if (reopened >= 8) break;
      const cur = await get2(`/api/v1/orgs/${id}?as_of=${closedOn}`);
      const etag = cur.headers.get('etag'); await cur.arrayBuffer();
      if (!etag) continue;
      const on = i % 2 ? closedOn : today;
      const res = await post2(`/api/v1/orgs/${id}/reopen`, { on }, { 'if-match': etag });
      if (res.status === 200) { reopened++; gaps += on !== closedOn; }
      await res.arrayBuffer();
    }
    assert.ok(reopened >= 3 && gaps >= 1, `reopened ${reopened} (${gaps} with a gap)`);
    // a bulk import (jobs): new orgs by multi-row inserts, in batches of 7 rows, some under
    // each other, under orgs open today anywhere in the tree
    const open = sql(s2.db, `SELECT o.code, o.opened_on FROM org o JOIN org_parent p ON p.org_id = o.id
        WHERE o.closed_on IS NULL AND o.opened_on <= '${today}' AND p.valid_from <= '${today}' AND (p.valid_to IS NULL OR p.valid_to > '${today}')
        ORDER BY o.id`).trim().split('\n').map((l) => l.split('|'));
    const lines = [];
    for (let k = 0; k < 40; k++) {
      const [pcode, popened] = k % 4 === 3 ? [`B${k - 1}`, lines[k - 1].opened] : open[rnd() % open.length];
      let opened = day(rnd(), 16);
      if (opened < popened) opened = popened;
      lines.push({ text: `B${k},${PLACES[rnd() % 7] + UNITS[rnd() % 7]},grassroots,enterprise,${pcode},${opened}`, opened });
    }
    const csv = join(s2.dir, 'issue10-bulk.csv');
    writeFileSync(csv, `code,name,level,type,parent_code,opened_on\n${lines.map((l) => l.text).join('\n')}\n`);
    const imp = kexie(['org', 'import', csv], { ...s2.env, KEXIE_IMPORT_BATCH_ROWS: '7' });
    assert.equal(imp.code, 0, imp.stderr);
    const bulk = sql(s2.db, "SELECT id, code, opened_on FROM org WHERE code LIKE 'B%'").trim().split('\n').filter(Boolean);
    assert.ok(bulk.length >= 30, `${bulk.length} imported`);
    for (const l of bulk) { const [id, code, opened] = l.split('|'); made.push({ id: Number(id), code, opened }); }
  });
  after(async () => { await s2.stop(); });

  test('issue10 case 1: subtree counts for every org on every date equal the walk of the dated tree', async () => {
    const dates = DATES.map((d) => `SELECT '${d}' AS d`).join(' UNION ALL ');
    const ref = sql(s2.db, `WITH RECURSIVE dd AS (${dates}), down(root, id, d, depth) AS (
        SELECT o.id, o.id, dd.d, 0 FROM org o CROSS JOIN dd
        UNION ALL SELECT down.root, p.org_id, down.d, down.depth + 1 FROM org_parent p JOIN down ON p.parent_id = down.id
        WHERE p.valid_from <= down.d AND (p.valid_to IS NULL OR p.valid_to > down.d) AND down.depth < 64)
      SELECT down.root, down.d, o.level, o.type, count(*) FROM down JOIN org o ON o.id = down.id
      WHERE o.opened_on <= down.d AND (o.closed_on IS NULL OR o.closed_on > down.d)
      GROUP BY down.root, down.d, o.level, o.type`).trim().split('\n');
    const want = new Map();
    for (const line of ref) {
      const [root, d, level, type, n] = line.split('|');
      const k = `${root} ${d}`;
      if (!want.has(k)) want.set(k, { total: 0, by_level: {}, by_type: {} });
      const w = want.get(k);
      w.total += Number(n);
      w.by_level[level] = (w.by_level[level] || 0) + Number(n);
      w.by_type[type] = (w.by_type[type] || 0) + Number(n);
    }
    let compared = 0;
    for (const o of made) {
      for (const d of DATES) {
        const res = await get2(`/api/v1/orgs/${o.id}/counts?as_of=${d}`);
        if (res.status === 404) { await res.arrayBuffer(); continue; } // not in today's tree: out of scope
        const got = await json(res);
        const w = want.get(`${o.id} ${d}`) || { total: 0, by_level: {}, by_type: {} };
        assert.equal(got.total, w.total, `${o.code} on ${d}`);
        for (const [k, v] of Object.entries(got.by_level)) assert.equal(v, w.by_level[k] || 0, `${o.code} on ${d}: ${k}`);
        assert.deepEqual(got.by_type, w.by_type, `${o.code} on ${d}`);
        compared++;
      }
    }
    assert.ok(compared > 300, `${compared} compared`);
  });

  test('issue10 case 2: searches anywhere in the tree return the walk\'s answers, page by page, plus pinyin matches', async () => {
    const QS = [null, '宝宜', '科协', '科', 'IBM', 'ibm', 'Q1', 'q', '%', 'baoyi', 'kexie', 'kx', 'lvshui', 'zhangsha', 'changsha', '宝宜县科学'];
    let combos = 0;
    for (let i = 0; i < made.length; i += 11) {
      for (const [di, d] of DATES.entries()) {
        if (di % 2) continue;
        for (const [qi, q] of QS.entries()) {
          const closed = (qi + di) % 2 === 1;
          const esc = q === null ? null : q.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/'/g, "''");
          const pred = q === null ? '1' : `CASE WHEN o.code LIKE '${esc}%' ESCAPE '\\' OR o.name LIKE '%${esc}%' ESCAPE '\\' THEN 1 ELSE 0 END`;
          const rows = sql(s2.db, `WITH RECURSIVE down(id, depth) AS (SELECT CAST(${made[i].id} AS BIGINT), 0 UNION ALL
              SELECT p.org_id, down.depth + 1 FROM org_parent p JOIN down ON p.parent_id = down.id
              WHERE p.valid_from <= '${d}' AND (p.valid_to IS NULL OR p.valid_to > '${d}') AND down.depth < 64)
            SELECT o.code, o.name, ${pred} FROM org o JOIN down dn ON dn.id = o.id
            WHERE o.opened_on <= '${d}' AND (${closed ? 1 : 0} = 1 OR o.closed_on IS NULL OR o.closed_on > '${d}')
            ORDER BY o.code`).trim();
          const want = rows ? rows.split('\n').map((l) => l.split('|')).filter(([, name, hit]) => hit === '1' || (q !== null && pinyinMatch(name, q))).map(([code]) => code) : [];
          const got = [];
          const limit = 1 + ((qi * 7 + di) % 9);
          for (let after = '', pages = 0; pages < 200; pages++) {
            const params = new URLSearchParams({ under: String(made[i].id), as_of: d, limit: String(limit), include_closed: String(closed) });
            if (q !== null) params.set('q', q);
            if (after) params.set('after', after);
            const res = await get2(`/api/v1/orgs?${params}`);
            if (res.status === 404) { await res.arrayBuffer(); got.push(null); break; } // under: not in today's tree
            const b = await json(res);
            got.push(...b.items.map((o) => o.code));
            if (!b.next_after) break;
            after = b.next_after;
          }
          if (got[0] === null) continue;
          assert.deepEqual(got, want, `q=${q} under ${made[i].code} on ${d}${closed ? ' with closed' : ''}`);
          combos++;
        }
      }
    }
    assert.ok(combos > 200, `${combos} searches compared`);
  });

  test('issue10 case 3: after reopens and a bulk import, the kept index equals a rebuild from scratch', () => {
    const SNAP = {
      closure: 'SELECT org_id, anc_id, valid_from, valid_to, code, moved FROM org_closure ORDER BY 1, 2, 3',
      counts: 'SELECT org_id, gran, bucket, level, type, sum(n) FROM org_count GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5',
      counted: 'SELECT org_id, level, type, opened_on, closed_on FROM org_counted ORDER BY 1',
      grams: 'SELECT kind, gram, obj_id FROM name_gram ORDER BY 1, 2, 3',
      vocab: 'SELECT kind, gram, py, ini, n FROM name_vocab WHERE n > 0 ORDER BY 1, 2',
      texts: 'SELECT kind, obj_id, name, key, py, ini FROM name_text ORDER BY 1, 2',
      keys: 'SELECT kind, key, obj_id FROM name_key ORDER BY 1, 2, 3',
    };
    const snap = () => Object.fromEntries(Object.entries(SNAP).map(([k, q]) => [k, sql(s2.db, q)]));
    const kept = snap();
    assert.ok(kept.closure.split('\n').length > 200 && /\|b1\|/.test(kept.keys), 'the bulk rows are indexed');
    assert.equal(kexie(['org', 'recount'], s2.env).code, 0);
    const rebuilt = snap();
    for (const k of Object.keys(SNAP)) assert.equal(kept[k], rebuilt[k], `${k}: kept = rebuilt`);
  });
});

// ---- issue 8: access to the tree (cases 3-7) ----

const count = (where) => Number(sql(s.db, `SELECT count(*) FROM org WHERE ${where}`).trim());
const audited = (code) => Number(sql(s.db, `SELECT count(*) FROM audit_log WHERE action = 'org.create' AND detail LIKE '%"${code}"%'`).trim());
const importCsv = (name, lines) => {
  const p = join(s.dir, name);
  writeFileSync(p, `code,name,level,type,parent_code,opened_on\n${lines.join('\n')}\n`);
  const r = kexie(['org', 'import', p], s.env);
  return { code: r.code, report: r.stdout.trim() ? JSON.parse(r.stdout) : null, stderr: r.stderr };
};

test('issue 8 case 3: a root needs a system-wide post; under a parent, org.write over that parent', async () => {
  const national = userWithToken(s.env, 't.national', 'org_admin', 'CAST');
  for (const [t, code] of [[tok.city, 'ROOT-BY-CITY'], [national, 'ROOT-BY-NATIONAL']]) {
    const e = await expectError(assert, await post('/api/v1/orgs', t, { code, name: '越权的根', level: 'national', type: 'society' }), 403);
    assert.deepEqual([e.details[0].field, e.details[0].code], ['parent_id', 'root_needs_post']);
    assert.equal(count(`code = '${code}'`), 0);
    assert.equal(audited(code), 0, 'nothing half-written, nothing recorded');
  }
  // the system administrator creates it and, the post being system-wide, runs it afterwards
  const r = await post('/api/v1/orgs', tok.sys, { code: 'S-NEWROOT', name: '中国新设学会', level: 'national', type: 'society' });
  assert.equal(r.status, 201);
  const root = await json(r);
  assert.equal(root.parent_id, null);
  assert.equal((await get(`/api/v1/orgs/${root.id}`, tok.sys)).status, 200);
  const child = await post('/api/v1/orgs', tok.sys, { code: 'S-NEWROOT-1', name: '分会', level: 'provincial', type: 'society', parent_id: root.id });
  assert.equal(child.status, 201);
  // the other national societies are separate roots the system administrator runs as well
  assert.equal((await get(`/api/v1/orgs/${ids['S-MECH']}/children`, tok.sys)).status, 200);
  // under a parent: the one scope rule on that parent (another root: 404 naming it; no role: 403)
  const e = await expectError(assert, await post('/api/v1/orgs', national, { code: 'X-UNDER', name: '子', level: 'provincial', type: 'society', parent_id: root.id }), 404);
  assert.equal(e.details[0].field, 'parent_id');
  const staff = userWithToken(s.env, 't.staff3', 'staff', 'DC-C1');
  await expectError(assert, await post('/api/v1/orgs', staff, { code: 'X-STAFF', name: '子', level: 'grassroots', type: 'other', parent_id: Number(ids['DC-C1']) }), 403);
  assert.equal(count("code IN ('X-UNDER', 'X-STAFF')"), 0);
});

test('issue 8 case 4: after a move across provinces, children, search and counts as of past and future dates list only what the caller sees today', async () => {
  const k = ids['DC-C2-K1'];
  const dc = userWithToken(s.env, 't.dc2', 'org_admin', 'DC-C2');
  const nh = userWithToken(s.env, 't.nh', 'org_admin', 'NH');
  const branch = sql(s.db, `SELECT count(*) FROM org o JOIN org_parent p ON p.org_id = o.id AND p.valid_to IS NULL WHERE o.code LIKE 'DC-C2-K1%'`).trim();
  let r = await post(`/api/v1/orgs/${k}/move`, tok.sys, { parent_id: Number(ids['NH-C1']), on: '2024-01-01' });
  assert.equal(r.status, 200);
  await r.arrayBuffer();
  // the issue's probe: the org itself 404, and no list of the old parent shows it
  await expectError(assert, await get(`/api/v1/orgs/${k}?as_of=2020-01-01`, dc), 404);
  const kids = await json(await get(`/api/v1/orgs/${ids['DC-C2']}/children?as_of=2020-01-01`, dc));
  assert.deepEqual(kids.items.map((x) => x.code), ['DC-C2-K2']);
  const sysKids = await json(await get(`/api/v1/orgs/${ids['DC-C2']}/children?as_of=2020-01-01`, tok.sys));
  assert.deepEqual(sysKids.items.map((x) => x.code), ['DC-C2-K1', 'DC-C2-K2'], 'the tree as it stood');
  const found = await json(await get(`/api/v1/orgs?under=${ids['DC-C2']}&as_of=2020-01-01&limit=500`, dc));
  assert.ok(found.items.length > 0 && found.items.every((x) => !x.code.startsWith('DC-C2-K1')), found.items.map((x) => x.code).join());
  const mine = await json(await get(`/api/v1/orgs/${ids['DC-C2']}/counts?as_of=2020-01-01`, dc));
  const all = await json(await get(`/api/v1/orgs/${ids['DC-C2']}/counts?as_of=2020-01-01`, tok.sys));
  assert.equal(all.total - mine.total, Number(branch));
  assert.equal(all.by_level.county - mine.by_level.county, 1);
  // the new province sees the branch today, and not as it stood before it came
  assert.equal((await get(`/api/v1/orgs/${k}`, nh)).status, 200);
  const nhThen = await json(await get(`/api/v1/orgs/${ids['NH-C1']}/children?as_of=2020-01-01`, nh));
  assert.ok(!nhThen.items.some((x) => x.code === 'DC-C2-K1'));
  // a future move: the org belongs to DC today, so NH sees nothing of it on any date
  const fut = ids['DC-C2-K2'];
  r = await post(`/api/v1/orgs/${fut}/move`, tok.sys, { parent_id: Number(ids['NH-C1']), on: '2099-01-01' });
  assert.equal(r.status, 200);
  await r.arrayBuffer();
  const sysLater = await json(await get(`/api/v1/orgs/${ids['NH-C1']}/children?as_of=2099-06-01`, tok.sys));
  assert.ok(sysLater.items.some((x) => x.code === 'DC-C2-K2'));
  const nhLater = await json(await get(`/api/v1/orgs/${ids['NH-C1']}/children?as_of=2099-06-01`, nh));
  assert.ok(!nhLater.items.some((x) => x.code.startsWith('DC-C2-K2')));
  const nhSearch = await json(await get(`/api/v1/orgs?under=${ids.NH}&as_of=2099-06-01&limit=500`, nh));
  assert.ok(!nhSearch.items.some((x) => x.code.startsWith('DC-C2-K2')));
  const nhCount = await json(await get(`/api/v1/orgs/${ids['NH-C1']}/counts?as_of=2099-06-01`, nh));
  const sysCount = await json(await get(`/api/v1/orgs/${ids['NH-C1']}/counts?as_of=2099-06-01`, tok.sys));
  assert.ok(sysCount.total > nhCount.total);
  await expectError(assert, await get(`/api/v1/orgs/${fut}?as_of=2099-06-01`, nh), 404);
  // history: the period under DC stays, DC's org is not named to NH
  const h = await json(await get(`/api/v1/orgs/${k}/history`, nh));
  assert.deepEqual(h.parents.map((p) => [p.code, p.from, p.hidden === true]), [[null, '2015-01-01', true], ['NH-C1', '2024-01-01', false]]);
});

test('issue 8 case 5: a guide must be one the caller sees (any other id: the same 404) and an association or society at the same level or above', async () => {
  const t1 = ids['DC-C1-K1-T1'];
  const other = await post(`/api/v1/orgs/${t1}/links`, tok.city, { guide_id: Number(ids['XL-C1']) });
  const none = await post(`/api/v1/orgs/${t1}/links`, tok.city, { guide_id: 987654 });
  const a = await expectError(assert, other, 404);
  const b = await expectError(assert, none, 404);
  assert.deepEqual([a.message, a.details], [b.message, b.details], 'probing an id tells nothing');
  assert.equal(a.details[0].field, 'guide_id');
  assert.equal(count(`id IN (SELECT org_id FROM org_link WHERE guide_id = ${ids['XL-C1']})`), 0);
  // kinds: not an enterprise; not a lower level
  const ent = await post('/api/v1/orgs', tok.city, { code: 'DC-C1-K1-GENT', name: '企业', level: 'grassroots', type: 'enterprise', parent_id: Number(ids['DC-C1-K1']) });
  const entId = (await json(ent)).id;
  const e1 = await expectError(assert, await post(`/api/v1/orgs/${t1}/links`, tok.city, { guide_id: entId }), 422);
  assert.deepEqual([e1.details[0].field, e1.details[0].code], ['guide_id', 'cannot_guide']);
  const e2 = await expectError(assert, await post(`/api/v1/orgs/${ids['DC-C1-K1']}/links`, tok.city, { guide_id: Number(t1) }), 422);
  assert.equal(e2.details[0].code, 'cannot_guide');
  // a city association guiding a township in its city: fine
  const ok = await post(`/api/v1/orgs/${t1}/links`, tok.city, { guide_id: Number(ids['DC-C1']) });
  assert.equal(ok.status, 201);
  assert.deepEqual((await json(ok)).guided_by.map((x) => x.code), ['DC-C1']);
});

test('issue 8 case 6: a future opened_on is refused with a field error, over HTTP and in an import; nothing is written', async () => {
  for (let i = 0; i < 2; i++) { // a retry answers the same: nothing was committed the first time
    const e = await expectError(assert, await post('/api/v1/orgs', tok.city, { code: 'DC-C1-FUTURE', name: '未来的单位', level: 'grassroots', type: 'other', parent_id: Number(ids['DC-C1']), opened_on: '2030-01-01' }), 422);
    assert.deepEqual([e.details[0].field, e.details[0].code], ['opened_on', 'future']);
  }
  assert.equal(count("code = 'DC-C1-FUTURE'"), 0);
  assert.equal(audited('DC-C1-FUTURE'), 0);
  const r = importCsv('future.csv', ['DC-C1-FUT2,未来,grassroots,other,DC-C1,2030-01-01']);
  assert.equal(r.report.rejected, 1, JSON.stringify(r.report));
  assert.equal(r.report.errors[0].code, 'future');
  assert.equal(count("code = 'DC-C1-FUT2'"), 0);
  // today is fine and answers 201 with the row
  const today = beijingDate();
  const made = await post('/api/v1/orgs', tok.city, { code: 'DC-C1-TODAY', name: '今天', level: 'grassroots', type: 'other', parent_id: Number(ids['DC-C1']), opened_on: today });
  assert.equal(made.status, 201);
  assert.equal((await json(made)).opened_on, today);
});

test('issue 8 case 7: at most 64 levels: create, move and import refuse deeper with a field error; every level stays reachable', async () => {
  // CAST is level 1; D1..D63 make a chain 64 deep
  let parent = Number(ids.CAST);
  const chain = [];
  for (let i = 1; i <= 63; i++) {
    const r = await post('/api/v1/orgs', tok.sys, { code: `D${i}`, name: `深${i}`, level: 'grassroots', type: 'other', parent_id: parent });
    assert.equal(r.status, 201, `D${i}`);
    parent = (await json(r)).id;
    chain.push(parent);
  }
  const e = await expectError(assert, await post('/api/v1/orgs', tok.sys, { code: 'D64', name: '深64', level: 'grassroots', type: 'other', parent_id: parent }), 422);
  assert.deepEqual([e.details[0].field, e.details[0].code], ['parent_id', 'too_deep']);
  assert.equal(count("code = 'D64'"), 0);
  // the deepest is reachable by every path
  assert.equal((await get(`/api/v1/orgs/${parent}`, tok.sys)).status, 200);
  await expectError(assert, await fetch(`${s.url}/api/v1/orgs/${parent}`, { method: 'PATCH', headers: H(tok.sys, { 'content-type': 'application/json' }), body: JSON.stringify({ contact: 'x' }) }), 428);
  const national = userWithToken(s.env, 't.national2', 'org_admin', 'CAST');
  assert.equal((await get(`/api/v1/orgs/${parent}`, national)).status, 200, 'the scope walk reaches it');
  // move: a branch two deep fits under D61 (levels 63, 64), not under D62
  const top = await json(await post('/api/v1/orgs', tok.sys, { code: 'DM', name: '枝', level: 'grassroots', type: 'other', parent_id: Number(ids.CAST) }));
  await json(await post('/api/v1/orgs', tok.sys, { code: 'DM-1', name: '枝下', level: 'grassroots', type: 'other', parent_id: top.id }));
  const m1 = await expectError(assert, await post(`/api/v1/orgs/${top.id}/move`, tok.sys, { parent_id: chain[61] }), 422);
  assert.deepEqual([m1.details[0].field, m1.details[0].code], ['parent_id', 'too_deep']);
  assert.equal((await post(`/api/v1/orgs/${top.id}/move`, tok.sys, { parent_id: chain[60] })).status, 200);
  // import: under D63 refused; a chain in the file deeper than 64 is "too deep", not a cycle, and nothing of it beyond the limit is created
  const rows = ['DI-1,导入1,grassroots,other,D63,']; // opened today, like D63
  for (let i = 1; i <= 70; i++) rows.push(`DF-${i},链${i},grassroots,other,${i === 1 ? 'CAST' : `DF-${i - 1}`},2015-01-01`);
  const r = importCsv('deep.csv', rows);
  assert.equal(r.code === 0 || r.code === 1, true, r.stderr);
  const codes = new Set(r.report.errors.map((x) => x.code));
  assert.ok(!codes.has('cycle'), JSON.stringify(r.report.errors.slice(0, 3)));
  assert.deepEqual([...codes], ['too_deep']);
  assert.equal(count("code = 'DI-1'"), 0);
  assert.equal(count("code LIKE 'DF-%'"), 63, 'DF-1..DF-63 fit (64 levels with CAST)');
  assert.equal(r.report.rejected, 1 + 7);
});

test('search hits carry their parent\'s name (parent_name), by name, pinyin and code', async () => {
  for (const q of ['安平', 'anping', 'DC-C1-K1']) {
    const r = await fetch(`${s.url}/api/v1/orgs?under=${ids['DC-C1']}&q=${encodeURIComponent(q)}`, { headers: H(tok.city) });
    assert.equal(r.status, 200);
    const items = (await json(r)).items;
    assert.ok(items.length > 0, q);
    for (const o of items) {
      const want = sql(s.db, `SELECT p.name FROM org_parent x JOIN org p ON p.id = x.parent_id WHERE x.org_id = ${o.id} AND x.valid_to IS NULL`).trim();
      assert.equal(o.parent_name, want, `${q}: ${o.code}`);
    }
  }
});
