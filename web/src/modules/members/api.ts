// api.ts - the member register's calls (docs/openapi.json, tag "members"), typed from the
// generated schema. Personal values come back masked; the full ID number or mobile only
// through `reveal`, whose answer the caller keeps in a local ref and drops on close.
import { call, qs, request } from '../../api/client';
import type { Schemas, paths } from '../../api/schema.gen';

export type Person = Schemas['person'];
export type Membership = Schemas['membership'];
export type Payment = Schemas['payment'];
export type MemberConfig = Schemas['member_config'];
export type MemberTerm = Schemas['member_term'];
export type PersonBody = paths['/api/v1/members/{id}']['patch']['body'];
export type MemberQuery = paths['/api/v1/members']['get']['query'];

const ifMatch = (v: number) => ({ 'If-Match': `"${v}"` });

export const members = {
  list: (q: MemberQuery) => call('get', '/api/v1/members', { query: q }),
  get: (id: number) => call('get', '/api/v1/members/{id}', { path: { id } }),
  create: (body: PersonBody & { org_id: number }) => call('post', '/api/v1/members', { body }),
  update: (id: number, body: PersonBody, version: number) =>
    call('patch', '/api/v1/members/{id}', { path: { id }, body, headers: ifMatch(version) }),
  reveal: (id: number, field: 'id_number' | 'mobile', reason: string) =>
    call('post', '/api/v1/members/{id}/reveal', { path: { id }, body: { field, reason } }),
  memberships: (id: number) => call('get', '/api/v1/members/{id}/memberships', { path: { id } }),
  membershipList: (q: { under?: number; status?: Membership['status']; expiring_days?: number; lapsed?: boolean; after?: string | null; limit?: number }) =>
    request<{ items: Membership[]; next_after: string | null }>('GET', `/api/v1/memberships${qs(q)}`),
  join: (body: { org_id: number; person_id: number; category: string; number?: string; joined_on?: string }) =>
    call('post', '/api/v1/memberships', { body }),
  end: (id: number, body: { status: 'left' | 'expelled'; reason: string; on?: string }) =>
    call('post', '/api/v1/memberships/{id}/end', { path: { id }, body }),
  payments: (id: number) => call('get', '/api/v1/memberships/{id}/payments', { path: { id } }),
  pay: (id: number, body: { amount_cents: number; method: string; receipt_no?: string; paid_on?: string }) =>
    call('post', '/api/v1/memberships/{id}/payments', { path: { id }, body }),
  config: (org: number) => call('get', '/api/v1/orgs/{id}/member-config', { path: { id: org } }),
  setConfig: (org: number, body: { number_pattern: string; terms: MemberTerm[] }) =>
    call('put', '/api/v1/orgs/{id}/member-config', { path: { id: org }, body }),
};

// Yuan as typed ("50", "50.5", "1,200.00") to fen; null when it is not an amount.
export function yuanToFen(s: string): number | null {
  const v = s.replace(/[,，\s]/g, '');
  if (!/^\d+(\.\d{1,2})?$/.test(v)) return null;
  const [i, f = ''] = v.split('.');
  return Number(i) * 100 + Number((f + '00').slice(0, 2));
}
export const fenToYuan = (n: number) => `¥${(n / 100).toFixed(2)}`;

// Whole years between a birth date and today (for the age column).
export function ageOf(birth: string | null, today: string): number | null {
  if (!birth) return null;
  const [y, m, d] = birth.split('-').map(Number);
  const [ty, tm, td] = today.split('-').map(Number);
  return ty - y - (tm < m || (tm === m && td < d) ? 1 : 0);
}
