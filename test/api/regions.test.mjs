// regions.test.mjs - the reference-data slice: lookups, pinyin order, allow-listed sort.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, json, expectError } from './lib.mjs';

let s;
before(async () => { s = await startServer(); });
after(async () => { await s.stop(); });

test('one region by code', async () => {
  const r = await fetch(`${s.url}/api/v1/regions/440100`);
  assert.equal(r.status, 200);
  assert.deepEqual(await json(r), { code: '440100', name: '广州市', parent_code: '440000', level: 2 });
});

test('unknown or malformed codes are 404', async () => {
  await expectError(assert, await fetch(`${s.url}/api/v1/regions/123456`), 404, 'not_found');
  await expectError(assert, await fetch(`${s.url}/api/v1/regions/abc'--`), 404, 'not_found');
});

// The same expected list on both databases proves SQLite (ICU collation registered per
// connection) and PostgreSQL (ICU collation zh-u-co-pinyin) sort names identically.
const PINYIN = ['安徽省', '北京市', '重庆市', '广东省', '湖南省', '江苏省', '上海市', '四川省', '浙江省'];

test('top level sorted by pinyin, both directions', async () => {
  const up = await json(await fetch(`${s.url}/api/v1/regions?sort=name`));
  assert.deepEqual(up.items.map((x) => x.name), PINYIN);
  assert.equal(up.count, PINYIN.length);
  const down = await json(await fetch(`${s.url}/api/v1/regions?sort=-name`));
  assert.deepEqual(down.items.map((x) => x.name), [...PINYIN].reverse());
});

test('children in code order by default, limit respected', async () => {
  const b = await json(await fetch(`${s.url}/api/v1/regions?parent=110000`));
  assert.deepEqual(b.items.map((x) => x.code), ['110101', '110105', '110108']);
  const one = await json(await fetch(`${s.url}/api/v1/regions?parent=110000&limit=1`));
  assert.equal(one.items.length, 1);
});

test('sort comes only from the allow-list', async () => {
  const e = await expectError(assert, await fetch(`${s.url}/api/v1/regions?sort=name;DROP%20TABLE%20region`), 400, 'invalid');
  assert.equal(e.details[0].field, 'sort');
  const still = await json(await fetch(`${s.url}/api/v1/regions?sort=code`));
  assert.equal(still.count, PINYIN.length, 'table still there');
});

test('query parameters are checked: unknown, duplicate, out of range, unknown parent', async () => {
  let e = await expectError(assert, await fetch(`${s.url}/api/v1/regions?bogus=1`), 400);
  assert.equal(e.details[0].field, 'bogus');
  assert.equal(e.details[0].code, 'unknown_parameter');
  e = await expectError(assert, await fetch(`${s.url}/api/v1/regions?sort=name&sort=code`), 400);
  assert.equal(e.details[0].code, 'duplicate_parameter');
  e = await expectError(assert, await fetch(`${s.url}/api/v1/regions?limit=100000`), 400);
  assert.equal(e.details[0].field, 'limit');
  e = await expectError(assert, await fetch(`${s.url}/api/v1/regions?limit=1.5`), 400);
  assert.equal(e.details[0].code, 'not_integer');
  e = await expectError(assert, await fetch(`${s.url}/api/v1/regions?parent=990099`), 404);
  assert.equal(e.details[0].field, 'parent');
});
