// i18n - vue-i18n with the shared catalogs; each module merges its own strings (modules.ts).
// Server text is never given to t(): only our own keys are, and only after te() says they
// exist (text.ts), so a server message can never be compiled as a message template.
import { createI18n } from 'vue-i18n';
import zhCN from './zh-CN';
import en from './en';
import { setApiLanguage } from '../api/client';

export type Locale = 'zh-CN' | 'en';
const saved = (typeof localStorage !== 'undefined' && localStorage.getItem('kexie.locale')) as Locale | null;

export const i18n = createI18n({
  legacy: false,
  locale: saved === 'en' ? 'en' : 'zh-CN', // Simplified Chinese by default
  fallbackLocale: 'zh-CN',
  missingWarn: false,
  fallbackWarn: false,
  messages: { 'zh-CN': zhCN, en: en as typeof zhCN },
});
setApiLanguage(i18n.global.locale.value);

export function setLocale(l: Locale) {
  i18n.global.locale.value = l;
  localStorage.setItem('kexie.locale', l);
  document.documentElement.lang = l;
  setApiLanguage(l);
}
