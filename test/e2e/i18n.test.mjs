// i18n.test.mjs - defect 1 of issue 11 (a message containing @ was compiled as vue-i18n
// syntax and threw, swallowing every field error): every message of both catalogs compiles
// and renders, both catalogs have the same keys, and every error code the server can send
// (read from src/ now, see server-codes.mjs) renders as a translated sentence in both
// languages, with its params filled, never as the server's English or as the code; the
// words of GET /api/v1/codes equal the web app's compiled-in ones (generated from them).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../api/lib.mjs';
import { launch, openPage, signIn } from './browser.mjs';
import { serverCodes } from './server-codes.mjs';

let s, browser;
before(async () => {
  s = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await s?.stop();
});

test('every message of both catalogs compiles and renders; both have the same keys', async () => {
  const { page, ctx, problems } = await openPage(browser);
  await page.goto(`${s.url}/dev/i18n`);
  const out = page.getByTestId('i18n-problems');
  await out.waitFor();
  assert.deepEqual(JSON.parse(await out.innerText()), []);
  assert.ok(Number(await page.getByTestId('i18n-count').innerText()) > 500, 'all messages were checked');
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('every error code the server can send renders translated, in both languages', async () => {
  const codes = serverCodes();
  assert.ok(codes.top.length >= 10 && codes.field.length >= 30, `codes read from src/: ${JSON.stringify(codes)}`);
  const { page, ctx, problems } = await openPage(browser);
  await page.goto(`${s.url}/dev/i18n`);
  await page.getByTestId('i18n-problems').waitFor();
  const bad = await page.evaluate((c) => window.kexieRenderCodes(c), { top: [...codes.top, 'network', 'internal'], field: codes.field });
  assert.deepEqual(bad, []);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('the server code lists and the compiled-in fallback say the same words', async () => {
  const { page, ctx } = await openPage(browser);
  await signIn(page, s, 'county.staff', '/');
  const server = await page.evaluate(async () => (await (await fetch('/api/v1/codes')).json()).lists);
  await page.goto(`${s.url}/dev/i18n`);
  await page.getByTestId('i18n-problems').waitFor();
  const fallback = await page.evaluate(() => window.kexieFallbackCodes);
  const diffs = [];
  for (const [list, entries] of Object.entries(server)) {
    for (const e of entries) {
      const f = (fallback[list] || []).find((x) => x.code === e.code);
      if (!f) diffs.push(`${list}.${e.code} missing in the fallback`);
      else if (f.zh !== e.zh || f.en !== e.en) diffs.push(`${list}.${e.code}: server ${e.zh}/${e.en}, web ${f.zh}/${f.en}`);
    }
  }
  assert.deepEqual(diffs, []);
  await ctx.close();
});
