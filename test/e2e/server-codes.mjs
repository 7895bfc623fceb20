// server-codes.mjs - every error code the server can send, read from src/ at test time:
// the top-level codes err_name() returns, and every field-error code written as a string
// literal in an errlist_add / errlist_add_row call (or a `.code = "..."` initialiser).
// Tests render each one in both languages, so a new server code without a translation
// fails a browser test instead of reaching a user as English or as a raw code.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../api/lib.mjs';

function files(dir) {
  const out = [];
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.c$/.test(n)) out.push(p);
  }
  return out;
}

export function serverCodes() {
  const top = new Set();
  const field = new Set();
  for (const f of files(join(ROOT, 'src'))) {
    const text = readFileSync(f, 'utf8');
    if (/\berr_name\s*\(/.test(text)) for (const m of text.matchAll(/case ERR_\w+:\s*return "([a-z_]+)"/g)) top.add(m[1]);
    // errlist_add(list, field, "code", ...) and errlist_add_row(list, row, field, "code", ...)
    for (const m of text.matchAll(/errlist_add\s*\(\s*[^,;]+,\s*[^,;]+,\s*"([a-z][a-z0-9_]*)"/g)) field.add(m[1]);
    for (const m of text.matchAll(/errlist_add_row\s*\(\s*[^,;]+,\s*[^,;]+,\s*[^,;]+,\s*"([a-z][a-z0-9_]*)"/g)) field.add(m[1]);
    for (const m of text.matchAll(/\.code\s*=\s*"([a-z][a-z0-9_]*)"/g)) field.add(m[1]);
    // codes chosen by a ternary inside the call: `cond ? "a" : "b"`
    for (const m of text.matchAll(/errlist_add\s*\(\s*[^,;]+,\s*[^,;]+,\s*[^;?",]*\?\s*"([a-z][a-z0-9_]*)"\s*:\s*"([a-z][a-z0-9_]*)"/g)) { field.add(m[1]); field.add(m[2]); }
  }
  top.delete('ok');
  return { top: [...top].sort(), field: [...field].sort() };
}

if (process.argv[1] === import.meta.filename) console.log(JSON.stringify(serverCodes(), null, 1));
