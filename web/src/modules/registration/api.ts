// api.ts - the registration calls (issue 12): the public page (consent, orgs, applying, the
// outcome by token), the staff queues (applications, erasure requests) and a member's own
// record. Paths and bodies are checked against the OpenAPI document (api/schema.gen.ts);
// the replies it leaves open are typed here.
import { call, request, qs } from '../../api/client';
import type { paths } from '../../api/schema.gen';

export type ApplyBody = paths['/api/v1/public/member-applications']['post']['body'];
export type AppStatus = 'pending' | 'approved' | 'rejected';
export interface PublicOrg { id: number; code: string; name: string; type: string }
export interface Application {
  id: number; org_id: number; org_name: string; category: string; status: AppStatus; name: string; reason: string | null;
  member_number: string | null; login: string; created_at: number; decided_at: number | null;
  gender?: string | null; birth_date?: string | null; id_type?: string | null; id_number?: string | null; mobile?: string | null;
  email?: string | null; work_unit?: string | null; title?: string | null; title_level?: string | null; education?: string | null;
  political_status?: string | null;
}
export interface Erasure {
  id: number; org_id: number; person_id: number; person_name: string; reason: string; answer: string | null;
  status: AppStatus; created_at: number; org_name?: string; decided_at?: number | null;
}
export interface MyPayment { id?: number; amount_cents: number; method: string; receipt_no: string; paid_on: string; period_from?: string; period_to?: string }
export interface MyMembership {
  id: number; org_name: string; category: string; number: string; status: string; joined_on: string | null;
  valid_until: string | null; left_on: string | null; renew: boolean; payments: MyPayment[];
}
export interface MyPerson {
  id: number; name: string; version: number; gender?: string | null; ethnicity?: string | null; birth_date?: string | null;
  id_type?: string | null; id_number?: string | null; mobile?: string | null; landline?: string | null; email?: string | null;
  political_status?: string | null; education?: string | null; degree?: string | null; title?: string | null;
  title_level?: string | null; discipline?: string | null; work_unit?: string | null; position?: string | null; org_name?: string | null;
}
export interface MyRecord { person: MyPerson; memberships: MyMembership[] }
export type MyEdit = { email?: string | null; landline?: string | null; work_unit?: string | null; position?: string | null };

export const reg = {
  consent: () => call('get', '/api/v1/public/consent'),
  publicOrgs: (q: string) => request<{ items: PublicOrg[] }>('GET', `/api/v1/public/orgs${qs({ q })}`),
  apply: (body: ApplyBody) => call('post', '/api/v1/public/member-applications', { body }),
  status: (token: string) => request<Application>('POST', '/api/v1/public/member-applications/status', { token }),

  applications: (q: { under?: number; status?: AppStatus; before?: number; limit?: number }) =>
    request<{ items: Application[]; next_before: number | null }>('GET', `/api/v1/member-applications${qs(q)}`),
  approve: (id: number) => request<Application>('POST', `/api/v1/member-applications/${id}/approve`, {}),
  reject: (id: number, reason: string) => request<Application>('POST', `/api/v1/member-applications/${id}/reject`, { reason }),

  erasures: (q: { under?: number; status?: AppStatus }) => request<{ items: Erasure[] }>('GET', `/api/v1/member-erasures${qs(q)}`),
  erasureApprove: (id: number, answer: string) => request<Erasure>('POST', `/api/v1/member-erasures/${id}/approve`, answer ? { answer } : {}),
  erasureReject: (id: number, answer: string) => request<Erasure>('POST', `/api/v1/member-erasures/${id}/reject`, answer ? { answer } : {}),

  me: () => request<MyRecord>('GET', '/api/v1/me/member'),
  meUpdate: (body: MyEdit, version: number) => request<MyRecord>('PATCH', '/api/v1/me/member', body, { 'If-Match': `"${version}"` }),
  meExportUrl: '/api/v1/me/member/export',
  meErase: (reason: string) => request<{ id: number; status: 'pending' }>('POST', '/api/v1/me/member/erasure', reason ? { reason } : {}),
};
