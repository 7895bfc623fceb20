// client.ts - the typed API client. Every failure becomes an ApiError carrying the
// server's stable code, message and field details, so forms can put errors on fields.

export interface FieldError { field: string; code: string; message: string; row?: number }

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public details: FieldError[] = [],
    public requestId = '',
  ) {
    super(message);
  }
  // Errors keyed by field name, for el-form-item :error bindings. `translate` turns a
  // stable code into the user's language; the server's English message is the fallback.
  fieldErrors(translate?: (code: string) => string | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    for (const d of this.details) if (d.field && !out[d.field]) out[d.field] = translate?.(d.code) ?? d.message;
    return out;
  }
}

export interface Health { status: string; database: string; database_ok: boolean; schema_version: number; schema_expected: number }
export interface About { name: string; version: string; database: string; database_ok: boolean; read_replica: boolean; schema_version: number; uptime_s: number }
export interface Region { code: string; name: string; parent_code: string | null; level: number }
export interface RegionList { items: Region[]; count: number }

export interface Grant { role: string; org_id: number; org_code: string }
export interface Me { user_id: number; login: string; display_name: string; via: string; roles: Grant[]; csrf_token?: string }
export interface Org {
  id: number; code: string; name: string; short_name: string; level: string; type: string;
  region_code: string | null; credit_code: string | null; contact: string; opened_on: string;
  closed_on: string | null; parent_id: number | null; version: number;
}

export interface OrgPage { items: Org[]; next_after: string | null }
// A placement (history: the parent) or a guided-by link (the guiding org), from..to (null: current).
export interface Period { from: string; to: string | null; id: number | null; code: string | null; name: string | null }
export interface Counts { total: number; by_level: Record<string, number>; by_type: Record<string, number> }
export interface UserGrant { role: string; org_id: number; org_code: string; org_name: string }
export interface UserRow { id: number; login: string; display_name: string; status: string; locked: boolean; roles: string }
export interface UserDetail {
  id: number; login: string; display_name: string; status: string; locked: boolean; locked_for_s: number;
  password_changed_at: number | null; last_login_at: number | null; created_at: number | null; active_sessions: number; roles: UserGrant[];
}
export interface SessionRow { id: number; created_at: number; last_seen_at: number; expires_at: number; client_addr: string; current: boolean }
export interface TokenRow { id: number; name: string; created_at: number; expires_at: number | null; last_used_at: number | null }
export interface AuditRow {
  seq: number; at: string; login: string; role: string; via: string; request_id: string; client_addr: string;
  action: string; object_type: string; object_id: string; org_code: string; detail: string;
}

const qs = (q: Record<string, string | number | boolean | undefined | null>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

// The CSRF token issued at sign-in; kept for this tab only (sessionStorage).
const CSRF_KEY = 'kexie.csrf';
export function setCsrf(t: string | null) {
  if (t) sessionStorage.setItem(CSRF_KEY, t); else sessionStorage.removeItem(CSRF_KEY);
}

async function request<T>(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<T> {
  let res: Response;
  const headers: Record<string, string> = { Accept: 'application/json', ...extra };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const csrf = sessionStorage.getItem(CSRF_KEY);
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'network', 'network error');
  }
  const text = await res.text();
  let data: unknown = null;
  try { data = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) {
    const e = (data as { error?: { code: string; message: string; details?: FieldError[]; request_id?: string } } | null)?.error;
    throw new ApiError(res.status, e?.code ?? 'internal', e?.message ?? res.statusText, e?.details ?? [], e?.request_id ?? res.headers.get('X-Request-Id') ?? '');
  }
  return data as T;
}

export const api = {
  health: () => request<Health>('GET', '/healthz'),
  about: () => request<About>('GET', '/api/v1/about'),
  regions: (q: { parent?: string; sort?: string; limit?: number }) => {
    const p = new URLSearchParams();
    if (q.parent) p.set('parent', q.parent);
    if (q.sort) p.set('sort', q.sort);
    if (q.limit) p.set('limit', String(q.limit));
    const qs = p.toString();
    return request<RegionList>('GET', `/api/v1/regions${qs ? `?${qs}` : ''}`);
  },
  region: (code: string) => request<Region>('GET', `/api/v1/regions/${encodeURIComponent(code)}`),
  login: (login: string, password: string, newPassword?: string) =>
    request<Me>('POST', '/api/v1/session', newPassword ? { login, password, new_password: newPassword } : { login, password }),
  me: () => request<Me>('GET', '/api/v1/session'),
  logout: () => request<null>('DELETE', '/api/v1/session'),
  org: (id: number, asOf?: string) => request<Org>('GET', `/api/v1/orgs/${id}${qs({ as_of: asOf })}`),
  orgChildren: (id: number, asOf?: string, includeClosed = false) =>
    request<OrgPage>('GET', `/api/v1/orgs/${id}/children${qs({ limit: 500, as_of: asOf, include_closed: includeClosed || undefined })}`),
  orgSearch: (q: { under?: number; q?: string; level?: string; type?: string; as_of?: string; include_closed?: boolean; after?: string; limit?: number }) =>
    request<OrgPage>('GET', `/api/v1/orgs${qs(q)}`),
  orgCounts: (id: number, asOf?: string) => request<Counts>('GET', `/api/v1/orgs/${id}/counts${qs({ as_of: asOf })}`),
  orgHistory: (id: number) => request<{ parents: Period[] }>('GET', `/api/v1/orgs/${id}/history`),
  orgLinks: (id: number) => request<{ guided_by: Period[] }>('GET', `/api/v1/orgs/${id}/links`),
  orgLinkAdd: (id: number, guideId: number, on?: string) =>
    request<{ guided_by: Period[] }>('POST', `/api/v1/orgs/${id}/links`, on ? { guide_id: guideId, on } : { guide_id: guideId }),
  orgCreate: (body: Record<string, unknown>) => request<Org>('POST', '/api/v1/orgs', body),
  orgUpdate: (id: number, body: Record<string, unknown>, version: number) =>
    request<Org>('PATCH', `/api/v1/orgs/${id}`, body, { 'If-Match': `"${version}"` }),
  orgClose: (id: number, on: string | undefined, branch: boolean, version: number) =>
    request<{ closed: number }>('POST', `/api/v1/orgs/${id}/close`, on ? { on, branch } : { branch }, { 'If-Match': `"${version}"` }),
  users: (q: { under?: number; q?: string; after?: string; limit?: number }) =>
    request<{ under: number; items: UserRow[]; next_after: string | null }>('GET', `/api/v1/users${qs(q)}`),
  user: (id: number) => request<UserDetail>('GET', `/api/v1/users/${id}`),
  userCreate: (body: { login: string; display_name: string; password: string; role: string; org_id: number }) =>
    request<UserDetail>('POST', '/api/v1/users', body),
  userRoleAdd: (id: number, role: string, orgId: number) => request<UserDetail>('POST', `/api/v1/users/${id}/roles`, { role, org_id: orgId }),
  userRoleRemove: (id: number, role: string, orgId: number) =>
    request<UserDetail>('DELETE', `/api/v1/users/${id}/roles/${encodeURIComponent(role)}/${orgId}`),
  userAction: (id: number, action: 'disable' | 'enable' | 'unlock') => request<UserDetail>('POST', `/api/v1/users/${id}/${action}`),
  userEndSessions: (id: number) => request<{ sessions_ended: number }>('DELETE', `/api/v1/users/${id}/sessions`),
  userPassword: (id: number, password: string) => request<null>('POST', `/api/v1/users/${id}/password`, { password }),
  mySessions: () => request<{ items: SessionRow[] }>('GET', '/api/v1/me/sessions'),
  myEndSession: (id: number) => request<null>('DELETE', `/api/v1/me/sessions/${id}`),
  myTokens: () => request<{ items: TokenRow[] }>('GET', '/api/v1/me/tokens'),
  myTokenCreate: (name: string, expiresDays?: number) =>
    request<{ token: string; name: string }>('POST', '/api/v1/me/tokens', expiresDays ? { name, expires_days: expiresDays } : { name }),
  myTokenRevoke: (id: number) => request<null>('DELETE', `/api/v1/me/tokens/${id}`),
  myPassword: (current: string, next: string) => request<null>('POST', '/api/v1/me/password', { current_password: current, new_password: next }),
  audit: (q: Record<string, string | number | undefined>) => request<{ items: AuditRow[]; next_before: number | null }>('GET', `/api/v1/audit${qs(q)}`),
  auditCsvUrl: (q: Record<string, string | number | undefined>) => `/api/v1/audit${qs({ ...q, format: 'csv' })}`,
  orgMove: (id: number, parentId: number, on: string | undefined, version: number) =>
    request<Org>('POST', `/api/v1/orgs/${id}/move`, on ? { parent_id: parentId, on } : { parent_id: parentId }, { 'If-Match': `"${version}"` }),
  reportClientError: (e: { message: string; source?: string; line?: number; column?: number; route?: string }) =>
    request<{ accepted: boolean }>('POST', '/api/v1/client-errors', e).catch(() => undefined),
};
