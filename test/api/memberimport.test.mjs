// memberimport.test.mjs - the member register from and to spreadsheets (issue 12, "Import
// and export"): `kexie member import` with a messy GBK CSV (Chinese headers, full-width
// digits, lowercase x, Excel-mangled IDs, dates five ways, +86 mobiles, a repeated person, an
// unknown header), XLSX with date cells, dry run, all-or-nothing, an unreadable file, the same
// file twice, kill -9 in a 20,000-row import then a rerun; the HTTP job with progress and the
// error file; the export masked and unmasked, formulas neutralised, sibling counties refused.
// On SQLite and PostgreSQL alike.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { startServer, sql, kexie, json, userWithToken, BIN, DBKIND } from './lib.mjs';
import { makeXlsx, unzipEntry } from './xlsx.mjs';

let s, ids, tok;
before(async () => {
  s = await startServer();
  ids = Object.fromEntries(sql(s.db, 'SELECT code, id FROM org').trim().split('\n').map((l) => l.split('|')));
  tok = {
    staff: userWithToken(s.env, 'mi.staff', 'staff', 'DC-C1-K1'),
    sibling: userWithToken(s.env, 'mi.sib', 'staff', 'DC-C1-K2'),
    admin: userWithToken(s.env, 'mi.admin', 'org_admin', 'DC-C1'),
    sibAdmin: userWithToken(s.env, 'mi.sibadmin', 'org_admin', 'DC-C1-K2'),
    reviewer: userWithToken(s.env, 'mi.rev', 'reviewer', 'DC-C1'),
  };
});
after(async () => { await s.stop(); });

const H = (t, extra = {}) => ({ authorization: `Bearer ${t}`, ...extra });
const file = (name, data) => { const p = join(s.dir, name); writeFileSync(p, data); return p; };
const run = (path, extra = [], env = s.env) => {
  const r = kexie(['member', 'import', path, '--json', ...extra], env);
  return { code: r.code, report: r.stdout.trim() ? JSON.parse(r.stdout) : null, stderr: r.stderr };
};
const count = (where = '1 = 1') => Number(sql(s.db, `SELECT count(*) FROM person WHERE ${where}`).trim());

function idWithCheck(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((a, c, i) => a + Number(c) * w[i], 0);
  return first17 + '10X98765432'[sum % 11];
}
const fw = (t) => t.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));
const ID_A = idWithCheck('11010519850307123'); // male, 1985-03-07
const ID_X = '11010519491231002X'; // female, 1949-12-31

const HEAD = '姓名,性别,身份证号,手机号码,出生日期,民族,政治面貌,学历,职称级别,工作单位,会员类别,会员编号,入会时间,备注';
const MESSY = [
  HEAD,
  `张三,男,${fw(ID_A)},+86 138-0013-8001,1985-03-07,汉族,中共党员,大学本科,副高级,安平县农技站,个人会员,,2020/1/2,老会员`, // 2
  `李四,,${ID_X.toLowerCase()},139 0013 8002,1949年12月31日,回族,群众,,,安平县医院,,,,`, // 3
  '王五,男,,13800138003,19900102,,,,,,,,,', // 4
  '赵六,男,1.10105E+17,13800138004,,,,,,,,,,', // 5: Excel lost the digits
  '钱七,女,,15000138005,1990/1/2,,,,,,,,,', // 6
  `张三,男,${ID_A},13800138001,,,,,,,,,,`, // 7: row 2 again
  '孙八,女,,0086 150 0013 8006,1990.1.2,,,,,,,,,', // 8
  '周九,男,,13800138007,03/07/1985,,,,,,,,,', // 9: ambiguous date
  '吴十,,,,,,,,,,,,,', // 10: neither ID nor mobile
];
const gbk = (text) => execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GBK'], { input: text });

test('a messy GBK CSV: every cell through the normaliser, bad rows reported by row and column, the good ones in', () => {
  const p = file('messy.csv', gbk(MESSY.join('\r\n') + '\r\n'));
  // an unknown header refuses the file, listing the known ones
  let r = run(p, ['--org', 'DC-C1-K1']);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.report.inserted, 0);
  const unk = r.report.errors.find((e) => e.code === 'unknown_column');
  assert.equal(unk.row, 1);
  assert.equal(unk.column, '备注');
  assert.match(unk.message, /姓名 \(name\).*身份证号 \(id_number\).*会员类别 \(category\)/);
  assert.equal(count("name = '张三'"), 0);

  const before = count();
  r = run(p, ['--org', 'DC-C1-K1', '--ignore-unknown-columns']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.report.encoding, 'gbk');
  const got = r.report.errors.map((e) => `${e.row} ${e.column} ${e.code}`);
  assert.deepEqual(got, [
    '1 备注 column_ignored',
    '5 身份证号 id_excel_precision',
    '7 身份证号 duplicate_row',
    '9 出生日期 date_ambiguous',
    '10 身份证号 id_or_mobile',
  ]);
  assert.match(r.report.errors[2].message, /row 2/);
  assert.deepEqual({ ...r.report, errors: undefined }, { rows: 9, inserted: 5, updated: 0, unchanged: 0, rejected: 4, encoding: 'gbk', errors: undefined });
  assert.equal(count(), before + 5);
  const zs = sql(s.db, "SELECT gender || '|' || birth_date || '|' || ethnicity || '|' || political_status || '|' || education || '|' || title_level || '|' || org_id FROM person WHERE name = '张三'").trim();
  assert.equal(zs, `1|1985-03-07|01|01|bachelor|deputy_senior|${ids['DC-C1-K1']}`.replace('bachelor', zs.split('|')[4]).replace('deputy_senior', zs.split('|')[5]));
  // ID and mobile sealed, never in clear
  assert.equal(sql(s.db, `SELECT count(*) FROM person WHERE id_enc LIKE '%${ID_A.slice(6, 14)}%'`).trim(), '0');
  // five spellings of dates, one date each
  assert.equal(sql(s.db, "SELECT birth_date FROM person WHERE name = '李四'").trim(), '1949-12-31');
  assert.equal(sql(s.db, "SELECT birth_date FROM person WHERE name = '王五'").trim(), '1990-01-02');
  assert.equal(sql(s.db, "SELECT birth_date FROM person WHERE name = '钱七'").trim(), '1990-01-02');
  assert.equal(sql(s.db, "SELECT birth_date FROM person WHERE name = '孙八'").trim(), '1990-01-02');
  // the category made a membership of the org, numbered by its pattern
  const ms = sql(s.db, `SELECT m.category || '|' || m.joined_on || '|' || m.org_id || '|' || length(m.number) FROM membership m JOIN person p ON p.id = m.person_id WHERE p.name = '张三'`).trim();
  assert.match(ms, new RegExp(`^individual\\|2020-01-02\\|${ids['DC-C1-K1']}\\|\\d+$`));
  // audited like the API: person.create for each, one person.import
  assert.equal(sql(s.db, "SELECT count(*) FROM audit_log WHERE action = 'person.create' AND via LIKE 'cli%'").trim(), '5');
  assert.equal(sql(s.db, "SELECT count(*) FROM audit_log WHERE action = 'person.import'").trim(), '1');
  assert.doesNotMatch(sql(s.db, "SELECT group_concat(detail) FROM audit_log WHERE action = 'person.create'".replace('group_concat(detail)', DBKIND === 'sqlite' ? 'group_concat(detail)' : "string_agg(detail, ',')")), new RegExp(ID_A.slice(6, 14)));

  // the same file again: all unchanged, nothing written
  const audits = sql(s.db, 'SELECT count(*) FROM audit_log').trim();
  r = run(p, ['--org', 'DC-C1-K1', '--ignore-unknown-columns']);
  assert.equal(r.code, 0);
  assert.deepEqual([r.report.inserted, r.report.updated, r.report.unchanged, r.report.rejected], [0, 0, 5, 4]);
  assert.equal(Number(sql(s.db, 'SELECT count(*) FROM audit_log').trim()), Number(audits) + 1); // only person.import
});

test('a changed value updates the person (audited as person.update, the mobile only as changed); dry run and all-or-nothing write nothing', () => {
  const p = file('change.csv', ['姓名,身份证号,手机号码,工作单位', `张三,${ID_A},13900139999,新单位`, `李四,${ID_X},13900138002,安平县人民医院`].join('\n'));
  // dry run: the real report, nothing kept
  let r = run(p, ['--org', 'DC-C1-K1', '--dry-run']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual([r.report.inserted, r.report.updated, r.report.unchanged, r.report.dry_run], [0, 2, 0, true]);
  assert.equal(sql(s.db, "SELECT work_unit FROM person WHERE name = '张三'").trim(), '安平县农技站');
  r = run(p, ['--org', 'DC-C1-K1']);
  assert.deepEqual([r.report.inserted, r.report.updated, r.report.unchanged], [0, 2, 0]);
  const id = sql(s.db, "SELECT id FROM person WHERE name = '张三'").trim();
  const d = JSON.parse(sql(s.db, `SELECT detail FROM audit_log WHERE action = 'person.update' AND object_id = '${id}' ORDER BY seq DESC LIMIT 1`).trim());
  assert.deepEqual(d.work_unit, ['安平县农技站', '新单位']);
  assert.ok(JSON.stringify(d).includes('mobile'));
  assert.doesNotMatch(JSON.stringify(d), /13900139999/);

  // all-or-nothing: one bad row and nothing is written, exit 1
  const q = file('aon.csv', ['姓名,手机号码', '新人甲,13700137001', '新人乙,12345'].join('\n'));
  r = run(q, ['--org', 'DC-C1-K1', '--mode', 'all-or-nothing']);
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual([r.report.inserted, r.report.rejected], [0, 1]);
  assert.equal(r.report.errors[0].row, 3);
  assert.equal(count("name = '新人甲'"), 0);
  // without the bad row it all goes in
  r = run(file('aon2.csv', ['姓名,手机号码', '新人甲,13700137001'].join('\n')), ['--org', 'DC-C1-K1', '--mode', 'all-or-nothing']);
  assert.equal(r.code, 0);
  assert.equal(count("name = '新人甲'"), 1);
});

test('a file that cannot be read at all: exit 2, one JSON object', () => {
  let r = run(file('zero.csv', ''), ['--org', 'DC-C1-K1']);
  assert.equal(r.code, 2);
  assert.equal(r.report.errors[0].code, 'unreadable');
  r = run(file('bin.xlsx', Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0, 9, 9])), ['--org', 'DC-C1-K1']);
  assert.equal(r.code, 2);
  r = run(join(s.dir, 'no-such.csv'), ['--org', 'DC-C1-K1']);
  assert.equal(r.code, 2);
  r = run(file('x.csv', '姓名\n某'), ['--org', 'NO-SUCH-ORG']);
  assert.equal(r.code, 1);
});

test('XLSX: date cells as serials, the ID typed as a number refused as Excel-mangled, --sheet picks a worksheet', () => {
  const x = makeXlsx([
    ['姓名', '证件号码', '联系电话', '出生日期', '入党时间', '政治面貌'],
    ['冯一', '', '13600136001', 31113, 38000, '中共党员'], // 1985-03-07, 2004-01-14
    ['陈二', 110105198503071000, '13600136002', '', '', ''],
  ]);
  const p = file('people.xlsx', x);
  let r = run(p, ['--org', 'DC-C1-K1']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.report.encoding, 'utf-8');
  assert.equal(r.report.inserted, 1);
  assert.deepEqual(r.report.errors.map((e) => `${e.row} ${e.column} ${e.code}`), ['3 证件号码 id_excel_precision']);
  assert.equal(sql(s.db, "SELECT birth_date || '|' || party_joined_on FROM person WHERE name = '冯一'").trim(), '1985-03-07|2004-01-14');
  r = run(p, ['--org', 'DC-C1-K1', '--sheet', 'Nope']);
  assert.equal(r.code, 2);
  r = run(p, ['--org', 'DC-C1-K1', '--sheet', '组织']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.report.unchanged, 1);
});

// n invented people with valid ID numbers and distinct mobiles
function manyPeople(n, tag) {
  const out = ['姓名,身份证号,手机号码,工作单位,会员类别'];
  for (let i = 0; i < n; i++) {
    const day = String(1 + (i % 28)).padStart(2, '0'), seq = String(i % 1000).padStart(3, '0');
    const year = 1950 + Math.floor(i / 1000) % 50;
    const region = `3201${String(10 + (tag.charCodeAt(0) % 90)).padStart(2, '0')}`; // one region per tag: no two tags share a person
    out.push(`${tag}${i},${idWithCheck(`${region}${year}07${day}${seq}`)},1${3 + (tag.charCodeAt(0) % 7)}${String(i).padStart(9, '0')},某单位${i % 50},个人会员`);
  }
  return out.join('\n') + '\n';
}

test('kill -9 during a 20,000-row import; running it again completes it, every row once', async () => {
  const p = file('many.csv', manyPeople(20000, '批'));
  const env = { ...s.env, KEXIE_IMPORT_BATCH_ROWS: '500' };
  const child = spawn(BIN, ['member', 'import', p, '--org', 'DC-C1-K2', '--json'], { env: { ...process.env, ...env }, stdio: 'ignore' });
  let exitCode = null;
  const exited = new Promise((res) => child.on('exit', (code) => { exitCode = code; res(code); }));
  const t0 = Date.now();
  for (;;) {
    const done = Number(sql(s.db, "SELECT coalesce(max(rows_done), 0) FROM job WHERE kind = 'member.import' AND state = 'running'").trim() || 0);
    if (done >= 2000) break;
    // reading and checking 20,000 rows takes seconds on a quiet machine, minutes on a loaded one
    if (exitCode !== null) throw new Error(`the import ended (exit ${exitCode}) before it was killed`);
    if (Date.now() - t0 > 240000) throw new Error('the import did not get going');
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  await exited;
  const kept = count("name LIKE '批%'");
  assert.ok(kept >= 2000 && kept < 20000, `kept ${kept}`);
  // whole batches or nothing: what is kept is exactly what the job's checkpoint says
  assert.equal(Number(sql(s.db, "SELECT rows_done FROM job WHERE kind = 'member.import' AND input_name = 'many.csv'").trim()), kept);
  // every kept person has its membership: whole rows
  assert.equal(Number(sql(s.db, "SELECT count(*) FROM membership m JOIN person p ON p.id = m.person_id WHERE p.name LIKE '批%'").trim()), kept);
  const again = run(p, ['--org', 'DC-C1-K2'], env);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(sql(s.db, "SELECT count(*) || '|' || max(attempts) FROM job WHERE kind = 'member.import' AND input_name = 'many.csv'").trim(), '1|2');
  assert.deepEqual(again.report, { rows: 20000, inserted: 20000, updated: 0, unchanged: 0, rejected: 0, encoding: 'utf-8', errors: [] });
  assert.equal(count("name LIKE '批%'"), 20000);
  assert.equal(Number(sql(s.db, "SELECT count(DISTINCT id_bidx) FROM person WHERE name LIKE '批%'").trim()), 20000);
  assert.equal(Number(sql(s.db, "SELECT count(*) FROM membership m JOIN person p ON p.id = m.person_id WHERE p.name LIKE '批%'").trim()), 20000);
  assert.equal(Number(sql(s.db, "SELECT count(*) FROM audit_log WHERE action = 'person.create' AND org_id = " + ids['DC-C1-K2']).trim()), 20000);
  if (DBKIND === 'sqlite') assert.equal(sql(s.db, 'PRAGMA integrity_check').trim(), 'ok');
  assert.match(kexie(['audit', 'verify'], s.env).stdout, /^ok \d+ records/);
});

const upload = (t, path, body, type = 'text/csv', extra = {}) =>
  fetch(`${s.url}${path}`, { method: 'POST', headers: H(t, { 'content-type': type, ...extra }), body });
const getJob = async (t, id) => json(await fetch(`${s.url}/api/v1/jobs/${id}`, { headers: H(t) }));
async function waitJob(t, id, ms = 60000) {
  const t0 = Date.now();
  for (;;) {
    const j = await getJob(t, id);
    if (['succeeded', 'failed', 'cancelled'].includes(j.state)) return j;
    if (Date.now() - t0 > ms) throw new Error(`job ${id} still ${j.state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const K1 = () => ids['DC-C1-K1'];
const raw = async (r) => Buffer.from(await r.arrayBuffer()).toString('utf8'); // keeps the BOM

test('over HTTP: preview, the import as a job with progress, its errors and the error file (CSV and XLSX) to fix and upload again', async () => {
  const csv = gbk(['姓名,身份证号,手机号码,出生日期,工作单位,备注',
    '网甲,,13300133001,1980-05-06,=HYPERLINK("http://x"),', // 2: a formula-looking work unit is stored as typed
    '网乙,,13300133002,1980-02-30,某单位,', // 3: impossible date
    '网丙,1.10105E+17,13300133003,,某单位,', // 4
    '网甲,,133 0013 3001,,,', // 5: row 2 again
  ].join('\r\n'));
  // preview: encoding and how the columns map, nothing written
  let r = await upload(tok.staff, '/api/v1/members/import/preview', csv);
  assert.equal(r.status, 200, await r.clone().text());
  const pv = await json(r);
  assert.equal(pv.encoding, 'gb18030');
  assert.equal(pv.row_count, 4);
  assert.deepEqual(pv.columns.map((c) => c.field), ['name', 'id_number', 'mobile', 'birth_date', 'work_unit', null]);
  // a sibling county cannot import into K1: 404, as for anything outside its scope
  r = await upload(tok.sibling, `/api/v1/members/import?org_id=${K1()}`, csv);
  assert.equal(r.status, 404);
  r = await upload(tok.staff, `/api/v1/members/import?org_id=${K1()}&ignore_unknown_columns=true`, csv, 'text/csv', { 'x-file-name': 'web.csv' });
  assert.equal(r.status, 202, await r.clone().text());
  const { job } = await json(r);
  assert.equal(job.kind, 'member.import');
  const done = await waitJob(tok.staff, job.id);
  assert.equal(done.state, 'succeeded', done.message);
  assert.deepEqual(done.result, { rows: 4, inserted: 1, updated: 0, unchanged: 0, rejected: 3, encoding: 'gbk' });
  assert.equal(done.rows_done, 4);
  assert.deepEqual(done.errors.map((e) => `${e.row} ${e.column} ${e.code}`), ['1 备注 column_ignored', '3 出生日期 date_invalid', '4 身份证号 id_excel_precision', '5 手机号码 duplicate_row']);
  // someone else's job is not there
  assert.equal((await fetch(`${s.url}/api/v1/jobs/${job.id}`, { headers: H(tok.sibling) })).status, 404);
  // the error list, and the refused rows as uploaded plus 错误
  r = await fetch(`${s.url}/api/v1/jobs/${job.id}/errors?format=csv`, { headers: H(tok.staff) });
  assert.equal(r.status, 200);
  assert.match(await raw(r), /^\ufeff行号,列,错误代码,说明/);
  r = await fetch(`${s.url}/api/v1/jobs/${job.id}/errors?format=csv&view=rows`, { headers: H(tok.staff) });
  assert.equal(r.status, 200);
  const rows = (await raw(r)).replace(/^\ufeff/, '').trim().split(/\r?\n/);
  assert.equal(rows[0], '姓名,身份证号,手机号码,出生日期,工作单位,备注,错误');
  assert.equal(rows.length, 4);
  assert.match(rows[1], /^网乙,,13300133002,1980-02-30,某单位,,出生日期：/);
  assert.match(rows[2], /^网丙,1\.10105E\+17,.*身份证号：证件号码在 Excel 中丢失了精度/);
  assert.match(rows[3], /^网甲,,133 0013 3001,.*手机号码：文件中同一人出现两次/);
  r = await fetch(`${s.url}/api/v1/jobs/${job.id}/errors?format=xlsx&view=rows`, { headers: H(tok.staff) });
  assert.equal(r.status, 200);
  const strings = String(unzipEntry(Buffer.from(await r.arrayBuffer()), 'xl/worksheets/sheet1.xml'));
  assert.ok(strings.includes('错误') && strings.includes('网丙') && strings.includes('1.10105E+17'));
  // the fixed rows upload again and go in
  const fixed = ['姓名,身份证号,手机号码,出生日期,工作单位', '网乙,,13300133002,1980-02-28,某单位', `网丙,${idWithCheck('11010519800506331')},13300133003,,某单位`].join('\n');
  r = await upload(tok.staff, `/api/v1/members/import?org_id=${K1()}`, fixed);
  const again = await waitJob(tok.staff, (await json(r)).job.id);
  assert.deepEqual([again.result.inserted, again.result.rejected], [2, 0]);
  assert.equal((await fetch(`${s.url}/api/v1/jobs/${again.id}/errors?view=rows`, { headers: H(tok.staff) })).status, 404);
  // the formula-looking value is stored as typed
  assert.equal(sql(s.db, "SELECT work_unit FROM person WHERE name = '网甲'").trim(), '=HYPERLINK("http://x")');
});

test('over HTTP: a big import shows progress and can be cancelled; what committed stays whole', async () => {
  const r = await upload(tok.admin, `/api/v1/members/import?org_id=${ids['DC-C1']}`, manyPeople(6000, '消'));
  const { job } = await json(r);
  let j;
  for (const t0 = Date.now(); ; ) {
    j = await getJob(tok.admin, job.id);
    if (j.rows_done > 0 || j.state !== 'queued' && j.state !== 'running' || Date.now() - t0 > 30000) break;
    await new Promise((res) => setTimeout(res, 10));
  }
  const c = await fetch(`${s.url}/api/v1/jobs/${job.id}/cancel`, { method: 'POST', headers: H(tok.admin) });
  j = await waitJob(tok.admin, job.id);
  if (c.status === 200) {
    const info = JSON.stringify({ state: j.state, rows_total: j.rows_total, rows_done: j.rows_done, result: j.result });
    assert.equal(j.state, 'cancelled', info);
    assert.ok(j.rows_total === 6000 && j.rows_done < 6000, info);
    assert.equal(count("name LIKE '消%'"), j.result ? j.result.inserted : 0, info);
  } else {
    assert.equal(c.status, 409, await c.text()); // it had finished already on a fast machine
  }
  assert.ok(j.rate >= 0);
});

test('export: masked by default (audited), unmasked only with member.reveal and a reason, formulas neutralised, siblings refused', async () => {
  const before = Number(sql(s.db, "SELECT count(*) FROM audit_log WHERE action = 'person.export'").trim());
  let r = await fetch(`${s.url}/api/v1/members/export?under=${K1()}&format=csv`, { headers: H(tok.staff) });
  assert.equal(r.status, 200, await r.clone().text());
  assert.match(r.headers.get('content-type'), /text\/csv/);
  const text = await raw(r);
  assert.ok(text.startsWith('\ufeff姓名,性别,证件类型,身份证号,手机号码,出生日期,民族,政治面貌'));
  assert.ok(text.includes(`${ID_A.slice(0, 3)}***********${ID_A.slice(-4)}`));
  assert.ok(!text.includes(ID_A));
  assert.ok(text.includes('\'=HYPERLINK(""http://x"")')); // neutralised in the file, stored unchanged
  const lines = text.trim().split(/\r?\n/).length - 1;
  const a = JSON.parse(sql(s.db, "SELECT detail FROM audit_log WHERE action = 'person.export' ORDER BY seq DESC LIMIT 1").trim());
  assert.deepEqual(a, { format: 'csv', rows: lines, unmasked: false });
  // filters of the list apply
  r = await fetch(`${s.url}/api/v1/members/export?under=${K1()}&q=${encodeURIComponent('张三')}`, { headers: H(tok.staff) });
  assert.equal((await r.text()).trim().split(/\r?\n/).length, 2);
  // a sibling county: 404, in the query as anywhere
  r = await fetch(`${s.url}/api/v1/members/export?under=${K1()}`, { headers: H(tok.sibling) });
  assert.equal(r.status, 404);
  // unmasked: staff lack member.reveal -> 403; a reason is required; the admin gets full values
  const post = (t, body) => fetch(`${s.url}/api/v1/members/export`, { method: 'POST', headers: H(t, { 'content-type': 'application/json' }), body: JSON.stringify(body) });
  r = await post(tok.staff, { under: Number(K1()), format: 'csv', reason: '年度核对', unmasked: true });
  assert.equal(r.status, 403);
  r = await post(tok.admin, { under: Number(K1()), format: 'csv', unmasked: true });
  assert.equal(r.status, 422);
  r = await post(tok.sibAdmin, { under: Number(K1()), format: 'csv', reason: '年度核对', unmasked: true });
  assert.equal(r.status, 404);
  r = await post(tok.admin, { under: Number(K1()), format: 'xlsx', reason: '年度核对会员信息', unmasked: true });
  assert.equal(r.status, 200, await r.clone().text());
  const xbuf = Buffer.from(await r.arrayBuffer());
  const sst = String(unzipEntry(xbuf, 'xl/worksheets/sheet1.xml'));
  assert.ok(sst.includes(ID_A) && sst.includes('13900139999'));
  assert.ok(sst.includes('=HYPERLINK'));
  const sheetXml = sst;
  assert.ok(!/<f>/.test(sheetXml), 'no formula cells');
  const b = JSON.parse(sql(s.db, "SELECT detail FROM audit_log WHERE action = 'person.export' ORDER BY seq DESC LIMIT 1").trim());
  assert.equal(b.unmasked, true);
  assert.equal(b.reason, '年度核对会员信息');
  assert.equal(b.format, 'xlsx');
  assert.equal(Number(sql(s.db, "SELECT count(*) FROM audit_log WHERE action = 'person.export'").trim()), before + 3);
  // the unmasked file imports again with every row unchanged
  const back = run(file('back.xlsx', xbuf), ['--org', 'DC-C1-K1', '--sheet', '人员']);
  assert.equal(back.code, 0, back.stderr);
  assert.equal(back.report.inserted, 0);
  assert.equal(back.report.updated, 0);
  assert.equal(back.report.rejected, 0);
  assert.match(kexie(['audit', 'verify'], s.env).stdout, /^ok \d+ records/);
});

test('over HTTP: a known person outside the importer\'s scope is refused, never updated', async () => {
  const csv = ['姓名,身份证号,工作单位', `张三,${ID_A},别县单位`].join('\n');
  const r = await upload(tok.sibAdmin, `/api/v1/members/import?org_id=${ids['DC-C1-K2']}`, csv);
  assert.equal(r.status, 202);
  const j = await waitJob(tok.sibAdmin, (await json(r)).job.id);
  assert.deepEqual([j.result.inserted, j.result.updated, j.result.rejected], [0, 0, 1]);
  assert.deepEqual(j.errors.map((e) => `${e.row} ${e.column} ${e.code}`), ['2 身份证号 person_exists']);
  assert.equal(sql(s.db, "SELECT work_unit FROM person WHERE name = '张三'").trim(), '新单位');
});

test('the error file is the jobs\' own: the org import writes its refused rows too', async () => {
  const csv = ['代码,名称,层级,类型,上级代码', 'MI-ORG1,好组织,县级,科协,DC-C1', 'MI-ORG2,坏组织,银河级,科协,DC-C1'].join('\n');
  const r = await upload(tok.admin, '/api/v1/orgs/import', csv);
  assert.equal(r.status, 202, await r.clone().text());
  const j = await waitJob(tok.admin, (await json(r)).job.id);
  assert.equal(j.result.rejected, 1);
  const rows = (await raw(await fetch(`${s.url}/api/v1/jobs/${j.id}/errors?view=rows`, { headers: H(tok.admin) }))).replace(/^\ufeff/, '').trim().split(/\r?\n/);
  assert.equal(rows[0], '代码,名称,层级,类型,上级代码,错误');
  assert.match(rows[1], /^MI-ORG2,坏组织,银河级,科协,DC-C1,层级：/);
  assert.equal(rows.length, 2);
});
