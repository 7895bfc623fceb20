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
