// jobs.test.mjs - the job runner and the org import / export over HTTP (issue 11, issue 10
// item 5): preview, the import as a job with progress and the command line's report, the
// errors spreadsheet, per-row scope, owner-only jobs, cancel, kill -9 and SIGTERM in the
// middle of an import (resumed from the checkpoint), upload limits, export -> import
// unchanged, formula cells neutralised.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, sql, kexie, json, userWithToken, expectError, rawRequest, DBKIND } from './lib.mjs';
import { makeXlsx, unzipEntry } from './xlsx.mjs';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEAD = '代码,名称,层级,类型,上级代码,行政区划代码,统一社会信用代码,成立日期';
let s, tok = {};
before(async () => {
  s = await startServer();
  tok.sys = userWithToken(s.env, 'job.sys', 'system_admin', 'CAST');
  tok.other = userWithToken(s.env, 'job.other', 'system_admin', 'CAST');
  tok.dc = userWithToken(s.env, 'job.dc', 'org_admin', 'DC');
  tok.staff = userWithToken(s.env, 'job.staff', 'staff', 'DC');
});
after(async () => { await s.stop(); });

const auth = (t, extra = {}) => ({ authorization: `Bearer ${t}`, ...extra });
const upload = (srv, t, path, body, type = 'text/csv', extra = {}) =>
  fetch(`${srv.url}${path}`, { method: 'POST', headers: auth(t, { 'content-type': type, ...extra }), body });
const getJob = async (srv, t, id) => json(await fetch(`${srv.url}/api/v1/jobs/${id}`, { headers: auth(t) }));
async function waitJob(srv, t, id, until = (j) => ['succeeded', 'failed', 'cancelled'].includes(j.state), ms = 30000) {
  const t0 = Date.now();
  for (;;) {
    const j = await getJob(srv, t, id);
    if (until(j)) return j;
    if (Date.now() - t0 > ms) throw new Error(`job ${id} still ${j.state} (${j.rows_done}/${j.rows_total})`);
    await new Promise((r) => setTimeout(r, 40));
  }
}
const rows = (prefix, n, parent = 'DC') => {
  const out = [];
  for (let i = 1; i <= n; i++) out.push(`${prefix}-${String(i).padStart(4, '0')},测试组织${i},基层,企业,${parent},,,2020-01-01`);
  return out;
};
const count = (srv, like) => Number(sql(srv.db, `SELECT count(*) FROM org WHERE code LIKE '${like}'`).trim());
const auditHead = (srv) => sql(srv.db, 'SELECT seq FROM audit_head').trim();

test('preview: format, encoding, the column mapping and the first rows; an unreadable file is a 422 on "file"', async () => {
  const csv = '\ufeff' + [HEAD + ',备注', 'PV-1,预览,市级,科协,DC,,,2016-01-01,x', 'PV-2,预览二,市级,科协,DC,,,,'].join('\r\n');
  let r = await upload(s, tok.sys, '/api/v1/orgs/import/preview', csv);
  assert.equal(r.status, 200);
  let b = await json(r);
  assert.equal(b.format, 'csv');
  assert.equal(b.encoding, 'utf-8-bom');
  assert.equal(b.row_count, 2);
  assert.deepEqual(b.columns.map((c) => [c.index, c.header, c.field]), [
    [0, '代码', 'code'], [1, '名称', 'name'], [2, '层级', 'level'], [3, '类型', 'type'], [4, '上级代码', 'parent_code'],
    [5, '行政区划代码', 'region_code'], [6, '统一社会信用代码', 'credit_code'], [7, '成立日期', 'opened_on'], [8, '备注', null]]);
  assert.deepEqual(b.sample[0], ['PV-1', '预览', '市级', '科协', 'DC', '', '', '2016-01-01', 'x']);
  const gbk = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: [HEAD, 'PV-3,国标,市级,科协,DC,,,,'].join('\r\n') });
  b = await json(await upload(s, tok.sys, '/api/v1/orgs/import/preview', gbk, 'application/octet-stream'));
  assert.equal(b.encoding, 'gb18030');
  assert.equal(b.sample[0][1], '国标');
  b = await json(await upload(s, tok.sys, '/api/v1/orgs/import/preview', makeXlsx([['代码', '名称'], ['PV-4', '表格']]), XLSX));
  assert.deepEqual([b.format, b.row_count, b.sample[0]], ['xlsx', 1, ['PV-4', '表格']]);
  for (const bad of [Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 1]), Buffer.from('PK\x03\x04garbage')]) {
    const e = await expectError(assert, await upload(s, tok.sys, '/api/v1/orgs/import/preview', bad, XLSX), 422, 'unprocessable');
    assert.equal(e.details[0].field, 'file');
  }
  assert.equal(count(s, 'PV-%'), 0, 'a preview writes nothing');
});

test('import over HTTP runs as a job: 202 with the job, progress to succeeded, the same report as the command line', async () => {
  const csv = [HEAD, ...rows('HJ', 30), 'HJ-BAD,坏,星系级,科协,DC,,,,', 'HJ-NP,无上级,市级,科协,NOPE,,,,', 'HJ-0001,重复,市级,科协,DC,,,,'].join('\n');
  const p = join(s.dir, 'hj.csv');
  writeFileSync(p, csv);
  const cli = JSON.parse(kexie(['org', 'import', p, '--dry-run'], s.env).stdout);
  const seq = auditHead(s);
  const r = await upload(s, tok.sys, '/api/v1/orgs/import', csv, 'text/csv', { 'x-file-name': encodeURIComponent('组织 名单.csv') });
  assert.equal(r.status, 202);
  const { job } = await json(r);
  assert.equal(r.headers.get('location'), `/api/v1/jobs/${job.id}`);
  assert.equal(job.kind, 'org.import');
  assert.equal(job.file_name, '组织 名单.csv');
  assert.ok(['queued', 'running', 'succeeded'].includes(job.state));
  const done = await waitJob(s, tok.sys, job.id);
  assert.equal(done.state, 'succeeded');
  assert.deepEqual(done.result, { rows: 33, inserted: 30, updated: 0, unchanged: 0, rejected: 3 });
  assert.deepEqual(done.result, { rows: cli.rows, inserted: cli.inserted, updated: cli.updated, unchanged: cli.unchanged, rejected: cli.rejected });
  assert.deepEqual(done.errors.map((e) => [e.row, e.column, e.code]), cli.errors.map((e) => [e.row, e.column, e.code]));
  assert.deepEqual(done.errors.map((e) => e.code), ['not_allowed', 'not_found', 'duplicate_code']);
  assert.equal(done.rows_done, 33);
  assert.equal(done.error_count, 3);
  assert.ok(done.finished_at && done.created_at);
  assert.equal(count(s, 'HJ-%'), 30);
  // every new org and the import itself are in the audit trail, under the job
  const acts = sql(s.db, `SELECT action, via FROM audit_log WHERE seq > ${seq} ORDER BY seq`).trim().split('\n');
  assert.equal(acts.filter((a) => a === `org.create|job:${job.id}`).length, 30);
  assert.equal(acts.at(-1), `org.import|job:${job.id}`);
  assert.match(kexie(['audit', 'verify'], s.env).stdout, /^ok \d+ records/);
  // the subtree counts followed
  const dc = sql(s.db, "SELECT id FROM org WHERE code = 'DC'").trim();
  const c = await json(await fetch(`${s.url}/api/v1/orgs/${dc}/counts`, { headers: auth(tok.sys) }));
  assert.equal(c.by_level.grassroots, Number(sql(s.db, `SELECT count(*) FROM org o JOIN org_parent p ON p.org_id = o.id AND p.valid_to IS NULL WHERE o.level = 'grassroots' AND o.closed_on IS NULL AND (p.parent_id = ${dc} OR o.code LIKE 'DC-%')`).trim()));
  // the errors as a spreadsheet, headers in the caller's language
  let e = await fetch(`${s.url}/api/v1/jobs/${job.id}/errors?format=csv`, { headers: auth(tok.sys) });
  assert.equal(e.status, 200);
  assert.match(e.headers.get('content-type'), /text\/csv/);
  assert.match(e.headers.get('content-disposition'), /attachment; filename="job-\d+-errors.csv"/);
  const zh = Buffer.from(await e.arrayBuffer());
  assert.deepEqual([...zh.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = zh.toString('utf8').slice(1).trim().split('\r\n');
  assert.equal(lines[0], '行号,列,错误代码,说明');
  assert.equal(lines.length, 4);
  assert.match(lines[1], /^32,层级,not_allowed,/);
  e = await fetch(`${s.url}/api/v1/jobs/${job.id}/errors`, { headers: auth(tok.sys, { 'accept-language': 'en-US,en;q=0.9' }) });
  assert.equal((await e.text()).split('\r\n')[0], 'row,column,code,message'); // text() drops the BOM
  // the same file again: every row unchanged, nothing new
  const again = await waitJob(s, tok.sys, (await json(await upload(s, tok.sys, '/api/v1/orgs/import', csv))).job.id);
  assert.deepEqual(again.result, { rows: 33, inserted: 0, updated: 0, unchanged: 30, rejected: 3 });
});

test('rows outside the caller\'s org.write scope are refused row by row (out_of_scope); the rest go in', async () => {
  const csv = [HEAD,
    'SC-IN,范围内,市级,科协,DC,,,2016-01-01', // row 2: under DC: in scope
    'SC-IN-K,范围内县,县级,科协,SC-IN,,,2016-01-02', // row 3: under a new org of the file, in scope
    'SC-OUT,范围外,市级,科协,XL,,,2016-01-01', // row 4: under XL
    'NH,南湖省科学技术协会（改）,省级,科协,CAST,,,', // row 5: changes an org outside
    'SC-NAT,全国性,全国,科协,,,,', // row 6: a national org: only with org.write at a root
    'SC-MV,将被移动,市级,科协,DC,,,2016-01-01', // row 7
  ].join('\n');
  const seq = auditHead(s);
  const { job } = await json(await upload(s, tok.dc, '/api/v1/orgs/import', csv));
  const done = await waitJob(s, tok.dc, job.id);
  assert.equal(done.state, 'succeeded');
  assert.deepEqual(done.result, { rows: 6, inserted: 3, updated: 0, unchanged: 0, rejected: 3 });
  assert.deepEqual(done.errors.map((e) => [e.row, e.column, e.code]), [[4, '上级代码', 'out_of_scope'], [5, '代码', 'out_of_scope'], [6, '代码', 'out_of_scope']]);
  assert.equal(sql(s.db, "SELECT name FROM org WHERE code = 'NH'").trim(), '南湖省科学技术协会');
  assert.equal(count(s, 'SC-%'), 3);
  assert.equal(sql(s.db, `SELECT DISTINCT role FROM audit_log WHERE seq > ${seq} AND action = 'org.create'`).trim(), 'org_admin');
  // moving an org of the caller's under one outside is refused too
  const mv = await waitJob(s, tok.dc, (await json(await upload(s, tok.dc, '/api/v1/orgs/import', [HEAD, 'SC-MV,将被移动,市级,科协,XL,,,'].join('\n')))).job.id);
  assert.deepEqual(mv.errors.map((e) => [e.row, e.code]), [[2, 'out_of_scope']]);
  // a role without org.write cannot import at all
  await expectError(assert, await upload(s, tok.staff, '/api/v1/orgs/import', csv), 403, 'forbidden');
});

test('a job is its owner\'s only: anyone else gets 404 for it, its errors and its cancel', async () => {
  const { job } = await json(await upload(s, tok.sys, '/api/v1/orgs/import?dry_run=true', [HEAD, ...rows('OW', 2)].join('\n')));
  await waitJob(s, tok.sys, job.id);
  await expectError(assert, await fetch(`${s.url}/api/v1/jobs/${job.id}`, { headers: auth(tok.other) }), 404, 'not_found');
  await expectError(assert, await fetch(`${s.url}/api/v1/jobs/${job.id}/errors`, { headers: auth(tok.other) }), 404, 'not_found');
  await expectError(assert, await fetch(`${s.url}/api/v1/jobs/${job.id}/cancel`, { method: 'POST', headers: auth(tok.other) }), 404, 'not_found');
  await expectError(assert, await fetch(`${s.url}/api/v1/jobs/${job.id}`), 401, 'unauthorized');
  // command-line jobs have no owner and are never shown over HTTP
  const cliJob = sql(s.db, "SELECT min(id) FROM job WHERE origin = 'cli'").trim();
  await expectError(assert, await fetch(`${s.url}/api/v1/jobs/${cliJob}`, { headers: auth(tok.sys) }), 404, 'not_found');
  // cancelling a finished job is a conflict
  const e = await expectError(assert, await fetch(`${s.url}/api/v1/jobs/${job.id}/cancel`, { method: 'POST', headers: auth(tok.sys) }), 409, 'conflict');
  assert.equal(e.details[0].code, 'finished');
});

test('dry run over HTTP reports and writes nothing: no org, no audit record', async () => {
  const seq = auditHead(s);
  const { job } = await json(await upload(s, tok.sys, '/api/v1/orgs/import?dry_run=true', [HEAD, ...rows('DRY', 5)].join('\n')));
  const done = await waitJob(s, tok.sys, job.id);
  assert.equal(done.dry_run, true);
  assert.deepEqual(done.result, { rows: 5, inserted: 5, updated: 0, unchanged: 0, rejected: 0 });
  assert.equal(count(s, 'DRY-%'), 0);
  assert.equal(auditHead(s), seq);
});

test('uploads: a stranger is refused before the body is read, wrong type 415, too large 413, empty 422, at most 3 unfinished jobs', async () => {
  await expectError(assert, await upload(s, 'kx_nope', '/api/v1/orgs/import', 'a,b\n'), 401, 'unauthorized');
  await expectError(assert, await fetch(`${s.url}/api/v1/orgs/import`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a' }), 401);
  const e = await expectError(assert, await upload(s, tok.sys, '/api/v1/orgs/import', '<html>', 'text/html'), 415, 'unsupported_media_type');
  assert.equal(e.details[0].field, 'Content-Type');
  // more than 20 MiB announced: 413 at once, without waiting for a byte of the body
  const big = await rawRequest(s.url, `POST /api/v1/orgs/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tok.sys}\r\nContent-Type: text/csv\r\nContent-Length: ${20 * 1024 * 1024 + 1}\r\n\r\n`);
  assert.equal(big.status, 413);
  assert.match(big.body, /"too_large"/);
  const em = await expectError(assert, await upload(s, tok.sys, '/api/v1/orgs/import', ''), 422);
  assert.equal(em.details[0].field, 'file');
  const before = Number(sql(s.db, 'SELECT count(*) FROM job').trim());
  // the limit: three jobs waiting or running per account (the runner is slow on purpose here)
  const slow = await startServer({ extraArgs: ['--job-pause-ms', '400', '--import-batch-rows', '5'] });
  try {
    const t = userWithToken(slow.env, 'job.lim', 'system_admin', 'CAST');
    const body = [HEAD, ...rows('LIM', 40)].join('\n');
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const r = await upload(slow, t, '/api/v1/orgs/import?dry_run=' + (i ? 'true' : 'false'), body);
      assert.equal(r.status, 202);
      ids.push((await json(r)).job.id);
    }
    await expectError(assert, await upload(slow, t, '/api/v1/orgs/import', body), 429, 'rate_limited');
    for (const id of ids) await fetch(`${slow.url}/api/v1/jobs/${id}/cancel`, { method: 'POST', headers: auth(t) });
  } finally { await slow.stop(); }
  assert.equal(Number(sql(s.db, 'SELECT count(*) FROM job').trim()), before, 'refused uploads created no job');
});

test('cancel: a running import stops at its next batch; what was committed is kept and said', async () => {
  const slow = await startServer({ extraArgs: ['--job-pause-ms', '150', '--import-batch-rows', '10'] });
  try {
    const t = userWithToken(slow.env, 'job.cancel', 'system_admin', 'CAST');
    const { job } = await json(await upload(slow, t, '/api/v1/orgs/import', [HEAD, ...rows('CN', 200)].join('\n')));
    await waitJob(slow, t, job.id, (j) => j.rows_done >= 30);
    const r = await fetch(`${slow.url}/api/v1/jobs/${job.id}/cancel`, { method: 'POST', headers: auth(t) });
    assert.equal(r.status, 200);
    const c = await json(r);
    assert.equal(c.state, 'cancelled');
    await new Promise((res) => setTimeout(res, 600));
    const j = await getJob(slow, t, job.id);
    assert.equal(j.state, 'cancelled');
    const kept = count(slow, 'CN-%');
    assert.ok(kept >= 30 && kept < 200, `kept ${kept}`);
    assert.equal(j.rows_done, kept, 'the job says what was kept');
    assert.equal(j.result.inserted, kept);
    assert.equal(count(slow, 'CN-%'), kept, 'nothing more after the cancel');
    assert.equal(sql(slow.db, `SELECT count(*) FROM audit_log WHERE action = 'job.cancel' AND object_id = '${job.id}'`).trim(), '1');
    assert.match(kexie(['audit', 'verify'], slow.env).stdout, /^ok/);
  } finally { await slow.stop(); }
});

async function restartSame(srv, extraArgs) {
  return startServer({ dir: srv.dir, env: { KEXIE_DB: srv.db }, migrate: false, seed: false, extraArgs });
}

test('kill -9 in the middle of an import: after a restart the job resumes from its checkpoint; every row once, integrity ok, audit chain ok, counts right', async () => {
  const args = ['--job-pause-ms', '120', '--import-batch-rows', '15'];
  const first = await startServer({ extraArgs: args });
  let second = null;
  try {
  const t = userWithToken(first.env, 'job.kill', 'system_admin', 'CAST');
  // a tree: provinces, then rows below them, so the resumed part has parents from before
  const lines = [HEAD];
  for (let p = 1; p <= 3; p++) {
    lines.push(`KL-P${p},省${p},省级,科协,CAST,,,2016-01-01`);
    for (let i = 1; i <= 60; i++) lines.push(`KL-P${p}-${i},单位${p}-${i},基层,企业,KL-P${p},,,2017-01-01`);
  }
  const { job } = await json(await upload(first, t, '/api/v1/orgs/import', lines.join('\n')));
  await waitJob(first, t, job.id, (j) => j.rows_done >= 45);
  first.proc.kill('SIGKILL');
  await first.exited;
  const keptAtKill = count(first, 'KL-%');
  assert.ok(keptAtKill >= 45 && keptAtKill < 183, `kept ${keptAtKill} at the kill`);
  second = await restartSame(first, args);
  {
    const done = await waitJob(second, t, job.id);
    assert.equal(done.state, 'succeeded');
    assert.equal(done.attempts, 2);
    assert.deepEqual(done.result, { rows: 183, inserted: 183, updated: 0, unchanged: 0, rejected: 0 });
    assert.equal(count(second, 'KL-%'), 183);
    assert.equal(sql(second.db, "SELECT count(DISTINCT code) FROM org WHERE code LIKE 'KL-%'").trim(), '183');
    assert.equal(sql(second.db, "SELECT count(*) FROM audit_log WHERE action = 'org.create' AND detail LIKE '%\"KL-%'").trim(), '183');
    assert.equal(sql(second.db, "SELECT count(*) FROM org o LEFT JOIN org_parent p ON p.org_id = o.id WHERE o.code LIKE 'KL-%' AND p.org_id IS NULL").trim(), '0');
    if (DBKIND === 'sqlite') assert.equal(sql(second.db, 'PRAGMA integrity_check').trim(), 'ok');
    assert.match(kexie(['audit', 'verify'], second.env).stdout, /^ok/);
    const p1 = sql(second.db, "SELECT id FROM org WHERE code = 'KL-P1'").trim();
    const c = await json(await fetch(`${second.url}/api/v1/orgs/${p1}/counts`, { headers: auth(t) }));
    assert.equal(c.total, 61);
    assert.equal(kexie(['org', 'recount'], second.env).code, 0);
    const c2 = await json(await fetch(`${second.url}/api/v1/orgs/${p1}/counts`, { headers: auth(t) }));
    assert.deepEqual(c2, c, 'the counts kept during the import equal a recount');
  }
  } finally {
    if (first.proc.exitCode === null && first.proc.signalCode === null) first.proc.kill('SIGKILL');
    if (second) await second.stop();
  }
});

test('SIGTERM in the middle of an import leaves it at its checkpoint, queued; the next start finishes it', async () => {
  const args = ['--job-pause-ms', '120', '--import-batch-rows', '10'];
  const first = await startServer({ extraArgs: args });
  let second = null;
  try {
    const t = userWithToken(first.env, 'job.term', 'system_admin', 'CAST');
    const { job } = await json(await upload(first, t, '/api/v1/orgs/import', [HEAD, ...rows('TM', 80)].join('\n')));
    await waitJob(first, t, job.id, (j) => j.rows_done >= 20);
    first.proc.kill('SIGTERM');
    const ex = await first.exited;
    assert.equal(ex.code, 0, first.log());
    assert.equal(sql(first.db, `SELECT state FROM job WHERE id = ${job.id}`).trim(), 'queued');
    second = await restartSame(first, args);
    const done = await waitJob(second, t, job.id);
    assert.deepEqual([done.state, done.result.inserted], ['succeeded', 80]);
    assert.equal(count(second, 'TM-%'), 80);
  } finally {
    if (first.proc.exitCode === null && first.proc.signalCode === null) first.proc.kill('SIGKILL');
    if (second) await second.stop();
  }
});

test('export: CSV and XLSX of a subtree re-import with every row unchanged; formula-looking cells neutralised', async () => {
  // a branch with a name a spreadsheet would take for a formula
  const csv = [HEAD + ',简称,联系人', 'EX-R,出口根,市级,科协,DC,110100,,2016-01-01,=1+1,"张老师, 138"', 'EX-R-1,=HYPERLINK("x"),县级,学会,EX-R,,,2016-02-01,,'].join('\n');
  const imp = await waitJob(s, tok.sys, (await json(await upload(s, tok.sys, '/api/v1/orgs/import', csv))).job.id);
  assert.equal(imp.result.inserted, 2, JSON.stringify(imp.errors));
  const root = sql(s.db, "SELECT id FROM org WHERE code = 'EX-R'").trim();
  const seq = auditHead(s);
  let r = await fetch(`${s.url}/api/v1/orgs/${root}/export?format=csv`, { headers: auth(tok.dc) });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-disposition'), /attachment; filename="org-EX-R-\d{4}-\d\d-\d\d\.csv"/);
  const out = Buffer.from(await r.arrayBuffer());
  const text = out.toString('utf8');
  assert.equal(text.split('\r\n')[0], '\ufeff代码,名称,简称,层级,类型,上级代码,行政区划代码,统一社会信用代码,成立日期,联系人');
  assert.equal(text.split('\r\n')[1], 'EX-R,出口根,"\'=1+1",市级,科协,DC,110100,,2016-01-01,"张老师, 138"');
  assert.match(text, /EX-R-1,"'=HYPERLINK\(""x""\)",,县级,学会,EX-R,,,2016-02-01,/);
  assert.equal(sql(s.db, `SELECT action FROM audit_log WHERE seq > ${seq}`).trim(), 'org.export');
  let again = await waitJob(s, tok.sys, (await json(await upload(s, tok.sys, '/api/v1/orgs/import', out))).job.id);
  assert.deepEqual(again.result, { rows: 2, inserted: 0, updated: 0, unchanged: 2, rejected: 0 });
  // XLSX: string cells, never a formula; re-imports unchanged too
  r = await fetch(`${s.url}/api/v1/orgs/${root}/export?format=xlsx`, { headers: auth(tok.sys) });
  assert.equal(r.headers.get('content-type'), XLSX);
  const x = Buffer.from(await r.arrayBuffer());
  const sheet = unzipEntry(x, 'xl/worksheets/sheet1.xml');
  assert.ok(sheet.includes('=HYPERLINK("x")') || sheet.includes('=HYPERLINK(&quot;x&quot;)'), sheet.slice(0, 400));
  assert.doesNotMatch(sheet, /<f>/);
  again = await waitJob(s, tok.sys, (await json(await upload(s, tok.sys, '/api/v1/orgs/import', x, XLSX))).job.id);
  assert.deepEqual(again.result, { rows: 2, inserted: 0, updated: 0, unchanged: 2, rejected: 0 });
  assert.equal(sql(s.db, "SELECT name FROM org WHERE code = 'EX-R-1'").trim(), '=HYPERLINK("x")', 'the stored value is unchanged');
  // closed orgs only when asked, with their closing date; before the branch existed: 404
  const child = sql(s.db, "SELECT id FROM org WHERE code = 'EX-R-1'").trim();
  const cl = await fetch(`${s.url}/api/v1/orgs/${child}/close`, { method: 'POST', headers: auth(tok.sys, { 'content-type': 'application/json' }), body: '{}' });
  assert.equal(cl.status, 200);
  assert.equal((await (await fetch(`${s.url}/api/v1/orgs/${root}/export`, { headers: auth(tok.sys) })).text()).trim().split('\r\n').length, 2);
  const withClosed = (await (await fetch(`${s.url}/api/v1/orgs/${root}/export?include_closed=true`, { headers: auth(tok.sys) })).text()).trim().split('\r\n');
  assert.equal(withClosed.length, 3);
  assert.match(withClosed[0], /,撤销日期$/);
  assert.match(withClosed[2], /,\d{4}-\d\d-\d\d$/);
  await expectError(assert, await fetch(`${s.url}/api/v1/orgs/${root}/export?as_of=2010-01-01`, { headers: auth(tok.sys) }), 404);
  // outside the caller's scope: 404, as for every other read
  const xl = sql(s.db, "SELECT id FROM org WHERE code = 'XL'").trim();
  await expectError(assert, await fetch(`${s.url}/api/v1/orgs/${xl}/export`, { headers: auth(tok.dc) }), 404, 'not_found');
  await expectError(assert, await fetch(`${s.url}/api/v1/orgs/${root}/export?format=pdf`, { headers: auth(tok.sys) }), 400);
});

test('export -> import of a whole province: every row unchanged (CSV and XLSX)', async () => {
  const dc = sql(s.db, "SELECT id FROM org WHERE code = 'DC'").trim();
  const n = Number(sql(s.db, `WITH RECURSIVE d(id) AS (SELECT CAST(${dc} AS BIGINT) UNION ALL SELECT p.org_id FROM org_parent p JOIN d ON p.parent_id = d.id WHERE p.valid_to IS NULL) SELECT count(*) FROM d JOIN org o ON o.id = d.id WHERE o.closed_on IS NULL`).trim());
  for (const [fmt, type] of [['csv', 'text/csv'], ['xlsx', XLSX]]) {
    const file = Buffer.from(await (await fetch(`${s.url}/api/v1/orgs/${dc}/export?format=${fmt}`, { headers: auth(tok.sys) })).arrayBuffer());
    const done = await waitJob(s, tok.sys, (await json(await upload(s, tok.sys, '/api/v1/orgs/import', file, type))).job.id);
    assert.deepEqual(done.result, { rows: n, inserted: 0, updated: 0, unchanged: n, rejected: 0 }, `${fmt}: ${JSON.stringify(done.errors.slice(0, 3))}`);
  }
});

test('export as of another date: only the orgs the caller sees today (the one as-of rule, as for every list)', async () => {
  const post = (path, body, t = tok.sys) => fetch(`${s.url}${path}`, { method: 'POST', headers: auth(t, { 'content-type': 'application/json' }), body: JSON.stringify(body) });
  const id = (code) => Number(sql(s.db, `SELECT id FROM org WHERE code = '${code}'`).trim());
  let r = await post('/api/v1/orgs', { code: 'EXA-MV', name: '移走的', level: 'grassroots', type: 'enterprise', parent_id: id('DC'), opened_on: '2019-01-01' });
  assert.equal(r.status, 201, await r.text());
  r = await post(`/api/v1/orgs/${id('EXA-MV')}/move`, { parent_id: id('XL'), on: '2021-01-01' });
  assert.equal(r.status, 200, await r.text());
  const codes = async (t, day) => {
    const res = await fetch(`${s.url}/api/v1/orgs/${id('DC')}/export?as_of=${day}`, { headers: auth(t) });
    assert.equal(res.status, 200);
    return (await res.text()).trim().split('\r\n').slice(1).map((l) => l.split(',')[0]);
  };
  assert.ok((await codes(tok.sys, '2020-06-01')).includes('EXA-MV'), 'the tree as it stood had it under DC');
  assert.ok(!(await codes(tok.dc, '2020-06-01')).includes('EXA-MV'), 'DC\'s admin does not see it today');
  assert.ok(!(await codes(tok.dc, '2030-01-01')).includes('EXA-MV'));
});
