// session.test.mjs - signing in and out: cookie flags, a new session id at every sign-in,
// CSRF on unsafe methods, server-side logout, the same answer for unknown logins, lockout
// after 5 failures, and the password check off the HTTP threads; issue 8: locked and
// unknown logins alike from outside (case 10), /me/password failures counted, audited and
// locking (case 11), token lifetimes and tokens ending with the password (case 12).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
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

// ---- issue 8 cases 10-12: sign-in privacy, /me/password throttle, token lifetimes ----
// From their own loopback addresses, so the per-address sign-in limit (20 failures a
// minute) of the tests above and below does not interfere.

function from(addr, method, path, body, headers = {}) {
  const u = new URL(s.url);
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: u.hostname, port: u.port, path, method, localAddress: addr,
      headers: { ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}), ...headers } }, (r) => {
      let text = '';
      r.on('data', (d) => { text += d; });
      r.on('end', () => res({ status: r.statusCode, headers: r.headers, text, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    });
    req.on('error', rej);
    if (data) req.write(data);
    req.end();
  });
}
const signInFrom = (addr, l, password) => from(addr, 'POST', '/api/v1/session', { login: l, password });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const withoutId = (text) => { const b = JSON.parse(text); delete b.error.request_id; return b; };

test('issue8 case 10: a locked login and an unknown login look the same from outside (status, body, timing)', async () => {
  userWithToken(s.env, 'lock10', 'staff', 'DC-C1-K1');
  const A = '127.0.0.10';
  for (let i = 0; i < 5; i++) assert.equal((await signInFrom(A, 'lock10', `wrong-${i}-wrong`)).status, 401, 'every wrong password: 401, the 5th too');
  assert.ok(Number(sql(s.db, "SELECT locked_until FROM app_user WHERE login = 'lock10'").trim()) > Date.now() / 1000, 'locked');
  const unknown = [], locked = [];
  for (let i = 0; i < 3; i++) {
    unknown.push(await signInFrom(A, 'nobody-such-10', 'wrong-pass-10'));
    locked.push(await signInFrom(A, 'lock10', 'wrong-pass-10'));
  }
  for (const r of [...unknown, ...locked]) {
    assert.equal(r.status, 401);
    assert.equal(r.headers['retry-after'], undefined);
  }
  assert.deepEqual(withoutId(locked[0].text), withoutId(unknown[0].text), 'the same body');
  assert.deepEqual(Object.keys(locked[0].headers).sort(), Object.keys(unknown[0].headers).sort(), 'the same headers');
  // both pay for a password hash (argon2id, ~75 ms): a lock is not a fast path
  const mu = median(unknown.map((r) => r.ms)), ml = median(locked.map((r) => r.ms));
  assert.ok(mu >= 50 && ml >= 50, `medians: unknown ${mu} ms, locked ${ml} ms`);
  assert.ok(ml > mu / 3 && ml < mu * 3, `the same band: unknown ${mu} ms, locked ${ml} ms`);
  // the owner, with the right password, learns of the lock, how long, and how to lift it
  const owner = await signInFrom(A, 'lock10', PW);
  assert.equal(owner.status, 429);
  const e = JSON.parse(owner.text).error;
  assert.equal(e.details[0].code, 'account_locked');
  assert.match(e.message, /locked for 1[45] more minutes/);
  assert.match(e.details[0].message, /unlock/);
  assert.ok(Number(owner.headers['retry-after']) > 800);
  // each attempt is audited; a locked one says whether the password was right
  const d = sql(s.db, "SELECT l.detail FROM audit_log l JOIN app_user u ON u.id = l.user_id WHERE u.login = 'lock10' AND l.action = 'user.login_failed' ORDER BY l.seq").trim().split('\n');
  assert.equal(d.length, 9);
  assert.match(d[4], /"failures":5,"locked_minutes":15/);
  assert.match(d[5], /"reason":"locked","password":"wrong"/);
  assert.match(d[8], /"reason":"locked","password":"right"/);
});

test('issue8 case 11: wrong current passwords on /me/password count with sign-in failures, are audited, and end the session', async () => {
  userWithToken(s.env, 'pw11', 'staff', 'DC-C1-K1');
  const A = '127.0.0.11';
  for (let i = 0; i < 2; i++) assert.equal((await signInFrom(A, 'pw11', `nope-${i}-nope`)).status, 401);
  const r = await signInFrom(A, 'pw11', PW);
  assert.equal(r.status, 201);
  const cookie = r.headers['set-cookie'][0].split(';')[0];
  const h = { cookie, 'x-csrf-token': JSON.parse(r.text).csrf_token };
  const change = (current) => from(A, 'POST', '/api/v1/me/password', { current_password: current, new_password: 'Brand-new-pass-2026' }, h);
  // the successful sign-in cleared the two failures: five wrong ones in a row lock
  for (let i = 0; i < 4; i++) {
    const w = await change(`not-it-${i}-x`);
    assert.equal(w.status, 403);
    assert.equal(JSON.parse(w.text).error.details[0].field, 'current_password');
  }
  assert.equal(sql(s.db, "SELECT failed_count FROM app_user WHERE login = 'pw11'").trim(), '4');
  const last = await change('not-it-5-x');
  assert.equal(last.status, 429);
  assert.equal(JSON.parse(last.text).error.details[0].code, 'account_locked');
  assert.match(JSON.parse(last.text).error.message, /locked for 1[45] more minutes; this session has ended/);
  assert.match(last.headers['set-cookie'][0], /Max-Age=0/);
  assert.equal((await from(A, 'GET', '/api/v1/session', undefined, { cookie })).status, 401, 'the session ended');
  assert.equal((await signInFrom(A, 'pw11', PW)).status, 429, 'the account is locked like after sign-in failures');
  const audited = sql(s.db, "SELECT l.detail FROM audit_log l JOIN app_user u ON u.id = l.user_id WHERE u.login = 'pw11' AND l.action = 'user.password_failed' ORDER BY l.seq").trim().split('\n');
  assert.equal(audited.length, 5);
  assert.match(audited[4], /"failures":5,"locked_minutes":15,"session":"ended"/);
  // sign-in failures and /me/password failures share one count
  kexie(['user', 'unlock', 'pw11'], s.env);
  const again = await signInFrom(A, 'pw11', PW);
  const h2 = { cookie: again.headers['set-cookie'][0].split(';')[0], 'x-csrf-token': JSON.parse(again.text).csrf_token };
  for (let i = 0; i < 3; i++) assert.equal((await signInFrom(A, 'pw11', `nope-${i}-again`)).status, 401);
  assert.equal((await from(A, 'POST', '/api/v1/me/password', { current_password: 'bad-1-bad', new_password: 'Brand-new-pass-2026' }, h2)).status, 403);
  assert.equal((await from(A, 'POST', '/api/v1/me/password', { current_password: 'bad-2-bad', new_password: 'Brand-new-pass-2026' }, h2)).status, 429);
});

test('issue8 case 11: with an API token, the token is revoked at the limit', async () => {
  const token = userWithToken(s.env, 'pw11t', 'staff', 'DC-C1-K1');
  const A = '127.0.0.12';
  const h = { authorization: `Bearer ${token}` };
  for (let i = 0; i < 4; i++) assert.equal((await from(A, 'POST', '/api/v1/me/password', { current_password: `bad-${i}-bad`, new_password: 'Brand-new-pass-2026' }, h)).status, 403);
  const last = await from(A, 'POST', '/api/v1/me/password', { current_password: 'bad-5-bad', new_password: 'Brand-new-pass-2026' }, h);
  assert.equal(last.status, 429);
  assert.match(JSON.parse(last.text).error.message, /this token is revoked/);
  assert.equal((await from(A, 'GET', '/api/v1/session', undefined, h)).status, 401);
});

test('issue8 case 12: a token without expires_days gets token_max_days (365); more is a field error', async () => {
  const token = userWithToken(s.env, 'tok12', 'staff', 'DC-C1-K1');
  const h = { authorization: `Bearer ${token}` };
  const A = '127.0.0.13';
  const made = await from(A, 'POST', '/api/v1/me/tokens', { name: 'no expiry asked' }, h);
  assert.equal(made.status, 201);
  assert.equal(JSON.parse(made.text).expires_days, 365);
  const list = JSON.parse((await from(A, 'GET', '/api/v1/me/tokens', undefined, h)).text).items;
  assert.ok(list.length >= 2);
  for (const t of list) assert.equal(t.expires_at - t.created_at, 365 * 86400, `token ${t.name} ends after 365 days`);
  const tooLong = await from(A, 'POST', '/api/v1/me/tokens', { name: 'too long', expires_days: 400 }, h);
  assert.equal(tooLong.status, 422);
  const e = JSON.parse(tooLong.text).error;
  assert.equal(e.details[0].field, 'expires_days');
  assert.match(e.details[0].message, /at most 365 days/);
  // a token from before the limit (no expiry) ends once older than the limit
  const old = userWithToken(s.env, 'tok12.old', 'staff', 'DC-C1-K1');
  sql(s.db, `UPDATE api_token SET expires_at = NULL, created_at = created_at - 366 * 86400 WHERE user_id = (SELECT id FROM app_user WHERE login = 'tok12.old')`);
  assert.equal((await from(A, 'GET', '/api/v1/session', undefined, { authorization: `Bearer ${old}` })).status, 401);
});

test('issue8 case 12: API tokens end when the password changes (own change and administrator reset)', async () => {
  const A = '127.0.0.14';
  const own = userWithToken(s.env, 'tok12.own', 'staff', 'DC-C1-K1');
  const ownH = { authorization: `Bearer ${own}` };
  const spare = JSON.parse((await from(A, 'POST', '/api/v1/me/tokens', { name: 'spare' }, ownH)).text).token;
  assert.equal((await from(A, 'POST', '/api/v1/me/password', { current_password: PW, new_password: 'Brand-new-pass-2026' }, ownH)).status, 204);
  for (const t of [own, spare]) assert.equal((await from(A, 'GET', '/api/v1/session', undefined, { authorization: `Bearer ${t}` })).status, 401);
  // reset by a security administrator
  const victim = userWithToken(s.env, 'tok12.reset', 'staff', 'DC-C1-K1');
  const sec = userWithToken(s.env, 'tok12.sec', 'security_admin', 'CAST');
  const id = sql(s.db, "SELECT id FROM app_user WHERE login = 'tok12.reset'").trim();
  assert.equal((await from(A, 'POST', `/api/v1/users/${id}/password`, { password: 'Reset-by-admin-2026' }, { authorization: `Bearer ${sec}` })).status, 204);
  assert.equal((await from(A, 'GET', '/api/v1/session', undefined, { authorization: `Bearer ${victim}` })).status, 401);
  const d = sql(s.db, `SELECT detail FROM audit_log WHERE action = 'user.password' AND object_id = '${id}'`).trim();
  assert.match(d, /"tokens":"revoked"/);
  // ...and from the command line
  const cli = userWithToken(s.env, 'tok12.cli', 'staff', 'DC-C1-K1');
  assert.equal(kexie(['user', 'passwd', 'tok12.cli', '--password-stdin'], s.env, { input: 'Set-from-cli-2026\n' }).code, 0);
  assert.equal((await from(A, 'GET', '/api/v1/session', undefined, { authorization: `Bearer ${cli}` })).status, 401);
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

