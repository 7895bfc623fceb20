// docs.test.mjs - the documents stay true: the committed OpenAPI is what the route table
// produces, the server serves the same paths, and every setting is in docs/operations.md.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, kexie, json, ROOT } from './lib.mjs';

let s;
before(async () => { s = await startServer({ seed: false }); });
after(async () => { await s.stop(); });

test('docs/openapi.json is exactly `kexie openapi` (regenerate it when routes change)', () => {
  const generated = kexie(['openapi']).stdout;
  const committed = readFileSync(join(ROOT, 'docs/openapi.json'), 'utf8');
  assert.equal(committed, generated, 'run: build/kexie openapi > docs/openapi.json');
});

test('GET /api/v1/openapi.json documents every route in the table', async () => {
  const doc = await json(await fetch(`${s.url}/api/v1/openapi.json`));
  assert.equal(doc.openapi, '3.1.0');
  const routes = kexie(['routes']).stdout.trim().split('\n').map((l) => l.split(/\s+/).slice(0, 2));
  assert.ok(routes.length >= 5);
  for (const [method, pattern] of routes) {
    const path = pattern.replace(/\{(\w+):\w+\}/g, '{$1}');
    assert.ok(doc.paths[path]?.[method.toLowerCase()], `${method} ${path} documented`);
  }
  const ops = Object.values(doc.paths).reduce((n, p) => n + Object.keys(p).length, 0);
  assert.equal(ops, routes.length, 'no documented route the server lacks');
});

test('every setting is documented in docs/operations.md', () => {
  const ops = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
  const help = kexie(['help', 'config']).stdout;
  const flags = [...help.matchAll(/^\s+(--[a-z-]+)\s+(KEXIE_[A-Z_]+)/gm)];
  assert.ok(flags.length >= 9);
  for (const [, flag, env] of flags) {
    assert.ok(ops.includes(flag), `${flag} in docs/operations.md`);
    assert.ok(ops.includes(env), `${env} in docs/operations.md`);
  }
});
