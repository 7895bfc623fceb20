// matrix.test.mjs - the access matrix, generated from the route table's declarations
// (`kexie routes --json`: each row's objects, where their ids are, the permission, the body
// and query specs): every route x every role x object inside / outside the caller's subtree
// (and absent, where the row says what absence means), with the expected answer. A new
// route is in the matrix the moment it is in the table; nothing here lists routes.
//
// Rules (docs/security.md): no caller -> 401 on every route that is not public; a role
// without the route's permission -> 403; with it, an org or account object outside every
// scope -> 404 (never revealed), inside -> past the scope check (the handler's own answer:
// never 401/403/404, never 5xx). The three administrator posts are system-wide: for them
// outside is inside. A system object needs the permission from a post. Then the cases the
// declarations alone cannot show: separation of duties (issue 8 case 1) and as-of lists
// (case 4), for every list route that takes as_of.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sql, userWithToken, kexie, json } from './lib.mjs';

const PW = 'A-l0ng-and-unusual-pass';
const ROLES = ['system_admin', 'security_admin', 'audit_admin', 'org_admin', 'staff', 'reviewer', 'member'];
const POSTS = ['system_admin', 'security_admin', 'audit_admin'];
const PERMS = { // mirrors src/core/rbac.c: the matrix fails where the two disagree
  system_admin: ['org.read', 'org.write', 'hook.admin'], security_admin: ['org.read', 'user.read', 'user.admin', 'user.post'],
  audit_admin: ['org.read', 'audit.read'],
  org_admin: ['org.read', 'org.write', 'user.read', 'user.admin', 'member.read', 'member.write', 'member.reveal', 'member.erase',
    'file.read', 'file.write', 'form.read', 'form.design', 'form.submit', 'form.review', 'notice.read', 'notice.write', 'notice.approve'],
  staff: ['org.read', 'member.read', 'member.write', 'file.read', 'file.write', 'form.read', 'form.design', 'form.submit', 'form.review', 'notice.read', 'notice.write'],
  reviewer: ['form.read', 'form.review'], member: [],
};
// Where a handler's own answer to the generated request is a 401/403/404 by design (the
// scope check passed; the request names something that is not there or is wrong on purpose).
const HANDLER_ANSWERS = {
  'GET /metrics': [404],                             // not on the listen address without metrics_token (system.test)
  'POST /api/v1/session': [401, 429],                // unknown login (and the address limiter)
  'DELETE /api/v1/session': [400],                   // a token caller has no session to end
  'DELETE /api/v1/me/sessions/{id:int}': [404],      // no such session of yours
  'DELETE /api/v1/me/tokens/{id:int}': [404],        // no such token of yours
  'POST /api/v1/me/password': [403],                 // the current password is wrong
  'POST /api/v1/post-requests/{id:int}/approve': [404], // no such request
  'POST /api/v1/post-requests/{id:int}/reject': [404],
  // the role was taken away by an earlier caller of the matrix (or is the last one: 409)
  'DELETE /api/v1/users/{id:int}/roles/{role:str}/{org_id:int}': [404],
  // jobs (issue 11): no such job of yours (another's is the same 404: jobs.test.mjs)
  'GET /api/v1/jobs/{id:int}': [404],
  'POST /api/v1/jobs/{id:int}/cancel': [404],
  'GET /api/v1/jobs/{id:int}/errors': [404],
  // the member's own record: a matrix account stands for no person (members.test has one)
  'GET /api/v1/me/member': [404], 'PATCH /api/v1/me/member': [404],
  'GET /api/v1/me/member/export': [404], 'POST /api/v1/me/member/erasure': [404],
  'POST /api/v1/public/member-applications/status': [404], // a made-up token
  // stored files: the matrix's files are attached (409) and not the caller's upload (404)
  'DELETE /api/v1/files/{id:int}': [404, 409],
  'GET /api/v1/files/{id:int}/thumbnail': [404],               // a PDF has no thumbnail
  'DELETE /api/v1/orgs/{id:int}/files/{file_id:int}': [404],  // no such attachment (a missing id)
  // notifications: no such notification of yours; the outbound hook: no such delivery
  'POST /api/v1/me/notifications/{id:int}/read': [404],
  'POST /api/v1/hooks/deliveries/{id:int}/retry': [404],
  // notices (issue 13): the inbox routes name a notice the org did not receive
  'GET /api/v1/orgs/{id:int}/inbox/{notice:int}': [404],
  'POST /api/v1/orgs/{id:int}/inbox/{notice:int}/read': [404],
  'POST /api/v1/orgs/{id:int}/inbox/{notice:int}/acknowledge': [404],
  'POST /api/v1/orgs/{id:int}/inbox/{notice:int}/forward': [404],
};
// Path parameters that are not objects: a value that exists.
const PATH_VALUES = { role: 'staff', code: '110000' };
const WHERE = {
  inside: { org: 'DC-C1-K1', account: 'mx.in', person: 'p.in', membership: 'ms.in', application: 'a.in', erasure: 'e.in', unit: 'u.in', file: 'f.in', form: 'fm.in', submission: 's.in', notice: 'n.in' },  // every matrix role is granted at DC-C1
  outside: { org: 'XL-C1-K1', account: 'mx.out', person: 'p.out', membership: 'ms.out', application: 'a.out', erasure: 'e.out', unit: 'u.out', file: 'f.out', form: 'fm.out', submission: 's.out', notice: 'n.out' },
};
// The kinds of object the matrix places inside and outside the caller's subtree.
const PLACED = ['org', 'account', 'person', 'membership', 'application', 'erasure', 'unit', 'file', 'form', 'submission', 'notice'];
const MISSING = 987654321;

let s, ids, routes, tokens = {}, seq = 0;
before(async () => {
  s = await startServer();
  ids = Object.fromEntries(sql(s.db, 'SELECT code, id FROM org').trim().split('\n').map((l) => l.split('|')));
  routes = JSON.parse(kexie(['routes', '--json']).stdout);
  for (const role of ROLES) tokens[role] = userWithToken(s.env, `m.${role}`, role, 'DC-C1');
  for (const [login, org] of [['mx.in', 'DC-C1-K1'], ['mx.out', 'XL-C1-K1']]) {
    const r = kexie(['user', 'add', '--login', login, '--name', login, '--role', 'staff', '--org', org, '--password-stdin'], s.env, { input: `${PW}\n` });
    assert.equal(r.code, 0, r.stderr);
  }
  for (const l of sql(s.db, "SELECT login, id FROM app_user WHERE login LIKE 'mx.%'").trim().split('\n')) {
    const [login, id] = l.split('|');
    ids[login] = id;
  }
  // a person kept inside and one outside, each a member of its own org (the member register)
  const root = userWithToken(s.env, 'mx.root', 'org_admin', 'CAST');
  const H = { authorization: `Bearer ${root}`, 'content-type': 'application/json' };
  for (const [where, org, mobile] of [['in', 'DC-C1-K1', '13800138001'], ['out', 'XL-C1-K1', '13800138002']]) {
    let r = await fetch(`${s.url}/api/v1/members`, { method: 'POST', headers: H, body: JSON.stringify({ org_id: Number(ids[org]), name: `矩阵${where}`, mobile }) });
    assert.equal(r.status, 201, await r.clone().text());
    ids[`p.${where}`] = (await r.json()).id;
    r = await fetch(`${s.url}/api/v1/memberships`, { method: 'POST', headers: H, body: JSON.stringify({ org_id: Number(ids[org]), person_id: ids[`p.${where}`], category: 'individual' }) });
    assert.equal(r.status, 201, await r.clone().text());
    ids[`ms.${where}`] = (await r.json()).id;
    // an application to that org (the public page) and an erasure request of that person
    const { version } = await (await fetch(`${s.url}/api/v1/public/consent`)).json();
    r = await fetch(`${s.url}/api/v1/public/member-applications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ org_id: Number(ids[org]), category: 'individual', name: `申请${where}`, mobile: mobile.replace(/.$/, '9'), login: `apply.${where}`, password: PW, consent_version: version }) });
    assert.equal(r.status, 201, await r.clone().text());
    ids[`a.${where}`] = (await r.json()).id;
    sql(s.db, `INSERT INTO member_erasure (person_id, org_id, status, reason, created_at) VALUES (${ids[`p.${where}`]}, ${ids[org]}, 'pending', '', 0)`);
    ids[`e.${where}`] = sql(s.db, `SELECT id FROM member_erasure WHERE person_id = ${ids[`p.${where}`]}`).trim();
    r = await fetch(`${s.url}/api/v1/member-units`, { method: 'POST', headers: H, body: JSON.stringify({ org_id: Number(ids[org]), name: `矩阵单位${where}` }) });
    assert.equal(r.status, 201, await r.clone().text());
    ids[`u.${where}`] = (await r.json()).id;
    // a stored file attached to that org (docs/files.md: seen by whoever may read the org)
    r = await fetch(`${s.url}/api/v1/files?org_id=${ids[org]}`, { method: 'POST', headers: { authorization: `Bearer ${root}`, 'content-type': 'application/octet-stream', 'x-file-name': `${where}.pdf` }, body: `%PDF-1.4\n% matrix ${where}\n%%EOF\n` });
    assert.equal(r.status, 201, await r.clone().text());
    ids[`f.${where}`] = (await r.json()).id;
    r = await fetch(`${s.url}/api/v1/orgs/${ids[org]}/files`, { method: 'POST', headers: H, body: JSON.stringify({ file_id: ids[`f.${where}`] }) });
    assert.equal(r.status, 200, await r.clone().text());
    // a form owned by that org and a submitted submission of it by the org itself (forms)
    r = await fetch(`${s.url}/api/v1/forms`, { method: 'POST', headers: H, body: JSON.stringify({ org_id: Number(ids[org]), code: `mx${where}`, name: `矩阵表单${where}`, schema: { fields: [{ key: 'a', type: 'text', label: { zh: '甲' } }] } }) });
    assert.equal(r.status, 201, await r.clone().text());
    ids[`fm.${where}`] = (await r.json()).id;
    r = await fetch(`${s.url}/api/v1/form-submissions`, { method: 'POST', headers: H, body: JSON.stringify({ template_id: ids[`fm.${where}`], org_id: Number(ids[org]), subject_kind: 'adhoc', subject_id: 0 }) });
    assert.equal(r.status, 201, await r.clone().text());
    ids[`s.${where}`] = (await r.json()).id;
    r = await fetch(`${s.url}/api/v1/form-submissions/${ids[`s.${where}`]}/submit`, { method: 'POST', headers: H, body: '{}' });
    assert.equal(r.status, 200, await r.clone().text());
    // a notice drafted at that org (issue 13)
    r = await fetch(`${s.url}/api/v1/notices`, { method: 'POST', headers: H, body: JSON.stringify({ org_id: Number(ids[org]), title: `矩阵通知${where}` }) });
    assert.equal(r.status, 201, await r.clone().text());
    ids[`n.${where}`] = (await r.json()).id;
  }
});
after(async () => { await s.stop(); });

const idOf = (kind, where) => Number(ids[WHERE[where][kind]]);

// A value the body or query spec accepts for a field that is not an object. Enums take
// their last value (the first roles listed are the posts, which no generated request asks
// for: separation of duties has its own tests below).
function valueFor(f) {
  if (f.type === 'int') return f.min > 0 ? f.min : 1;
  if (f.type === 'bool') return false;
  if (f.type === 'enum') return f.values.split('|').at(-1);
  if (f.type === 'date') return '2020-01-01';
  if (f.type === 'object') return {};
  if (f.type === 'array') return [];
  if (f.type === 'string') return `mx${seq++}`.padEnd(Math.max(2, f.min), 'x').slice(0, Math.max(2, f.max || 64));
  return null;
}

// The request for a route with its objects inside / outside / absent.
function requestFor(rt, where) {
  const named = new Map(rt.objects.filter((o) => o.in).map((o) => [`${o.in}.${o.name}`, o]));
  const place = (o) => (where === 'absent' && o.flags.length ? undefined : idOf(o.kind, where === 'absent' ? 'inside' : where));
  const path = rt.pattern.replace(/\{(\w+):(\w+)\}/g, (_, name, type) => {
    const o = named.get(`path.${name}`);
    if (o) return String(place(o));
    return type === 'int' ? String(MISSING) : PATH_VALUES[name];
  });
  const query = new URLSearchParams();
  for (const f of rt.query) {
    const o = named.get(`query.${f.name}`);
    if (o && place(o) !== undefined) query.set(f.name, String(place(o)));
  }
  let body;
  if (rt.body) {
    body = {};
    for (const f of rt.body) {
      const o = named.get(`body.${f.name}`);
      if (o) { if (place(o) !== undefined) body[f.name] = place(o); } else if (f.required) body[f.name] = valueFor(f);
    }
  }
  const qs = query.toString();
  return { path: qs ? `${path}?${qs}` : path, body };
}

const placed = (rt) => rt.objects.filter((o) => PLACED.includes(o.kind));
const publicRoute = (rt) => rt.objects.every((o) => o.kind === 'public') && !rt.perm && !rt.auth;

// What the declarations say the answer is; 'through' = past the scope check.
function expected(rt, role, where) {
  if (!role) return publicRoute(rt) ? 'through' : 401;
  if (rt.perm && !PERMS[role].includes(rt.perm)) return 403;
  const post = POSTS.includes(role);
  for (const o of rt.objects) {
    const perm = o.perm || rt.perm;
    if (o.kind === 'system' && perm && !(post && PERMS[role].includes(perm))) return 403;
    if (!PLACED.includes(o.kind)) continue;
    if (where === 'absent' && o.flags.length) {
      // a new root needs the permission from a post; a default scope or an optional filter needs nothing
      if (o.flags.includes('root_system') && !(post && PERMS[role].includes(perm))) return 403;
      continue;
    }
    const w = where === 'absent' ? 'inside' : where;
    if (!PERMS[role].includes(perm)) return w === 'inside' || post ? 403 : 404;
    if (w === 'outside' && !post) return 404;
  }
  return 'through';
}

function answers(rt, want, status) {
  if (want !== 'through') return status === want;
  const own = HANDLER_ANSWERS[`${rt.method} ${rt.pattern}`];
  if (own && own.includes(status)) return true;
  return status < 500 && ![401, 403, 404].includes(status);
}

test('issue 8 case 0: every route declares what it acts on (or why not), a status and a reply', () => {
  assert.ok(routes.length >= 40);
  const kinds = new Set(['public', 'self', 'system', ...PLACED]);
  for (const rt of routes) {
    assert.ok(rt.objects.length > 0 || rt.why, `${rt.method} ${rt.pattern}: no object and no why`);
    for (const o of rt.objects) assert.ok(kinds.has(o.kind), `${rt.pattern}: kind ${o.kind} the matrix cannot generate`);
    assert.ok([200, 201, 202, 204].includes(rt.status), `${rt.pattern}: status`);
    assert.ok(rt.reply, `${rt.pattern}: reply`);
  }
  // `kexie routes` shows the same surface, one line per route, with object and permission
  const lines = kexie(['routes']).stdout.trim().split('\n');
  assert.equal(lines.length, routes.length);
  for (const [i, l] of lines.entries()) {
    const [method, pattern, obj, perm] = l.split(/\s+/);
    assert.equal(`${method} ${pattern}`, `${routes[i].method} ${routes[i].pattern}`);
    assert.match(obj, /^(public|self|system|org|account|person|membership|application|erasure|unit|file|form|submission|notice|-)/);
    assert.equal(perm, routes[i].perm || '-');
  }
});

test('issue 8 case 0: every route x role x inside/outside/absent answers as the declarations say', async () => {
  const failures = [];
  let count = 0;
  for (const rt of routes) {
    const wheres = placed(rt).length ? ['inside', 'outside'] : ['inside'];
    if (placed(rt).some((o) => o.flags.length && o.in !== 'path')) wheres.push('absent');
    for (const role of [null, ...ROLES]) {
      for (const where of wheres) {
        const req = requestFor(rt, where);
        const headers = role ? { authorization: `Bearer ${tokens[role]}` } : {};
        if (req.body) headers['content-type'] = 'application/json';
        const r = await fetch(`${s.url}${req.path}`, { method: rt.method, headers, body: req.body ? JSON.stringify(req.body) : undefined });
        const text = await r.text();
        const want = expected(rt, role, where);
        count++;
        if (!answers(rt, want, r.status)) failures.push(`${rt.method} ${rt.pattern} as ${role || 'anonymous'} ${where}: ${r.status}, want ${want} ${text.slice(0, 160)}`);
        // refusals of an object in the query or body name the field
        if (want === 404 && where === 'outside' && r.status === 404) {
          const first = placed(rt).find((o) => PERMS[role]?.includes(o.perm || rt.perm));
          if (first && first.in !== 'path' && !JSON.parse(text).error.details.some((d) => d.field === first.name)) failures.push(`${rt.pattern}: 404 does not name ${first.name}`);
        }
      }
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(count > 500, `${count} requests`);
});

// ---- separation of duties (case 1) ----

const call = (method, path, token, body) => fetch(`${s.url}${path}`, {
  method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
  body: body ? JSON.stringify(body) : undefined,
});

test('issue 8 case 1: no role gives a post over the role routes, to itself or anyone, whatever the org', async () => {
  const failures = [];
  const self = (role) => Number(sql(s.db, `SELECT id FROM app_user WHERE login = 'm.${role}'`).trim());
  for (const role of ROLES) {
    for (const post of POSTS) {
      for (const target of [self(role), Number(ids['mx.in'])]) {
        const r = await call('POST', `/api/v1/users/${target}/roles`, tokens[role], { role: post, org_id: Number(ids.CAST) });
        const b = await r.json();
        // without user.admin: 403 at the door; with it: 403 (a post is requested, never given here)
        if (r.status !== 403 && r.status !== 404) failures.push(`${role} gave ${post} to ${target}: ${r.status}`);
        if (PERMS[role].includes('user.admin') && role === 'security_admin' && !['post_by_request', 'self'].includes(b.error?.details?.[0]?.code)) failures.push(`${role}: ${JSON.stringify(b)}`);
      }
      const c = await call('POST', '/api/v1/users', tokens[role], { login: `mx.p${seq++}`, display_name: 'x', password: PW, role: post, org_id: Number(ids['DC-C1']) });
      if (c.status !== 403) failures.push(`${role} created a ${post}: ${c.status}`);
      await c.arrayBuffer();
    }
  }
  assert.deepEqual(failures, []);
  assert.equal(sql(s.db, "SELECT count(*) FROM role_assignment r JOIN app_user u ON u.id = r.user_id WHERE u.login LIKE 'mx.%' AND r.role IN ('system_admin','security_admin','audit_admin')").trim(), '0');
});

test('issue 8 case 1: a post takes two security admins (request, approval by another); nobody holds two; a holder holds nothing else', async () => {
  const sec2 = userWithToken(s.env, 'm.security2', 'security_admin', 'CAST');
  const target = Number(ids['mx.in']);
  const selfId = Number(sql(s.db, "SELECT id FROM app_user WHERE login = 'm.security_admin'").trim());
  // only a security admin requests; nobody for themselves
  for (const role of ROLES.filter((x) => x !== 'security_admin')) {
    const r = await call('POST', '/api/v1/post-requests', tokens[role], { user_id: target, role: 'audit_admin' });
    assert.equal(r.status, 403, role);
    await r.arrayBuffer();
  }
  let r = await call('POST', '/api/v1/post-requests', tokens.security_admin, { user_id: selfId, role: 'audit_admin' });
  assert.equal(r.status, 403);
  assert.equal((await r.json()).error.details[0].code, 'self');
  // the matrix above may have left requests for mx.in: start from none pending
  for (const p of (await (await call('GET', '/api/v1/post-requests?status=pending', tokens.security_admin)).json()).items) {
    await (await call('POST', `/api/v1/post-requests/${p.id}/reject`, p.requested_by === 'm.security_admin' ? sec2 : tokens.security_admin, { reason: 'matrix' })).arrayBuffer();
  }
  r = await call('POST', '/api/v1/post-requests', tokens.security_admin, { user_id: target, role: 'audit_admin' });
  assert.equal(r.status, 201);
  const req = await r.json();
  assert.equal(req.status, 'pending');
  const held = sql(s.db, `SELECT r.role || '@' || o.code FROM role_assignment r JOIN org o ON o.id = r.org_id WHERE r.user_id = ${target} ORDER BY r.role, o.code`).trim().split('\n').join(', ');
  assert.equal(req.replaces, held);
  // nothing is granted yet; the asker cannot approve; a second request waits
  assert.equal(sql(s.db, `SELECT count(*) FROM role_assignment WHERE user_id = ${target} AND role = 'audit_admin'`).trim(), '0');
  r = await call('POST', `/api/v1/post-requests/${req.id}/approve`, tokens.security_admin, {});
  assert.equal(r.status, 403);
  assert.equal((await r.json()).error.details[0].code, 'same_person');
  r = await call('POST', '/api/v1/post-requests', sec2, { user_id: target, role: 'system_admin' });
  assert.equal(r.status, 409);
  await r.arrayBuffer();
  // the second security admin approves: the post replaces the account's roles
  r = await call('POST', `/api/v1/post-requests/${req.id}/approve`, sec2, {});
  assert.equal(r.status, 200);
  const done = await r.json();
  assert.equal(done.status, 'approved');
  assert.equal(done.decided_by, 'm.security2');
  assert.equal(sql(s.db, `SELECT role FROM role_assignment WHERE user_id = ${target}`).trim(), 'audit_admin');
  // decided once; a holder gets no second post and no org role
  r = await call('POST', `/api/v1/post-requests/${req.id}/reject`, sec2, {});
  assert.equal(r.status, 409);
  await r.arrayBuffer();
  r = await call('POST', '/api/v1/post-requests', tokens.security_admin, { user_id: target, role: 'system_admin' });
  assert.equal(r.status, 409);
  assert.equal((await r.json()).error.details[0].code, 'holds_post');
  r = await call('POST', `/api/v1/users/${target}/roles`, tokens.security_admin, { role: 'staff', org_id: Number(ids['DC-C1-K1']) });
  assert.equal(r.status, 409);
  assert.equal((await r.json()).error.details[0].code, 'post_holder');
  // the database refuses two posts as well
  assert.throws(() => sql(s.db, `INSERT INTO role_assignment (user_id, role, org_id) VALUES (${target}, 'system_admin', ${ids.CAST})`));
  // every step is in the audit trail
  const actions = sql(s.db, `SELECT action FROM audit_log WHERE object_type = 'post_request' AND object_id = '${req.id}' ORDER BY seq`).trim().split('\n');
  assert.deepEqual(actions, ['post_request.create', 'post_request.approve']);
  assert.equal(sql(s.db, `SELECT count(*) FROM audit_log WHERE action = 'user.post_grant' AND object_id = '${target}'`).trim(), '1');
});

// ---- as-of lists (case 4): scope is judged today on every list ----

test('issue 8 case 4: as of a past or future date, no list shows an org the caller cannot see today', async () => {
  const sys = tokens.system_admin;
  const make = async (code, parent, opened) => {
    const r = await call('POST', '/api/v1/orgs', sys, { code, name: code, level: 'grassroots', type: 'enterprise', parent_id: Number(parent), opened_on: opened });
    assert.equal(r.status, 201, await r.clone().text());
    return (await r.json()).id;
  };
  // moved across provinces in the past (with a child), and one moving in the future
  const past = await make('DC-C1-MV', ids['DC-C1'], '2019-01-01');
  await make('DC-C1-MV-1', past, '2019-01-01');
  let r = await call('POST', `/api/v1/orgs/${past}/move`, sys, { parent_id: Number(ids['XL-C1']), on: '2021-01-01' });
  assert.equal(r.status, 200);
  await r.arrayBuffer();
  const fut = await make('DC-C1-FUT', ids['DC-C1'], '2019-01-01');
  r = await call('POST', `/api/v1/orgs/${fut}/move`, sys, { parent_id: Number(ids['XL-C1']), on: '2099-01-01' });
  assert.equal(r.status, 200);
  await r.arrayBuffer();
  const callers = { dc: userWithToken(s.env, 'mx.dc', 'staff', 'DC-C1'), xl: userWithToken(s.env, 'mx.xl', 'staff', 'XL-C1'), sys };
  const sees = async (who, id) => {
    const res = await call('GET', `/api/v1/orgs/${id}`, callers[who]);
    await res.arrayBuffer();
    return res.status === 200;
  };
  // every list route that takes as_of, found from the declarations
  // (JSON lists: the export, a spreadsheet, is checked the same way in jobs.test.mjs)
  const lists = routes.filter((rt) => rt.method === 'GET' && rt.query.some((f) => f.name === 'as_of') && placed(rt).length && rt.reply !== 'raw');
  assert.ok(lists.length >= 3, lists.map((x) => x.pattern).join(' '));
  const failures = [];
  const listed = {};
  for (const [who, root] of [['dc', ids['DC-C1']], ['xl', ids['XL-C1']], ['sys', ids['DC-C1']], ['sys', ids['XL-C1']]]) {
    for (const day of ['2020-06-01', '2099-06-01']) {
      for (const rt of lists) {
        const o = placed(rt)[0];
        const path = o.in === 'path' ? rt.pattern.replace(`{${o.name}:int}`, root) : `${rt.pattern}?${o.name}=${root}`;
        const res = await call('GET', `${path}${path.includes('?') ? '&' : '?'}as_of=${day}`, callers[who]);
        const b = await json(res);
        if (res.status !== 200) { failures.push(`${rt.pattern} as ${who} ${day}: ${res.status}`); continue; }
        if (b.items) {
          for (const it of b.items) {
            if (!(await sees(who, it.id))) failures.push(`${rt.pattern} as ${who} on ${day} under ${root} lists ${it.code}, unseen today`);
            (listed[`${who} ${day} ${root}`] ||= new Set()).add(it.code);
          }
        }
        if (b.total !== undefined) (listed[`${who} ${day} ${root} total`] = b.total);
      }
    }
  }
  assert.deepEqual(failures, []);
  // what each caller sees: DC staff lost MV (and its child) from 2020; XL staff never get FUT
  assert.ok(listed[`sys 2020-06-01 ${ids['DC-C1']}`].has('DC-C1-MV'), 'the tree as it stood still has MV under DC-C1');
  assert.ok(!listed[`dc 2020-06-01 ${ids['DC-C1']}`].has('DC-C1-MV'));
  assert.ok(!listed[`dc 2020-06-01 ${ids['DC-C1']}`].has('DC-C1-MV-1'));
  assert.ok(listed[`sys 2099-06-01 ${ids['XL-C1']}`].has('DC-C1-FUT'));
  assert.ok(!listed[`xl 2099-06-01 ${ids['XL-C1']}`]?.has('DC-C1-FUT'));
  assert.equal(listed[`sys 2020-06-01 ${ids['DC-C1']} total`] - listed[`dc 2020-06-01 ${ids['DC-C1']} total`], 2, 'counts: MV and its child');
  assert.equal(listed[`sys 2099-06-01 ${ids['XL-C1']} total`] - listed[`xl 2099-06-01 ${ids['XL-C1']} total`], 1, 'counts: FUT');
  // history and links: the period stays, an org unseen today is not named
  const h = await json(await call('GET', `/api/v1/orgs/${past}/history`, callers.xl));
  assert.deepEqual(h.parents.map((p) => [p.code, p.from, p.hidden || false]), [[null, '2019-01-01', true], ['XL-C1', '2021-01-01', false]]);
  const hs = await json(await call('GET', `/api/v1/orgs/${past}/history`, sys));
  assert.deepEqual(hs.parents.map((p) => p.code), ['DC-C1', 'XL-C1']);
});
