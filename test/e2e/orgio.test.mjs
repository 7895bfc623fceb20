// orgio.test.mjs - issue 11: the org import and export from the organizations page, in
// Debian's Chromium: a GB18030 file with Chinese headers is previewed (encoding detected,
// columns mapped), checked (the bad row named with its row and column), imported as a
// background job with progress to a summary with a downloadable error file, and the new
// org is in the tree; the subtree exports as CSV with Chinese headers and as XLSX.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, sql } from '../api/lib.mjs';
import { launch, SHOTS, signedIn, DESKTOP, PHONE } from './browser.mjs';

let s, browser, dir;
before(async () => {
  s = await startServer();
  browser = await launch();
  dir = mkdtempSync(join(tmpdir(), 'kexie-orgio-'));
});
after(async () => {
  await browser?.close();
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// A CSV as Excel on a Chinese Windows saves it: GB18030, CRLF, Chinese headers and words.
function gbFile(name, rows) {
  const text = ['代码,名称,层级,类型,上级代码', ...rows].join('\r\n') + '\r\n';
  const utf8 = join(dir, `${name}.utf8`);
  writeFileSync(utf8, text);
  const out = join(dir, name);
  writeFileSync(out, execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030', utf8]));
  return out;
}

for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`org import from the page (${label}): preview, check, job with progress, summary, error file, tree`, async () => {
    const code = `DC-IMP-${label.toUpperCase()}`;
    const file = gbFile(`orgs-${label}.csv`, [`${code},导入测试科协${label},县级,科协,DC-C1`, `${code}-X,上级不存在的科协,县级,科协,NO-SUCH-PARENT`]);
    const { page, ctx, problems } = await signedIn(browser, s, 'dc.admin', '/orgs', { viewport, isMobile: label === 'phone' });
    await page.getByTestId('org-import').click();
    await page.getByTestId('import-file').setInputFiles(file);
    await page.getByTestId('import-next').click();
    await page.getByTestId('import-preview').waitFor();
    assert.match(await page.getByTestId('import-encoding').innerText(), /GB18030|GBK/);
    const cols = await page.getByTestId('import-columns').innerText();
    assert.match(cols, /上级代码/);
    await page.getByTestId('import-next').click();
    await page.getByTestId('import-check').waitFor();
    const errs = await page.getByTestId('import-errors').innerText();
    assert.match(errs, /3/, 'the bad row is named by its row number (header = row 1)');
    assert.match(errs, /上级/, 'and by its column as written in the file');
    await page.getByTestId('import-run').click();
    await page.getByTestId('import-summary').waitFor({ timeout: 30000 });
    const summary = await page.getByTestId('import-summary').innerText();
    assert.match(summary, /1/);
    const link = page.getByTestId('import-error-file').last();
    const [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const csv = readFileSync(await dl.path(), 'utf8');
    assert.match(csv, /行号/, 'the error file has headers in the UI language');
    assert.match(csv, /\b3\b/);
    await page.screenshot({ path: join(SHOTS, `orgs-import-${label}.png`), fullPage: true });
    await page.getByTestId('import-close').click();
    assert.equal(sql(s.db, `SELECT count(*) FROM org WHERE code = '${code}'`).trim(), '1');
    assert.equal(sql(s.db, `SELECT count(*) FROM org WHERE code = '${code}-X'`).trim(), '0');
    assert.deepEqual(problems, []);
    await ctx.close();
  });
}

test('org export from the page: CSV with Chinese headers and names, and XLSX', async () => {
  const { page, ctx, problems } = await signedIn(browser, s, 'dc.admin', '/orgs');
  for (const f of ['csv', 'xlsx']) {
    await page.getByTestId('export').first().click();
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`export-${f}`).click()]);
    const body = readFileSync(await dl.path());
    if (f === 'csv') {
      const text = body.toString('utf8');
      assert.match(text, /^\ufeff代码,名称/);
      assert.match(text, /DC-C1,临江市科学技术协会/);
    } else {
      assert.equal(body.subarray(0, 2).toString(), 'PK', 'an XLSX is a zip');
    }
  }
  assert.deepEqual(problems, []);
  await ctx.close();
});
