import { createI18n } from 'vue-i18n';
import zhCN from './zh-CN';
import en from './en';

export type Locale = 'zh-CN' | 'en';
const saved = (typeof localStorage !== 'undefined' && localStorage.getItem('kexie.locale')) as Locale | null;

export const i18n = createI18n({
  legacy: false,
  locale: saved === 'en' ? 'en' : 'zh-CN', // Simplified Chinese by default
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
});

export function setLocale(l: Locale) {
  i18n.global.locale.value = l;
  localStorage.setItem('kexie.locale', l);
  document.documentElement.lang = l;
}
