// check.ts - the browser's copy of the server's value checks (src/core/form.c), so a field
// says what is wrong before anything is sent: required, lengths in code points, patterns
// anchored to the whole value, integer and decimal ranges (decimals exact, as BigInt
// millionths), dates, choices, table rows and cells (`key[row].col`), and sum rules. The
// server checks again and its errors replace these by field.
import type { FormField, FormSchema, Values } from './api';

export interface Problem { field: string; code: string; params?: Record<string, string | number> }
const SCALE = 6n;
const ONE = 10n ** SCALE;

const empty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
const len = (s: string) => [...s].length;

export function decUnits(v: unknown): bigint | null {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  const m = /^([+-]?)(\d{1,13})(?:\.(\d{1,6}))?$/.exec(s);
  if (!m) return null;
  const u = BigInt(m[2]) * ONE + BigInt((m[3] ?? '').padEnd(6, '0'));
  return m[1] === '-' ? -u : u;
}
export function decText(u: bigint, scale: number): string {
  const neg = u < 0n; const a = neg ? -u : u;
  const whole = a / ONE; const frac = (a % ONE).toString().padStart(6, '0').slice(0, scale);
  return `${neg ? '-' : ''}${whole}${scale ? `.${frac}` : ''}`;
}
const scaleOf = (v: string) => (v.split('.')[1] ?? '').length;
// Only the bounds there are (a message with an empty bound falls back to the plain word).
const bounds = (min: unknown, max: unknown) => {
  const p: Record<string, string | number> = {};
  if (min !== undefined && min !== '') p.min = min as string | number;
  if (max !== undefined && max !== '') p.max = max as string | number;
  return p;
};

function checkOne(f: FormField, v: unknown, name: string, draft: boolean, out: Problem[]) {
  if (f.type === 'table') return checkTable(f, v, name, draft, out);
  if (empty(v)) { if (f.required && !draft) out.push({ field: name, code: 'required' }); return; }
  const min = f.min, max = f.max;
  switch (f.type) {
    case 'text': case 'long_text': {
      const s = String(v); const n = len(s);
      const hi = typeof max === 'number' ? max : f.type === 'text' ? 200 : 10000;
      if (typeof min === 'number' && n < min) out.push({ field: name, code: 'too_short', params: { min } });
      else if (n > hi) out.push({ field: name, code: 'too_long', params: { max: hi } });
      else if (f.type === 'text' && /[\r\n]/.test(s)) out.push({ field: name, code: 'one_line' });
      else if (f.pattern) {
        let re: RegExp | null = null;
        try { re = new RegExp(`^(?:${f.pattern})$`); } catch { re = null; }
        if (re && !re.test(s)) out.push({ field: name, code: 'pattern_mismatch', params: { pattern: f.pattern } });
      }
      return;
    }
    case 'integer': {
      const s = String(v).trim();
      if (!/^-?\d+$/.test(s)) { out.push({ field: name, code: 'not_integer' }); return; }
      const n = Number(s);
      if ((typeof min === 'number' && n < min) || (typeof max === 'number' && n > max)) out.push({ field: name, code: 'out_of_range', params: bounds(min, max) });
      return;
    }
    case 'decimal': {
      const u = decUnits(v); const sc = f.scale ?? 2;
      if (u === null) { out.push({ field: name, code: 'not_decimal' }); return; }
      if (scaleOf(String(v)) > sc) { out.push({ field: name, code: 'too_many_decimals', params: { max: sc } }); return; }
      const lo = min !== undefined ? decUnits(min) : null, hi = max !== undefined ? decUnits(max) : null;
      if ((lo !== null && u < lo) || (hi !== null && u > hi)) out.push({ field: name, code: 'out_of_range', params: bounds(lo !== null ? decText(lo, sc) : undefined, hi !== null ? decText(hi, sc) : undefined) });
      return;
    }
    case 'date': {
      const s = String(v);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) { out.push({ field: name, code: 'date_invalid' }); return; }
      if ((typeof min === 'string' && s < min) || (typeof max === 'string' && s > max)) out.push({ field: name, code: 'out_of_range', params: bounds(min, max) });
      return;
    }
    case 'choice':
      if (!f.options?.some((o) => o.code === v)) out.push({ field: name, code: 'not_allowed' });
      return;
    case 'multi_choice': {
      const a = v as string[]; const n = a.length;
      if ((typeof min === 'number' && !draft && n < min)) out.push({ field: name, code: 'too_few', params: bounds(min, max) });
      else if (typeof max === 'number' && n > max) out.push({ field: name, code: 'too_many', params: bounds(min, max) });
      return;
    }
    case 'file': case 'org':
      if (!Number.isInteger(Number(v)) || Number(v) < 1) out.push({ field: name, code: 'not_integer' });
      return;
  }
}

function checkTable(f: FormField, v: unknown, name: string, draft: boolean, out: Problem[]) {
  const rows = (Array.isArray(v) ? v : []).filter((r) => Object.values(r as Values).some((x) => !empty(x))) as Values[];
  rows.forEach((row, i) => { for (const c of f.columns ?? []) checkOne(c, row[c.key], `${name}[${i}].${c.key}`, draft, out); });
  if (!rows.length) { if (f.required && !draft) out.push({ field: name, code: 'required' }); return; }
  const min = typeof f.min === 'number' ? f.min : 0, max = typeof f.max === 'number' ? f.max : 500;
  if ((!draft && rows.length < min) || rows.length > max) out.push({ field: name, code: rows.length > max ? 'too_many' : 'too_few', params: { min, max } });
}

// The sum of one reference ("key" or "table.column") in millionths.
function refUnits(values: Values, ref: string): bigint {
  const [top, col] = ref.split('.');
  if (!col) return decUnits(values[top]) ?? 0n;
  return ((values[top] as Values[]) ?? []).reduce((a, r) => a + (decUnits(r[col]) ?? 0n), 0n);
}

export function checkValues(schema: FormSchema, values: Values, draft = false): Problem[] {
  const out: Problem[] = [];
  for (const f of schema.fields) checkOne(f, values[f.key], f.key, draft, out);
  if (draft || out.length) return out;
  for (const f of schema.fields) {
    if (!f.rule?.sum || empty(values[f.key])) continue;
    const want = f.rule.sum.reduce((a, r) => a + refUnits(values, r), 0n);
    if (want !== decUnits(values[f.key])) out.push({ field: f.key, code: 'sum_mismatch', params: { expected: decText(want, f.type === 'decimal' ? f.scale ?? 2 : 0), fields: f.rule.sum.join(',') } });
  }
  return out;
}
