// http.test.mjs - the dispatcher's generic checks (../shared/bad-inputs.md, HTTP and JSON),
// exercised through POST /api/v1/client-errors, a public JSON write route.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, json, expectError, rawRequest, ROOT } from './lib.mjs';

let s;
before(async () => { s = await startServer({ seed: false }); });
after(async () => { await s.stop(); });

const EP = '/api/v1/client-errors';
const post = (body, headers = {}) => fetch(`${s.url}${EP}`, {
  method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body,
});
// Sends exact bytes (fetch would re-encode invalid UTF-8).
const postBytes = (bytes) => rawRequest(s.url, Buffer.concat([
  Buffer.from(`POST ${EP} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`),
  bytes,
]));

test('a valid body is accepted', async () => {
  const r = await post(JSON.stringify({ message: 'TypeError: x is undefined', line: 3, route: '/orgs' }));
  assert.equal(r.status, 202);
  assert.deepEqual(await json(r), { accepted: true });
});

test('client text cannot forge log lines', async () => {
  await (await post(JSON.stringify({ message: 'a\nINFO forged line' }))).text();
  await new Promise((r) => setTimeout(r, 100));
  assert.doesNotMatch(s.log(), /\nINFO forged line/);
});

test('unknown fields are 400 naming them (no mass assignment)', async () => {
  const e = await expectError(assert, await post(JSON.stringify({ message: 'x', org_id: 1, role: 'admin' })), 400, 'invalid');
  assert.deepEqual(e.details.map((d) => d.field).sort(), ['org_id', 'role']);
  assert.ok(e.details.every((d) => d.code === 'unknown_field'));
});

test('missing required field is 422; wrong type is 400', async () => {
  let e = await expectError(assert, await post(JSON.stringify({ line: 1 })), 422, 'unprocessable');
  assert.equal(e.details[0].field, 'message');
  assert.equal(e.details[0].code, 'required');
  e = await expectError(assert, await post(JSON.stringify({ message: 5 })), 400);
  assert.equal(e.details[0].code, 'not_string');
});

test('integers: non-integral, beyond int64 and out of range are refused', async () => {
  let e = await expectError(assert, await post('{"message":"x","line":1.5}'), 400);
  assert.equal(e.details[0].field, 'line');
  assert.equal(e.details[0].code, 'not_integer');
  e = await expectError(assert, await post('{"message":"x","line":1e3}'), 400);
  assert.equal(e.details[0].code, 'not_integer');
  await expectError(assert, await post('{"message":"x","line":99999999999999999999999}'), 400);
  e = await expectError(assert, await post('{"message":"x","line":-1}'), 422);
  assert.equal(e.details[0].code, 'out_of_range');
});

test('string length is counted in code points', async () => {
  const ok = await post(JSON.stringify({ message: '𠮷'.repeat(1000) }));
  assert.equal(ok.status, 202);
  await ok.text();
  const e = await expectError(assert, await post(JSON.stringify({ message: '𠮷'.repeat(1001) })), 422);
  assert.equal(e.details[0].code, 'too_long');
  assert.deepEqual(e.details[0].params, { max: 1000 });
});

test('invalid UTF-8 (overlong, surrogate bytes) is 400 naming the field', async () => {
  for (const bad of [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff]]) {
    const body = Buffer.concat([Buffer.from('{"source":"ok","message":"a'), Buffer.from(bad), Buffer.from('"}')]);
    const r = await postBytes(body);
    assert.equal(r.status, 400, r.raw);
    const b = JSON.parse(r.body);
    assert.equal(b.error.details[0].field, 'message');
    assert.equal(b.error.details[0].code, 'invalid_utf8');
  }
});

test('U+0000 and lone surrogate escapes are 400 naming the field', async () => {
  let e = await expectError(assert, await post('{"message":"a\\u0000b"}'), 400);
  assert.equal(e.details[0].field, 'message');
  assert.equal(e.details[0].code, 'nul_character');
  e = await expectError(assert, await post('{"route":"x","message":"\\ud800"}'), 400);
  assert.equal(e.details[0].field, 'message');
  assert.equal(e.details[0].code, 'invalid_utf8');
  const pair = await post('{"message":"\\ud842\\udfb7"}'); // 𠮷 as a valid surrogate pair
  assert.equal(pair.status, 202);
  await pair.text();
});

test('JSON nested 10,000 deep is 400 and the server stays up', async () => {
  const deep = '{"message":' + '['.repeat(10000) + ']'.repeat(10000) + '}';
  const e = await expectError(assert, await post(deep), 400);
  assert.equal(e.details[0].code, 'too_deep');
  assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
});

test('duplicate keys and malformed JSON are 400', async () => {
  let e = await expectError(assert, await post('{"message":"a","message":"b"}'), 400);
  assert.equal(e.details[0].code, 'duplicate_key');
  e = await expectError(assert, await post('{"message":'), 400);
  assert.equal(e.details[0].code, 'invalid_json');
  e = await expectError(assert, await post('[1,2]'), 400);
  assert.equal(e.details[0].code, 'not_object');
  await expectError(assert, await post(''), 400);
});

test('wrong Content-Type on a write is 415', async () => {
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1']) {
    const r = await fetch(`${s.url}${EP}`, { method: 'POST', headers: { 'content-type': ct }, body: '{"message":"x"}' });
    await expectError(assert, r, 415, 'unsupported_media_type');
  }
});

test('a 10 MB body against a 32 KiB limit is 413 without the server reading it', async () => {
  // Send only the headers and a little of the body: the answer must come anyway.
  const r = await rawRequest(s.url,
    `POST ${EP} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10485760\r\n\r\n{"message":"`);
  assert.equal(r.status, 413);
  assert.equal(JSON.parse(r.body).error.code, 'too_large');
});

test('a chunked body that grows past the limit is 413', async () => {
  const chunk = 'x'.repeat(8000);
  const r = await rawRequest(s.url,
    `POST ${EP} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
    { writeAfter: (sock) => { for (let i = 0; i < 6; i++) sock.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`); sock.write('0\r\n\r\n'); } });
  assert.equal(r.status, 413);
  assert.equal(JSON.parse(r.body).error.code, 'too_large');
});

test('a body on a route that takes none is refused without reading it', async () => {
  const r = await rawRequest(s.url, 'GET /api/v1/about HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello');
  assert.equal(r.status, 413);
  assert.match(JSON.parse(r.body).error.message, /takes no request body/);
});

test('unknown path is a JSON 404; wrong method is 405 with Allow', async () => {
  await expectError(assert, await fetch(`${s.url}/api/v1/nothing-here`), 404, 'not_found');
  const r = await fetch(`${s.url}${EP}`);
  await expectError(assert, r, 405, 'method_not_allowed');
  assert.equal(r.headers.get('allow'), 'POST');
  const r2 = await fetch(`${s.url}/api/v1/regions`, { method: 'DELETE' });
  await expectError(assert, r2, 405);
  assert.equal(r2.headers.get('allow'), 'GET, HEAD');
});

test('cross-site write (Origin differs from Host) is 403', async () => {
  const e = await expectError(assert, await post(JSON.stringify({ message: 'x' }), { origin: 'https://evil.example' }), 403, 'forbidden');
  assert.match(e.message, /cross-origin/);
  const same = await post(JSON.stringify({ message: 'x' }), { origin: s.url });
  assert.equal(same.status, 202);
  await same.text();
});

test('an overlong URL is 414', async () => {
  await expectError(assert, await fetch(`${s.url}/api/v1/regions/${'1'.repeat(5000)}`), 414, 'uri_too_long');
});

test('HEAD answers like GET without a body', async () => {
  const r = await fetch(`${s.url}/api/v1/about`, { method: 'HEAD' });
  assert.equal(r.status, 200);
  assert.equal((await r.text()).length, 0);
});

// ---- issue 8 case 15: framing a proxy could read differently, and the size of the head ----

// Sends raw bytes on one connection and collects every answer until the server closes it.
const exchange = (text, timeoutMs = 3000) => rawRequest(s.url, text, { timeoutMs });
const answers = (raw) => (raw.match(/HTTP\/1\.1 \d{3}/g) || []).length;
const HEAD = `POST ${EP} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n`;
const BODY = '{"message":"hello"}';
const SMUGGLED = 'GET /api/v1/about HTTP/1.1\r\nHost: x\r\n\r\n';

test('issue8 case 15: two Content-Length fields that disagree are 400 and the connection closes', async () => {
  const r = await exchange(`${HEAD}Content-Length: ${BODY.length}\r\nContent-Length: 5\r\n\r\n${BODY}${SMUGGLED}`);
  assert.equal(r.status, 400, r.raw);
  const e = JSON.parse(r.body.slice(0, r.body.indexOf('}]}}') + 4)).error;
  assert.deepEqual(e.details.map((d) => [d.field, d.code]), [['Content-Length', 'duplicate_header']]);
  assert.equal(r.headers.connection, 'close');
  assert.equal(answers(r.raw), 1, 'nothing after the head was read as a request');
  assert.doesNotMatch(s.log(), /message="hello"/);
});

test('issue8 case 15: the same Content-Length twice is refused too (decided: never guess)', async () => {
  const r = await exchange(`${HEAD}Content-Length: ${BODY.length}\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`);
  assert.equal(r.status, 400, r.raw);
  assert.match(r.body, /duplicate_header/);
});

test('issue8 case 15: Content-Length with Transfer-Encoding is 400; what follows is never a request', async () => {
  const r = await exchange(`${HEAD}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`);
  assert.equal(r.status, 400, r.raw);
  assert.match(r.body, /"field":"Transfer-Encoding","code":"conflicting_headers"/);
  assert.equal(answers(r.raw), 1);
  assert.equal(r.headers.connection, 'close');
});

test('issue8 case 15: a transfer coding other than chunked, a repeated one and whitespace before the colon are 400', async () => {
  for (const [head, code] of [
    ['Transfer-Encoding: gzip, chunked\r\n', 'unsupported_encoding'],
    ['Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n', 'duplicate_header'],
    [`Content-Length : ${BODY.length}\r\n`, 'bad_header'],
  ]) {
    const r = await exchange(`${HEAD}${head}\r\n${BODY}`);
    assert.equal(r.status, 400, `${head}: ${r.raw.slice(0, 200)}`);
    assert.match(r.body, new RegExp(`"code":"${code}"`));
  }
  // chunked alone is fine
  const ok = await exchange(`${HEAD}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n${BODY.length.toString(16)}\r\n${BODY}\r\n0\r\n\r\n`);
  assert.equal(ok.status, 202, ok.raw);
});

test('issue8 case 15: a request line of 16 KB is answered 414 at once, never a hang', async () => {
  for (const n of [9000, 15000, 15800, 16000, 16200, 17000, 40000]) {
    const t0 = Date.now();
    const r = await exchange(`GET /${'a'.repeat(n)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.equal(r.status, 414, `${n}: ${r.raw.slice(0, 100)}`);
    assert.ok(Date.now() - t0 < 1000, `${n}: answered in ${Date.now() - t0} ms`);
  }
  assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
});

test('issue8 case 15: the request head may be 8192 bytes (docs say the same); one more is 431', async () => {
  const head = (total) => {
    const start = 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Pad: ';
    return `${start}${'a'.repeat(total - start.length - 4)}\r\n\r\n`;
  };
  assert.equal(head(8192).length, 8192);
  assert.equal((await exchange(head(8192))).status, 200);
  const big = await exchange(head(8193));
  assert.equal(big.status, 431);
  assert.equal(JSON.parse(big.body).error.code, 'headers_too_large');
  // near and past the connection's memory (16 KiB) the answer still comes, as 431
  for (const n of [12000, 15500, 15900, 16100, 16300, 20000, 70000]) {
    const r = await exchange(head(n));
    assert.equal(r.status, 431, `${n}: ${r.raw.slice(0, 100)}`);
  }
  // many small fields or cookies are held to the same memory
  const many = `GET /healthz HTTP/1.1\r\nHost: x\r\n${'X-A: b\r\n'.repeat(101)}\r\n`;
  assert.equal((await exchange(many)).status, 431);
  const cookies = `GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: ${Array.from({ length: 700 }, (_, i) => `c${i}=1`).join('; ')}\r\n\r\n`;
  assert.equal((await exchange(cookies)).status, 431);
  assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
  const sec = readFileSync(join(ROOT, 'docs/security.md'), 'utf8');
  assert.match(sec, /request head of at most 8 KiB \(8,192 bytes\)/);
});
