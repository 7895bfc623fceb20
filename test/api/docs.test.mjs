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

test('issue 9 item 4: each operation has its real success status, a reply schema and an operationId in words', async () => {
  const doc = JSON.parse(kexie(['openapi']).stdout);
  const routes = JSON.parse(kexie(['routes', '--json']).stdout);
  const seen = new Set();
  let bodies = 0;
  for (const rt of routes) {
    const op = doc.paths[rt.pattern.replace(/\{(\w+):\w+\}/g, '{$1}')][rt.method.toLowerCase()];
    assert.ok(op.summary, `${rt.pattern}: summary`);
    assert.match(op.operationId, /^[a-z][A-Za-z]+$/, `${rt.pattern}: ${op.operationId}`);
    assert.ok(!seen.has(op.operationId), `operationId ${op.operationId} twice`);
    seen.add(op.operationId);
    const ok = op.responses[String(rt.status)];
    assert.ok(ok, `${rt.method} ${rt.pattern}: documents ${rt.status}`);
    assert.deepEqual(Object.keys(op.responses).sort(), [String(rt.status), 'default'].sort());
    if (rt.status === 204) { assert.equal(ok.content, undefined); continue; }
    const schema = ok.content['application/json']?.schema || ok.content['text/plain']?.schema;
    assert.ok(schema, `${rt.pattern}: reply schema`);
    const ref = schema.$ref || schema.properties?.items?.items?.$ref;
    if (ref) {
      const target = doc.components.schemas[ref.split('/').at(-1)];
      assert.ok(target, `${rt.pattern}: ${ref} resolves`);
      bodies++;
    }
    assert.ok(Array.isArray(op['x-object']) && (op['x-object'].length || op['x-object-why']), `${rt.pattern}: x-object`);
  }
  assert.ok(bodies > 30);
  // a few that used to read "200, {}"
  const o = (m, p) => doc.paths[p][m];
  assert.equal(o('get', '/api/v1/orgs/{id}').operationId, 'getOrg');
  assert.equal(o('get', '/api/v1/orgs/{id}/children').operationId, 'listOrgChildren');
  assert.ok(o('post', '/api/v1/orgs').responses['201']);
  assert.ok(o('delete', '/api/v1/session').responses['204']);
  assert.ok(o('post', '/api/v1/client-errors').responses['202']);
  assert.equal(o('get', '/api/v1/orgs/{id}').responses['200'].content['application/json'].schema.$ref, '#/components/schemas/org');
  assert.ok(doc.components.schemas.org.properties.parent_id);
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
