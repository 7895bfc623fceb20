// files.test.mjs - stored files over HTTP (issue 13 "Stored files", docs/files.md): every
// accepted kind uploaded and detected from its bytes, the hostile uploads refused with a
// field error naming the reason (SVG with script, HTML renamed .jpg, an ELF, a zip bomb, a
// ZIP that is no Office document, a decompression bomb, 0 bytes, over the limit), names
// sanitised, one blob for the same bytes, download headers, thumbnails, who may read a
// file (its uploader while unattached, then whoever may see its owner), the quota.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startServer, sql, json, userWithToken, expectError, rawRequest, ROOT } from './lib.mjs';
import { zip } from './xlsx.mjs';

const FIX = join(ROOT, 'test/api/fixtures');
const MAX = 1 << 20;        // file_max_bytes for this server: 1 MiB
const QUOTA = 600000;       // file_quota_bytes
let s, tok = {}, ids = {};
before(async () => {
  s = await startServer({ env: { KEXIE_FILE_MAX_BYTES: String(MAX), KEXIE_FILE_QUOTA_BYTES: String(QUOTA) } });
  ids = Object.fromEntries(sql(s.db, 'SELECT code, id FROM org').trim().split('\n').map((l) => l.split('|')));
  tok.up = userWithToken(s.env, 'f.up', 'staff', 'DC-C1');        // uploads
  tok.peer = userWithToken(s.env, 'f.peer', 'staff', 'DC-C1');    // same org, not the uploader
  tok.far = userWithToken(s.env, 'f.far', 'staff', 'XL-C1');      // another subtree
  tok.audit = userWithToken(s.env, 'f.audit', 'audit_admin', 'CAST');
});
after(async () => { await s.stop(); });

const auth = (t, extra = {}) => ({ authorization: `Bearer ${t}`, ...extra });
const upload = (t, body, name, { type = 'application/octet-stream', query = '' } = {}) => fetch(`${s.url}/api/v1/files${query}`, {
  method: 'POST', headers: auth(t, { 'content-type': type, ...(name !== undefined ? { 'x-file-name': encodeURIComponent(name) } : {}) }), body,
});
const get = (t, path, extra = {}) => fetch(`${s.url}${path}`, { headers: auth(t, extra) });
async function refused(res, code) {
  const e = await expectError(assert, res, 422, 'unprocessable');
  assert.equal(e.details[0].field, 'file');
  assert.equal(e.details[0].code, code, JSON.stringify(e));
  return e;
}

const pdf = (extra = '') => Buffer.from(`%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n${extra}trailer<</Root 1 0 R>>\n%%EOF\n`);
const REL = 'application/vnd.openxmlformats-package.relationships+xml';
const types = (part, ct) => `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="${REL}"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/${part}" ContentType="${ct}"/></Types>`;
const rels = (part) => `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="${part}"/></Relationships>`;
const DOCX_MAIN = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml';
const docx = (extra = []) => zip([
  ['[Content_Types].xml', types('word/document.xml', DOCX_MAIN)], ['_rels/.rels', rels('word/document.xml')],
  ['word/document.xml', '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>通知</w:t></w:r></w:p></w:body></w:document>'],
  ...extra]);
const xlsx = () => zip([
  ['[Content_Types].xml', types('xl/workbook.xml', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml')],
  ['_rels/.rels', rels('xl/workbook.xml')],
  ['xl/workbook.xml', '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>']]);
// A PNG whose header claims 20000 x 20000 pixels: refused before any decoder sees it.
function pngClaiming(w, h) {
  const b = Buffer.from(readFileSync(join(FIX, 'tiny.png')));
  b.writeUInt32BE(w, 16); b.writeUInt32BE(h, 20);
  return b;
}

test('every accepted kind is stored with the type its bytes show, images with a thumbnail', async () => {
  const cases = [
    ['报告.pdf', pdf(), 'pdf', false], ['通知.docx', docx(), 'docx', false], ['统计表.xlsx', xlsx(), 'xlsx', false],
    ['照片.jpg', readFileSync(join(FIX, 'tiny.jpg')), 'jpeg', true], ['图.png', readFileSync(join(FIX, 'tiny.png')), 'png', true],
    ['图.webp', readFileSync(join(FIX, 'tiny.webp')), 'webp', true],
  ];
  for (const [name, bytes, type, thumb] of cases) {
    const r = await upload(tok.up, bytes, name);
    const b = await json(r);
    assert.equal(r.status, 201, JSON.stringify(b));
    assert.equal(r.headers.get('location'), `/api/v1/files/${b.id}`);
    assert.equal(b.type, type, name);
    assert.equal(b.size, bytes.length);
    assert.equal(b.name, name);
    assert.equal(b.thumbnail, thumb, name);
    assert.equal(b.attached, false);
    assert.equal(b.org_id, Number(ids['DC-C1']));
    assert.match(b.hash, /^[0-9a-f]{64}$/);
    if (thumb) assert.deepEqual([b.width, b.height], [320, 200]);
    ids[type] = b.id;
  }
  // the client's Content-Type is not what decides: a PNG sent as application/pdf is a PNG
  const r = await upload(tok.up, readFileSync(join(FIX, 'tiny.png')), 'scan.pdf', { type: 'application/pdf' });
  const b = await json(r);
  assert.equal(r.status, 201);
  assert.equal(b.type, 'png');
  assert.equal(b.name, 'scan.pdf.png'); // the download's name ends as its type does
  // audited in the write's transaction
  assert.equal(sql(s.db, "SELECT count(*) FROM audit_log WHERE action = 'file.upload'").trim(), '7');
});

test('hostile uploads are refused with a field error naming the reason; nothing is stored', async () => {
  const before = sql(s.db, 'SELECT count(*) FROM stored_file').trim();
  const blobs = sql(s.db, 'SELECT count(*) FROM file_blob').trim();
  await refused(await upload(tok.up, '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'cat.png'), 'type_svg');
  await refused(await upload(tok.up, '<html><body><script>alert(document.cookie)</script></body></html>', 'photo.jpg'), 'type_html');
  await refused(await upload(tok.up, readFileSync('/bin/true'), 'setup.pdf'), 'type_executable');
  await refused(await upload(tok.up, 'just some text\n', 'notes.txt'), 'type_not_allowed');
  await refused(await upload(tok.up, zip([['a.txt', 'hello']]), 'a.docx'), 'not_ooxml');
  await refused(await upload(tok.up, docx([['word/vbaProject.bin', 'macro']]), 'm.docx'), 'not_ooxml');
  // one entry declared (and really) 20 MiB of zeros in ~20 KB: the ratio gives it away, never inflated
  await refused(await upload(tok.up, docx([['word/media/zeros.xml', '\0'.repeat(20 << 20)]]), 'bomb.docx'), 'zip_bomb');
  const e = await refused(await upload(tok.up, pngClaiming(20000, 20000), 'huge.png'), 'image_too_large');
  assert.equal(e.details[0].params.max, 50000000);
  await refused(await upload(tok.up, Buffer.alloc(0), 'empty.pdf'), 'file_empty');
  // over file_max_bytes: 413 from Content-Length, before a byte is read
  const head = (extra) => `POST /api/v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tok.up}\r\nContent-Type: application/octet-stream\r\n${extra}\r\n`;
  let big = await rawRequest(s.url, head(`Content-Length: ${MAX + 1}\r\n`));
  assert.equal(big.status, 413);
  assert.match(big.body, /"too_large"/);
  // the same without a length (chunked): counted as it arrives, 413 once it passes the limit
  const chunk = Buffer.concat([pdf(), randomBytes(MAX)]);
  big = await rawRequest(s.url, head('Transfer-Encoding: chunked\r\n'), {
    writeAfter: (sock) => { sock.write(`${chunk.length.toString(16)}\r\n`); sock.write(chunk); sock.write('\r\n0\r\n\r\n'); },
  });
  assert.equal(big.status, 413);
  // a media type that is no file kind at all: 415 at the door
  await expectError(assert, await upload(tok.up, '<svg/>', 'x.svg', { type: 'image/svg+xml' }), 415);
  assert.equal(sql(s.db, 'SELECT count(*) FROM stored_file').trim(), before);
  assert.equal(sql(s.db, 'SELECT count(*) FROM file_blob').trim(), blobs);
  // nothing left half-way in the spool directory
  assert.deepEqual(readdirSync(join(s.dir, 'var/files/tmp')), []);
});

test('names are kept only as sanitised metadata: no path, no controls, no device names', async () => {
  const cases = [
    ['../../etc/passwd', 'passwd.pdf'], ['..\\..\\windows\\system32\\x.pdf', 'x.pdf'], ['a\u0000b\u202ec.pdf', 'abc.pdf'],
    ['CON.pdf', '_CON.pdf'], ['...', 'file.pdf'], ['re<po>rt?.pdf', 're_po_rt_.pdf'], ['.htaccess', 'htaccess.pdf'],
  ];
  for (const [given, stored] of cases) {
    const r = await upload(tok.up, pdf(`% ${given}\n`), given);
    const b = await json(r);
    assert.equal(r.status, 201, JSON.stringify(b));
    assert.equal(b.name, stored, JSON.stringify(given));
  }
  // no name at all
  const b = await json(await upload(tok.up, pdf('% unnamed\n'), undefined));
  assert.equal(b.name, 'file.pdf');
});

test('the same bytes twice: two files, one hash, one blob on disk, charged once', async () => {
  const bytes = pdf('% dedup\n');
  const a = await json(await upload(tok.up, bytes, 'one.pdf'));
  const used = Number(sql(s.db, `SELECT bytes FROM file_usage WHERE org_id = ${ids['DC-C1']}`).trim());
  const b = await json(await upload(tok.peer, bytes, 'two.pdf'));
  assert.notEqual(a.id, b.id);
  assert.equal(a.hash, b.hash);
  assert.equal(sql(s.db, `SELECT count(*) FROM file_blob WHERE hash = '${a.hash}'`).trim(), '1');
  const dir = join(s.dir, 'var/files', a.hash.slice(0, 2));
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith(a.hash)), [a.hash]);
  assert.equal(Number(sql(s.db, `SELECT bytes FROM file_usage WHERE org_id = ${ids['DC-C1']}`).trim()), used);
});

test('downloads: attachment with the UTF-8 name, nosniff, the detected type, ETag = hash; thumbnails', async () => {
  const bytes = readFileSync(join(FIX, 'tiny.jpg'));
  const f = await json(await upload(tok.up, bytes, '活动照片 1.jpg'));
  let r = await get(tok.up, `/api/v1/files/${f.id}`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'image/jpeg');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(r.headers.get('content-disposition'), `attachment; filename="____ 1.jpg"; filename*=UTF-8''${encodeURIComponent('活动照片')}%201.jpg`);
  assert.equal(r.headers.get('etag'), `"${f.hash}"`);
  assert.match(r.headers.get('content-security-policy'), /default-src 'none'/);
  assert.ok(Buffer.from(await r.arrayBuffer()).equals(bytes));
  r = await get(tok.up, `/api/v1/files/${f.id}`, { 'if-none-match': `"${f.hash}"` });
  assert.equal(r.status, 304);
  await r.arrayBuffer();
  r = await get(tok.up, `/api/v1/files/${f.id}/thumbnail`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'image/jpeg');
  const t = Buffer.from(await r.arrayBuffer());
  assert.deepEqual([t[0], t[1]], [0xff, 0xd8]);
  // a PNG keeps PNG (transparency) and is scaled to 256 x 160
  const p = await json(await upload(tok.up, readFileSync(join(FIX, 'tiny.png')), 'p.png'));
  const pt = Buffer.from(await (await get(tok.up, `/api/v1/files/${p.id}/thumbnail`)).arrayBuffer());
  assert.deepEqual([pt.readUInt32BE(16), pt.readUInt32BE(20)], [256, 160]);
  // a PDF has none
  const d = await json(await upload(tok.up, pdf('% no thumb\n'), 'd.pdf'));
  await expectError(assert, await get(tok.up, `/api/v1/files/${d.id}/thumbnail`), 404);
  // HEAD answers the headers
  r = await fetch(`${s.url}/api/v1/files/${d.id}`, { method: 'HEAD', headers: auth(tok.up) });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/pdf');
});

test('who may read: the uploader while unattached; then whoever sees the owner; 404 for the rest', async () => {
  const f = await json(await upload(tok.up, pdf('% scope\n'), 'scope.pdf'));
  const path = `/api/v1/files/${f.id}`;
  assert.equal((await get(tok.up, path)).status, 200);
  await expectError(assert, await get(tok.peer, path), 404, 'not_found');  // same org, not the uploader
  await expectError(assert, await get(tok.far, path), 404, 'not_found');
  await expectError(assert, await get(tok.audit, path), 403, 'forbidden'); // no business data for the audit admin
  // attached to an org of the uploader's subtree: staff of that subtree read it, others still 404
  const K1 = Number(ids['DC-C1-K1']);
  let r = await fetch(`${s.url}/api/v1/orgs/${K1}/files`, { method: 'POST', headers: auth(tok.up, { 'content-type': 'application/json' }), body: JSON.stringify({ file_id: f.id }) });
  assert.equal(r.status, 200, await r.clone().text());
  assert.equal((await r.json()).attached, true);
  assert.equal((await get(tok.peer, path)).status, 200);
  await expectError(assert, await get(tok.far, path), 404, 'not_found');
  const list = await json(await get(tok.peer, `/api/v1/orgs/${K1}/files`));
  assert.deepEqual(list.items.map((x) => x.id), [f.id]);
  await expectError(assert, await get(tok.far, `/api/v1/orgs/${K1}/files`), 404);
  // the other subtree cannot attach it to its own org (it cannot see it): 404 naming file_id
  r = await fetch(`${s.url}/api/v1/orgs/${ids['XL-C1']}/files`, { method: 'POST', headers: auth(tok.far, { 'content-type': 'application/json' }), body: JSON.stringify({ file_id: f.id }) });
  const e = await expectError(assert, r, 404);
  assert.equal(e.details[0].field, 'file_id');
  // an attached file is not thrown away
  await expectError(assert, await fetch(`${s.url}${path}`, { method: 'DELETE', headers: auth(tok.up) }), 409, 'conflict');
  // detached: back to its uploader only, and the uploader may throw it away
  r = await fetch(`${s.url}/api/v1/orgs/${K1}/files/${f.id}`, { method: 'DELETE', headers: auth(tok.peer) });
  assert.equal(r.status, 204);
  await expectError(assert, await get(tok.peer, path), 404);
  assert.equal(sql(s.db, `SELECT refs FROM stored_file WHERE id = ${f.id}`).trim(), '0');
  await expectError(assert, await fetch(`${s.url}${path}`, { method: 'DELETE', headers: auth(tok.peer) }), 404);
  r = await fetch(`${s.url}${path}`, { method: 'DELETE', headers: auth(tok.up) });
  assert.equal(r.status, 204);
  await expectError(assert, await get(tok.up, path), 404);
  assert.equal(existsSync(join(s.dir, 'var/files', f.hash.slice(0, 2), f.hash)), false);
  assert.equal(sql(s.db, "SELECT count(*) FROM audit_log WHERE action IN ('file.attach', 'file.detach', 'file.delete')").trim(), '3');
});

test('the quota: each distinct content once per org; past it quota_exceeded, nothing stored', async () => {
  const q = `?org_id=${ids['XL-C1']}`;
  const a = Buffer.concat([pdf(), randomBytes(350000)]);
  let r = await upload(tok.far, a, 'a.pdf', { query: q });
  assert.equal(r.status, 201, await r.clone().text());
  r = await upload(tok.far, a, 'again.pdf', { query: q }); // the same bytes cost nothing more
  assert.equal(r.status, 201);
  const e = await refused(await upload(tok.far, Buffer.concat([pdf(), randomBytes(350000)]), 'b.pdf', { query: q }), 'quota_exceeded');
  assert.equal(e.details[0].params.max, QUOTA);
  assert.equal(e.details[0].params.used, a.length);
  assert.equal(sql(s.db, `SELECT count(*) FROM stored_file WHERE org_id = ${ids['XL-C1']}`).trim(), '2');
  // another subtree's org is not the caller's to charge
  await expectError(assert, await upload(tok.far, pdf(), 'x.pdf', { query: `?org_id=${ids['DC-C1']}` }), 404);
});
