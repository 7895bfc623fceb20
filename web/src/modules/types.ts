// types.ts - what a module declares in its index.ts: routes (pages load lazily), menu
// entries (grouped, with an icon and the permission that shows them) and its UI strings.
import type { Component } from 'vue';
import type { RouteRecordRaw } from 'vue-router';

export type MenuGroup = 'org' | 'work' | 'reference' | 'system';
export interface MenuEntry {
  path: string;
  title: string; // i18n key
  icon: Component;
  group?: MenuGroup; // none: a top-level entry
  perm?: string; // 'signed-in' or a permission (stores/auth.ts)
  order: number;
}
export interface KexieModule {
  name: string;
  routes: RouteRecordRaw[]; // meta: { title (i18n key), perm?, public? }
  menu?: MenuEntry[];
  messages?: { 'zh-CN': Record<string, unknown>; en: Record<string, unknown> };
}
export const defineModule = (m: KexieModule) => m;
