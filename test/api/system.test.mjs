// system.test.mjs - health, metrics, about, security headers, request ids.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { startServers, json, expectError, rawRequest, DBKIND } from './lib.mjs';

const METRICS_TOKEN = 'm3trics-t0ken-for-the-test';
let s, side;
before(async () => {
  [s, side] = await startServers(
    { env: { KEXIE_METRICS_TOKEN: METRICS_TOKEN } },
    { seed: false, extraArgs: ['--metrics-listen', '127.0.0.1:0'] },
  );
  side.metricsUrl = /metrics on (http:\/\/[\d.]+:\d+)\/metrics/.exec(side.log())?.[1]; // logged before "serving"
});
after(async () => { await Promise.all([s, side].filter(Boolean).map((x) => x.stop())); });
const scrape = (url, token) => fetch(`${url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

test('healthz answers 200 with the database kind', async () => {
  const r = await fetch(`${s.url}/healthz`);
  assert.equal(r.status, 200);
  const b = await json(r);
  assert.equal(b.status, 'ok');
  assert.equal(b.database, DBKIND);
  assert.equal(b.database_ok, true);
  assert.equal(b.schema_version, b.schema_expected);
});

test('every answer carries a request id and security headers', async () => {
  const ids = new Set();
  for (const path of ['/healthz', '/api/v1/about', '/api/v1/nope']) {
    const r = await fetch(`${s.url}${path}`);
    const id = r.headers.get('x-request-id');
    assert.match(id, /^[0-9a-f]{16}$/);
    ids.add(id);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(r.headers.get('referrer-policy'));
    assert.match(r.headers.get('content-security-policy'), /frame-ancestors 'none'/);
    await r.arrayBuffer();
  }
  assert.equal(ids.size, 3, 'request ids are unique');
});

test('about names version and database', async () => {
  const b = await json(await fetch(`${s.url}/api/v1/about`));
  assert.equal(b.name, 'kexie');
  assert.match(b.version, /^\d+\.\d+\.\d+/);
  assert.equal(b.database, DBKIND);
  assert.equal(b.read_replica, false);
});

test('metrics count requests by route and status, with latency and pool use', async () => {
  await (await fetch(`${s.url}/api/v1/regions/110000`)).text();
  await (await fetch(`${s.url}/api/v1/regions/999999`)).text();
  const r = await scrape(s.url, METRICS_TOKEN);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/plain/);
  const t = await r.text();
  assert.match(t, /kexie_http_requests_total\{route="GET \/api\/v1\/regions\/\{code:str\}",status="200"\} [1-9]/);
  assert.match(t, /kexie_http_requests_total\{route="GET \/api\/v1\/regions\/\{code:str\}",status="404"\} [1-9]/);
  assert.match(t, /kexie_http_request_duration_seconds_bucket\{route="GET \/api\/v1\/regions\/\{code:str\}",le="\+Inf"\} [1-9]/);
  assert.match(t, /kexie_db_connections\{pool="read",state="size"\} \d+/);
  assert.match(t, new RegExp(`kexie_build_info\\{version="[^"]+",database="${DBKIND}"\\} 1`));
  assert.match(t, /kexie_http_connections_refused_total\{reason="per_client"\} \d+/);
  assert.match(t, /kexie_http_slow_heads_closed_total \d+/);
});

test('the access log names the route pattern, never the raw query', async () => {
  await (await fetch(`${s.url}/api/v1/regions?parent=110000&sort=name`)).text();
  // the access log is buffered and written within 250 ms
  for (let i = 0; i < 40 && !/GET \/api\/v1\/regions status=200/.test(s.log()); i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(s.log(), /GET \/api\/v1\/regions status=200 ms=[\d.]+ bytes=\d+/);
  assert.doesNotMatch(s.log(), /parent=110000/);
});

test('issue8 case 16: /metrics on the listen address needs the metrics token (Bearer)', async () => {
  let r = await scrape(s.url);
  await expectError(assert, r, 401, 'unauthorized');
  assert.match(r.headers.get('www-authenticate'), /^Bearer/);
  await expectError(assert, await scrape(s.url, 'wrong-token-of-some-length'), 401);
  await expectError(assert, await scrape(s.url, `${METRICS_TOKEN}x`), 401);
  r = await fetch(`${s.url}/metrics`, { headers: { authorization: `Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString('base64')}` } });
  await expectError(assert, r, 401);
  r = await scrape(s.url, METRICS_TOKEN);
  assert.equal(r.status, 200);
  assert.match(await r.text(), /kexie_http_requests_total/);
});

test('issue8 case 16: without a token /metrics is not public; metrics_listen serves it (and /healthz) alone', async () => {
  await expectError(assert, await scrape(side.url), 404, 'not_found');
  assert.ok(side.metricsUrl, 'the metrics listener is logged');
  assert.notEqual(side.metricsUrl, side.url);
  const r = await scrape(side.metricsUrl);
  assert.equal(r.status, 200);
  assert.match(await r.text(), /kexie_http_requests_total/);
  assert.equal((await fetch(`${side.metricsUrl}/healthz`)).status, 200);
  for (const path of ['/api/v1/about', '/api/v1/regions', '/', '/index.html']) {
    await expectError(assert, await fetch(`${side.metricsUrl}${path}`), 404);
  }
  const w = await fetch(`${side.metricsUrl}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"login":"a","password":"b"}' });
  await expectError(assert, w, 404);
});

test('issue8 case 16: the SQLite database and its -wal and -shm files are created 0600', { skip: DBKIND !== 'sqlite' }, async () => {
  await (await fetch(`${s.url}/api/v1/regions?parent=110000`)).text(); // a read: -shm exists
  const path = s.db.slice('sqlite:'.length);
  for (const f of [path, `${path}-wal`, `${path}-shm`]) {
    assert.equal((statSync(f).mode & 0o777).toString(8), '600', f);
  }
});

test('issue8 case 16: libmicrohttpd\'s own lines go through the logger, in its format', async () => {
  // a head larger than the connection's memory: MHD answers it and says so itself
  const r = await rawRequest(side.url, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40000)}\r\n\r\n`);
  assert.equal(r.status, 431);
  for (let i = 0; i < 40 && !/libmicrohttpd: /.test(side.log()); i++) await new Promise((res) => setTimeout(res, 50));
  assert.match(side.log(), /^\d{4}-\d\d-\d\dT[\d:.]+Z WARN http: libmicrohttpd: .*431/m);
  for (const line of side.log().split('\n').filter(Boolean)) {
    assert.match(line, /^\d{4}-\d\d-\d\dT[\d:.]+Z (DEBUG|INFO|WARN|ERROR) /, `a line outside the log format: ${line}`);
  }
});
