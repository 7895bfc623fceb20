// forms.ts - the server's refusals as form-field messages, in the user's language: each
// field error's stable code translated (fieldErrors.*), the English message as fallback;
// an error without fields lands on `fallbackField` (412 says someone else changed it).
import { useI18n } from 'vue-i18n';
import type { ApiError } from './api/client';

export function useFormErrors() {
  const { t, te } = useI18n();
  const translate = (code: string) => (te(`fieldErrors.${code}`) ? t(`fieldErrors.${code}`) : undefined);
  function formErrors(e: unknown, fallbackField: string): Record<string, string> {
    const err = e as ApiError;
    const fe = err.fieldErrors(translate);
    if (err.code === 'precondition_failed') return { [fallbackField]: t('errors.precondition_failed') };
    return Object.keys(fe).length ? fe : { [fallbackField]: te(`errors.${err.code}`) ? t(`errors.${err.code}`) : err.message };
  }
  return { translate, formErrors };
}
