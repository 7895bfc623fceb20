// cli.test.mjs - the binary as an operator meets it: command table, configuration
// precedence, the key file, schema guards, migrations and a clean stop on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, chmodSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kexie, startServer, freshDb, sql } from './lib.mjs';

const tmp = () => mkdtempSync(join(tmpdir(), 'kexie-cli-'));

test('unknown command and bad flag print usage and exit 2', () => {
  let r = kexie(['frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command 'frobnicate'/);
  assert.match(r.stderr, /usage: kexie COMMAND/);
  r = kexie(['serve', '--no-such-flag']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown flag '--no-such-flag'/);
  r = kexie(['serve', '--threads', 'many']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /threads must be a whole number/);
});

test('version and help come from the command table', () => {
  assert.match(kexie(['version']).stdout, /^kexie \d+\.\d+\.\d+/);
  const h = kexie(['help']).stdout;
  for (const c of ['serve', 'migrate', 'seed', 'version', 'help']) assert.match(h, new RegExp(`\\n  ${c} `));
  assert.match(kexie(['help', 'serve']).stdout, /--db-read\s+KEXIE_DB_READ/);
  assert.equal(kexie(['help', 'nope']).code, 2);
});

test('an unknown INI key is an error naming file and line', () => {
  const d = tmp();
  const f = join(d, 'kexie.ini');
  writeFileSync(f, '[kexie]\nlisten = 127.0.0.1:0\n\n# comment\nlistne = oops\n');
  const r = kexie(['migrate', '--config', f, '--data-dir', join(d, 'var'), '--db', `sqlite:${join(d, 'x.db')}`]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`${f.replace(/[.]/g, '\\.')}:5: unknown setting 'listne'`));
  rmSync(d, { recursive: true, force: true });
});

test('flags beat environment beat the INI file', async () => {
  const d = tmp();
  const f = join(d, 'kexie.ini');
  writeFileSync(f, 'listen = from-ini\n');
  const env = { KEXIE_DB: `sqlite:${join(d, 'p.db')}`, KEXIE_DATA_DIR: join(d, 'var'), KEXIE_CONFIG: f };
  assert.equal(kexie(['migrate'], env).code, 0);
  let r = kexie(['serve'], env);
  assert.match(r.stderr, /bad listen address from-ini/, 'INI value used when nothing else is set');
  r = kexie(['serve'], { ...env, KEXIE_LISTEN: 'from-env' });
  assert.match(r.stderr, /bad listen address from-env/, 'environment beats INI');
  const s = await startServer({ dir: d, migrate: false, seed: false, env: { ...env, KEXIE_LISTEN: 'from-env' } });
  assert.equal((await fetch(`${s.url}/healthz`)).status, 200, 'flag beats both');
  await s.stop();
});

test('the key file is created 0600 and a readable one is refused', async () => {
  const d = tmp();
  const env = { KEXIE_DB: `sqlite:${join(d, 'k.db')}`, KEXIE_DATA_DIR: join(d, 'var') };
  assert.equal(kexie(['migrate'], env).code, 0);
  const key = join(d, 'var', 'kexie.key');
  assert.equal(statSync(key).mode & 0o777, 0o600);
  assert.equal(statSync(key).size, 32);
  chmodSync(key, 0o644);
  const r = kexie(['serve', '--listen', '127.0.0.1:0'], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /readable by other users.*chmod 600/);
  rmSync(d, { recursive: true, force: true });
});

test('migrate is idempotent and the server refuses a schema that is behind or altered', async () => {
  const d = tmp();
  const db = freshDb(d);
  const env = { KEXIE_DB: db, KEXIE_DATA_DIR: join(d, 'var') };
  // behind: no migrations yet
  let r = kexie(['serve', '--listen', '127.0.0.1:0'], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /schema is behind .*run `kexie migrate`/);
  r = kexie(['migrate'], env);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /migrate: [1-9]\d* applied/);
  r = kexie(['migrate'], env);
  assert.match(r.stdout, /migrate: 0 applied/);
  assert.match(kexie(['migrate', '--status'], env).stdout, /(\d+) of \1 migrations applied/);
  // altered: an applied migration's checksum no longer matches
  sql(db, "UPDATE schema_migrations SET checksum = 'x' WHERE version = 2");
  r = kexie(['serve', '--listen', '127.0.0.1:0'], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /0002_region was changed after it was applied/);
  assert.equal(kexie(['migrate'], env).code, 1, 'migrate cannot fix an altered history');
  rmSync(d, { recursive: true, force: true });
});

test('seed --demo twice adds nothing the second time', () => {
  const d = tmp();
  const env = { KEXIE_DB: freshDb(d), KEXIE_DATA_DIR: join(d, 'var') };
  kexie(['migrate'], env);
  const first = kexie(['seed', '--demo'], env).stdout;
  assert.match(first, /demo regions: [1-9]\d* new/);
  const pw = /login admin with password (\S+) \(also in (\S+)\)/.exec(first);
  assert.ok(pw, first);
  assert.equal(statSync(pw[2]).mode & 0o777, 0o600);
  const second = kexie(['seed', '--demo'], env).stdout;
  assert.match(second, /demo regions: 0 new/);
  assert.doesNotMatch(second, /password/, 'the password is printed once');
  rmSync(d, { recursive: true, force: true });
});

test('SIGTERM stops cleanly: exit 0, database closed', async () => {
  const s = await startServer();
  assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
  const log = s.log;
  const r = await s.stop();
  assert.equal(r.code, 0);
  assert.match(log(), /received SIGTERM: finishing in-flight requests/);
  assert.match(log(), /stopped cleanly/);
});

test('a database that cannot be reached is a clear error, not a crash', () => {
  const d = tmp();
  const r = kexie(['migrate'], { KEXIE_DB: 'postgresql://nobody@127.0.0.1:1/none', KEXIE_DATA_DIR: join(d, 'var') });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot connect to PostgreSQL/);
  const r2 = kexie(['migrate'], { KEXIE_DB: 'mysql://x', KEXIE_DATA_DIR: join(d, 'var') });
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /unknown database URL/);
  rmSync(d, { recursive: true, force: true });
});

test('audit verify: ok for an intact trail, names the first tampered record', () => {
  const d = tmp();
  const db = freshDb(d);
  const env = { KEXIE_DB: db, KEXIE_DATA_DIR: join(d, 'var') };
  kexie(['migrate'], env);
  kexie(['seed', '--demo'], env);
  kexie(['seed', '--regions', '50'], env);
  let r = kexie(['audit', 'verify'], env);
  assert.equal(r.code, 0);
  const total = Number(/^ok (\d+) records$/.exec(r.stdout.trim())[1]);
  assert.equal(total, Number(sql(db, 'SELECT count(*) FROM audit_log').trim()));
  assert.ok(total > 2);
  // the import and its audit record went in together
  assert.equal(sql(db, "SELECT action || ' ' || detail FROM audit_log WHERE seq = 1").trim(), 'region.import {"inserted":18}');
  sql(db, `UPDATE audit_log SET detail = '{"inserted":1}' WHERE seq = 1`);
  r = kexie(['audit', 'verify'], env);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /broken at record 1: record 1 was altered/);
  sql(db, `UPDATE audit_log SET detail = '{"inserted":18}' WHERE seq = 1`);
  assert.equal(kexie(['audit', 'verify'], env).code, 0);
  sql(db, `DELETE FROM audit_log WHERE seq = ${total}`);
  r = kexie(['audit', 'verify'], env);
  assert.equal(r.code, 1);
  assert.match(r.stdout, new RegExp(`broken at record ${total}: .*records were removed`));
  sql(db, 'DELETE FROM audit_log WHERE seq = 2');
  r = kexie(['audit', 'verify'], env);
  assert.match(r.stdout, /broken at record 2: record 2 is missing/);
  assert.equal(kexie(['audit']).code, 2, 'a subcommand is required');
  rmSync(d, { recursive: true, force: true });
});

test('org tree, dated move with as-of views, cycle and close rules (same rules on both databases)', () => {
  const d = tmp();
  const db = freshDb(d);
  const env = { KEXIE_DB: db, KEXIE_DATA_DIR: join(d, 'var') };
  kexie(['migrate'], env);
  assert.match(kexie(['seed', '--demo'], env).stdout, /demo organizations: 66 new/);
  let r = kexie(['org', 'tree', '--under', 'DC-C1'], env);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^DC-C1  临江市科学技术协会  \[city\/association\]\n  DC-C1-K1  /);
  // under its own descendant: refused, nothing changed
  r = kexie(['org', 'move', 'DC-C1', '--to', 'DC-C1-K1-T1', '--on', '2024-06-01'], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /parent_id cycle/);
  r = kexie(['org', 'move', 'DC-C1-K1', '--to', 'XL-C1', '--on', '2024-06-01'], env);
  assert.equal(r.code, 0, r.stderr);
  const before = kexie(['org', 'tree', '--under', 'XL-C1', '--as-of', '2024-05-31'], env).stdout;
  const after = kexie(['org', 'tree', '--under', 'XL-C1', '--as-of', '2024-06-01'], env).stdout;
  assert.doesNotMatch(before, /DC-C1-K1/);
  assert.match(after, /\n  DC-C1-K1  安平县科学技术协会[^\n]*\n    DC-C1-K1-ENT/);
  // closing with open children needs --branch
  r = kexie(['org', 'close', 'XL-C1', '--on', '2025-01-01'], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /branch open_children: \d+ organizations below are still open/);
  r = kexie(['org', 'close', 'XL-C1', '--on', '2025-01-01', '--branch'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /closed 1\d organizations/);
  assert.doesNotMatch(kexie(['org', 'tree', '--under', 'XL'], env).stdout, /XL-C1/);
  assert.match(kexie(['org', 'tree', '--under', 'XL', '--include-closed'], env).stdout, /XL-C1 .* closed 2025-01-01/);
  assert.match(kexie(['org', 'tree', '--under', 'XL', '--as-of', '2024-12-31'], env).stdout, /XL-C1 /);
  // every write is in the chain
  assert.match(kexie(['audit', 'verify'], env).stdout, /^ok \d+ records/);
  assert.equal(kexie(['org', 'tree', '--as-of', '2024-13-01'], env).code, 1);
  rmSync(d, { recursive: true, force: true });
});
