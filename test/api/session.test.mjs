// session.test.mjs - signing in and out: cookie flags, a new session id at every sign-in,
// CSRF on unsafe methods, server-side logout, the same answer for unknown logins, lockout
// after 5 failures, and the password check off the HTTP threads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, json, expectError, userWithToken, sql, kexie } from './lib.mjs';

let s, ids;
const PW = 'A-l0ng-and-unusual-pass';
const login = (body, headers = {}) => fetch(`${s.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const cookieOf = (r) => (r.headers.get('set-cookie') || '').split(';')[0];

before(async () => {
  s = await startServer();
  ids = Object.fromEntries(sql(s.db, 'SELECT code, id FROM org').trim().split('\n').map((l) => l.split('|')));
  userWithToken(s.env, 'wang', 'org_admin', 'DC-C1');
  userWithToken(s.env, 'li', 'staff', 'DC-C1-K1');
});
after(async () => { await s.stop(); });

test('sign in sets an HttpOnly SameSite cookie and returns roles and a CSRF token', async () => {
  const r = await login({ login: 'wang', password: PW });
  assert.equal(r.status, 201);
  const sc = r.headers.get('set-cookie');
  assert.match(sc, /^kexie_session=kx_[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Lax; Path=\//);
  const b = await json(r);
  assert.equal(b.login, 'wang');
  assert.equal(b.via, 'session');
  assert.deepEqual(b.roles.map((x) => `${x.role}@${x.org_code}`), ['org_admin@DC-C1']);
  assert.match(b.csrf_token, /^kx_/);
  const me = await json(await fetch(`${s.url}/api/v1/session`, { headers: { cookie: cookieOf(r) } }));
  assert.equal(me.login, 'wang');
  assert.equal(me.csrf_token, b.csrf_token, 'any tab holding the cookie gets the same CSRF token');
});

test('every sign-in issues a new session id; the old one keeps its own life', async () => {
  const a = cookieOf(await login({ login: 'wang', password: PW }));
  const b = cookieOf(await login({ login: 'wang', password: PW }));
  assert.notEqual(a, b);
});

test('unsafe methods with the cookie need the CSRF token; wrong Origin is refused', async () => {
  const r = await login({ login: 'wang', password: PW });
  const { csrf_token: csrf } = await json(r);
  const cookie = cookieOf(r);
  const body = JSON.stringify({ code: 'S-NEW-1', name: '会话创建', level: 'grassroots', type: 'other', parent_id: Number(ids['DC-C1-K1']) });
  const h = { cookie, 'content-type': 'application/json' };
  await expectError(assert, await fetch(`${s.url}/api/v1/orgs`, { method: 'POST', headers: h, body }), 403);
  await expectError(assert, await fetch(`${s.url}/api/v1/orgs`, { method: 'POST', headers: { ...h, 'x-csrf-token': 'kx_' + 'x'.repeat(43) }, body }), 403);
  await expectError(assert, await fetch(`${s.url}/api/v1/orgs`, { method: 'POST', headers: { ...h, 'x-csrf-token': csrf, origin: 'https://evil.example' }, body }), 403);
  const ok = await fetch(`${s.url}/api/v1/orgs`, { method: 'POST', headers: { ...h, 'x-csrf-token': csrf }, body });
  assert.equal(ok.status, 201);
  const row = sql(s.db, "SELECT via || ' ' || role FROM audit_log WHERE action = 'org.create' ORDER BY seq DESC LIMIT 1").trim();
  assert.match(row, /^session:\d+ org_admin$/, 'which session, and the role used');
});

test('sign out ends the session on the server', async () => {
  const r = await login({ login: 'li', password: PW });
  const { csrf_token: csrf } = await json(r);
  const cookie = cookieOf(r);
  const out = await fetch(`${s.url}/api/v1/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrf } });
  assert.equal(out.status, 204);
  assert.match(out.headers.get('set-cookie'), /Max-Age=0/);
  await expectError(assert, await fetch(`${s.url}/api/v1/session`, { headers: { cookie } }), 401);
  // a stale cookie never blocks signing in again
  const again = await login({ login: 'li', password: PW }, { cookie });
  assert.equal(again.status, 201);
});

test('the same answer for an unknown login and a wrong password', async () => {
  const a = await login({ login: 'nobody-here', password: 'whatever-it-is' });
  const b = await login({ login: 'li', password: 'wrong-password-1' });
  const ea = await expectError(assert, a, 401, 'unauthorized');
  const eb = await expectError(assert, b, 401, 'unauthorized');
  assert.equal(ea.message, eb.message);
  assert.match(sql(s.db, "SELECT count(*) FROM audit_log WHERE action = 'user.login_failed'"), /^[2-9]|^\d{2}/);
});

test('5 wrong passwords lock the account for 15 minutes, even for the right one', async () => {
  for (let i = 0; i < 5; i++) await (await login({ login: 'wang', password: `nope-${i}-nope` })).text();
  const r = await login({ login: 'wang', password: PW });
  const e = await expectError(assert, r, 429, 'rate_limited');
  assert.match(e.message, /locked for 1[45] more minutes/);
  assert.equal(e.details[0].code, 'account_locked');
  assert.ok(Number(r.headers.get('retry-after')) > 800);
});

test('sign-ins run off the HTTP threads: other requests are answered meanwhile', async () => {
  // ordering, not timing: with the hash on the HTTP threads, two sign-ins would hold both
  // threads and the health check would finish after them
  const done = [];
  const logins = Array.from({ length: 6 }, (_, i) => login({ login: 'li', password: PW })
    .then(async (r) => { await r.text(); done.push(`login${i}`); return r.status; }));
  await new Promise((res) => setTimeout(res, 20));
  const h = await fetch(`${s.url}/healthz`);
  done.push('health');
  assert.equal(h.status, 200);
  const statuses = await Promise.all(logins);
  assert.ok(statuses.every((x) => x === 201 || x === 503), statuses.join());
  assert.notEqual(done.indexOf('health'), done.length - 1, `order: ${done.join(' ')}`);
  assert.ok(done.indexOf('health') < 3, `health waited for sign-ins: ${done.join(' ')}`);
});

test('a security administrator unlocks; a new password ends the account\'s sessions', async () => {
  // 'wang' is locked by the lockout test above
  await expectError(assert, await login({ login: 'wang', password: PW }), 429);
  assert.equal(kexie(['user', 'unlock', 'wang'], s.env).code, 0);
  const r = await login({ login: 'wang', password: PW });
  assert.equal(r.status, 201);
  const cookie = cookieOf(r);
  const NEW = 'An0ther-unusual-passphrase';
  assert.equal(kexie(['user', 'passwd', 'wang', '--password-stdin'], s.env, { input: 'password\n' }).code, 1, 'policy applies');
  assert.equal(kexie(['user', 'passwd', 'wang', '--password-stdin'], s.env, { input: `${NEW}\n` }).code, 0);
  await expectError(assert, await fetch(`${s.url}/api/v1/session`, { headers: { cookie } }), 401);
  await expectError(assert, await login({ login: 'wang', password: PW }), 401);
  assert.equal((await login({ login: 'wang', password: NEW })).status, 201);
  assert.equal(kexie(['user', 'unlock', 'nobody-at-all'], s.env).code, 1);
});

test('disabling an account ends its sessions on the server', async () => {
  userWithToken(s.env, 'zhao', 'staff', 'DC-C1-K1');
  const r = await login({ login: 'zhao', password: PW });
  const cookie = cookieOf(r);
  await r.text();
  assert.equal((await fetch(`${s.url}/api/v1/session`, { headers: { cookie } })).status, 200);
  assert.equal(kexie(['user', 'disable', 'zhao'], s.env).code, 0);
  await expectError(assert, await fetch(`${s.url}/api/v1/session`, { headers: { cookie } }), 401);
  assert.equal(sql(s.db, "SELECT count(*) FROM session s JOIN app_user u ON u.id = s.user_id WHERE u.login = 'zhao' AND s.revoked_at IS NULL").trim(), '0');
});

// keep last: it leaves 127.0.0.1 rate-limited for the rest of this server's minute
test('an address that keeps failing is turned away before any password work (429)', async () => {
  // fixed one-minute windows: 45 attempts guarantee 20 within one window even when the loop
  // straddles a minute boundary (it is slow: every failure costs an argon2id hash)
  let last;
  for (let i = 0; i < 45; i++) {
    last = await login({ login: `nobody-${i}`, password: 'wrong-password-x' });
    if (last.status === 429) break;
    await last.text();
  }
  const e = await expectError(assert, last, 429, 'rate_limited');
  assert.match(e.message, /from this address/);
  assert.equal(last.headers.get('retry-after'), '60');
});
