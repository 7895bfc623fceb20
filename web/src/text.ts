// text.ts - turning codes into the user's words, safely. `tr` looks a key up only after te()
// confirms it exists, so nothing but our own catalog is ever compiled as a message; server
// text is shown as plain text (never as a key or a template). Errors are translated by
// code (+ params); the server's English message appears only in English and only when no
// translation exists.
import { i18n } from './i18n';
import type { ApiError, FieldError } from './api/client';
import { codeTables } from './codes';

const g = () => i18n.global;

export function tr(key: string, params?: Record<string, unknown>): string {
  const { t, te, locale } = g();
  if (!te(key, locale.value) && !te(key, 'zh-CN')) return '';
  return params ? t(key, params as Record<string, string>) : t(key);
}

const isEnglish = () => g().locale.value === 'en';

// The word of an error code from the server's error list (src/core/codelist.c), or ''.
function errorWord(code: string): string {
  const hit = codeTables.lists.error?.find((x) => x.code === code);
  return hit ? (isEnglish() ? hit.en : hit.zh) : '';
}

// The translated title of a failed request.
export function errorTitle(e: ApiError): string {
  return tr(`errors.${e.code}`) || errorWord(e.code) || (isEnglish() && e.message) || tr('errors.internal');
}

// The translated message of one field error: with params when the server sent them.
export function fieldMessage(d: FieldError): string {
  const p = d.params && Object.keys(d.params).length ? d.params : null;
  if (p) {
    const withParams = tr(`fieldErrorsP.${d.code}`, p);
    if (withParams && !/\{\w+\}/.test(withParams)) return withParams;
  }
  return tr(`fieldErrors.${d.code}`) || errorWord(d.code) || (isEnglish() && d.message) || tr('errors.invalid');
}

// A field's label for messages that are not placed on a form item.
export function fieldLabel(field: string): string {
  const base = field.split('.').pop() ?? field;
  return tr(`fields.${base}`) || base;
}
