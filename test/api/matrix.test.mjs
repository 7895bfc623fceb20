// matrix.test.mjs - the access matrix, built from the route table: every route x every role
// x caller inside / outside the object's subtree, with the expected status. A route that
// `kexie routes` lists but this file has no entry for fails the test.
//
// Rules: no caller -> 401 on guarded routes; a role without the route's permission -> 403;
// with it, an object outside the caller's subtree -> 404 (never revealed), inside -> the
// route's own answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sql, userWithToken, kexie } from './lib.mjs';

const ROLES = ['system_admin', 'security_admin', 'audit_admin', 'org_admin', 'staff', 'reviewer', 'member'];
const PERMS = { // mirrors src/domain/rbac.c: the test fails if the two disagree
  system_admin: ['org.read', 'org.write'], security_admin: ['org.read', 'user.read', 'user.admin'],
  audit_admin: ['org.read', 'audit.read'], org_admin: ['org.read', 'org.write', 'user.read', 'user.admin'],
  staff: ['org.read'], reviewer: [], member: [],
};
let seq = 0;
// Each entry: perm (null = public), ok = the answer inside scope, and make(where) -> request.
const MATRIX = {
  'GET /healthz': { perm: null, ok: 200, make: () => ({ path: '/healthz' }) },
  'GET /metrics': { perm: null, ok: 200, make: () => ({ path: '/metrics' }) },
  'GET /api/v1/about': { perm: null, ok: 200, make: () => ({ path: '/api/v1/about' }) },
  'GET /api/v1/openapi.json': { perm: null, ok: 200, make: () => ({ path: '/api/v1/openapi.json' }) },
  'POST /api/v1/client-errors': { perm: null, ok: 202, make: () => ({ path: '/api/v1/client-errors', body: { message: 'x' } }) },
  'GET /api/v1/regions': { perm: null, ok: 200, make: () => ({ path: '/api/v1/regions?parent=110000' }) },
  'GET /api/v1/regions/{code:str}': { perm: null, ok: 200, make: () => ({ path: '/api/v1/regions/110000' }) },
  // sign-in is public (bad credentials: 401 for everyone); who-am-I needs any caller;
  // sign-out with a token instead of a session cookie is a 400
  // (all from 127.0.0.1: past 20 failures a minute the address limiter answers 429 instead)
  'POST /api/v1/session': { perm: null, ok: [401, 429], make: () => ({ path: '/api/v1/session', body: { login: 'nobody', password: 'wrong-password' } }) },
  'GET /api/v1/session': { perm: null, auth: true, ok: 200, make: () => ({ path: '/api/v1/session' }) },
  'DELETE /api/v1/session': { perm: null, auth: true, ok: 400, make: () => ({ path: '/api/v1/session' }) },
  'GET /api/v1/orgs': { perm: 'org.read', ok: 200, make: (w, ids) => ({ path: `/api/v1/orgs?under=${ids[w.obj]}&q=K` }) },
  'GET /api/v1/orgs/{id:int}': { perm: 'org.read', ok: 200, make: (w, ids) => ({ path: `/api/v1/orgs/${ids[w.obj]}` }) },
  'GET /api/v1/orgs/{id:int}/children': { perm: 'org.read', ok: 200, make: (w, ids) => ({ path: `/api/v1/orgs/${ids[w.obj]}/children` }) },
  'GET /api/v1/orgs/{id:int}/counts': { perm: 'org.read', ok: 200, make: (w, ids) => ({ path: `/api/v1/orgs/${ids[w.obj]}/counts` }) },
  'POST /api/v1/orgs': {
    perm: 'org.write', ok: 201,
    make: (w, ids) => ({ path: '/api/v1/orgs', body: { code: `M-${process.pid}-${seq++}`, name: '矩阵测试', level: 'grassroots', type: 'other', parent_id: Number(ids[w.obj]) } }),
  },
  'POST /api/v1/orgs/{id:int}/move': { // to its current parent: a no-op that passes every check
    perm: 'org.write', ok: 200,
    make: (w, ids) => ({ path: `/api/v1/orgs/${ids[w.obj]}/move`, body: { parent_id: Number(ids[w.parent]) } }),
  },
  'POST /api/v1/orgs/{id:int}/close': { // open children: 409 proves scope and role passed
    perm: 'org.write', ok: 409,
    make: (w, ids) => ({ path: `/api/v1/orgs/${ids[w.obj]}/close`, body: {} }),
  },
  'PATCH /api/v1/orgs/{id:int}': { // no If-Match: 428 proves scope and role passed
    perm: 'org.write', ok: 428, make: (w, ids) => ({ path: `/api/v1/orgs/${ids[w.obj]}`, body: { contact: '张老师' } }),
  },
  'GET /api/v1/orgs/{id:int}/history': { perm: 'org.read', ok: 200, make: (w, ids) => ({ path: `/api/v1/orgs/${ids[w.obj]}/history` }) },
  'GET /api/v1/orgs/{id:int}/links': { perm: 'org.read', ok: 200, make: (w, ids) => ({ path: `/api/v1/orgs/${ids[w.obj]}/links` }) },
  'POST /api/v1/orgs/{id:int}/links': { // guided by CAST from a date already taken after the first: 201 then 409
    perm: 'org.write', ok: [201, 409], make: (w, ids) => ({ path: `/api/v1/orgs/${ids[w.obj]}/links`, body: { guide_id: Number(ids.CAST), on: '2020-01-01' } }),
  },
  // one's own sessions, tokens, password: any signed-in caller (a token caller has no session)
  'GET /api/v1/me/sessions': { perm: null, auth: true, ok: 200, make: () => ({ path: '/api/v1/me/sessions' }) },
  'DELETE /api/v1/me/sessions/{id:int}': { perm: null, auth: true, ok: 404, make: () => ({ path: '/api/v1/me/sessions/987654321' }) },
  'GET /api/v1/me/tokens': { perm: null, auth: true, ok: 200, make: () => ({ path: '/api/v1/me/tokens' }) },
  'POST /api/v1/me/tokens': { perm: null, auth: true, ok: 201, make: () => ({ path: '/api/v1/me/tokens', body: { name: 'matrix', expires_days: 1 } }) },
  'DELETE /api/v1/me/tokens/{id:int}': { perm: null, auth: true, ok: 404, make: () => ({ path: '/api/v1/me/tokens/987654321' }) },
  'POST /api/v1/me/password': { // a wrong current password: 403 proves the caller got through
    perm: null, auth: true, ok: 403, make: () => ({ path: '/api/v1/me/password', body: { current_password: 'not-the-password', new_password: 'Another-long-pass-1' } }),
  },
  // accounts: the object is an account whose only role sits inside / outside DC-C1
  'GET /api/v1/users': { perm: 'user.read', ok: 200, make: (w, ids) => ({ path: `/api/v1/users?under=${ids[w.obj]}` }) },
  'POST /api/v1/users': {
    perm: 'user.admin', ok: 201,
    make: (w, ids) => ({ path: '/api/v1/users', body: { login: `mx.new.${process.pid}.${seq++}`, display_name: '矩阵', password: 'A-l0ng-and-unusual-pass', role: 'member', org_id: Number(ids[w.obj]) } }),
  },
  'GET /api/v1/users/{id:int}': { perm: 'user.read', ok: 200, make: (w, ids) => ({ path: `/api/v1/users/${ids[w.user]}` }) },
  'POST /api/v1/users/{id:int}/roles': { // 201, then 409 once held
    perm: 'user.admin', ok: [201, 409], make: (w, ids) => ({ path: `/api/v1/users/${ids[w.user]}/roles`, body: { role: 'member', org_id: Number(ids[w.obj]) } }),
  },
  'DELETE /api/v1/users/{id:int}/roles/{role:str}/{org_id:int}': { // the last role stays: 409
    perm: 'user.admin', ok: 409, make: (w, ids) => ({ path: `/api/v1/users/${ids[w.user2]}/roles/staff/${ids[w.obj]}` }),
  },
  'POST /api/v1/users/{id:int}/disable': { perm: 'user.admin', ok: 200, make: (w, ids) => ({ path: `/api/v1/users/${ids[w.user]}/disable` }) },
  'POST /api/v1/users/{id:int}/enable': { perm: 'user.admin', ok: 200, make: (w, ids) => ({ path: `/api/v1/users/${ids[w.user]}/enable` }) },
  'POST /api/v1/users/{id:int}/unlock': { perm: 'user.admin', ok: 200, make: (w, ids) => ({ path: `/api/v1/users/${ids[w.user]}/unlock` }) },
  'DELETE /api/v1/users/{id:int}/sessions': { perm: 'user.admin', ok: 200, make: (w, ids) => ({ path: `/api/v1/users/${ids[w.user]}/sessions` }) },
  'POST /api/v1/users/{id:int}/password': {
    perm: 'user.admin', ok: 204, make: (w, ids) => ({ path: `/api/v1/users/${ids[w.user]}/password`, body: { password: 'Yet-another-long-pass' } }),
  },
  'GET /api/v1/audit': { perm: 'audit.read', ok: 200, make: (w, ids) => ({ path: `/api/v1/audit?org_id=${ids[w.obj]}&limit=1` }) },
  // jobs (issue 11): any signed-in caller, their own jobs only (someone else's is a 404 like
  // a missing one: jobs.test.mjs); org import / export: the file's rows are checked against
  // the scope one by one inside the job (unscoped here), the export by its subtree root
  'GET /api/v1/jobs/{id:int}': { perm: null, auth: true, ok: 404, make: () => ({ path: '/api/v1/jobs/987654321' }) },
  'POST /api/v1/jobs/{id:int}/cancel': { perm: null, auth: true, ok: 404, make: () => ({ path: '/api/v1/jobs/987654321/cancel', body: {} }) },
  'GET /api/v1/jobs/{id:int}/errors': { perm: null, auth: true, ok: 404, make: () => ({ path: '/api/v1/jobs/987654321/errors?format=csv' }) },
  'POST /api/v1/orgs/import/preview': {
    perm: 'org.write', ok: 200, unscoped: true,
    make: (w) => ({ path: '/api/v1/orgs/import/preview', raw: `代码,名称,层级,类型,上级代码\nM-PV,预览,基层,其他,${w.obj}\n`, type: 'text/csv' }),
  },
  'POST /api/v1/orgs/import': {
    perm: 'org.write', ok: 202, unscoped: true,
    make: (w) => ({ path: '/api/v1/orgs/import?dry_run=true', raw: `代码,名称,层级,类型,上级代码\nM-IM,导入,基层,其他,${w.obj}\n`, type: 'text/csv' }),
  },
  'GET /api/v1/orgs/{id:int}/export': { perm: 'org.read', ok: 200, make: (w, ids) => ({ path: `/api/v1/orgs/${ids[w.obj]}/export?format=csv` }) },
};
const WHERE = {
  inside: { obj: 'DC-C1-K1', parent: 'DC-C1', user: 'mx.in', user2: 'mx.in2' },  // every role is granted at DC-C1
  outside: { obj: 'XL-C1-K1', parent: 'XL-C1', user: 'mx.out', user2: 'mx.out2' },
};

let s, ids, tokens = {};
before(async () => {
  s = await startServer();
  ids = Object.fromEntries(sql(s.db, 'SELECT code, id FROM org').trim().split('\n').map((l) => l.split('|')));
  for (const role of ROLES) tokens[role] = userWithToken(s.env, `m.${role}`, role, 'DC-C1');
  for (const [login, org] of [['mx.in', 'DC-C1-K1'], ['mx.in2', 'DC-C1-K1'], ['mx.out', 'XL-C1-K1'], ['mx.out2', 'XL-C1-K1']]) {
    const r = kexie(['user', 'add', '--login', login, '--name', login, '--role', 'staff', '--org', org, '--password-stdin'], s.env, { input: 'A-l0ng-and-unusual-pass\n' });
    assert.equal(r.code, 0, r.stderr);
  }
  for (const l of sql(s.db, "SELECT login, id FROM app_user WHERE login LIKE 'mx.%'").trim().split('\n')) {
    const [login, id] = l.split('|');
    ids[login] = id;
  }
});
after(async () => { await s.stop(); });

function expected(entry, role, where) {
  if (entry.auth && !role) return 401;
  if (!entry.perm) return entry.ok;
  if (!role) return 401;
  if (!PERMS[role].includes(entry.perm)) return 403;
  return where === 'inside' || entry.unscoped ? entry.ok : 404;
}

test('every route in the table has a matrix entry, and no entry is stale', () => {
  const routes = kexie(['routes']).stdout.trim().split('\n').map((l) => l.split(/\s+/).slice(0, 2).join(' '));
  for (const r of routes) assert.ok(MATRIX[r], `route ${r} has no entry in the access matrix`);
  for (const k of Object.keys(MATRIX)) assert.ok(routes.includes(k), `matrix entry ${k} is not a route`);
});

test('every route x role x inside/outside answers as expected', async () => {
  const failures = [];
  for (const [key, entry] of Object.entries(MATRIX)) {
    const method = key.split(' ')[0];
    for (const role of [null, ...ROLES]) {
      for (const where of ['inside', 'outside']) {
        const req = entry.make(WHERE[where], ids);
        const headers = role ? { authorization: `Bearer ${tokens[role]}` } : {};
        if (req.body) headers['content-type'] = 'application/json';
        if (req.raw) headers['content-type'] = req.type; // a file as the body (RF_UPLOAD)
        const body = req.raw ? req.raw : req.body ? JSON.stringify(req.body) : undefined;
        const r = await fetch(`${s.url}${req.path}`, { method, headers, body });
        await r.arrayBuffer();
        const want = expected(entry, role, where);
        const okay = Array.isArray(want) ? want.includes(r.status) : r.status === want;
        if (!okay) failures.push(`${key} as ${role || 'anonymous'} ${where}: ${r.status}, want ${want}`);
      }
    }
  }
  assert.deepEqual(failures, []);
});
