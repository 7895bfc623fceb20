// api.ts - notifications (the caller's own) and the outbound hook's deliveries (the system
// admin's). Paths and bodies are checked against the OpenAPI document (api/schema.gen.ts).
import { call } from '../../api/client';

export interface Notification {
  id: number; kind: string; title: string; body: string; link: string | null;
  source_kind: string | null; source_id: number | null; org_id: number | null; role: string | null;
  created_at: string; read_at: string | null;
}
export interface HookAttempt { attempt: number; at: string; status: number | null; duration_ms: number; error: string | null }
export interface HookDelivery {
  id: number; event: string; url: string; title: string; state: 'pending' | 'delivered' | 'dead'; attempts: number;
  last_status: number | null; last_error: string | null; created_at: string; next_at: string | null; finished_at: string | null;
  attempt_log: HookAttempt[];
}

export const notify = {
  list: (q: { unread?: boolean; after?: string | null; limit?: number } = {}) =>
    call('get', '/api/v1/me/notifications', { query: { unread: q.unread || undefined, after: q.after ?? undefined, limit: q.limit } }) as unknown as Promise<{ items: Notification[]; next_after: string | null }>,
  count: () => call('get', '/api/v1/me/notifications/count') as unknown as Promise<{ unread: number }>,
  read: (id: number) => call('post', '/api/v1/me/notifications/{id}/read', { path: { id }, body: {} }) as unknown as Promise<Notification>,
  readAll: () => call('post', '/api/v1/me/notifications/read-all', { body: {} }) as unknown as Promise<{ count: number; unread: number }>,
  deliveries: (q: { state?: string; before?: number | null; limit?: number } = {}) =>
    call('get', '/api/v1/hooks/deliveries', { query: { state: q.state || undefined, before: q.before ?? undefined, limit: q.limit } } as never) as unknown as Promise<{ items: HookDelivery[]; next_before: number | null }>,
  retry: (id: number) => call('post', '/api/v1/hooks/deliveries/{id}/retry', { path: { id }, body: {} }) as unknown as Promise<HookDelivery>,
  test: () => call('post', '/api/v1/hooks/test', { body: {} }) as unknown as Promise<{ sent: number; deliveries: number; task_id: number | null }>,
};

// The app route a notification opens: only a relative path of this app (the server checks
// the same when it stores one; this is the belt to those braces).
export const safeLink = (l: string | null) => (l && l.startsWith('/') && !l.startsWith('//') && !l.includes('\\') ? l : null);
