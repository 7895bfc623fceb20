import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';

// meta.title is an i18n key; meta.crumbs the breadcrumb trail (i18n keys).
const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: () => import('./pages/HomePage.vue'), meta: { title: 'menu.home', crumbs: ['menu.home'] } },
  { path: '/regions', name: 'regions', component: () => import('./pages/RegionsPage.vue'), meta: { title: 'menu.regions', crumbs: ['menu.reference', 'menu.regions'] } },
  { path: '/about', name: 'about', component: () => import('./pages/AboutPage.vue'), meta: { title: 'menu.about', crumbs: ['menu.system', 'menu.about'] } },
  ...['orgs', 'members', 'notices', 'reports', 'activities'].map((m) => ({
    path: `/${m}`, name: m, component: () => import('./pages/SoonPage.vue'),
    meta: { title: `menu.${m}`, crumbs: [['orgs', 'members'].includes(m) ? 'menu.org' : 'menu.work', `menu.${m}`] },
  })),
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue'), meta: { title: 'notFound.title', crumbs: ['notFound.title'] } },
];

export const router = createRouter({ history: createWebHistory(), routes });
