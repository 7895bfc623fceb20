// browser.mjs - Debian's Chromium through playwright-core, the same way for every browser
// test file; `data-test` is the test id attribute; screenshots go to build/e2e/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { ROOT } from '../api/lib.mjs';

const require = createRequire(join(ROOT, 'web/package.json'));
const { chromium, selectors } = require('playwright-core');
selectors.setTestIdAttribute('data-test');
export const SHOTS = join(ROOT, 'build/e2e');
mkdirSync(SHOTS, { recursive: true });

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}
