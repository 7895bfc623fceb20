// replica.test.mjs - --db-read: read-only requests go to a streaming standby, and fall back
// to the primary when the standby cannot be reached. On SQLite the flag is refused, since
// SQLite readers already have their own connections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, kexie, json, DBKIND, ROOT } from './lib.mjs';

const PGT = join(ROOT, 'scripts/pg-throwaway');
const pgt = (...args) => execFileSync(PGT, args, { encoding: 'utf8' }).trim();

if (DBKIND === 'sqlite') {
  test('--db-read is refused on SQLite with a clear message', () => {
    const d = mkdtempSync(join(tmpdir(), 'kexie-rep-'));
    const r = kexie(['migrate', '--db-read', 'postgresql://x@127.0.0.1/y'], { KEXIE_DB: `sqlite:${join(d, 'a.db')}`, KEXIE_DATA_DIR: join(d, 'var') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--db-read is for PostgreSQL replicas/);
    rmSync(d, { recursive: true, force: true });
  });
} else {
  test('reads are served by the streaming standby, even with the primary down', async () => {
    const d = mkdtempSync(join(tmpdir(), 'kexie-rep-'));
    const primary = pgt('start', join(d, 'p'));
    let s;
    try {
      const env = { KEXIE_DB: primary };
      // schema and data go in through the primary, then the standby is cloned from it
      assert.equal(kexie(['migrate'], { ...env, KEXIE_DATA_DIR: join(d, 'var') }).code, 0);
      assert.equal(kexie(['seed', '--demo'], { ...env, KEXIE_DATA_DIR: join(d, 'var') }).code, 0);
      const standby = pgt('standby', primary, join(d, 's'));
      assert.equal(execFileSync('psql', [standby, '-qAtc', 'select pg_is_in_recovery()'], { encoding: 'utf8' }).trim(), 't');
      s = await startServer({ dir: join(d, 'srv'), migrate: false, seed: false, extraArgs: ['--db-read', standby], env });
      const about = await json(await fetch(`${s.url}/api/v1/about`));
      assert.equal(about.read_replica, true);
      assert.equal((await fetch(`${s.url}/api/v1/regions/110000`)).status, 200);
      // take the primary away: read-only requests keep working, so they come from the standby
      pgt('stop', join(d, 'p'));
      const r = await fetch(`${s.url}/api/v1/regions?sort=name`);
      assert.equal(r.status, 200);
      assert.equal((await json(r)).items[0].name, '安徽省');
      assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
    } finally {
      await s?.stop().catch(() => {});
      try { pgt('stop', join(d, 's')); } catch { /* already gone */ }
      try { pgt('stop', join(d, 'p')); } catch { /* already gone */ }
      rmSync(d, { recursive: true, force: true });
    }
  });

  test('an unreachable replica falls back to the primary', async () => {
    const s = await startServer({ extraArgs: ['--db-read', 'postgresql://postgres@127.0.0.1:1/none?connect_timeout=2'] });
    const r = await fetch(`${s.url}/api/v1/regions/110000`);
    assert.equal(r.status, 200);
    assert.equal((await json(r)).name, '北京市');
    await s.stop();
  });
}
