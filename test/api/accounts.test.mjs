// accounts.test.mjs - accounts and roles over HTTP, one's own sessions / tokens / password,
// the configurable policy (lockout, minimum length, strict 等保 mode with classes, expiry
// and reuse), and audit retention.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, json, expectError, userWithToken, sql, kexie } from './lib.mjs';

const PW = 'A-l0ng-and-unusual-pass';
let s, ids, sec, orgAdmin;

const call = (srv, method, path, { token, cookie, csrf, body } = {}) => {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (cookie) headers.cookie = cookie;
  if (csrf) headers['x-csrf-token'] = csrf;
  if (body) headers['content-type'] = 'application/json';
  return fetch(`${srv.url}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
};
async function signIn(srv, login, password = PW, extra = {}) {
  const r = await call(srv, 'POST', '/api/v1/session', { body: { login, password, ...extra } });
  if (r.status !== 201) return { status: r.status, error: (await json(r)).error };
  const b = await json(r);
  return { status: 201, cookie: (r.headers.get('set-cookie') || '').split(';')[0], csrf: b.csrf_token, me: b };
}
const alive = async (srv, who) => (await call(srv, 'GET', '/api/v1/session', who)).status;

before(async () => {
  s = await startServer();
  ids = Object.fromEntries(sql(s.db, 'SELECT code, id FROM org').trim().split('\n').map((l) => l.split('|')));
  sec = userWithToken(s.env, 'acc.sec', 'security_admin', 'CAST');
  orgAdmin = userWithToken(s.env, 'acc.oa', 'org_admin', 'DC-C1');
});
after(async () => { await s.stop(); });

test('an org admin creates an account in its subtree; it lists, shows roles, and signs in', async () => {
  const r = await call(s, 'POST', '/api/v1/users', { token: orgAdmin, body: { login: 'acc.zhao', display_name: '赵工', password: PW, role: 'staff', org_id: Number(ids['DC-C1-K1']) } });
  assert.equal(r.status, 201);
  const u = await json(r);
  assert.match(r.headers.get('location'), new RegExp(`/api/v1/users/${u.id}$`));
  assert.deepEqual(u.roles.map((x) => `${x.role}@${x.org_code}`), ['staff@DC-C1-K1']);
  assert.equal(u.status, 'active');
  const list = await json(await call(s, 'GET', `/api/v1/users?under=${ids['DC-C1']}&q=zhao`, { token: orgAdmin }));
  assert.deepEqual(list.items.map((x) => x.login), ['acc.zhao']);
  assert.equal((await signIn(s, 'acc.zhao')).status, 201);
  // the audit record names the fields, never the password
  const d = JSON.parse(sql(s.db, `SELECT detail FROM audit_log WHERE action = 'user.create' AND object_id = '${u.id}'`).trim());
  assert.equal(d.password, 'changed');
  assert.deepEqual(d.login, [null, 'acc.zhao']);
  // outside the subtree: 404; a weak password: 422 on the field; a taken login: 409
  await expectError(assert, await call(s, 'POST', '/api/v1/users', { token: orgAdmin, body: { login: 'acc.out', display_name: 'x', password: PW, role: 'staff', org_id: Number(ids['XL-C1']) } }), 404);
  const weak = await expectError(assert, await call(s, 'POST', '/api/v1/users', { token: orgAdmin, body: { login: 'acc.weak', display_name: 'x', password: 'short', role: 'staff', org_id: Number(ids['DC-C1']) } }), 422);
  assert.equal(weak.details[0].field, 'password');
  await expectError(assert, await call(s, 'POST', '/api/v1/users', { token: orgAdmin, body: { login: 'acc.zhao', display_name: 'x', password: PW, role: 'staff', org_id: Number(ids['DC-C1']) } }), 409);
});

test('issue 8 case 1: nobody gives a post over the role routes: not the security admin to itself (the issue\'s probe), not to others', async () => {
  const selfId = Number(sql(s.db, "SELECT id FROM app_user WHERE login = 'acc.sec'").trim());
  for (const post of ['audit_admin', 'system_admin', 'security_admin']) {
    const e = await expectError(assert, await call(s, 'POST', `/api/v1/users/${selfId}/roles`, { token: sec, body: { role: post, org_id: Number(ids.CAST) } }), 403);
    assert.equal(e.details[0].field, 'role');
  }
  // signed in again, still no audit log
  const who = await signIn(s, 'acc.sec');
  assert.equal((await call(s, 'GET', '/api/v1/audit', who)).status, 403);
  // nor over account creation, by anyone
  for (const t of [orgAdmin, sec]) {
    const e = await expectError(assert, await call(s, 'POST', '/api/v1/users', { token: t, body: { login: 'acc.sys', display_name: 'x', password: PW, role: 'system_admin', org_id: Number(ids['DC-C1']) } }), 403);
    assert.equal(e.details[0].code, 'post_by_request');
  }
  assert.equal(sql(s.db, "SELECT count(*) FROM app_user WHERE login = 'acc.sys'").trim(), '0');
  // nor may anyone change their own roles at all
  const oaId = Number(sql(s.db, "SELECT id FROM app_user WHERE login = 'acc.oa'").trim());
  const e = await expectError(assert, await call(s, 'POST', `/api/v1/users/${oaId}/roles`, { token: orgAdmin, body: { role: 'staff', org_id: Number(ids['DC-C1-K1']) } }), 403);
  assert.equal(e.details[0].code, 'self');
});

test('issue 8 case 1: with a single security admin, a post is given on the server (kexie user grant-post), replacing the account\'s roles', async () => {
  const r = await call(s, 'POST', '/api/v1/users', { token: sec, body: { login: 'acc.sysadm', display_name: '系统管理员乙', password: PW, role: 'member', org_id: Number(ids.CAST) } });
  assert.equal(r.status, 201);
  const { id } = await json(r);
  const before = await signIn(s, 'acc.sysadm');
  // over HTTP the request waits for a second security admin, who does not exist here
  const req = await call(s, 'POST', '/api/v1/post-requests', { token: sec, body: { user_id: id, role: 'system_admin' } });
  assert.equal(req.status, 201);
  const reqId = (await json(req)).id;
  await expectError(assert, await call(s, 'POST', `/api/v1/post-requests/${reqId}/approve`, { token: sec }), 403);
  const rej = await call(s, 'POST', `/api/v1/post-requests/${reqId}/reject`, { token: sec, body: { reason: 'x' } });
  assert.equal(rej.status, 403, 'the asker does not decide either way');
  await rej.arrayBuffer();
  assert.equal(sql(s.db, `SELECT role FROM role_assignment WHERE user_id = ${id}`).trim(), 'member');
  // on the server: given, audited, the other role gone, sessions ended
  let g = kexie(['user', 'grant-post', 'acc.sysadm', 'system_admin'], s.env);
  assert.equal(g.code, 0, g.stderr);
  assert.equal(sql(s.db, `SELECT role FROM role_assignment WHERE user_id = ${id}`).trim(), 'system_admin');
  assert.equal(await alive(s, before), 401);
  const d = JSON.parse(sql(s.db, `SELECT detail FROM audit_log WHERE action = 'user.post_grant' AND object_id = '${id}'`).trim());
  assert.deepEqual([d.role, d.replaced], [[null, 'system_admin'], 'member@CAST']);
  // nobody holds two posts, from the CLI either
  g = kexie(['user', 'grant-post', 'acc.sysadm', 'audit_admin'], s.env);
  assert.equal(g.code, 1);
  assert.match(g.stderr, /holds_post/);
  // the pending request can no longer be approved into a second post
  assert.equal(sql(s.db, `SELECT count(*) FROM role_assignment WHERE user_id = ${id}`).trim(), '1');
  // the post is system-wide: the national societies (separate roots) are the system admin's too
  const now = await signIn(s, 'acc.sysadm');
  assert.equal((await call(s, 'GET', `/api/v1/orgs/${ids['S-MECH']}`, now)).status, 200);
  assert.equal((await call(s, 'GET', `/api/v1/orgs/${ids['DC-C1-K1']}`, now)).status, 200);
  // an org admin may see a post holder whose post is recorded in its subtree, never change it
  const inDc = await call(s, 'POST', '/api/v1/users', { token: sec, body: { login: 'acc.aud', display_name: '审计乙', password: PW, role: 'member', org_id: Number(ids['DC-C1']) } });
  const audId = (await json(inDc)).id;
  assert.equal(kexie(['user', 'grant-post', 'acc.aud', 'audit_admin'], s.env).code, 0);
  assert.equal((await call(s, 'GET', `/api/v1/users/${audId}`, { token: orgAdmin })).status, 200);
  await expectError(assert, await call(s, 'POST', `/api/v1/users/${audId}/disable`, { token: orgAdmin }), 403);
  assert.equal((await call(s, 'POST', `/api/v1/users/${audId}/unlock`, { token: sec })).status, 200);
  // nor does the security admin set a post holder's password (it could then act as that post)
  const pw = await expectError(assert, await call(s, 'POST', `/api/v1/users/${audId}/password`, { token: sec, body: { password: 'Another-long-pass-9' } }), 403);
  assert.deepEqual([pw.details[0].field, pw.details[0].code], ['password', 'post_holder']);
  assert.equal((await signIn(s, 'acc.aud')).status, 201, 'the old password still works');
  const cli = kexie(['user', 'passwd', 'acc.aud', '--password-stdin'], s.env, { input: 'Another-long-pass-9\n' });
  assert.equal(cli.code, 0, cli.stderr);
});

test('issue 8 case 1: the security admin is system-wide: accounts of every root are its to manage', async () => {
  const r = await call(s, 'POST', '/api/v1/users', { token: sec, body: { login: 'acc.mech', display_name: '学会秘书', password: PW, role: 'staff', org_id: Number(ids['S-MECH']) } });
  assert.equal(r.status, 201);
  const { id } = await json(r);
  assert.equal((await call(s, 'GET', `/api/v1/users/${id}`, { token: sec })).status, 200);
  assert.equal((await call(s, 'GET', `/api/v1/users?under=${ids['S-MECH']}`, { token: sec })).status, 200);
  assert.equal((await call(s, 'POST', `/api/v1/users/${id}/disable`, { token: sec })).status, 200);
  // an org admin of another root sees nothing of it
  await expectError(assert, await call(s, 'GET', `/api/v1/users/${id}`, { token: orgAdmin }), 404);
});

test('a role change ends the account\'s sessions; the last role cannot be removed', async () => {
  const id = Number(sql(s.db, "SELECT id FROM app_user WHERE login = 'acc.zhao'").trim());
  const who = await signIn(s, 'acc.zhao');
  assert.equal(await alive(s, who), 200);
  const add = await call(s, 'POST', `/api/v1/users/${id}/roles`, { token: orgAdmin, body: { role: 'reviewer', org_id: Number(ids['DC-C1']) } });
  assert.equal(add.status, 201);
  assert.equal(await alive(s, who), 401, 'a privilege change means a new sign-in');
  const again = await signIn(s, 'acc.zhao');
  assert.deepEqual(again.me.roles.map((x) => x.role).sort(), ['reviewer', 'staff']);
  const del = await call(s, 'DELETE', `/api/v1/users/${id}/roles/reviewer/${ids['DC-C1']}`, { token: orgAdmin });
  assert.equal(del.status, 200);
  assert.equal(await alive(s, again), 401);
  const last = await expectError(assert, await call(s, 'DELETE', `/api/v1/users/${id}/roles/staff/${ids['DC-C1-K1']}`, { token: orgAdmin }), 409);
  assert.equal(last.details[0].code, 'last_role');
  await expectError(assert, await call(s, 'DELETE', `/api/v1/users/${id}/roles/member/${ids['DC-C1-K1']}`, { token: orgAdmin }), 404);
});

test('admin ends a user\'s sessions; disable ends sessions and tokens at once; enable and unlock', async () => {
  const id = Number(sql(s.db, "SELECT id FROM app_user WHERE login = 'acc.zhao'").trim());
  const a = await signIn(s, 'acc.zhao');
  const b = await signIn(s, 'acc.zhao');
  const shown = await json(await call(s, 'GET', `/api/v1/users/${id}`, { token: sec }));
  assert.equal(shown.active_sessions, 2);
  const ended = await json(await call(s, 'DELETE', `/api/v1/users/${id}/sessions`, { token: sec }));
  assert.equal(ended.sessions_ended, 2);
  assert.equal(await alive(s, a), 401);
  assert.equal(await alive(s, b), 401);
  const c = await signIn(s, 'acc.zhao');
  const tok = await json(await call(s, 'POST', '/api/v1/me/tokens', { ...c, body: { name: 'script' } }));
  assert.equal((await call(s, 'GET', '/api/v1/session', { token: tok.token })).status, 200);
  assert.equal((await call(s, 'POST', `/api/v1/users/${id}/disable`, { token: sec })).status, 200);
  assert.equal(await alive(s, c), 401);
  assert.equal((await call(s, 'GET', '/api/v1/session', { token: tok.token })).status, 401);
  assert.equal((await signIn(s, 'acc.zhao')).status, 401);
  const en = await json(await call(s, 'POST', `/api/v1/users/${id}/enable`, { token: sec }));
  assert.equal(en.status, 'active');
  assert.equal((await signIn(s, 'acc.zhao')).status, 201);
  // an admin cannot disable itself
  const self = Number(sql(s.db, "SELECT id FROM app_user WHERE login = 'acc.sec'").trim());
  await expectError(assert, await call(s, 'POST', `/api/v1/users/${self}/disable`, { token: sec }), 409);
  // a lock cleared over the API
  for (let i = 0; i < 5; i++) await signIn(s, 'acc.zhao', 'wrong-password-here');
  assert.equal((await signIn(s, 'acc.zhao')).status, 429);
  const locked = await json(await call(s, 'GET', `/api/v1/users/${id}`, { token: sec }));
  assert.equal(locked.locked, true);
  assert.equal((await call(s, 'POST', `/api/v1/users/${id}/unlock`, { token: sec })).status, 200);
  assert.equal((await signIn(s, 'acc.zhao')).status, 201);
});

test('my sessions: listed with the current one marked; ending another signs that browser out', async () => {
  const a = await signIn(s, 'acc.oa');
  const b = await signIn(s, 'acc.oa');
  const list = await json(await call(s, 'GET', '/api/v1/me/sessions', a));
  assert.ok(list.items.length >= 2);
  const cur = list.items.filter((x) => x.current);
  assert.equal(cur.length, 1);
  const other = list.items.find((x) => !x.current);
  assert.equal(typeof other.client_addr, 'string');
  assert.ok(other.expires_at > Date.now() / 1000);
  // the CSRF token is required for cookie writes
  await expectError(assert, await call(s, 'DELETE', `/api/v1/me/sessions/${other.id}`, { cookie: a.cookie }), 403);
  assert.equal((await call(s, 'DELETE', `/api/v1/me/sessions/${other.id}`, a)).status, 204);
  assert.equal(await alive(s, b), 401);
  assert.equal(await alive(s, a), 200);
  // someone else's session is not found, not ended
  const z = await signIn(s, 'acc.zhao');
  const zid = (await json(await call(s, 'GET', '/api/v1/me/sessions', z))).items[0].id;
  await expectError(assert, await call(s, 'DELETE', `/api/v1/me/sessions/${zid}`, a), 404);
  assert.equal(await alive(s, z), 200);
});

test('my tokens: created once in clear, listed with last use, revoked', async () => {
  const a = await signIn(s, 'acc.oa');
  const r = await call(s, 'POST', '/api/v1/me/tokens', { ...a, body: { name: '报表脚本', expires_days: 30 } });
  assert.equal(r.status, 201);
  const t = await json(r);
  assert.match(t.token, /^kx_[A-Za-z0-9_-]{43}$/);
  assert.equal((await call(s, 'GET', `/api/v1/orgs/${ids['DC-C1']}`, { token: t.token })).status, 200, 'scoped like the user');
  await expectError(assert, await call(s, 'GET', `/api/v1/orgs/${ids['XL-C1']}`, { token: t.token }), 404);
  const list = await json(await call(s, 'GET', '/api/v1/me/tokens', a));
  const mine = list.items.find((x) => x.name === '报表脚本');
  assert.ok(mine.last_used_at > 0, 'last use is shown');
  assert.ok(mine.expires_at > mine.created_at);
  assert.ok(!JSON.stringify(list).includes(t.token), 'never the token itself');
  assert.equal((await call(s, 'DELETE', `/api/v1/me/tokens/${mine.id}`, a)).status, 204);
  assert.equal((await call(s, 'GET', '/api/v1/session', { token: t.token })).status, 401);
  await expectError(assert, await call(s, 'DELETE', `/api/v1/me/tokens/${mine.id}`, a), 404);
});

test('my password: the current one is checked, the policy applies, every session ends', async () => {
  const a = await signIn(s, 'acc.zhao');
  const b = await signIn(s, 'acc.zhao');
  await expectError(assert, await call(s, 'POST', '/api/v1/me/password', { ...a, body: { current_password: 'nope-nope-nope', new_password: 'Fresh-long-pass-42' } }), 403);
  const e = await expectError(assert, await call(s, 'POST', '/api/v1/me/password', { ...a, body: { current_password: PW, new_password: 'password1' } }), 422);
  assert.equal(e.details[0].field, 'new_password');
  const r = await call(s, 'POST', '/api/v1/me/password', { ...a, body: { current_password: PW, new_password: 'Fresh-long-pass-42' } });
  assert.equal(r.status, 204);
  assert.match(r.headers.get('set-cookie'), /Max-Age=0/);
  assert.equal(await alive(s, a), 401);
  assert.equal(await alive(s, b), 401);
  assert.equal((await signIn(s, 'acc.zhao', 'Fresh-long-pass-42')).status, 201);
});

test('policy settings: lockout after N failures, minimum length, strict classes / reuse / expiry, idle timeout', async () => {
  const t = await startServer({ env: { KEXIE_LOGIN_MAX_FAILURES: '2', KEXIE_PASSWORD_MIN_LENGTH: '12', KEXIE_PASSWORD_STRICT: '1', KEXIE_PASSWORD_EXPIRY_DAYS: '30', KEXIE_SESSION_IDLE_MINUTES: '5' } });
  try {
    const admin = userWithToken(t.env, 'pol.sec', 'security_admin', 'CAST'); // A-l0ng-and-unusual-pass: 3 classes, 23 chars
    const mk = (login, password) => call(t, 'POST', '/api/v1/users', { token: admin, body: { login, display_name: login, password, role: 'member', org_id: 1 } });
    const short = await expectError(assert, await mk('pol.a', 'Abc-12345'), 422);
    assert.match(short.message + short.details[0].message, /12/);
    const classes = await expectError(assert, await mk('pol.a', 'alllowercaseletters'), 422);
    assert.equal(classes.details[0].code, 'password_classes');
    assert.equal((await mk('pol.a', 'Good-Pass-2026-x')).status, 201);
    // two failures lock
    await signIn(t, 'pol.a', 'wrong-wrong-wrong');
    await signIn(t, 'pol.a', 'wrong-wrong-wrong');
    assert.equal((await signIn(t, 'pol.a', 'Good-Pass-2026-x')).status, 429);
    sql(t.db, "UPDATE app_user SET locked_until = 0, failed_count = 0 WHERE login = 'pol.a'");
    // expired: the right password alone is refused with a field error; with a new one it signs in
    sql(t.db, "UPDATE app_user SET password_changed_at = password_changed_at - 31 * 86400 WHERE login = 'pol.a'");
    const exp = await signIn(t, 'pol.a', 'Good-Pass-2026-x');
    assert.equal(exp.status, 403);
    assert.equal(exp.error.details[0].code, 'password_expired');
    const reuse = await signIn(t, 'pol.a', 'Good-Pass-2026-x', { new_password: 'Good-Pass-2026-x' });
    assert.equal(reuse.status, 422);
    assert.equal(reuse.error.details[0].code, 'password_reused');
    const ok = await signIn(t, 'pol.a', 'Good-Pass-2026-x', { new_password: 'Second-Pass-2026-y' });
    assert.equal(ok.status, 201);
    // the last five cannot come back
    const ch = (cur, nw) => call(t, 'POST', '/api/v1/me/password', { ...ok, body: { current_password: cur, new_password: nw } });
    const back = await expectError(assert, await ch('Second-Pass-2026-y', 'Good-Pass-2026-x'), 422);
    assert.equal(back.details[0].code, 'password_reused');
    // idle timeout from the setting: 5 minutes
    const live = await signIn(t, 'pol.a', 'Second-Pass-2026-y');
    assert.equal(await alive(t, live), 200);
    sql(t.db, "UPDATE session SET last_seen_at = last_seen_at - 6 * 60 WHERE revoked_at IS NULL");
    assert.equal(await alive(t, live), 401);
  } finally {
    await t.stop();
  }
});

test('audit retention: prune keeps at least 180 days and leaves the chain verifiable', () => {
  assert.equal(kexie(['audit', 'prune', '--audit-retention-days', '90'], s.env).code, 2, 'below 180 is refused');
  const before = Number(sql(s.db, 'SELECT count(*) FROM audit_log').trim());
  // make the first ten records old (their hashes cover `at`, so re-chain them the way a
  // real old trail would look: only records written long ago are old)
  sql(s.db, "UPDATE audit_log SET at = '2020-01-01T00:00:00.000Z' WHERE seq <= 10");
  // ...which breaks their hashes: verify names record 1, proving the test edits matter
  assert.equal(kexie(['audit', 'verify'], s.env).code, 1);
  const r = kexie(['audit', 'prune', '--audit-retention-days', '200'], s.env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^pruned 10 records older than \d{4}-\d\d-\d\d \(retention 200 days\)/);
  const v = kexie(['audit', 'verify'], s.env);
  assert.equal(v.code, 0, v.stdout);
  assert.equal(Number(/^ok (\d+)/.exec(v.stdout)[1]), before - 10 + 1);
  const d = JSON.parse(sql(s.db, "SELECT detail FROM audit_log WHERE action = 'audit.prune'").trim());
  assert.equal(d.removed, 10);
  assert.equal(d.through_seq, 10);
  // a record deleted after the pruned point is still caught
  sql(s.db, 'DELETE FROM audit_log WHERE seq = 11');
  assert.match(kexie(['audit', 'verify'], s.env).stdout, /broken at record 11/);
});

test('over HTTPS (X-Forwarded-Proto from the proxy) the cookie is __Host- and Secure, and it works', async () => {
  const r = await fetch(`${s.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' }, body: JSON.stringify({ login: 'acc.oa', password: PW }) });
  assert.equal(r.status, 201);
  const sc = r.headers.get('set-cookie');
  assert.match(sc, /^__Host-kexie_session=kx_[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Lax; Path=\/; Secure$/);
  const cookie = sc.split(';')[0];
  const me = await json(await call(s, 'GET', '/api/v1/session', { cookie }));
  assert.equal(me.login, 'acc.oa');
  // the account detail carries the (still empty) link to a person of the register
  const id = sql(s.db, "SELECT id FROM app_user WHERE login = 'acc.oa'").trim();
  const u = await json(await call(s, 'GET', `/api/v1/users/${id}`, { token: sec }));
  assert.equal(u.person_id, null);
  // sign out clears the same cookie
  const out = await call(s, 'DELETE', '/api/v1/session', { cookie, csrf: me.csrf_token });
  assert.equal(out.status, 204);
  assert.match(out.headers.get('set-cookie'), /^__Host-kexie_session=; .*Secure; Max-Age=0$/);
});
