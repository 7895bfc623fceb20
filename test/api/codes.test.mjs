// codes.test.mjs - one list per code (issue 9 item 5) and field errors the web app can word
// (issue 11 defect 5): GET /api/v1/codes, validation against the lists, params in errors,
// the OpenAPI enums, and source checks that no second spelling of a list creeps back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, sql, userWithToken, expectError, json, ROOT } from './lib.mjs';

let s, ids, admin;
before(async () => {
  s = await startServer();
  ids = Object.fromEntries(sql(s.db, 'SELECT code, id FROM org').trim().split('\n').map((l) => l.split('|')));
  admin = userWithToken(s.env, 'codes.admin', 'system_admin', 'CAST');
});
after(async () => { await s.stop(); });

const auth = () => ({ authorization: `Bearer ${admin}` });
const post = (path, body, headers = {}) => fetch(`${s.url}${path}`, {
  method: 'POST', headers: { ...auth(), 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
});

function srcFiles(dir = join(ROOT, 'src')) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...srcFiles(p));
    else if (/\.[ch]$/.test(name)) out.push(p);
  }
  return out;
}

test('GET /api/v1/codes: every list of the contract, in display order, with both labels', async () => {
  const anon = await fetch(`${s.url}/api/v1/codes`);
  await expectError(assert, anon, 401);
  const r = await fetch(`${s.url}/api/v1/codes`, { headers: auth() });
  assert.equal(r.status, 200);
  const { lists } = await json(r);
  for (const name of ['org_level', 'org_type', 'role', 'audit_action', 'object_type', 'job_state', 'error']) {
    assert.ok(Array.isArray(lists[name]) && lists[name].length > 0, `list ${name}`);
    for (const it of lists[name]) {
      assert.match(it.code, /^[a-z0-9_.\-]+$/, `${name} code ${it.code}`);
      assert.ok(it.zh && it.en, `${name}.${it.code} has both labels`);
      assert.doesNotMatch(it.zh + it.en, /[{}@|]/, `${name}.${it.code}: no template syntax in labels`);
    }
    assert.equal(new Set(lists[name].map((i) => i.code)).size, lists[name].length, `${name} codes are unique`);
  }
  assert.deepEqual(lists.org_level.map((i) => i.code), ['national', 'provincial', 'city', 'county', 'township', 'grassroots']);
  assert.deepEqual(lists.job_state.map((i) => i.code), ['queued', 'running', 'succeeded', 'failed', 'cancelled']);
  assert.equal(lists.org_level.find((i) => i.code === 'provincial').zh, '省级');
  assert.equal(lists.role.find((i) => i.code === 'org_admin').zh, '组织管理员');
  assert.ok(lists.audit_action.find((i) => i.code === 'org.reopen'));
});

test('every role of the code list is a role the server grants and the access matrix knows', async () => {
  const { lists } = await json(await fetch(`${s.url}/api/v1/codes`, { headers: auth() }));
  const matrix = readFileSync(join(ROOT, 'test/api/matrix.test.mjs'), 'utf8');
  const roles = JSON.parse(/const ROLES = (\[[^\]]*\])/.exec(matrix)[1].replace(/'/g, '"'));
  assert.deepEqual(lists.role.map((i) => i.code), roles);
});

test('issue9 item 5: levels, types and roles are spelled once in src/ (core/codelist.c)', async () => {
  const { lists } = await json(await fetch(`${s.url}/api/v1/codes`, { headers: auth() }));
  const codes = { level: lists.org_level, type: lists.org_type, role: lists.role };
  // files that name every code of a list for another reason: the permissions table (a row
  // per role, tied to the list by a static assert), the demo accounts (one per role) and
  // the demo tree's rows
  const data = { level: ['domain/demo.c'], type: ['domain/demo.c'], role: ['core/rbac.c', 'cli/seed.c'] };
  for (const f of srcFiles()) {
    // code, not the comments (which may give an example of a value)
    const text = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    const rel = f.slice(join(ROOT, 'src').length + 1);
    if (rel === 'core/codelist.c') continue;
    for (const [list, items] of Object.entries(codes)) {
      const all = items.every((i) => text.includes(`"${i.code}"`));
      if (all) assert.ok(data[list].includes(rel), `${rel} names every ${list}: a second spelling of the list?`);
      // the list written out in order: "a", "b" or "a|b"
      for (let k = 0; k + 1 < items.length; k++) {
        const a = items[k].code, b = items[k + 1].code;
        assert.ok(!text.includes(`"${a}", "${b}"`) && !text.includes(`${a}|${b}`), `${rel} spells the ${list} list (${a}, ${b})`);
      }
    }
    assert.doesNotMatch(text, /\bORG_LEVELS\b|\bORG_TYPES\b|\bRBAC_ROLES\b|enum_has/, `${rel}: an old list name`);
  }
});

test('every field error code the server sends is in the error code list', async () => {
  const { lists } = await json(await fetch(`${s.url}/api/v1/codes`, { headers: auth() }));
  const known = new Set(lists.error.map((i) => i.code));
  const missing = new Set();
  // errlist_add(l, field, "code", ...), errlist_add_row(l, row, field, "code", ...), the
  // import's report_error / reject(..., "code", ...), the JSON prescan's code = "..."
  const patterns = [
    /errlist_add\(\s*[^,]+,\s*(?:[^,()]|\([^()]*\))+,\s*"([a-z0-9_]+)"/g,
    /errlist_add_row\(\s*[^,]+,\s*[^,]+,\s*(?:[^,()]|\([^()]*\))+,\s*"([a-z0-9_]+)"/g,
    /report_error\(\s*[^,]+,\s*[^,]+,\s*(?:[^,()]|\([^()]*\))+,\s*"([a-z0-9_]+)"/g,
    /reject\(\s*j,\s*[^,]+,\s*[^,]+,\s*"([a-z0-9_]+)"/g,
    /\bcode = "([a-z0-9_]+)"/g,
  ];
  let seen = 0;
  for (const f of srcFiles()) {
    const text = readFileSync(f, 'utf8');
    for (const re of patterns) for (const m of text.matchAll(re)) { seen++; if (!known.has(m[1])) missing.add(`${m[1]} (${f.slice(ROOT.length + 1)})`); }
  }
  assert.ok(seen > 50, `found ${seen} error codes in src/`);
  assert.deepEqual([...missing], []);
  // and the top-level codes (err_name)
  const errc = readFileSync(join(ROOT, 'src/base/err.c'), 'utf8');
  for (const m of errc.matchAll(/return "([a-z_]+)";/g)) if (m[1] !== 'ok') assert.ok(known.has(m[1]), `top-level ${m[1]}`);
});

test('every audit action and object type the server records is in its code list', async () => {
  const { lists } = await json(await fetch(`${s.url}/api/v1/codes`, { headers: auth() }));
  const actions = new Set(lists.audit_action.map((i) => i.code)), types = new Set(lists.object_type.map((i) => i.code));
  const missing = [];
  const act = [/\baction = "([a-z_]+\.[a-z_]+)"/g, /\baudit_object\([^;]*?"([a-z_]+\.[a-z_]+)"/g, /\blogin_audit\(c, j, "([a-z_]+\.[a-z_]+)"/g, /\baudit_(?:person|ms|app|erasure|unit)\([^;]*?"([a-z_]+\.[a-z_]+)"/g,
    /\? "([a-z_]+\.[a-z_]+)" : "[a-z_]+\.[a-z_]+"/g, /\? "[a-z_]+\.[a-z_]+" : "([a-z_]+\.[a-z_]+)"/g];
  const obj = [/\bobject_type = "([a-z_]+)"/g, /\baudit_object\([^;]*?"[a-z_]+\.[a-z_]+"[^;]*?, "([a-z_]+)"/g];
  let seen = 0;
  for (const f of srcFiles()) {
    const text = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    const rel = f.slice(ROOT.length + 1);
    for (const re of act) for (const m of text.matchAll(re)) { seen++; if (!actions.has(m[1])) missing.push(`action ${m[1]} (${rel})`); }
    for (const re of obj) for (const m of text.matchAll(re)) if (!types.has(m[1])) missing.push(`object type ${m[1]} (${rel})`);
  }
  assert.ok(seen >= 25, `found ${seen} actions`);
  assert.deepEqual(missing, []);
});

test('code fields validate against their list and name it (params.list)', async () => {
  const parent = Number(ids['DC-C1']);
  let e = await expectError(assert, await post('/api/v1/orgs', { code: 'CL-1', name: '测试', level: 'galactic', type: 'other', parent_id: parent }), 422);
  let d = e.details.find((x) => x.field === 'level');
  assert.equal(d.code, 'not_allowed');
  assert.deepEqual(d.params, { list: 'org_level' });
  assert.match(d.message, /national\|provincial\|city\|county\|township\|grassroots/);
  e = await expectError(assert, await fetch(`${s.url}/api/v1/orgs?type=spaceport`, { headers: auth() }), 400);
  assert.deepEqual(e.details[0].params, { list: 'org_type' });
  // a switch that is no code list names its words instead
  e = await expectError(assert, await fetch(`${s.url}/api/v1/regions?sort=size`), 400);
  assert.deepEqual(e.details[0].params, { allowed: 'code|-code|name|-name' });
  // every code of the list is accepted
  const { lists } = await json(await fetch(`${s.url}/api/v1/codes`, { headers: auth() }));
  for (const t of lists.org_type) {
    const r = await fetch(`${s.url}/api/v1/orgs?type=${t.code}&limit=1`, { headers: auth() });
    assert.equal(r.status, 200, t.code);
    await r.arrayBuffer();
  }
});

test('issue11 defect 5: distinct codes with params for required, too_short, too_long, out_of_range', async () => {
  const parent = Number(ids['DC-C1']);
  // an empty required field is "required", not a length problem
  let e = await expectError(assert, await post('/api/v1/orgs', { code: 'CL-2', name: '', level: 'grassroots', type: 'other', parent_id: parent }), 422);
  assert.deepEqual(e.details.map((x) => [x.field, x.code]), [['name', 'required']]);
  e = await expectError(assert, await post('/api/v1/orgs', { code: 'CL-2', name: '名'.repeat(201), level: 'grassroots', type: 'other', parent_id: parent }), 422);
  assert.deepEqual(e.details[0], { field: 'name', code: 'too_long', message: e.details[0].message, params: { max: 200 } });
  e = await expectError(assert, await post('/api/v1/orgs', { code: 'CL-2', name: '测试', level: 'grassroots', type: 'other', parent_id: 0 }), 422);
  assert.deepEqual([e.details[0].code, e.details[0].params], ['out_of_range', { min: 1 }]);
  // a missing required field, and null for one
  e = await expectError(assert, await post('/api/v1/orgs', { code: 'CL-2', name: '测试', type: 'other', parent_id: parent }), 422);
  assert.deepEqual(e.details.map((x) => [x.field, x.code]), [['level', 'required']]);
  e = await expectError(assert, await post('/api/v1/orgs', { code: 'CL-2', name: '测试', level: null, type: 'other', parent_id: parent }), 422);
  assert.deepEqual(e.details.map((x) => [x.field, x.code]), [['level', 'required']]);
  // a string where a number belongs is a type error, never "required"
  e = await expectError(assert, await post('/api/v1/orgs', { code: 'CL-2', name: '测试', level: 'grassroots', type: 'other', parent_id: 'abc' }), 400);
  assert.deepEqual(e.details.map((x) => [x.field, x.code]), [['parent_id', 'not_integer']]);
  // query parameters: empty, too short, out of range with both bounds
  e = await expectError(assert, await fetch(`${s.url}/api/v1/orgs?q=`, { headers: auth() }), 400);
  assert.deepEqual([e.details[0].code, e.details[0].params], ['required', undefined]);
  e = await expectError(assert, await fetch(`${s.url}/api/v1/regions?parent=1`), 400);
  assert.deepEqual([e.details[0].code, e.details[0].params], ['too_short', { min: 2 }]);
  e = await expectError(assert, await fetch(`${s.url}/api/v1/orgs?limit=501`, { headers: auth() }), 400);
  assert.deepEqual([e.details[0].code, e.details[0].params], ['out_of_range', { min: 1, max: 500 }]);
  // the domain's own checks say the same (PATCH name "": required)
  const g = await fetch(`${s.url}/api/v1/orgs/${ids['DC-C1-K1']}`, { headers: auth() });
  const etag = g.headers.get('etag');
  await g.arrayBuffer();
  e = await expectError(assert, await fetch(`${s.url}/api/v1/orgs/${ids['DC-C1-K1']}`, {
    method: 'PATCH', headers: { ...auth(), 'content-type': 'application/json', 'if-match': etag }, body: JSON.stringify({ name: '' }),
  }), 422);
  assert.deepEqual(e.details.map((x) => [x.field, x.code]), [['name', 'required']]);
});

test('the OpenAPI document takes its enums from the code lists', async () => {
  const doc = await json(await fetch(`${s.url}/api/v1/openapi.json`));
  const { lists } = await json(await fetch(`${s.url}/api/v1/codes`, { headers: auth() }));
  const body = doc.paths['/api/v1/orgs'].post.requestBody.content['application/json'].schema.properties;
  assert.deepEqual(body.level.enum, lists.org_level.map((i) => i.code));
  assert.equal(body.level['x-code-list'], 'org_level');
  assert.deepEqual(body.type.enum, lists.org_type.map((i) => i.code));
  const role = doc.paths['/api/v1/users'].post.requestBody.content['application/json'].schema.properties.role;
  assert.deepEqual(role.enum, lists.role.map((i) => i.code));
});

test('the org import reads levels and types by code, Chinese label, English label or other words', async () => {
  const { kexie } = await import('./lib.mjs');
  const { writeFileSync } = await import('node:fs');
  const f = join(s.dir, 'words.csv');
  writeFileSync(f, '代码,名称,层级,类型,上级代码\nW-1,词表一,Grassroots,企业科协,DC-C1-K1\nW-2,词表二,基层组织,Hospital,DC-C1-K1\nW-3,词表三,基层,医院,DC-C1-K1\nW-4,词表四,银河级,其他,DC-C1-K1\n');
  const r = JSON.parse(kexie(['org', 'import', f], s.env).stdout);
  assert.deepEqual([r.inserted, r.rejected, r.errors[0].row, r.errors[0].code], [3, 1, 5, 'not_allowed']);
  assert.equal(sql(s.db, "SELECT code || ':' || level || ':' || type FROM org WHERE code LIKE 'W-%' ORDER BY code").trim(),
    'W-1:grassroots:enterprise\nW-2:grassroots:hospital\nW-3:grassroots:hospital');
});
