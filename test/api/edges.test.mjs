// edges.test.mjs - the server's edges (issue 8 cases 13, 14, 17; issue 11 defect 12): the
// client address behind a trusted proxy, connections per client and the request-head
// deadline under a slow flood, and the one name normaliser on every path that writes a name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServers, json, expectError, sql, userWithToken, kexie } from './lib.mjs';

const PROXY = '127.0.0.1/32';
const LIMIT = 3; // failed sign-ins a minute per address (20 by default; fewer keeps this quick)
const FEW = ['--login-address-failures', String(LIMIT)];
let trusted, plain, flood, quick;
before(async () => {
  [trusted, plain, flood, quick] = await startServers(
    { extraArgs: ['--trusted-proxies', `10.9.0.0/16, ${PROXY}, ::1`, ...FEW] },
    { extraArgs: ['--trusted-proxies', '10.9.0.0/16', ...FEW] },
    { seed: false },
    { seed: false, extraArgs: ['--header-timeout', '1', '--timeout', '3'] }, // short clocks
  );
});
after(async () => { await Promise.all([trusted, plain, flood, quick].filter(Boolean).map((x) => x.stop())); });

const signIn = (s, login, xff) => fetch(`${s.url}/api/v1/session`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(xff ? { 'x-forwarded-for': xff } : {}) },
  body: JSON.stringify({ login, password: 'wrong-password-x' }),
});

// Fails sign-ins until the address limit answers 429 (fixed one-minute windows: 2 x LIMIT + 1
// tries reach LIMIT within one window even across a minute boundary).
async function failUntilLimited(s, xff) {
  for (let i = 0; i < 2 * LIMIT + 1; i++) {
    const r = await signIn(s, `nobody-${i}`, typeof xff === 'function' ? xff(i) : xff);
    if (r.status === 429) return { tries: i + 1, r };
    assert.equal(r.status, 401);
    await r.text();
  }
  return { tries: 2 * LIMIT + 1, r: null };
}

const lastFailedAddr = (s) => sql(s.db, "SELECT client_addr FROM audit_log WHERE action = 'user.login_failed' ORDER BY seq DESC LIMIT 1").trim();

test('issue8 case 13: behind a trusted proxy two X-Forwarded-For clients are limited separately', async () => {
  const a = await failUntilLimited(trusted, '203.0.113.5');
  assert.ok(a.r, 'client A reached the failed sign-in limit');
  await expectError(assert, a.r, 429, 'rate_limited');
  // another client behind the same proxy is not affected
  const b = await signIn(trusted, 'someone', '203.0.113.6');
  assert.equal(b.status, 401);
  await b.text();
  assert.equal(lastFailedAddr(trusted), '203.0.113.6');
});

test('issue8 case 13: the right-most untrusted hop is the client; hops left of it are the client\'s own words', async () => {
  // a client that writes its own X-Forwarded-For gets it prepended to by the proxy
  const r = await signIn(trusted, 'spoof', '198.51.100.7, 203.0.113.9');
  assert.equal(r.status, 401);
  await r.text();
  assert.equal(lastFailedAddr(trusted), '203.0.113.9');
  // a chain of trusted proxies (10.9.0.0/16) in front: skipped from the right
  await (await signIn(trusted, 'chain', '198.51.100.7, 2001:db8::7, 10.9.1.1')).text();
  assert.equal(lastFailedAddr(trusted), '2001:db8::7');
  // a port and IPv6 brackets as some proxies write them; garbage stops at the proxy
  await (await signIn(trusted, 'port', '[2001:DB8::8]:4431')).text();
  assert.equal(lastFailedAddr(trusted), '2001:db8::8');
  await (await signIn(trusted, 'junk', 'not-an-address')).text();
  assert.equal(lastFailedAddr(trusted), '127.0.0.1');
  // the access log names the same client
  for (let i = 0; i < 40 && !/client=203\.0\.113\.9 POST \/api\/v1\/session status=401/.test(trusted.log()); i++) await new Promise((res) => setTimeout(res, 50));
  assert.match(trusted.log(), /client=203\.0\.113\.9 POST \/api\/v1\/session status=401/);
});

test('issue8 case 13: from a peer that is not a trusted proxy X-Forwarded-For is ignored', async () => {
  const r = await signIn(plain, 'x', '203.0.113.77');
  assert.equal(r.status, 401);
  await r.text();
  assert.equal(lastFailedAddr(plain), '127.0.0.1');
  // a different forged address on every try: still one client, still limited
  const a = await failUntilLimited(plain, (i) => `198.51.100.${i + 1}`);
  assert.ok(a.r, 'the forged addresses did not escape the limit');
  await expectError(assert, a.r, 429, 'rate_limited');
});

// ---- case 14 ----

const port = (s) => Number(new URL(s.url).port);

// Opens a connection from localAddress and sends a partial head; resolves once connected
// with { sock, closed: Promise<ms since open> }.
function slowClient(s, localAddress) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const sock = net.connect({ port: port(s), host: '127.0.0.1', localAddress });
    const closed = new Promise((res) => sock.on('close', () => res(Date.now() - t0)));
    sock.on('error', () => {});
    sock.on('connect', () => { sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'); resolve({ sock, closed }); });
    closed.then(() => resolve({ sock, closed }));
  });
}

// GET /healthz from a given local address; resolves with { status, ms }.
function healthFrom(s, localAddress, timeoutMs = 5000) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const sock = net.connect({ port: port(s), host: '127.0.0.1', localAddress });
    let data = '';
    const done = (status) => { sock.destroy(); resolve({ status, ms: Date.now() - t0 }); };
    const timer = setTimeout(() => done(0), timeoutMs);
    sock.on('error', () => { clearTimeout(timer); done(-1); });
    sock.on('connect', () => sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    sock.on('data', (d) => {
      data += d;
      const m = /^HTTP\/1\.1 (\d+)/.exec(data);
      if (m) { clearTimeout(timer); done(Number(m[1])); }
    });
  });
}

test('issue8 case 14: a flood of slow partial heads from one address leaves others served', async () => {
  const FLOOD = 4100; // more than the server's 4,000 connections
  const socks = [];
  try {
    const batch = [];
    for (let i = 0; i < FLOOD; i++) batch.push(slowClient(flood, '127.0.0.1'));
    socks.push(...(await Promise.all(batch)));
    // keep trickling: one byte every 2 s on the ones still open
    const trickle = setInterval(() => { for (const c of socks) if (!c.sock.destroyed) c.sock.write('X'); }, 2000);
    try {
      await new Promise((res) => setTimeout(res, 500));
      const h = await healthFrom(flood, '127.0.0.2');
      assert.equal(h.status, 200, 'a client at another address is served');
      assert.ok(h.ms < 2000, `served in ${h.ms} ms`);
      const open = socks.filter((c) => !c.sock.destroyed).length;
      assert.ok(open <= 110, `${open} flood connections held (the limit per client is 100)`);
    } finally {
      clearInterval(trickle);
    }
  } finally {
    for (const c of socks) c.sock.destroy();
  }
});

test('issue8 case 14: a connection whose head trickles in is closed by the 10 s deadline', async () => {
  const c = await slowClient(flood, '127.0.0.3');
  const trickle = setInterval(() => { if (!c.sock.destroyed) c.sock.write('X'); }, 2000); // resets any idle timer
  try {
    const ms = await Promise.race([c.closed, new Promise((res) => setTimeout(() => res(-1), 16000))]);
    assert.notEqual(ms, -1, 'still open after 16 s');
    assert.ok(ms >= 9000 && ms <= 12500, `closed after ${ms} ms`);
  } finally {
    clearInterval(trickle);
    c.sock.destroy();
  }
  assert.equal((await healthFrom(flood, '127.0.0.3')).status, 200);
});

// One kept-alive connection: sends a GET /healthz, waits for its answer, then hands the socket
// to next(sock) with { answers: () => count, closed: Promise<ms since the first answer> }.
function keptAlive(s) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port: port(s), host: '127.0.0.1' });
    let data = '', t1 = 0, answers = 0;
    const closed = new Promise((res) => sock.on('close', () => res(Date.now() - t1)));
    sock.on('error', () => {});
    sock.on('connect', () => sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
    sock.on('data', (d) => {
      data += d;
      const n = (data.match(/HTTP\/1\.1 200/g) || []).length;
      if (n > answers) {
        answers = n;
        if (n === 1) { t1 = Date.now(); resolve({ sock, closed, answers: () => answers }); }
      }
    });
    setTimeout(() => reject(new Error('no first answer')), 5000);
  });
}
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

test('head deadline: an idle kept-alive connection reused after longer than the head deadline is answered', async () => {
  // header_timeout 1 s, idle timeout 3 s: a client that reuses its connection after 2 s is no
  // slow client (the deadline used to start at the end of the answer and reset this one)
  const c = await keptAlive(quick);
  try {
    await sleep(2000);
    assert.ok(!c.sock.destroyed, 'still open after 2 s idle');
    c.sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let i = 0; i < 40 && c.answers() < 2; i++) await sleep(50);
    assert.equal(c.answers(), 2, 'the second request on the kept-alive connection was answered');
  } finally {
    c.sock.destroy();
  }
});

test('head deadline: a head trickling in on a kept-alive connection is closed after idle + head seconds', async () => {
  const c = await keptAlive(quick);
  c.sock.write('GET /healthz HTTP/1.1\r\n');
  const trickle = setInterval(() => { if (!c.sock.destroyed) c.sock.write('X'); }, 400); // resets MHD's idle timer
  try {
    const ms = await Promise.race([c.closed, sleep(9000).then(() => -1)]);
    assert.notEqual(ms, -1, 'still open after 9 s');
    assert.ok(ms >= 3500 && ms <= 6000, `closed after ${ms} ms (idle 3 s + head 1 s)`);
  } finally {
    clearInterval(trickle);
    c.sock.destroy();
  }
});

test('issue8 case 14: trusted proxies are exempt from the per-client limit', async () => {
  const socks = await Promise.all(Array.from({ length: 150 }, () => slowClient(trusted, '127.0.0.1')));
  try {
    await new Promise((res) => setTimeout(res, 500));
    assert.equal(socks.filter((c) => c.sock.destroyed).length, 0, 'none refused');
  } finally {
    for (const c of socks) c.sock.destroy();
  }
});

// ---- case 17 ----

const H = (t) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' });
// [name, code, blank]: blank ones are only white space, which an optional field may be
const BAD_NAMES = [
  ['\u200b', 'name_invisible'], ['   ', 'name_invisible', true], ['\u3000\u3000', 'name_invisible', true],
  ['\ufeff', 'name_invisible'], ['\u0085', 'name_invisible', true], ['\u200b \u3000\ufeff\u0085', 'name_invisible'],
  ['\u202e会协科市', 'name_bidi'], ['科协\u2066x\u2069', 'name_bidi'], ['a\u200fb', 'name_bidi'],
  ['中国\u200b科协', 'name_control'], ['科协\u00ad', 'name_control'],
  ['科协😀', 'name_emoji'], ['🇨🇳 学会', 'name_emoji'],
];
let ids, sys;
const orgBody = (code, name) => ({ code, name, level: 'grassroots', type: 'enterprise', parent_id: Number(ids['DC-C1-K1']) });

test('issue8 case 17 / issue11 defect 12: org create and update refuse invisible, bidi, control and emoji names', async () => {
  ids = Object.fromEntries(sql(trusted.db, 'SELECT code, id FROM org').trim().split('\n').map((l) => l.split('|')));
  sys = userWithToken(trusted.env, 'names.sys', 'system_admin', 'CAST');
  for (const [i, [name, code, blank]] of BAD_NAMES.entries()) {
    const r = await fetch(`${trusted.url}/api/v1/orgs`, { method: 'POST', headers: H(sys), body: JSON.stringify(orgBody(`NM-${i}`, name)) });
    const e = await expectError(assert, r, 422, 'unprocessable');
    assert.deepEqual(e.details.map((d) => [d.field, d.code]), [['name', code]], JSON.stringify(name));
    const s2 = await fetch(`${trusted.url}/api/v1/orgs`, { method: 'POST', headers: H(sys), body: JSON.stringify({ ...orgBody(`NS-${i}`, '合法名称'), short_name: name }) });
    if (blank) { // an optional field may be left blank
      assert.equal(s2.status, 201);
      assert.equal((await json(s2)).short_name, '');
    } else {
      const e2 = await expectError(assert, s2, 422);
      assert.deepEqual(e2.details.map((d) => [d.field, d.code]), [['short_name', code]], JSON.stringify(name));
    }
  }
  assert.equal(sql(trusted.db, "SELECT count(*) FROM org WHERE code LIKE 'NM-%'").trim(), '0');
  assert.equal(sql(trusted.db, "SELECT count(*) FROM org WHERE code LIKE 'NS-%'").trim(), String(BAD_NAMES.filter((b) => b[2]).length));
  // stored normalised: NFC, trimmed, one space inside
  const r = await fetch(`${trusted.url}/api/v1/orgs`, { method: 'POST', headers: H(sys), body: JSON.stringify({ ...orgBody('NM-OK', '\u3000Cafe\u0301  科协 '), short_name: '  ' }) });
  assert.equal(r.status, 201);
  const o = await json(r);
  assert.equal(o.name, 'Caf\u00e9 科协');
  assert.equal(o.short_name, '');
  // update goes through the same rule
  const u = await fetch(`${trusted.url}/api/v1/orgs/${o.id}`, { method: 'PATCH', headers: { ...H(sys), 'if-match': `"${o.version}"` }, body: JSON.stringify({ name: '科协\u202e' }) });
  const e = await expectError(assert, u, 422);
  assert.deepEqual(e.details.map((d) => [d.field, d.code]), [['name', 'name_bidi']]);
  const u2 = await fetch(`${trusted.url}/api/v1/orgs/${o.id}`, { method: 'PATCH', headers: { ...H(sys), 'if-match': `"${o.version}"` }, body: JSON.stringify({ short_name: ' 咖啡\u3000科协 ' }) });
  assert.equal(u2.status, 200);
  assert.equal((await json(u2)).short_name, '咖啡 科协');
});

test('issue8 case 17 / issue11 defect 12: account display names follow the rule; free text keeps emoji', async () => {
  const sec = userWithToken(trusted.env, 'names.sec', 'security_admin', 'CAST');
  const body = (login, display_name) => JSON.stringify({ login, display_name, password: 'A-l0ng-and-unusual-pass', role: 'staff', org_id: Number(ids['DC-C1-K1']) });
  for (const [i, [name, code]] of BAD_NAMES.entries()) {
    const r = await fetch(`${trusted.url}/api/v1/users`, { method: 'POST', headers: H(sec), body: body(`nm.user${i}`, name) });
    const e = await expectError(assert, r, 422, 'unprocessable');
    assert.deepEqual(e.details.map((d) => [d.field, d.code]), [['display_name', code]], JSON.stringify(name));
  }
  assert.equal(sql(trusted.db, "SELECT count(*) FROM app_user WHERE login LIKE 'nm.user%'").trim(), '0');
  const ok = await fetch(`${trusted.url}/api/v1/users`, { method: 'POST', headers: H(sec), body: body('nm.ok', ' 王\u3000 五 ') });
  assert.equal(ok.status, 201);
  assert.equal(sql(trusted.db, "SELECT display_name FROM app_user WHERE login = 'nm.ok'").trim(), '王 五');
  // the CLI goes through the same domain call
  const cli = kexie(['user', 'add', '--login', 'nm.cli', '--name', '\u200b', '--role', 'staff', '--org', 'DC-C1-K1', '--password-stdin'], trusted.env, { input: 'A-l0ng-and-unusual-pass\n' });
  assert.notEqual(cli.code, 0);
  assert.match(cli.stderr, /name_invisible|visible/);
  // free text is no name: a browser error report keeps its emoji
  const fr = await fetch(`${trusted.url}/api/v1/client-errors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'boom 😀' }) });
  assert.equal(fr.status, 202);
  await fr.text();
});

test('issue8 case 17: the org import refuses such rows and compares names as they are stored', () => {
  const rows = [
    '代码,名称,层级,类型,上级代码',
    'NI-1,\u200b,基层,企业,DC-C1-K1',
    'NI-2,科协\u202e,基层,企业,DC-C1-K1',
    'NI-3,科协🎉,基层,企业,DC-C1-K1',
    'NI-4,"  中国\u3000\u3000 e\u0301科协 ",基层,企业,DC-C1-K1',
  ];
  const p = join(trusted.dir, 'names.csv');
  writeFileSync(p, rows.join('\r\n') + '\r\n');
  let r = kexie(['org', 'import', p], trusted.env);
  let rep = JSON.parse(r.stdout);
  assert.equal(rep.inserted, 1);
  assert.equal(rep.rejected, 3);
  assert.deepEqual(rep.errors.map((e) => [e.row, e.column, e.code]), [[2, '名称', 'name_invisible'], [3, '名称', 'name_bidi'], [4, '名称', 'name_emoji']]);
  assert.equal(sql(trusted.db, "SELECT name FROM org WHERE code = 'NI-4'").trim(), '中国 \u00e9科协');
  // the same row written differently is unchanged, not rewritten
  writeFileSync(p, [rows[0], rows[4]].join('\n') + '\n');
  r = kexie(['org', 'import', p], trusted.env);
  rep = JSON.parse(r.stdout);
  assert.equal(rep.unchanged, 1, r.stdout);
  assert.equal(rep.updated, 0);
});
