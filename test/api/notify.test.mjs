// notify.test.mjs - notifications and the outbound hook (docs/notifications.md): the
// caller's own notifications (list, keyset pages, unread count, mark read, read all; nobody
// else's: 404), the signed POST checked by a local receiver, retries with back-off (a
// receiver that fails twice gets three attempts), a dead receiver ending in the dead-letter
// list and a retry that delivers, a redirect never followed, who may see deliveries, and the
// scheduler across SIGKILL: a task killed before it ran runs once after the restart, one
// that ran is never run again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import { writeFileSync, mkdtempSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, json, expectError, sql, userWithToken, kexie } from './lib.mjs';

const SECRET = 'test-hook-secret-0123456789abcdef';
const H = (t, extra = {}) => ({ ...(t ? { authorization: `Bearer ${t}` } : {}), ...extra });
const get = (srv, path, t) => fetch(`${srv.url}${path}`, { headers: H(t) });
const post = (srv, path, t, body = {}) => fetch(`${srv.url}${path}`, {
  method: 'POST', headers: H(t, { 'content-type': 'application/json' }), body: JSON.stringify(body),
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// The receiver: /ok checks the signature and answers 204; /flaky fails twice then 200;
// /dead answers 500 until `alive`; /redirect answers 302 to /ok (never to be followed).
const rx = { hits: [], flaky: 0, alive: false, bad: [] };
let receiver, rxUrl;
function verify(req, body) {
  const ts = req.headers['x-kexie-timestamp'];
  const want = 'sha256=' + crypto.createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex');
  const got = req.headers['x-kexie-signature'] || '';
  return got.length === want.length && crypto.timingSafeEqual(Buffer.from(got), Buffer.from(want));
}

let s, sa, staff, secAdmin, root, secretDir;
before(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const hit = { path: req.url, method: req.method, headers: req.headers, body, ok: verify(req, body) };
      rx.hits.push(hit);
      if (!hit.ok) rx.bad.push(hit);
      if (req.url === '/ok') { res.writeHead(204); res.end(); return; }
      if (req.url === '/flaky') { rx.flaky++; res.writeHead(rx.flaky <= 2 ? 503 : 200); res.end(); return; }
      if (req.url === '/dead') { res.writeHead(rx.alive ? 200 : 500); res.end(); return; }
      if (req.url === '/redirect') { res.writeHead(302, { location: `${rxUrl}/ok?from=redirect` }); res.end(); return; }
      res.writeHead(404); res.end();
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  rxUrl = `http://127.0.0.1:${receiver.address().port}`;
  secretDir = mkdtempSync(join(tmpdir(), 'kexie-hook-'));
  writeFileSync(join(secretDir, 'secret'), `${SECRET}\n`, { mode: 0o600 });
  s = await startServer({
    env: {
      KEXIE_HOOK_URLS: ['/ok', '/flaky', '/dead', '/redirect'].map((p) => rxUrl + p).join(' '),
      KEXIE_HOOK_SECRET_FILE: join(secretDir, 'secret'),
      KEXIE_HOOK_BACKOFF: '1,1',
      KEXIE_SCHEDULE_POLL_MS: '100',
    },
  });
  root = sql(s.db, 'SELECT code FROM org WHERE id = (SELECT min(id) FROM org)').trim();
  sa = userWithToken(s.env, 'n.sa', 'system_admin', root);
  staff = userWithToken(s.env, 'n.staff', 'staff', 'DC-C1-K1');
  secAdmin = userWithToken(s.env, 'n.sec', 'security_admin', root);
});
after(async () => {
  await s.stop();
  receiver.close();
});

const deliveries = async (state) => (await json(await get(s, `/api/v1/hooks/deliveries${state ? `?state=${state}` : ''}`, sa))).items;
const byPath = (items, p) => items.filter((d) => d.url === rxUrl + p);

test('the gateway test: a notification for me and a signed POST to each URL; 3 attempts for one failing twice; no redirect followed; a dead one retried', async () => {
  const r = await post(s, '/api/v1/hooks/test', sa);
  assert.equal(r.status, 200, await r.clone().text());
  const t = await json(r);
  assert.deepEqual(t, { sent: 1, deliveries: 4, task_id: null });
  // the ok receiver: once, signed, with the documented headers and body
  await until('the /ok delivery', async () => byPath(await deliveries('delivered'), '/ok').length === 1);
  const okHits = rx.hits.filter((h) => h.path === '/ok');
  assert.equal(okHits.length, 1, 'the redirect was not followed');
  const h = okHits[0];
  assert.equal(h.method, 'POST');
  assert.equal(h.ok, true, 'signature verifies');
  assert.equal(h.headers['x-kexie-event'], 'notification.hook_test');
  assert.match(h.headers['x-kexie-delivery'], /^\d+$/);
  assert.ok(Math.abs(Number(h.headers['x-kexie-timestamp']) - Date.now() / 1000) < 30);
  assert.match(h.headers['content-type'], /application\/json/);
  const body = JSON.parse(h.body);
  assert.equal(body.event, 'notification.hook_test');
  assert.equal(body.notification.kind, 'hook_test');
  assert.equal(body.notification.link, '/notifications');
  assert.deepEqual(body.recipients.map((x) => x.login), ['n.sa']);
  assert.equal(rx.bad.length, 0, 'every request was signed right');
  // flaky: two failures then success = 3 attempts, each logged
  const flaky = await until('flaky delivered', async () => byPath(await deliveries('delivered'), '/flaky')[0]);
  assert.equal(flaky.attempts, 3);
  assert.deepEqual(flaky.attempt_log.map((a) => a.status), [503, 503, 200]);
  assert.ok(flaky.attempt_log.every((a) => a.duration_ms >= 0 && a.at));
  assert.equal(flaky.attempt_log[2].error, null);
  // the redirect: 3 failed attempts (302 is not success), dead; /ok was never asked from it
  const redirect = await until('redirect dead', async () => byPath(await deliveries('dead'), '/redirect')[0]);
  assert.equal(redirect.attempts, 3);
  assert.deepEqual(redirect.attempt_log.map((a) => a.status), [302, 302, 302]);
  assert.match(redirect.last_error, /redirect/);
  assert.equal(rx.hits.filter((x) => x.path.startsWith('/ok?from=redirect')).length, 0);
  // dead: 3 attempts with the back-off between them, then the dead-letter list
  const dead = await until('dead delivery', async () => byPath(await deliveries('dead'), '/dead')[0]);
  assert.equal(dead.attempts, 3);
  assert.equal(dead.state, 'dead');
  assert.equal(dead.last_status, 500);
  assert.ok(dead.finished_at);
  const at = dead.attempt_log.map((a) => Date.parse(a.at));
  assert.ok(at[1] - at[0] >= 0 && at[2] - at[1] >= 0);
  assert.equal(rx.hits.filter((x) => x.path === '/dead').length, 3);
  // only a dead one can be retried; a retry is one attempt now
  await expectError(assert, await post(s, `/api/v1/hooks/deliveries/${flaky.id}/retry`, sa), 409, 'conflict');
  await expectError(assert, await post(s, '/api/v1/hooks/deliveries/987654/retry', sa), 404);
  rx.alive = true;
  const rr = await post(s, `/api/v1/hooks/deliveries/${dead.id}/retry`, sa);
  assert.equal(rr.status, 200, await rr.clone().text());
  assert.equal((await json(rr)).state, 'pending');
  const redone = await until('retried delivery', async () => byPath(await deliveries('delivered'), '/dead')[0]);
  assert.equal(redone.attempts, 4);
  assert.equal(redone.attempt_log[3].status, 200);
  // the same delivery id on every attempt (receivers dedupe by it)
  const ids = new Set(rx.hits.filter((x) => x.path === '/dead').map((x) => x.headers['x-kexie-delivery']));
  assert.deepEqual([...ids], [String(dead.id)]);
  // audited: the test and the retry
  assert.equal(sql(s.db, "SELECT count(*) FROM audit_log WHERE action = 'hook.test'").trim(), '1');
  assert.equal(sql(s.db, `SELECT count(*) FROM audit_log WHERE action = 'hook.retry' AND object_id = '${dead.id}'`).trim(), '1');
  assert.match(kexie(['audit', 'verify'], s.env).stdout, /^ok/);
});

test('deliveries and the gateway test are the system admin\'s: staff and the security admin get 403', async () => {
  for (const t of [staff, secAdmin]) {
    await expectError(assert, await get(s, '/api/v1/hooks/deliveries', t), 403);
    await expectError(assert, await post(s, '/api/v1/hooks/test', t), 403);
    await expectError(assert, await post(s, '/api/v1/hooks/deliveries/1/retry', t), 403);
  }
  await expectError(assert, await get(s, '/api/v1/hooks/deliveries'), 401);
  let e = await expectError(assert, await get(s, '/api/v1/hooks/deliveries?state=lost', sa), 400);
  assert.equal(e.details[0].field, 'state');
  e = await expectError(assert, await post(s, '/api/v1/hooks/test', sa, { delay_s: -1 }), 422);
  assert.equal(e.details[0].field, 'delay_s');
  await expectError(assert, await post(s, '/api/v1/hooks/test', sa, { extra: 1 }), 400);
});

test('my notifications: list, pages, unread count, read, read all; nobody else\'s (404)', async () => {
  for (let i = 0; i < 4; i++) assert.equal((await post(s, '/api/v1/hooks/test', sa)).status, 200);
  let c = await json(await get(s, '/api/v1/me/notifications/count', sa));
  assert.equal(c.unread, 5);
  const p1 = await json(await get(s, '/api/v1/me/notifications?limit=3', sa));
  assert.equal(p1.items.length, 3);
  assert.ok(p1.next_after);
  const p2 = await json(await get(s, `/api/v1/me/notifications?limit=3&after=${p1.next_after}`, sa));
  assert.equal(p2.items.length, 2);
  assert.equal(p2.next_after, null);
  const all = [...p1.items, ...p2.items];
  assert.deepEqual(all.map((n) => n.id), [...all.map((n) => n.id)].sort((a, b) => b - a), 'newest first');
  assert.equal(new Set(all.map((n) => n.id)).size, 5);
  const n = all[4];
  assert.equal(n.kind, 'hook_test');
  assert.equal(n.read_at, null);
  assert.equal(n.link, '/notifications');
  // someone else: sees none of them, cannot read one (404 as for a missing one)
  assert.deepEqual((await json(await get(s, '/api/v1/me/notifications', staff))).items, []);
  assert.equal((await json(await get(s, '/api/v1/me/notifications/count', staff))).unread, 0);
  await expectError(assert, await post(s, `/api/v1/me/notifications/${n.id}/read`, staff), 404);
  await expectError(assert, await post(s, '/api/v1/me/notifications/987654/read', sa), 404);
  assert.equal((await json(await post(s, '/api/v1/me/notifications/read-all', staff))).count, 0);
  assert.equal((await json(await get(s, '/api/v1/me/notifications/count', sa))).unread, 5, 'untouched by the other account');
  // read one: read_at set, the count drops; reading again keeps the first time
  const r = await json(await post(s, `/api/v1/me/notifications/${n.id}/read`, sa));
  assert.ok(r.read_at);
  assert.equal((await json(await get(s, '/api/v1/me/notifications/count', sa))).unread, 4);
  const again = await json(await post(s, `/api/v1/me/notifications/${n.id}/read`, sa));
  assert.equal(again.read_at, r.read_at);
  const unread = await json(await get(s, '/api/v1/me/notifications?unread=true', sa));
  assert.equal(unread.items.length, 4);
  assert.ok(unread.items.every((x) => x.read_at === null));
  // read all
  const ra = await json(await post(s, '/api/v1/me/notifications/read-all', sa));
  assert.equal(ra.count, 4);
  c = await json(await get(s, '/api/v1/me/notifications/count', sa));
  assert.equal(c.unread, 0);
  assert.equal(sql(s.db, "SELECT count(*) FROM audit_log WHERE action = 'notification.read'").trim(), '1');
  assert.equal(sql(s.db, "SELECT count(*) FROM audit_log WHERE action = 'notification.read_all'").trim(), '1');
  // bad paging input
  await expectError(assert, await get(s, '/api/v1/me/notifications?after=abc', sa), 422);
  await expectError(assert, await get(s, '/api/v1/me/notifications?limit=0', sa), 400);
  await expectError(assert, await get(s, '/api/v1/me/notifications?page=2', sa), 400);
  await expectError(assert, await get(s, '/api/v1/me/notifications'), 401);
});

// ---- the scheduler across SIGKILL ----

const count = (srv) => Number(sql(srv.db, "SELECT count(*) FROM notification WHERE kind = 'hook_test'").trim());
const restart = (srv) => startServer({ dir: srv.dir, env: { KEXIE_DB: srv.db, KEXIE_SCHEDULE_POLL_MS: '100' }, migrate: false, seed: false });

test('a scheduled task survives SIGKILL: killed before it was due it runs once after the restart; killed after it ran it never runs again', async () => {
  const first = await startServer({ env: { KEXIE_SCHEDULE_POLL_MS: '100' } });
  let second = null, third = null;
  try {
    const code = sql(first.db, 'SELECT code FROM org WHERE id = (SELECT min(id) FROM org)').trim();
    const t = userWithToken(first.env, 'n.sched', 'system_admin', code);
    // due in 3 s; killed at once
    const a = await json(await post(first, '/api/v1/hooks/test', t, { delay_s: 3 }));
    assert.equal(a.sent, 0);
    assert.ok(a.task_id > 0);
    assert.equal(count(first), 0);
    first.proc.kill('SIGKILL');
    await first.exited;
    assert.equal(count(first), 0, 'not run before the kill');
    second = await restart(first);
    await until('the task after the restart', async () => count(second) === 1);
    assert.equal(sql(second.db, `SELECT state || '|' || runs FROM scheduled_task WHERE id = ${a.task_id}`).trim(), 'done|1');
    // due in 1 s; killed right after it ran
    const b = await json(await post(second, '/api/v1/hooks/test', t, { delay_s: 1 }));
    await until('the second task', async () => count(second) === 2);
    second.proc.kill('SIGKILL');
    await second.exited;
    third = await restart(second);
    await sleep(1500); // many ticks
    assert.equal(count(third), 2, 'each task ran exactly once');
    assert.equal(sql(third.db, `SELECT state || '|' || runs FROM scheduled_task WHERE id = ${b.task_id}`).trim(), 'done|1');
    const mine = await json(await get(third, '/api/v1/me/notifications', t));
    assert.equal(mine.items.length, 2);
    // the nightly housekeeping is scheduled once, however often the server starts
    assert.equal(sql(third.db, "SELECT count(*) || '|' || min(state) || '|' || min(recur) FROM scheduled_task WHERE kind = 'notify.prune'").trim(), '1|due|daily 03:30');
  } finally {
    for (const x of [first, second]) if (x && x.proc.exitCode === null && x.proc.signalCode === null) x.proc.kill('SIGKILL');
    if (third) await third.stop();
  }
});

test('two servers on one database: every due task runs once, whichever claims it', async () => {
  const a = await startServer({ env: { KEXIE_SCHEDULE_POLL_MS: '50' } });
  let b = null;
  try {
    b = await restart(a);
    const code = sql(a.db, 'SELECT code FROM org WHERE id = (SELECT min(id) FROM org)').trim();
    const t = userWithToken(a.env, 'n.two', 'system_admin', code);
    const tasks = [];
    for (let i = 0; i < 12; i++) tasks.push((await json(await post(i % 2 ? b : a, '/api/v1/hooks/test', t, { delay_s: 2 }))).task_id);
    await until('all twelve', async () => count(a) >= 12);
    await sleep(800);
    assert.equal(count(a), 12);
    assert.equal(sql(a.db, `SELECT count(*) FROM scheduled_task WHERE id IN (${tasks.join(',')}) AND state = 'done' AND runs = 1`).trim(), '12');
  } finally {
    if (b) { b.proc.kill('SIGTERM'); await b.exited; }
    await a.stop();
  }
});

test('a hook secret readable by others, or a non-http hook URL, stops the server from starting', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kexie-hook-bad-'));
  writeFileSync(join(dir, 'secret'), `${SECRET}\n`);
  chmodSync(join(dir, 'secret'), 0o644);
  await assert.rejects(startServer({ env: { KEXIE_HOOK_URLS: `${rxUrl}/ok`, KEXIE_HOOK_SECRET_FILE: join(dir, 'secret') } }), /readable by its owner only/);
  await assert.rejects(startServer({ env: { KEXIE_HOOK_URLS: 'ftp://example.org/x' } }), /not an http/);
});
