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

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
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
  reportClientError: (e: { message: string; source?: string; line?: number; column?: number; route?: string }) =>
    request<{ accepted: boolean }>('POST', '/api/v1/client-errors', e).catch(() => undefined),
};
