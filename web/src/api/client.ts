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
  login: (login: string, password: string) => request<Me>('POST', '/api/v1/session', { login, password }),
  me: () => request<Me>('GET', '/api/v1/session'),
  logout: () => request<null>('DELETE', '/api/v1/session'),
  org: (id: number) => request<Org>('GET', `/api/v1/orgs/${id}`),
  orgChildren: (id: number) => request<{ items: Org[]; next_after: string | null }>('GET', `/api/v1/orgs/${id}/children?limit=500`),
  orgMove: (id: number, parentId: number, on: string | undefined, version: number) =>
    request<Org>('POST', `/api/v1/orgs/${id}/move`, on ? { parent_id: parentId, on } : { parent_id: parentId }, { 'If-Match': `"${version}"` }),
  reportClientError: (e: { message: string; source?: string; line?: number; column?: number; route?: string }) =>
    request<{ accepted: boolean }>('POST', '/api/v1/client-errors', e).catch(() => undefined),
};
