// modules.ts - the one list of the app's modules. The router, the menu and the UI strings
// are built from what each module declares in its index.ts; adding a module is one folder
// and one line here. Modules not built yet show a placeholder page (SoonPage).
import type { RouteRecordRaw } from 'vue-router';
import { Briefcase, Collection, Flag, Reading, Setting } from '@element-plus/icons-vue';
import type { Component } from 'vue';
import { i18n } from './i18n';
import type { KexieModule, MenuEntry, MenuGroup } from './modules/types';
import workbench from './modules/workbench';
import orgs from './modules/orgs';
import users from './modules/users';
import audit from './modules/audit';
import account from './modules/account';
import registration from './modules/registration';
import system from './modules/system';
import regions from './modules/regions';
import dev from './modules/dev';
import members from './modules/members';
import forms from './modules/forms';
import notify from './modules/notify';
import notices from './modules/notices';

export const modules: KexieModule[] = [workbench, orgs, members, users, audit, account, system, regions, dev];

modules.push(registration); // issue 12: kept on its own line so the module list merges cleanly
modules.push(forms); // issue 13: the forms mechanism (designer, preview)
modules.push(notify); // issue 13: notifications and the outbound hook
modules.push(notices); // issue 13: notices

// Placeholders for the modules still to come (each goes when its module exists).
const soon: { name: string; group: MenuGroup; icon: Component; order: number }[] = [
  { name: 'reports', group: 'work', icon: Reading, order: 20 },
  { name: 'activities', group: 'work', icon: Flag, order: 30 },
];

export const groups: { key: MenuGroup; title: string; icon: Component }[] = [
  { key: 'org', title: 'menu.org', icon: Briefcase },
  { key: 'work', title: 'menu.work', icon: Collection },
  { key: 'reference', title: 'menu.reference', icon: Reading },
  { key: 'system', title: 'menu.system', icon: Setting },
];

for (const m of modules) for (const [locale, msgs] of Object.entries(m.messages ?? {})) i18n.global.mergeLocaleMessage(locale, msgs);

const soonPage = () => import('./pages/SoonPage.vue');
export const routes: RouteRecordRaw[] = [
  ...modules.flatMap((m) => m.routes),
  ...soon.map((s) => ({ path: `/${s.name}`, name: s.name, component: soonPage, meta: { title: `menu.${s.name}`, perm: 'signed-in' } })),
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue'), meta: { title: 'notFound.title', perm: 'signed-in' } },
];

export const menuEntries: MenuEntry[] = [
  ...modules.flatMap((m) => m.menu ?? []),
  ...soon.map((s) => ({ path: `/${s.name}`, title: `menu.${s.name}`, icon: s.icon, group: s.group, perm: 'signed-in', order: s.order })),
].sort((a, b) => a.order - b.order);

// The breadcrumb for a path: its menu group (if any) and its own title.
export function crumbsFor(path: string, title: string | undefined): string[] {
  const entry = menuEntries.find((e) => e.path === path);
  const group = entry?.group ? groups.find((g) => g.key === entry.group)?.title : undefined;
  return [...(group ? [group] : []), ...(title && path !== '/' ? [title] : [])];
}
