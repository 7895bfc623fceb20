// system.test.mjs - health, metrics, about, security headers, request ids.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, json, DBKIND } from './lib.mjs';

let s;
before(async () => { s = await startServer(); });
after(async () => { await s.stop(); });

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
  const r = await fetch(`${s.url}/metrics`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/plain/);
  const t = await r.text();
  assert.match(t, /kexie_http_requests_total\{route="GET \/api\/v1\/regions\/\{code:str\}",status="200"\} [1-9]/);
  assert.match(t, /kexie_http_requests_total\{route="GET \/api\/v1\/regions\/\{code:str\}",status="404"\} [1-9]/);
  assert.match(t, /kexie_http_request_duration_seconds_bucket\{route="GET \/api\/v1\/regions\/\{code:str\}",le="\+Inf"\} [1-9]/);
  assert.match(t, /kexie_db_connections\{pool="read",state="size"\} \d+/);
  assert.match(t, new RegExp(`kexie_build_info\\{version="[^"]+",database="${DBKIND}"\\} 1`));
});

test('the access log names the route pattern, never the raw query', async () => {
  await (await fetch(`${s.url}/api/v1/regions?parent=110000&sort=name`)).text();
  // the access log is buffered and written within 250 ms
  for (let i = 0; i < 40 && !/GET \/api\/v1\/regions status=200/.test(s.log()); i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(s.log(), /GET \/api\/v1\/regions status=200 ms=[\d.]+ bytes=\d+/);
  assert.doesNotMatch(s.log(), /parent=110000/);
});
