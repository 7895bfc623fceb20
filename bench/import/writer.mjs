// writer.mjs - the other writer during an import: POST /api/v1/orgs one after another (20 ms
// apart) while an import runs, and print how long each waited.
//   node writer.mjs URL TOKEN PARENT_ID cli PID        while process PID (kexie org import) lives
//   node writer.mjs URL TOKEN PARENT_ID http FILE      uploads FILE as an import job, until it ends
// Prints one line: "writes N (failed F) p50 X p99 Y max Z (ms) import S s".
import { readFileSync, existsSync } from 'node:fs';

const [url, token, parent, mode, arg] = process.argv.slice(2);
const auth = { authorization: `Bearer ${token}` };
let running = true, job = null;
const t0 = performance.now();
if (mode === 'cli') {
  const alive = () => existsSync(`/proc/${arg}`) && !readFileSync(`/proc/${arg}/stat`, 'utf8').split(' ')[2].startsWith('Z');
  (async () => { while (alive()) await new Promise((r) => setTimeout(r, 10)); running = false; })();
} else {
  const r = await fetch(`${url}/api/v1/orgs/import`, { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: readFileSync(arg) });
  job = (await r.json()).job;
  (async () => {
    for (;;) {
      const j = await (await fetch(`${url}/api/v1/jobs/${job.id}`, { headers: auth })).json();
      if (!['queued', 'running'].includes(j.state)) { job = j; running = false; return; }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
}
const waits = [];
let errors = 0;
for (let i = 0; running; i++) {
  const t = performance.now();
  const r = await fetch(`${url}/api/v1/orgs`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ code: `BW-${process.pid}-${i}`, name: `并发写入${i}`, level: 'grassroots', type: 'other', parent_id: Number(parent) }) });
  await r.arrayBuffer();
  if (r.status !== 201) errors++; // a 503 after the pool's 5 s: the import kept the writer out
  waits.push(performance.now() - t);
  await new Promise((r) => setTimeout(r, 20));
}
const secs = (performance.now() - t0) / 1000;
waits.sort((a, b) => a - b);
const q = (p) => waits.length ? waits[Math.min(waits.length - 1, Math.floor(p * waits.length))].toFixed(1) : 'n/a';
if (job && job.state !== 'succeeded') { console.error(`the import job ended ${job.state}`); process.exit(1); }
console.log(`writes ${waits.length} (failed ${errors}) p50 ${q(0.5)} p99 ${q(0.99)} max ${waits.length ? waits.at(-1).toFixed(1) : 'n/a'} (ms) import ${secs.toFixed(2)} s`);
