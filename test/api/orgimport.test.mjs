// orgimport.test.mjs - `kexie org import FILE.csv|xlsx`: the report shape, Chinese and
// English headers, UTF-8 with BOM, GBK, RFC 4180 quoting, XLSX (shared strings, Excel
// date serials, blank rows), parents later in the file, bad rows reported and skipped,
// a second run all unchanged, --dry-run writing nothing, and hostile files refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { startServer, sql, kexie, json, userWithToken, BIN, DBKIND } from './lib.mjs';
import { makeXlsx, makeZipBomb } from './xlsx.mjs';

let s, tok;
before(async () => {
  s = await startServer();
  tok = userWithToken(s.env, 'imp.sys', 'system_admin', 'CAST');
});
after(async () => { await s.stop(); });

const file = (name, data) => { const p = join(s.dir, name); writeFileSync(p, data); return p; };
const run = (path, extra = []) => {
  const r = kexie(['org', 'import', path, ...extra], s.env);
  return { code: r.code, report: r.stdout.trim() ? JSON.parse(r.stdout) : null, stderr: r.stderr };
};
const orgCount = () => Number(sql(s.db, 'SELECT count(*) FROM org').trim());

const HEAD_ZH = '代码,名称,层级,类型,上级代码,行政区划代码,统一社会信用代码,成立日期';
const GOOD_ROWS = [
  'IM-C1,"东川省测试市科协, 第一",市级,科协,DC,110100,,2015年3月1日',
  'IM-C1-K1,测试县科协,county,association,IM-C1,,,2015/3/2',
  'IM-C2-K1,"乙县""科协""",县级,科协,IM-C2,,,20150303', // its parent comes on the next row
  'IM-C2,乙市科协,市级,学会,DC,,51110105MJ0001234M,2015-03-01',
];

test('CSV with a BOM and Chinese headers: inserted, parents later in the file first, quotes kept; a second run is all unchanged', async () => {
  const csv = '\ufeff' + [HEAD_ZH, ...GOOD_ROWS].join('\r\n') + '\r\n';
  const p = file('good.csv', csv);
  const before = orgCount();
  let r = run(p);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.report, { rows: 4, inserted: 4, updated: 0, unchanged: 0, rejected: 0, errors: [] });
  assert.equal(orgCount(), before + 4);
  const row = sql(s.db, "SELECT o.name || '|' || o.opened_on || '|' || p.code FROM org o JOIN org_parent op ON op.org_id = o.id AND op.valid_to IS NULL JOIN org p ON p.id = op.parent_id WHERE o.code = 'IM-C2-K1'").trim();
  assert.equal(row, '乙县"科协"|2015-03-03|IM-C2');
  assert.equal(sql(s.db, "SELECT name FROM org WHERE code = 'IM-C1'").trim(), '东川省测试市科协, 第一');
  r = run(p);
  assert.equal(r.code, 0);
  assert.deepEqual(r.report, { rows: 4, inserted: 0, updated: 0, unchanged: 4, rejected: 0, errors: [] });
  // the subtree counts followed the import
  const c = await json(await fetch(`${s.url}/api/v1/orgs/${sql(s.db, "SELECT id FROM org WHERE code = 'IM-C2'").trim()}/counts`, { headers: { authorization: `Bearer ${tok}` } }));
  assert.equal(c.total, 2);
  assert.equal(c.by_type.society, 1);
  assert.equal(c.by_type.association, 1);
});

test('changed rows are updated and moved; the audit trail has each change', () => {
  const csv = [HEAD_ZH, 'IM-C1-K1,测试县科协（新名）,county,association,IM-C2,,,2015/3/2', ...GOOD_ROWS.filter((l) => !l.startsWith('IM-C1-K1'))].join('\n');
  const r = run(file('change.csv', csv));
  assert.equal(r.code, 0, JSON.stringify(r.report));
  assert.equal(r.report.updated, 1);
  assert.equal(r.report.unchanged, 3);
  const id = sql(s.db, "SELECT id FROM org WHERE code = 'IM-C1-K1'").trim();
  assert.equal(sql(s.db, `SELECT p.code FROM org_parent op JOIN org p ON p.id = op.parent_id WHERE op.org_id = ${id} AND op.valid_to IS NULL`).trim(), 'IM-C2');
  const actions = sql(s.db, `SELECT action FROM audit_log WHERE object_id = '${id}' ORDER BY seq`).trim().split('\n');
  assert.deepEqual(actions, ['org.create', 'org.update', 'org.move']);
  assert.match(kexie(['audit', 'verify'], s.env).stdout, /^ok \d+ records/);
});

test('bad rows are reported by row and column and skipped; the good ones go in', () => {
  const csv = [
    'code,name,level,type,parent_code,region_code,credit_code,opened_on,note',
    'IM-OK,好,city,association,DC,,,,', // row 2
    'IM-LV,坏,galactic,association,DC,,,,', // row 3: level
    'IM-CR,坏,city,association,DC,,91350100M000100Y6X,,', // row 4: credit check character
    'IM-NP,坏,city,association,NOPE,,,,', // row 5: parent unknown
    'IM-OK,重复,city,association,DC,,,,', // row 6: duplicate code
    'IM-DT,坏,city,association,DC,,,2015-02-30,', // row 7: impossible date
    'IM-CH,子,county,association,IM-LV,,,,', // row 8: its parent was rejected
    'bad code!,坏,city,association,DC,,,,', // row 9: code format
  ].join('\n');
  const before = orgCount();
  const r = run(file('bad.csv', csv));
  assert.equal(r.code, 1);
  assert.equal(r.report.rows, 8);
  assert.equal(r.report.inserted, 1);
  assert.equal(r.report.rejected, 7);
  const got = r.report.errors.map((e) => `${e.row} ${e.column} ${e.code}`);
  assert.deepEqual(got, [
    '1 note column_ignored', '3 level not_allowed', '4 credit_code credit_code_checksum', '5 parent_code not_found',
    '6 code duplicate_code', '7 opened_on invalid_date', '8 parent_code parent_rejected', '9 code invalid_code',
  ]);
  for (const e of r.report.errors) assert.ok(e.message.length > 5);
  assert.equal(orgCount(), before + 1);
});

test('GBK (GB18030) CSV is detected and decoded; an undecodable cell rejects only its row', () => {
  const text = [HEAD_ZH, 'IM-GB1,国标编码测试科协,市级,科协,DC,,,2016-01-01', 'IM-GB2,第二个,市级,科协,DC,,,2016-01-01'].join('\r\n') + '\r\n';
  const gbk = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: text });
  assert.notDeepEqual(gbk, Buffer.from(text)); // really not UTF-8
  let r = run(file('gbk.csv', gbk));
  assert.equal(r.code, 0, JSON.stringify(r.report));
  assert.equal(r.report.inserted, 2);
  assert.equal(sql(s.db, "SELECT name FROM org WHERE code = 'IM-GB1'").trim(), '国标编码测试科协');
  // \x80 alone is not a GB18030 character: that row is refused, never stored as mojibake
  const broken = Buffer.concat([gbk, Buffer.from('IM-GB3,\x80\x80,city,association,DC,,,,\r\n', 'latin1')]);
  r = run(file('gbk-bad.csv', broken));
  assert.equal(r.report.unchanged, 2);
  assert.equal(r.report.rejected, 1);
  assert.equal(r.report.errors[0].code, 'encoding');
  assert.equal(r.report.errors[0].row, 4);
});

test('XLSX: shared strings, Excel date serials, blank rows keep their numbers', () => {
  const x = makeXlsx([
    ['代码', '名称', '层级', '类型', '上级代码', '成立日期'],
    ['IM-X1', '表格导入科协', '市级', '科协', 'DC', 42370], // 2016-01-01 as a serial
    ['IM-X2', '表格导入学会', '市级', '学会', 'DC', '2016/2/1'],
    ['IM-X3', '坏层级', '星系级', '科协', 'DC', ''],
  ], { rowNumbers: [1, 2, 4, 7] });
  const r = run(file('orgs.xlsx', x));
  assert.equal(r.report.inserted, 2);
  assert.deepEqual(r.report.errors.map((e) => `${e.row} ${e.code}`), ['7 not_allowed']);
  assert.equal(sql(s.db, "SELECT opened_on FROM org WHERE code = 'IM-X1'").trim(), '2016-01-01');
  assert.equal(sql(s.db, "SELECT opened_on FROM org WHERE code = 'IM-X2'").trim(), '2016-02-01');
});

test('--dry-run reports the same and writes nothing', () => {
  const csv = [HEAD_ZH, 'IM-DRY,演练,市级,科协,DC,,,2016-01-01'].join('\n');
  const before = orgCount();
  const seq = sql(s.db, 'SELECT seq FROM audit_head').trim();
  const r = run(file('dry.csv', csv), ['--dry-run']);
  assert.equal(r.report.inserted, 1);
  assert.equal(r.report.dry_run, true);
  assert.equal(orgCount(), before);
  assert.equal(sql(s.db, 'SELECT seq FROM audit_head').trim(), seq);
});

test('hostile or wrong files are refused with a reason and nothing written', () => {
  const before = orgCount();
  const cases = [
    ['empty.csv', Buffer.alloc(0), /empty/],
    ['nohead.csv', 'name,level\nX,city\n', null], // missing required columns: report, exit 1
    ['bomb.xlsx', makeZipBomb(80), /too large/],
    ['binary.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0, 1, 2]), /not a CSV or XLSX/],
    ['damaged.xlsx', Buffer.from('PK\x03\x04garbage'), /XLSX/],
  ];
  for (const [name, data, why] of cases) {
    const r = run(file(name, data));
    assert.equal(r.code, 1, name);
    if (why) assert.match(r.stderr, why, name);
    else assert.deepEqual(r.report.errors.map((e) => e.code), ['missing_column', 'missing_column']);
  }
  assert.equal(orgCount(), before);
  assert.equal(kexie(['org', 'import'], s.env).code, 2, 'a file is required');
});

// ---- the import as a job (issue 10 item 5): resumable, and never in other writers' way ----

const manyRows = (prefix, n, parent = 'DC') => {
  const out = ['代码,名称,层级,类型,上级代码,成立日期'];
  for (let i = 1; i <= n; i++) out.push(`${prefix}-${i},批量${i},基层,企业,${parent},2020-01-01`);
  return out.join('\n') + '\n';
};

test('issue10 item5: kill -9 of kexie org import in the middle; running it again resumes from the checkpoint, every row once', async () => {
  const p = file('resume.csv', manyRows('RS', 300));
  const env = { ...s.env, KEXIE_JOB_PAUSE_MS: '80', KEXIE_IMPORT_BATCH_ROWS: '20' };
  const child = spawn(BIN, ['org', 'import', p], { env: { ...process.env, ...env }, stdio: 'ignore' });
  const exited = new Promise((res) => child.on('exit', res));
  const t0 = Date.now();
  for (;;) {
    const done = Number(sql(s.db, "SELECT coalesce(max(rows_done), 0) FROM job WHERE origin = 'cli' AND state = 'running'").trim() || 0);
    if (done >= 60) break;
    if (Date.now() - t0 > 20000) throw new Error('the import did not get going');
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  await exited;
  const kept = Number(sql(s.db, "SELECT count(*) FROM org WHERE code LIKE 'RS-%'").trim());
  assert.ok(kept >= 60 && kept < 300, `kept ${kept}`);
  const again = kexie(['org', 'import', p], env);
  assert.equal(again.code, 0, again.stderr);
  // the same job went on (one job for the file, a second attempt), not a new import
  assert.equal(sql(s.db, "SELECT count(*) || '|' || max(attempts) FROM job WHERE origin = 'cli' AND input_name = 'resume.csv'").trim(), '1|2');
  assert.deepEqual(JSON.parse(again.stdout), { rows: 300, inserted: 300, updated: 0, unchanged: 0, rejected: 0, errors: [] });
  assert.equal(Number(sql(s.db, "SELECT count(DISTINCT code) FROM org WHERE code LIKE 'RS-%'").trim()), 300);
  assert.equal(sql(s.db, "SELECT count(*) FROM audit_log WHERE action = 'org.create' AND detail LIKE '%\"RS-%'").trim(), '300');
  if (DBKIND === 'sqlite') assert.equal(sql(s.db, 'PRAGMA integrity_check').trim(), 'ok');
  assert.match(kexie(['audit', 'verify'], s.env).stdout, /^ok \d+ records/);
  // a third run: nothing left to resume, every row unchanged
  assert.deepEqual(JSON.parse(kexie(['org', 'import', p], env).stdout).unchanged, 300);
});

test('issue10 item5: while kexie org import runs, a POST /api/v1/orgs is not held up (was 24 s)', async () => {
  const p = file('busy.csv', manyRows('BZ', 6000));
  const child = spawn(BIN, ['org', 'import', p], { env: { ...process.env, ...s.env, KEXIE_IMPORT_BATCH_ROWS: '500' }, stdio: 'ignore' });
  const exited = new Promise((res) => child.on('exit', res));
  let running = true;
  exited.then(() => { running = false; });
  const dc = Number(sql(s.db, "SELECT id FROM org WHERE code = 'DC'").trim());
  // A write that finds no room within its budget is answered 503 + Retry-After (bounded,
  // never a worker held in retries) and written nothing; on a loaded 2-core machine (two
  // suites at once) that can happen, so such a write is retried as a client is told to.
  // bench/import measures the waits on a quiet machine; here each answer that needed no
  // retry keeps a loose bound (none under the slower sanitizer build).
  const SANITIZED = /asan/.test(BIN);
  const retried = new Set();
  const waits = [];
  for (let i = 0; running || i < 3; i++) {
    const t = performance.now();
    const body = JSON.stringify({ code: `BZW-${i}`, name: `写入${i}`, level: 'grassroots', type: 'other', parent_id: dc });
    const post = () => fetch(`${s.url}/api/v1/orgs`, { method: 'POST', headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' }, body });
    let r = await post();
    for (let tries = 0; r.status === 503 && tries < 5; tries++) {
      retried.add(i);
      assert.ok(Number(r.headers.get('retry-after')) >= 1, 'a 503 says when to try again');
      await r.text();
      await new Promise((res) => setTimeout(res, 200));
      r = await post();
    }
    assert.equal(r.status, 201, await r.text());
    waits.push(performance.now() - t);
    await new Promise((res) => setTimeout(res, 20));
  }
  // on a loaded machine a batch may find no room within the write budget: the command then
  // stops with exit 1 and says to run it again, which finishes the file (rows already in
  // are unchanged); the writes above are what this test is about
  const code = await exited;
  if (code !== 0) assert.equal(kexie(['org', 'import', p], s.env).code, 0, 'running the import again finishes it');
  assert.equal(Number(sql(s.db, "SELECT count(*) FROM org WHERE code LIKE 'BZ-%'").trim()), 6000);
  assert.equal(Number(sql(s.db, "SELECT count(*) FROM org WHERE code LIKE 'BZW-%'").trim()), waits.length, 'every write once');
  // a loaded shared machine: the bound here is loose; bench/import measures the real figure
  const first = waits.filter((_, i) => !retried.has(i));
  assert.ok(retried.size <= waits.length / 4, `${retried.size} of ${waits.length} writes needed a retry`);
  if (!SANITIZED) assert.ok(Math.max(...first) < 1500, `longest wait ${Math.max(...first).toFixed(0)} ms of ${first.length}`);
});
