// forms.ts - the server's refusals as form-field messages, in the user's language: each
// field error's code translated (with its params), placed on the el-form-item named by the
// field; an error without a matching field lands on `fallbackField`. `fieldAliases` maps a
// server field to the form's name for it (e.g. parent_code -> parent_id). Also the rules
// for required fields, so an empty field says 必填 before the request is sent.
import type { ApiError } from './api/client';
import { errorTitle, fieldLabel, fieldMessage, tr } from './text';

export function formErrors(e: unknown, fallbackField: string, known?: string[], fieldAliases: Record<string, string> = {}): Record<string, string> {
  const err = e as ApiError;
  const out: Record<string, string> = {};
  if (err.code === 'precondition_failed') return { [fallbackField]: tr('errors.precondition_failed') };
  for (const d of err.details ?? []) {
    let f = fieldAliases[d.field] ?? d.field;
    let msg = fieldMessage(d);
    if (!f || (known && !known.includes(f))) {
      // not a field of this form: shown on the fallback field, saying which field it is about
      if (f) msg = tr('common.fieldOf', { field: fieldLabel(d.field), msg });
      f = fallbackField;
    }
    out[f] = out[f] ? `${out[f]}；${msg}` : msg;
  }
  return Object.keys(out).length ? out : { [fallbackField]: errorTitle(err) };
}

// An el-form rule for a required field (build rules in a computed so the language follows).
export const requiredRule = (trigger: 'blur' | 'change' = 'blur') => ({ required: true, message: tr('fieldErrors.required'), trigger });

// kept for callers of the earlier helper
export function useFormErrors() {
  return { formErrors, translate: (code: string) => tr(`fieldErrors.${code}`) || undefined };
}
