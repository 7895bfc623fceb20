// changes.ts - an audit diff as readable lines in the user's language: field names as
// labels, codes as words, org ids as org names, secrets as "changed". Used by the audit
// page and the workbench.
import { api } from './api/client';
import { word, type CodeList } from './codes';
import { fieldLabel, tr } from './text';

const names = new Map<number, Promise<string>>();
export function orgName(id: number): Promise<string> {
  if (!names.has(id)) names.set(id, api.org(id).then((o) => `${o.name}（${o.code}）`).catch(() => `${tr('fields.org')} ${id}`));
  return names.get(id)!;
}

const WORDS: Record<string, CodeList> = { level: 'org_level', type: 'org_type', role: 'role' };
const ORG_IDS = new Set(['parent_id', 'org_id', 'guide_id']);

async function value(field: string, v: unknown): Promise<string> {
  if (v === null || v === undefined || v === '') return '∅';
  if (ORG_IDS.has(field) && (typeof v === 'number' || /^\d+$/.test(String(v)))) return orgName(Number(v));
  if (WORDS[field]) return word(WORDS[field], String(v));
  if (field === 'scope') return v === 'branch' ? tr('audit.scopeBranch') || String(v) : tr('audit.scopeOne') || String(v);
  return String(v);
}

export async function describeChanges(d: string | Record<string, unknown> | null | undefined): Promise<string[]> {
  let obj: Record<string, unknown>;
  if (!d) return [];
  if (typeof d === 'string') {
    try { obj = JSON.parse(d) as Record<string, unknown>; } catch { return [d]; }
  } else obj = d;
  return Promise.all(Object.entries(obj).map(async ([k, v]) => {
    const label = fieldLabel(k);
    if (Array.isArray(v)) return `${label}：${await value(k, v[0])} → ${await value(k, v[1])}`;
    if (v === 'changed' || v === 'set') return `${label}：${tr('audit.changed')}`;
    return `${label}：${await value(k, v)}`;
  }));
}

// An org's name by its code (audit rows and role lists carry codes), cached.
const byCode = new Map<string, Promise<string>>();
export function orgNameByCode(code: string): Promise<string> {
  if (!code) return Promise.resolve('');
  if (!byCode.has(code)) {
    byCode.set(code, api.orgSearch({ q: code, include_closed: true, limit: 5 })
      .then((p) => p.items.find((o) => o.code === code)?.name ?? code).catch(() => code));
  }
  return byCode.get(code)!;
}

// "org_admin@DC-C1, staff@CAST" -> [{ role, code }]
export function parseGrants(s: string): { role: string; code: string }[] {
  return (s || '').split(/[,;]\s*/).filter(Boolean).map((g) => {
    const [role, code = ''] = g.trim().split('@');
    return { role, code };
  });
}
