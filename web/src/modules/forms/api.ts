// api.ts - the forms calls (issue 13, core/form.h on the server): templates with their
// versions, the preview check, and submissions (draft autosave with If-Match, submit with an
// Idempotency-Key, return, accept, revisions, diff). The schema types describe docs/forms.md.
import { request, qs } from '../../api/client';

export type FieldType = 'text' | 'long_text' | 'integer' | 'decimal' | 'date' | 'choice' | 'multi_choice' | 'table' | 'file' | 'org';
export const FIELD_TYPES: FieldType[] = ['text', 'long_text', 'integer', 'decimal', 'date', 'choice', 'multi_choice', 'table', 'file', 'org'];
export const COLUMN_TYPES: FieldType[] = ['text', 'long_text', 'integer', 'decimal', 'date', 'choice', 'file'];
export interface Words { zh: string; en?: string }
export interface FormOption { code: string; label: Words }
export interface FormField {
  key: string; type: FieldType; label: Words; help?: Words; required?: boolean;
  min?: number | string; max?: number | string; scale?: number; pattern?: string;
  options?: FormOption[]; columns?: FormField[]; rule?: { sum: string[] };
}
export interface FormSchema { fields: FormField[] }
export type Values = Record<string, unknown>;
export interface FormTemplate {
  id: number; org_id: number | null; org_name: string | null; builtin: boolean; code: string; name: string; name_en: string;
  current_version: number; version: number; created_at: string; updated_at: string; schema_version?: number; schema?: FormSchema;
}
export interface Submission {
  id: number; template_id: number; form_version: number; subject_kind: string; subject_id: number; org_id: number; org_name: string;
  receiving_org_id: number; status: string; deadline: string | null; late: boolean | null; values: Values; reason: string | null;
  rev: number; version: number; submitted_at: string | null;
}

const ifMatch = (v: number) => ({ 'If-Match': `"${v}"` });

export const forms = {
  list: (under?: number) => request<{ items: FormTemplate[] }>('GET', `/api/v1/forms${qs({ under })}`),
  get: (id: number, version?: number) => request<FormTemplate>('GET', `/api/v1/forms/${id}${qs({ version })}`),
  create: (body: { org_id: number; code: string; name: string; name_en?: string; schema: FormSchema }) => request<FormTemplate>('POST', '/api/v1/forms', body),
  update: (id: number, version: number, body: { name?: string; name_en?: string; schema?: FormSchema }) => request<FormTemplate>('PATCH', `/api/v1/forms/${id}`, body, ifMatch(version)),
  validate: (id: number, values: Values, draft = false) => request<{ valid: boolean; values: Values }>('POST', `/api/v1/forms/${id}/validate`, { values, draft }),
  submission: (id: number) => request<Submission>('GET', `/api/v1/form-submissions/${id}`),
  save: (id: number, version: number, values: Values) => request<Submission>('PATCH', `/api/v1/form-submissions/${id}`, { values }, ifMatch(version)),
  submit: (id: number, key: string, values?: Values) => request<Submission>('POST', `/api/v1/form-submissions/${id}/submit`, values ? { values } : {}, { 'Idempotency-Key': key }),
};

// The word of a label in the UI language (Chinese when the English one is missing).
export const words = (w: Words | undefined, locale: string) => (w ? (locale === 'en' && w.en ? w.en : w.zh) : '');
