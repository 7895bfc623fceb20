// static.test.mjs - the built SPA served by the C server: types, ETag/304, gzip,
// long caching for hashed assets, history-mode fallback, CSP, and nothing outside.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { startServer, expectError, rawRequest } from './lib.mjs';

let s;
before(async () => { s = await startServer({ seed: false }); });
after(async () => { await s.stop(); });

test('index.html with a strict CSP, no-cache and an ETag', async () => {
  const r = await fetch(`${s.url}/`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  const csp = r.headers.get('content-security-policy');
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(r.headers.get('cache-control'), 'no-cache');
  assert.match(r.headers.get('etag'), /^"[0-9a-f]{32}"$/);
  assert.match(await r.text(), /<div id="app">/);
});

test('a matching If-None-Match answers 304 with no body', async () => {
  const first = await fetch(`${s.url}/index.html`);
  const etag = first.headers.get('etag');
  await first.text();
  const r = await fetch(`${s.url}/index.html`, { headers: { 'if-none-match': etag } });
  assert.equal(r.status, 304);
  assert.equal((await r.text()).length, 0);
});

test('hashed assets: right type, immutable caching, gzip when accepted', async () => {
  const html = await (await fetch(`${s.url}/`)).text();
  const js = /src="(\/assets\/[^"]+\.js)"/.exec(html)[1];
  const plain = await rawRequest(s.url, `GET ${js} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  assert.equal(plain.status, 200);
  assert.match(plain.headers['content-type'], /^text\/javascript/);
  assert.match(plain.headers['cache-control'], /immutable/);
  assert.equal(plain.headers['content-encoding'], undefined);
  // raw bytes: fetch would decompress transparently
  const gz = await new Promise((res) => {
    import('node:http').then(({ get }) => get(`${s.url}${js}`, { headers: { 'accept-encoding': 'gzip' } }, (resp) => {
      const chunks = []; resp.on('data', (c) => chunks.push(c)); resp.on('end', () => res({ headers: resp.headers, body: Buffer.concat(chunks) }));
    }));
  });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gz.headers.vary, 'Accept-Encoding');
  const unzipped = gunzipSync(gz.body).toString('utf8');
  assert.ok(unzipped.length > gz.body.length, 'gzip is smaller');
  assert.equal(unzipped, plain.body, 'gzip and identity bodies are the same file');
});

test('history-mode fallback for app paths; 404 for missing files and API paths', async () => {
  const r = await fetch(`${s.url}/orgs/some/deep/page`);
  assert.equal(r.status, 200);
  assert.match(await r.text(), /<div id="app">/);
  const missing = await fetch(`${s.url}/assets/nope.js`);
  assert.equal(missing.status, 404);
  await missing.text();
  await expectError(assert, await fetch(`${s.url}/api/v1/not-a-route`), 404, 'not_found');
  await expectError(assert, await fetch(`${s.url}/api`), 404, 'not_found');
});

test('no path escapes the web directory', async () => {
  for (const p of ['/../../etc/passwd', '/assets/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd']) {
    const r = await rawRequest(s.url, `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.doesNotMatch(r.body, /root:/);
  }
});
