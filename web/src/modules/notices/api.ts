// api.ts - the notice calls (issue 13): composing (draft, preview of the targets, rendered
// Markdown), the life of a notice (submit, approve, return, send, recall), the receipt
// figures and table, the org's settings, and an org's inbox (read, acknowledge, forward).
// Paths and bodies are checked against the OpenAPI document; replies are typed here.
// Times from these routes are unix milliseconds.
import { request, qs } from '../../api/client';

export type NoticeState = 'draft' | 'pending' | 'approved' | 'sent' | 'recalled';
export type ReceiptState = 'unread' | 'read' | 'acknowledged';
export interface Rule { kind: 'subtree' | 'guided'; org_id: number; level?: string | null; type?: string | null }
export interface Targets { orgs: number[]; rules: Rule[] }
export interface Counts { total: number; unread: number; read: number; acknowledged: number }
export interface NoticeOrg { id: number; code: string; name: string; level: string; type: string }
export interface Notice {
  id: number; org_id: number; org_name: string; state: NoticeState; number: string | null; title: string;
  contact_name: string; contact_phone: string; deadline_date: string | null; deadline_time: string | null;
  deadline_at: number | null; receipt_required: boolean; form_id: number | null; recipient_count: number;
  reject_reason: string | null; recall_reason: string | null; parent_id: number | null; parent_number: string | null;
  parent_title: string | null; parent_org_name: string | null; created_at: number; updated_at: number;
  sent_at: number | null; recalled_at: number | null; version: number;
  body?: string; body_html?: string; targets?: Targets; receipts?: Counts;
}
export interface Draft {
  title?: string; body?: string; contact_name?: string | null; contact_phone?: string | null;
  deadline_date?: string | null; deadline_time?: string | null; receipt_required?: boolean; form_id?: number | null; targets?: Targets;
}
export interface Branch extends NoticeOrg, Counts {}
export interface Receipts { under: number; all: Counts; within: Counts; self: Counts; outside: Counts; branches: Branch[] }
export interface RecipientRow {
  org: NoticeOrg; via_id: number; via_number: string | null; state: ReceiptState; read_at: number | null; read_by: string | null;
  ack_at: number | null; ack_by: string | null; forwarded_id: number | null;
}
export interface InboxItem {
  notice_id: number; org_id: number; org_name: string; number: string | null; title: string; state: ReceiptState;
  withdrawn: boolean; receipt_required: boolean; sent_at: number; deadline_at: number | null; read_at: number | null;
  read_by: string | null; ack_at: number | null; ack_by: string | null; forwarded_id: number | null; parent_id: number | null;
}
export interface InboxEntry extends InboxItem { notice: Notice & { body_html: string } }
export interface NoticeConfig { org_id: number; prefix: string; approval_required: boolean; version: number }

const N = '/api/v1/notices';
export const notices = {
  list: (q: { org_id?: number; state?: NoticeState; before?: number; limit?: number }) =>
    request<{ items: Notice[]; next_before: number | null }>('GET', `${N}${qs(q)}`),
  get: (id: number) => request<Notice>('GET', `${N}/${id}`),
  create: (org_id: number, d: Draft) => request<Notice>('POST', N, { org_id, ...d }),
  update: (id: number, version: number, d: Draft) => request<Notice>('PATCH', `${N}/${id}`, d, { 'If-Match': `"${version}"` }),
  preview: (org_id: number, targets: Targets, limit = 20) =>
    request<{ count: number; items: NoticeOrg[] }>('POST', `${N}/preview-targets`, { org_id, targets, limit }),
  render: (body: string) => request<{ html: string }>('POST', `${N}/render`, { body }),
  submit: (id: number) => request<Notice>('POST', `${N}/${id}/submit`, {}),
  approve: (id: number) => request<Notice>('POST', `${N}/${id}/approve`, {}),
  reject: (id: number, reason: string) => request<Notice>('POST', `${N}/${id}/reject`, { reason }),
  send: (id: number) => request<Notice>('POST', `${N}/${id}/send`, {}),
  recall: (id: number, reason: string) => request<Notice>('POST', `${N}/${id}/recall`, { reason }),
  receipts: (id: number, under?: number) => request<Receipts>('GET', `${N}/${id}/receipts${qs({ under })}`),
  recipients: (id: number, q: { under?: number; state?: ReceiptState; after?: string; limit?: number }) =>
    request<{ items: RecipientRow[]; next_after: string | null }>('GET', `${N}/${id}/recipients${qs(q)}`),
  config: (org: number) => request<NoticeConfig>('GET', `/api/v1/orgs/${org}/notice-config`),
  setConfig: (org: number, c: { prefix: string; approval_required: boolean }) => request<NoticeConfig>('PUT', `/api/v1/orgs/${org}/notice-config`, c),
  inbox: (org: number, q: { state?: ReceiptState; after?: string; limit?: number }) =>
    request<{ items: InboxItem[]; next_after: string | null }>('GET', `/api/v1/orgs/${org}/inbox${qs(q)}`),
  entry: (org: number, n: number) => request<InboxEntry>('GET', `/api/v1/orgs/${org}/inbox/${n}`),
  read: (org: number, n: number) => request<InboxEntry>('POST', `/api/v1/orgs/${org}/inbox/${n}/read`, {}),
  acknowledge: (org: number, n: number) => request<InboxEntry>('POST', `/api/v1/orgs/${org}/inbox/${n}/acknowledge`, {}),
  forward: (org: number, n: number, d: Draft) => request<Notice>('POST', `/api/v1/orgs/${org}/inbox/${n}/forward`, d),
};

// A millisecond time as the one formatter shows it (Beijing time).
export const ms = (v: number | null | undefined) => (v ? Math.floor(v / 1000) : null);
export const pct = (c: Counts | undefined, k: keyof Counts) => (c && c.total ? Math.round((c[k] / c.total) * 100) : 0);
