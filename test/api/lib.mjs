// lib.mjs - start a real `kexie serve` for a test file, on SQLite or on the throwaway
// PostgreSQL cluster named by KEXIE_TEST_PG (a base URL), each file with its own database.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = process.env.KEXIE_BIN || join(ROOT, 'build/kexie');
export const DBKIND = process.env.KEXIE_TEST_PG ? 'postgresql' : 'sqlite';

let dbCounter = 0;

// A kept-alive connection that the server closed while this process was blocked in a
// synchronous call (execFileSync of kexie, sqlite3, psql) is reused before its close is
// noticed, and the request fails before any byte of an answer. Browsers send such a request
// again on a new connection; the tests do the same, once, for that failure only (a server
// that resets a request itself resets the second one too).
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  try {
    return await realFetch(input, init);
  } catch (e) {
    if (!(e instanceof TypeError) || !['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'].includes(e?.cause?.code)) throw e;
    return realFetch(input, init);
  }
};

// Creates a fresh database and returns its URL.
// A date "YYYY-MM-DD" `offset` days from today as the server names days: Beijing time
// (between 16:00 and 24:00 UTC the UTC date is still yesterday there).
export function beijingDate(offset = 0) {
  return new Date(Date.now() + offset * 86400e3 + 8 * 3600e3).toISOString().slice(0, 10);
}

export function freshDb(dir) {
  if (!process.env.KEXIE_TEST_PG) return `sqlite:${join(dir, 'kexie.db')}`;
  const name = `t_${process.pid}_${Date.now()}_${dbCounter++}`;
  execFileSync('psql', [process.env.KEXIE_TEST_PG, '-qAtc', `CREATE DATABASE ${name}`]);
  return process.env.KEXIE_TEST_PG.replace(/\/[^/]*$/, `/${name}`);
}

// Runs a kexie command synchronously; returns { code, stdout, stderr }.
export function kexie(args, env = {}, opts = {}) {
  try {
    const stdout = execFileSync(BIN, args, { env: { ...process.env, ...env }, encoding: 'utf8', stdio: [opts.input ? 'pipe' : 'ignore', 'pipe', 'pipe'], ...opts });
    return { code: 0, stdout, stderr: '' };
  } catch (e) {
    return { code: e.status, stdout: e.stdout || '', stderr: e.stderr || '' };
  }
}

// Runs SQL against a test database with the matching command-line client.
export function sql(db, text) {
  if (db.startsWith('sqlite:')) return execFileSync('sqlite3', [db.slice(7), text], { encoding: 'utf8' });
  return execFileSync('psql', [db, '-qAtc', text], { encoding: 'utf8' });
}

// Creates an account with one role and returns an API token for it.
export function userWithToken(env, login, role, org) {
  const add = kexie(['user', 'add', '--login', login, '--name', login, '--role', role, '--org', org, '--password-stdin'],
    env, { input: 'A-l0ng-and-unusual-pass\n' });
  if (add.code !== 0) throw new Error(`user add failed: ${add.stderr}`);
  const t = kexie(['token', 'create', '--login', login], env);
  if (t.code !== 0) throw new Error(`token create failed: ${t.stderr}`);
  return t.stdout.trim();
}

// Starts a server on a free port with a migrated, demo-seeded database.
// Returns { url, dir, db, proc, log(), stop() }.
export async function startServer({ seed = true, migrate = true, extraArgs = [], env = {}, dir } = {}) {
  dir = dir || mkdtempSync(join(tmpdir(), 'kexie-api-'));
  const db = env.KEXIE_DB || freshDb(dir);
  const base = { KEXIE_DB: db, KEXIE_DATA_DIR: join(dir, 'var'), KEXIE_WEB_DIR: join(ROOT, 'web/dist'), ...env };
  if (migrate) {
    const m = kexie(['migrate'], base);
    if (m.code !== 0) throw new Error(`migrate failed: ${m.stderr}`);
  }
  let demoPassword = null;
  if (seed) {
    const s = kexie(['seed', '--demo'], base);
    if (s.code !== 0) throw new Error(`seed failed: ${s.stderr}`);
    demoPassword = (/login admin with password (\S+)/.exec(s.stdout) || [])[1] || null;
  }
  const proc = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', ...extraArgs], { env: { ...process.env, ...base }, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const url = await new Promise((res, rej) => {
    const t = setTimeout(() => { proc.kill('SIGKILL'); rej(new Error(`server did not start:\n${log}`)); }, 15000);
    proc.stderr.on('data', (d) => {
      log += d;
      const m = /serving (http:\/\/[\d.]+:\d+)\//.exec(log);
      if (m) { clearTimeout(t); res(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(t); rej(new Error(`server exited ${code}:\n${log}`)); });
  });
  proc.removeAllListeners('exit');
  const exited = new Promise((res) => proc.on('exit', (code, sig) => res({ code, sig })));
  return {
    url, dir, db, proc, env: base, exited, demoPassword,
    log: () => log,
    // Stops the server and fails loudly if it did not exit cleanly or a sanitizer
    // (ASan/UBSan/LSan in the sanitizer build) reported anything.
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const r = await exited;
      rmSync(dir, { recursive: true, force: true });
      if (/ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/.test(log)) {
        throw new Error(`sanitizer report from kexie serve:\n${log.slice(-4000)}`);
      }
      if (r.code !== 0) throw new Error(`kexie serve exited ${r.code} (${r.sig}):\n${log.slice(-2000)}`);
      return r;
    },
  };
}

// A raw HTTP/1.1 exchange over a socket: for requests fetch() will not send
// (bad bytes, lying Content-Length). Resolves with { status, headers, body, raw }.
export function rawRequest(url, text, { writeAfter, timeoutMs = 5000 } = {}) {
  const u = new URL(url);
  return new Promise((res, rej) => {
    const sock = net.connect(Number(u.port), u.hostname);
    let data = Buffer.alloc(0);
    const t = setTimeout(() => { sock.destroy(); rej(new Error('raw request timed out')); }, timeoutMs);
    sock.on('connect', () => { sock.write(text); if (writeAfter) writeAfter(sock); });
    sock.on('data', (d) => { data = Buffer.concat([data, d]); });
    sock.on('error', () => {}); // the server may close while we still write: expected for 413
    sock.on('close', () => {
      clearTimeout(t);
      const raw = data.toString('utf8');
      const [head, ...rest] = raw.split('\r\n\r\n');
      const lines = head.split('\r\n');
      const status = Number((lines[0] || '').split(' ')[1]);
      const headers = {};
      for (const l of lines.slice(1)) { const i = l.indexOf(':'); if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim(); }
      res({ status, headers, body: rest.join('\r\n\r\n'), raw });
    });
  });
}

// Starts several servers one after the other (startServer migrates and seeds synchronously,
// which would stall the others' start timers); if one fails, stops those already running
// before rethrowing, so a failed start never leaves a server behind.
export async function startServers(...optsList) {
  const started = [];
  try {
    for (const o of optsList) started.push(await startServer(o));
  } catch (e) {
    await Promise.allSettled(started.map((x) => x.stop()));
    throw e;
  }
  return started;
}

export async function json(res) {
  const text = await res.text();
  try { return JSON.parse(text); } catch { throw new Error(`not JSON (${res.status}): ${text.slice(0, 200)}`); }
}

// Asserts the documented error shape and returns the error object.
export async function expectError(assert, res, status, code) {
  assert.equal(res.status, status, `status ${res.status} != ${status}`);
  assert.match(res.headers.get('content-type') || '', /application\/json/);
  const b = await json(res);
  assert.ok(b.error, 'body has error');
  if (code) assert.equal(b.error.code, code);
  assert.equal(typeof b.error.message, 'string');
  assert.ok(Array.isArray(b.error.details));
  assert.equal(b.error.request_id, res.headers.get('x-request-id'));
  assert.doesNotMatch(JSON.stringify(b), /SELECT|INSERT|sqlite|postgres|\.c:\d+|\/work\//i);
  return b.error;
}
