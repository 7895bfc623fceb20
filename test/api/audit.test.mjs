// audit.test.mjs - the audit trail (issue 8 cases 2, 8, 9): the audit administrator sees
// every record, sign-ins included, and subtree filters find records about accounts; the
// chain is keyed, so a database administrator can neither write a new one nor cut records
// off unseen (checkpoints); an unknown login is kept only as a keyed hash; a trail written
// before keyed chains is keyed once at `kexie migrate`, never twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer, json, sql, kexie, userWithToken, DBKIND } from './lib.mjs';

const PW = 'A-l0ng-and-unusual-pass';
let s, ids, tok, serverLog = '';
const login = (body) => fetch(`${s.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const get = async (path, token = tok.audit) => {
  const r = await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: r.status, body: await json(r) };
};
const tableCount = (where = '') => Number(sql(s.db, `SELECT count(*) FROM audit_log ${where}`).trim());

// every record the API shows, page after page
async function allVisible(query = '') {
  const seen = [];
  let before = '';
  for (;;) {
    const { status, body } = await get(`/api/v1/audit?limit=1000${query}${before}`);
    assert.equal(status, 200, JSON.stringify(body));
    seen.push(...body.items);
    if (body.next_before === null) return seen;
    before = `&before=${body.next_before}`;
  }
}

before(async () => {
  s = await startServer();
  ids = Object.fromEntries(sql(s.db, 'SELECT code, id FROM org').trim().split('\n').map((l) => l.split('|')));
  tok = {
    // an audit administrator granted at a province still sees the whole system
    audit: userWithToken(s.env, 'a.auditor', 'audit_admin', 'DC'),
  };
  userWithToken(s.env, 'a.soc', 'staff', 'S-MECH'); // a national society: a root of its own
  userWithToken(s.env, 'a.k1', 'staff', 'DC-C1-K1');
  userWithToken(s.env, 'a.xl', 'staff', 'XL-C1');
  // sign-ins, failures and sign-outs: records about accounts, with no org of their own
  for (const l of ['a.soc', 'a.k1', 'a.xl']) {
    await (await login({ login: l, password: 'not-the-password' })).text();
    const r = await login({ login: l, password: PW });
    assert.equal(r.status, 201);
    const { csrf_token: csrf } = await json(r);
    const cookie = r.headers.get('set-cookie').split(';')[0];
    assert.equal((await fetch(`${s.url}/api/v1/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrf } })).status, 204);
  }
  await (await login({ login: 'nobody.at.all', password: 'whatever-pass' })).text();
});
after(async () => {
  if (s.proc.exitCode === null) await s.stop();
  else rmSync(s.dir, { recursive: true, force: true });
});

test('issue8 case 2: the audit administrator sees every record: count visible == count in the table', async () => {
  const seen = await allVisible();
  assert.equal(seen.length, tableCount());
  assert.ok(seen.length > 80);
  assert.deepEqual(new Set(seen.map((x) => x.seq)).size, seen.length, 'no record twice');
  for (const a of ['user.login', 'user.login_failed', 'user.logout', 'token.create', 'user.create']) {
    assert.ok(seen.some((x) => x.action === a), `${a} visible`);
  }
});

test('issue8 case 2: ?action=user.login_failed returns every failed sign-in, from every root', async () => {
  const seen = await allVisible('&action=user.login_failed');
  assert.equal(seen.length, tableCount("WHERE action = 'user.login_failed'"));
  assert.ok(seen.length >= 4);
  const soc = sql(s.db, "SELECT id FROM app_user WHERE login = 'a.soc'").trim();
  assert.ok(seen.some((x) => x.object_type === 'user' && x.object_id === soc), 'the society account (another root) is there');
});

test('issue8 case 2: records about an account carry its orgs: org_id filters find its sign-ins', async () => {
  const k1 = sql(s.db, "SELECT id FROM app_user WHERE login = 'a.k1'").trim();
  const xl = sql(s.db, "SELECT id FROM app_user WHERE login = 'a.xl'").trim();
  const under = await allVisible(`&org_id=${ids['DC-C1']}`);
  const about = (id, action) => under.some((x) => x.object_id === id && x.action === action);
  assert.ok(about(k1, 'user.login'), 'a sign-in of an account with a role below DC-C1');
  assert.ok(about(k1, 'user.login_failed'));
  assert.ok(under.some((x) => x.action === 'user.logout' && x.login === 'a.k1'));
  assert.ok(!about(xl, 'user.login'), 'not one from XL');
  // the society's subtree: its account's records, although it is a root of its own
  const soc = await allVisible(`&org_id=${ids['S-MECH']}&action=user.login`);
  assert.equal(soc.length, 1);
  assert.equal((await get(`/api/v1/audit?org_id=987654321`)).status, 404);
});

test('issue8 case 9: an unknown login is kept only as a keyed hash; a password typed there appears nowhere', async () => {
  const typed = 'Zq9-typed-my-PASSWORD-here';
  for (let i = 0; i < 2; i++) await (await login({ login: typed, password: 'x-wrong-pass-x' })).text();
  const dump = sql(s.db, 'SELECT * FROM audit_log') + sql(s.db, 'SELECT * FROM audit_org') + sql(s.db, 'SELECT * FROM audit_head');
  assert.ok(!dump.includes(typed), 'not in the audit tables');
  assert.ok(!dump.toLowerCase().includes('zq9-typed'), 'not even in part');
  assert.ok(!s.log().includes(typed), 'not in the server log');
  const rows = sql(s.db, "SELECT object_type, object_id, detail FROM audit_log WHERE action = 'user.login_failed' AND object_type = 'unknown_login' ORDER BY seq DESC LIMIT 2").trim().split('\n');
  assert.equal(rows.length, 2);
  assert.equal(rows[0], rows[1], 'the same text, the same hash: repeated attempts correlate');
  assert.match(rows[0], /^unknown_login\|[0-9a-f]{32}\|\{"reason":"unknown_login"\}$/);
  // the investigator asks by the text, the server compares hashes
  const found = await allVisible(`&login=${encodeURIComponent(typed)}`);
  assert.equal(found.length, 2);
  assert.equal((await allVisible('&login=nobody.at.all')).length, 1);
});

// ---- case 8: what a database administrator can do to the table, on copies of it ----

// A copy of the (stopped) server's database and data dir, for one attack each.
function copyOf(name, { keepCheckpoint = true } = {}) {
  const d = mkdtempSync(join(tmpdir(), `kexie-audit-${name}-`));
  cpSync(join(s.dir, 'var'), join(d, 'var'), { recursive: true });
  if (!keepCheckpoint) unlinkSync(join(d, 'var', 'audit.checkpoint'));
  let db;
  if (DBKIND === 'sqlite') {
    const src = s.db.slice(7);
    copyFileSync(src, join(d, 'k.db'));
    for (const ext of ['-wal', '-shm']) if (existsSync(src + ext)) copyFileSync(src + ext, join(d, `k.db${ext}`));
    db = `sqlite:${join(d, 'k.db')}`;
  } else {
    const dbname = `t_${process.pid}_${name}_${Date.now()}`;
    const orig = s.db.replace(/^.*\//, '').replace(/\?.*$/, '');
    execFileSync('psql', [s.db.replace(/\/[^/]*$/, '/postgres'), '-qAtc', `CREATE DATABASE ${dbname} TEMPLATE ${orig}`]);
    db = s.db.replace(/\/[^/?]*(\?.*)?$/, `/${dbname}`);
  }
  return { env: { ...s.env, KEXIE_DB: db, KEXIE_DATA_DIR: join(d, 'var') }, db, dir: d, done: () => rmSync(d, { recursive: true, force: true }) };
}

function rows(db) {
  const q = DBKIND === 'sqlite'
    ? "SELECT json_group_array(json_object('seq', seq, 'at', at, 'user_id', user_id, 'role', role, 'via', via, 'request_id', request_id, 'client_addr', client_addr, 'action', action, 'object_type', object_type, 'object_id', object_id, 'org_id', org_id, 'detail', detail)) FROM (SELECT * FROM audit_log ORDER BY seq)"
    : 'SELECT json_agg(l ORDER BY seq) FROM audit_log l';
  return JSON.parse(sql(db, q).trim());
}

// The plain SHA-256 chain kexie used before keyed chains ("kexie-audit-v1"): what anyone
// who reads the source can compute without the key.
function rechainPlain(db, edit = () => {}) {
  const field = (v) => { const t = v ?? ''; return `${Buffer.byteLength(t)}:${t}\n`; };
  const int = (v) => field(v ? String(v) : '');
  let prev = '0'.repeat(64);
  const q = (t) => `'${String(t).replace(/'/g, "''")}'`;
  const out = [];
  for (const r of rows(db)) {
    edit(r);
    const canon = prev + 'kexie-audit-v1\n' + int(r.seq) + int(r.user_id) + field(r.at) + field(r.role) + field(r.via) +
      field(r.request_id) + field(r.client_addr) + field(r.action) + field(r.object_type) + field(r.object_id) +
      int(r.org_id) + field(r.detail);
    const h = createHash('sha256').update(canon, 'utf8').digest('hex');
    out.push(`UPDATE audit_log SET prev_hash = '${prev}', hash = '${h}', detail = ${q(r.detail)}, object_type = ${q(r.object_type)}, object_id = ${q(r.object_id)} WHERE seq = ${r.seq};`);
    prev = h;
  }
  out.push(`UPDATE audit_head SET last_hash = '${prev}';`);
  sql(db, out.join('\n'));
}

test('issue8 case 8: an untouched chain verifies against the checkpoint the server wrote', async () => {
  s.proc.kill('SIGTERM'); // a clean stop writes the last checkpoint (the files stay for the copies)
  const { code } = await s.exited;
  assert.equal(code, 0);
  serverLog = s.log();
  assert.doesNotMatch(serverLog, /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/);
  const head = sql(s.db, 'SELECT seq FROM audit_head').trim();
  const c = copyOf('ok');
  try {
    const cp = readFileSync(join(c.dir, 'var', 'audit.checkpoint'), 'utf8');
    assert.match(cp, new RegExp(`^kexie-audit-checkpoint v1 seq=${head} hash=[0-9a-f]{64} at=\\S+ sig=[0-9a-f]{128}\\n$`));
    assert.ok(serverLog.includes(cp.trim()), 'the same checkpoint is in the log');
    const r = kexie(['audit', 'verify'], c.env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stdout.trim(), `ok ${head} records`);
  } finally { c.done(); }
});

test('issue8 case 8: a chain rewritten with plain SHA-256 (no key) fails verification', () => {
  const c = copyOf('sha');
  try {
    rechainPlain(c.db, (r) => { if (r.seq === 3) r.detail = '{"forged":true}'; });
    const r = kexie(['audit', 'verify'], c.env);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^broken at record 1: record 1 was altered/);
    // ...also when the attacker claims the trail was never keyed
    sql(c.db, "UPDATE audit_head SET chain = 'sha256'");
    assert.match(kexie(['audit', 'verify'], c.env).stdout, /broken at record 1: the trail is not keyed/);
    // and the server does not "upgrade" it: this data dir has seen a keyed trail
    const m = kexie(['migrate'], c.env);
    assert.equal(m.code, 1);
    assert.match(m.stderr, /not keyed, but .*audit\.checkpoint shows it was/);
    assert.equal(sql(c.db, "SELECT count(*) FROM audit_log WHERE action = 'audit.rekey'").trim(), '0');
  } finally { c.done(); }
});

test('issue8 case 8: deleting every record and resetting the head fails verification', () => {
  const c = copyOf('all');
  try {
    sql(c.db, `DELETE FROM audit_org; DELETE FROM audit_log; UPDATE audit_head SET seq = 0, last_hash = '${'0'.repeat(64)}'`);
    const r = kexie(['audit', 'verify'], c.env);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^broken at record 1: the trail ends at record 0 but the checkpoint of \S+ names record \d+: records were removed/);
    // the server keeps the old checkpoint (the evidence) rather than certify the empty trail
    const before = readFileSync(join(c.dir, 'var', 'audit.checkpoint'), 'utf8');
    assert.equal(kexie(['audit', 'checkpoint'], c.env).code, 1);
    assert.equal(readFileSync(join(c.dir, 'var', 'audit.checkpoint'), 'utf8'), before);
  } finally { c.done(); }
});

test('issue8 case 8: deleting the last 5 records and moving the head back fails verification', () => {
  const c = copyOf('tail');
  try {
    const head = Number(sql(c.db, 'SELECT seq FROM audit_head').trim());
    sql(c.db, `DELETE FROM audit_org WHERE seq > ${head - 5}; DELETE FROM audit_log WHERE seq > ${head - 5};
      UPDATE audit_head SET seq = ${head - 5}, last_hash = (SELECT hash FROM audit_log WHERE seq = ${head - 5})`);
    const r = kexie(['audit', 'verify'], c.env);
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`^broken at record ${head - 4}: the trail ends at record ${head - 5} but the checkpoint .* names record ${head}`));
  } finally { c.done(); }
});

test('issue8 case 8: a checkpoint line from the log catches it too, even without the file', () => {
  const c = copyOf('log', { keepCheckpoint: false });
  try {
    const lines = serverLog.split('\n').filter((l) => l.includes('kexie-audit-checkpoint v1'));
    assert.ok(lines.length >= 1);
    const last = lines[lines.length - 1];
    assert.equal(kexie(['audit', 'verify', '--checkpoint', last], c.env).code, 0);
    sql(c.db, 'DELETE FROM audit_org WHERE seq = (SELECT seq FROM audit_head); DELETE FROM audit_log WHERE seq = (SELECT seq FROM audit_head); UPDATE audit_head SET seq = seq - 1, last_hash = (SELECT hash FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log))');
    assert.equal(kexie(['audit', 'verify'], c.env).code, 0, 'without a checkpoint the cut is invisible...');
    const r = kexie(['audit', 'verify', '--checkpoint', last], c.env);
    assert.equal(r.code, 1, '...with the logged one it is not');
    assert.match(r.stdout, /records were removed/);
    const forged = last.replace(/seq=\d+/, 'seq=1');
    assert.match(kexie(['audit', 'verify', '--checkpoint', forged], c.env).stdout, /not signed with this server's key/);
  } finally { c.done(); }
});

test('issue8 case 8: a trail from before keyed chains is keyed once at migrate, its unknown logins hashed', () => {
  const c = copyOf('upgrade', { keepCheckpoint: false });
  try {
    // what an installation of the previous release holds: plain SHA-256 links, chain 'sha256',
    // an unknown login kept in clear, no checkpoint
    const failed = sql(c.db, "SELECT seq FROM audit_log WHERE object_type = 'unknown_login' ORDER BY seq LIMIT 1").trim();
    rechainPlain(c.db, (r) => {
      if (String(r.seq) === failed) Object.assign(r, { object_type: 'user', object_id: '', detail: '{"unknown_login":"Old-password-in-clear"}' });
    });
    sql(c.db, "UPDATE audit_head SET chain = 'sha256'");
    const head = Number(sql(c.db, 'SELECT seq FROM audit_head').trim());
    const m = kexie(['migrate'], c.env);
    assert.equal(m.code, 0, m.stderr);
    assert.match(m.stdout, new RegExp(`the audit trail is keyed now \\(${head} records re-chained`));
    const v = kexie(['audit', 'verify'], c.env);
    assert.equal(v.code, 0, v.stdout);
    assert.equal(v.stdout.trim(), `ok ${head + 1} records`);
    const d = JSON.parse(sql(c.db, "SELECT detail FROM audit_log WHERE action = 'audit.rekey'").trim());
    assert.deepEqual(d, { records: head, from: 'sha256', to: 'hmac-sha256', legacy_chain: 'intact', unknown_logins_hashed: 1 });
    assert.ok(!sql(c.db, 'SELECT * FROM audit_log').includes('Old-password-in-clear'));
    assert.match(sql(c.db, `SELECT object_type || ' ' || object_id FROM audit_log WHERE seq = ${failed}`).trim(), /^unknown_login [0-9a-f]{32}$/);
    // once only: a second migrate has nothing to key
    const again = kexie(['migrate'], c.env);
    assert.equal(again.code, 0);
    assert.doesNotMatch(again.stdout, /keyed now/);
    assert.equal(sql(c.db, "SELECT count(*) FROM audit_log WHERE action = 'audit.rekey'").trim(), '1');
  } finally { c.done(); }
});
