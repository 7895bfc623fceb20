// browser.mjs - Debian's Chromium through playwright-core, the same way for every browser
// test file; `data-test` is the test id attribute; screenshots go to build/e2e/. Helpers:
// a page that records console errors, signing in, choosing an org in an OrgPicker, an
// axe-core accessibility check, and a scan for raw codes and ids on screen.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { ROOT } from '../api/lib.mjs';

const require = createRequire(join(ROOT, 'web/package.json'));
const { chromium, selectors } = require('playwright-core');
selectors.setTestIdAttribute('data-test');
export const SHOTS = join(ROOT, 'build/e2e');
mkdirSync(SHOTS, { recursive: true });

export const DESKTOP = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

// A fresh context and page; `problems` collects console errors and uncaught exceptions.
// Failed requests are listed by status and path instead of the console's bare "Failed to
// load resource".
export async function openPage(browser, { viewport = DESKTOP, locale, isMobile = false } = {}) {
  const ctx = await browser.newContext({ viewport, locale: 'zh-CN', isMobile, hasTouch: isMobile, acceptDownloads: true });
  if (locale) await ctx.addInitScript((l) => localStorage.setItem('kexie.locale', l), locale);
  const page = await ctx.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('response', (r) => {
    if (r.status() < 400) return;
    const path = new URL(r.url()).pathname;
    problems.push(`${r.status()} ${r.request().method()} ${path}`);
  });
  return { ctx, page, problems };
}

export const input = (page, id) => page.locator(`input[data-test=${id}], [data-test=${id}] input`).first();

// Signs in through the form and waits for the page `path`.
export async function signIn(page, s, login, path = '/') {
  await page.goto(`${s.url}/login${path !== '/' ? `?next=${encodeURIComponent(path)}` : ''}`);
  await input(page, 'login-name').fill(login);
  await input(page, 'login-password').fill(s.demoPassword);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((u) => u.pathname === path);
}

// Signs a context in through the API (no sign-in page load): the session cookie lands in
// the context's cookie jar and the app is told a session exists. For tests of other pages.
export async function signInQuick(ctx, s, login) {
  const r = await ctx.request.post(`${s.url}/api/v1/session`, { data: { login, password: s.demoPassword } });
  if (!r.ok()) throw new Error(`sign-in ${login}: ${r.status()}`);
  await ctx.addInitScript(() => localStorage.setItem('kexie.signedIn', '1'));
}

export async function signedIn(browser, s, login, path, opts = {}) {
  const p = await openPage(browser, opts);
  await signIn(p.page, s, login, path);
  return p;
}

// Chooses an org in the OrgPicker with test id `testId`: types `query` and clicks the
// option whose label contains `text`. `box` overrides the picker's locator (a picker in a
// dialog over a drawer). The popup is opened by looking at the input's aria-expanded, never
// by a second click on a guess: under load a search can take seconds, and a click on an
// open picker closes it.
export async function pickOrg(page, testId, text, query = text, box = page.locator(`[data-test=${testId}]`).first()) {
  const field = box.locator('input').first();
  const option = page.locator('.org-picker-pop .el-tree-node__content:visible', { hasText: text }).first();
  for (let attempt = 0; ; attempt++) {
    if ((await field.getAttribute('aria-expanded')) !== 'true') await (attempt ? field : box).click();
    await field.fill(query);
    if (await option.waitFor({ timeout: 10000 }).then(() => true, () => false)) break;
    if (attempt === 2) throw new Error(`pickOrg ${testId}: no option "${text}" after searching "${query}" three times`);
  }
  await option.click();
}

// axe-core over the page: returns the serious and critical violations (rule id: targets).
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export async function axeViolations(page) {
  await page.evaluate(AXE); // through the debugger protocol: the app's CSP stays in force
  const res = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

// Text on screen that should have been a word or a name: stable codes, "org 68", "ID 2",
// and English server sentences under a Chinese UI.
const RAW = [
  /\b(system_admin|security_admin|audit_admin|org_admin)\b/, /\b(org|user|token|session|region|audit)\.[a-z_]+\b/,
  /\b(national|provincial|grassroots|township|association|society|enterprise|university)\b/,
  /\b(org|user|api_token|session)\s+\d+\b/, /\bID\s*\d+/, /\b\w+@[A-Z]{2,}[-A-Z0-9]*\b/,
  /\b(no such|must be|is required|is not|invalid query)\b/i, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/,
];
export async function rawTextOnScreen(page) {
  const text = await page.locator('body').innerText();
  return RAW.filter((re) => re.test(text)).map((re) => `${re}: ${(text.match(re) || [])[0]}`);
}

// The page is laid out for its viewport: nothing wider than the window, a one-line header.
export async function layoutProblems(page) {
  return page.evaluate(() => {
    const out = [];
    const w = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > w + 1) out.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${w}`);
    const h = document.querySelector('.header');
    if (h && h.getBoundingClientRect().height > 60) out.push(`header is ${h.getBoundingClientRect().height}px high`);
    return out;
  });
}
