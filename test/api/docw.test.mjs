// docw.test.mjs - the document writers end to end through `kexie doc sample`: the DOCX opens
// in LibreOffice (converted headless to PDF, every piece of the sample read back from it), the PDF
// has every font embedded and its Chinese reads back with pdftotext, and the QR code on the
// PDF's page decodes (pdftoppm + zbarimg) to the verification URL. No server needed; the
// tools come from scripts/install-deps (libreoffice-writer-nogui, poppler-utils, zbar-tools).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kexie } from './lib.mjs';

const SAMPLE = [
  '关于2026年全国科技工作者日活动报送情况的通报',
  'X科协发〔2026〕12号',
  '一、报送情况',
  '中国计算机学会',
  '92.3%',
  '（一）科技志愿服务证明',
  '特别提示：请于6月15日前报送；逾期视为未报。',
  '志愿者编号',
  '二、下一步工作',
  '请各单位于每月5日前报送上月工作简报。',
];
const URL = 'https://kexie.example.org/v/CERT-2026-000123';
const squeeze = (s) => s.replace(/[\s\uFEFF]+/g, '');

test('kexie doc sample: usage errors exit 2, a bad path exits 1 and leaves nothing', () => {
  assert.equal(kexie(['doc', 'sample', '--format', 'odt', '/tmp/x']).code, 2);
  assert.equal(kexie(['doc', 'sample', '--format', 'pdf']).code, 2);
  const r = kexie(['doc', 'sample', '--format', 'docx', '/nonexistent/dir/x.docx']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /kexie doc sample: /);
  assert.equal(existsSync('/nonexistent/dir/x.docx.tmp'), false);
});

test('the DOCX opens in LibreOffice and reads back whole', () => {
  const d = mkdtempSync(join(tmpdir(), 'kexie-docw-'));
  try {
    const f = join(d, 'sample.docx');
    assert.equal(kexie(['doc', 'sample', '--format', 'docx', f]).code, 0);
    assert.deepEqual(readdirSync(d), ['sample.docx']); // no .tmp left behind
    // LibreOffice lays it out as PDF (one start of soffice: 10-20 s); its text is the sample's
    execFileSync('soffice', [`-env:UserInstallation=file://${d}/lo`, '--headless', '--convert-to', 'pdf',
      '--outdir', d, f], { stdio: 'pipe', timeout: 120000 });
    const txt = squeeze(execFileSync('pdftotext', ['-enc', 'UTF-8', join(d, 'sample.pdf'), '-'], { encoding: 'utf8' }));
    for (const s of SAMPLE) assert.ok(txt.includes(squeeze(s)), `LibreOffice's rendering lacks ${s}`);
    assert.ok(txt.includes('—1—') && txt.includes('—2—'), 'the footer PAGE field numbers the pages');
    const info = execFileSync('pdfinfo', [join(d, 'sample.pdf')], { encoding: 'utf8' });
    assert.ok(Number(/Pages:\s+(\d+)/.exec(info)[1]) >= 2);
    const images = execFileSync('pdfimages', ['-list', join(d, 'sample.pdf')], { encoding: 'utf8' });
    assert.equal(images.trim().split('\n').length, 3, 'the QR image is in the converted PDF');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('the PDF embeds its fonts, its Chinese is text, its QR code decodes', () => {
  const d = mkdtempSync(join(tmpdir(), 'kexie-docw-'));
  try {
    const f = join(d, 'sample.pdf');
    assert.equal(kexie(['doc', 'sample', '--format', 'pdf', f]).code, 0);
    const fonts = execFileSync('pdffonts', [f], { encoding: 'utf8' }).split('\n');
    const col = fonts[0].indexOf(' emb ') + 1;
    const rows = fonts.slice(2).filter((l) => l.trim());
    assert.ok(rows.length >= 3);
    for (const l of rows) {
      assert.equal(l.slice(col, col + 3), 'yes', `not embedded: ${l}`);
      assert.match(l, /Noto(Serif|Sans)CJKsc-(Regular|Bold)/);
    }
    const txt = squeeze(execFileSync('pdftotext', ['-enc', 'UTF-8', f, '-'], { encoding: 'utf8' }));
    for (const s of SAMPLE) assert.ok(txt.includes(squeeze(s)), `pdftotext lacks ${s}`);
    assert.ok(txt.includes('—1—') && txt.includes('—2—'), 'page numbers');
    // the QR code is on page 2 (the image does not fit under the table on page 1)
    execFileSync('pdftoppm', ['-r', '150', '-png', f, join(d, 'page')]);
    const pages = readdirSync(d).filter((n) => n.startsWith('page')).sort();
    const found = pages.map((p) => {
      try {
        return execFileSync('zbarimg', ['--quiet', '--raw', join(d, p)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      } catch { return ''; }
    }).filter(Boolean);
    assert.deepEqual(found, [URL]);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
