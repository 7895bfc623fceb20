import { useAuth } from './stores/auth';
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';

// meta.title is an i18n key; meta.crumbs the breadcrumb trail (i18n keys).
const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: () => import('./pages/HomePage.vue'), meta: { title: 'menu.home', crumbs: ['menu.home'] } },
  { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { title: 'login.title', crumbs: ['login.title'], public: true } },
  { path: '/orgs', name: 'orgs', component: () => import('./pages/OrgsPage.vue'), meta: { title: 'menu.orgs', crumbs: ['menu.org', 'menu.orgs'], perm: 'org.read' } },
  { path: '/users', name: 'users', component: () => import('./pages/UsersPage.vue'), meta: { title: 'menu.users', crumbs: ['menu.system', 'menu.users'], perm: 'user.read' } },
  { path: '/audit', name: 'audit', component: () => import('./pages/AuditPage.vue'), meta: { title: 'menu.audit', crumbs: ['menu.system', 'menu.audit'], perm: 'audit.read' } },
  { path: '/account', name: 'account', component: () => import('./pages/AccountPage.vue'), meta: { title: 'menu.account', crumbs: ['menu.account'], perm: 'signed-in' } },
  { path: '/regions', name: 'regions', component: () => import('./pages/RegionsPage.vue'), meta: { title: 'menu.regions', crumbs: ['menu.reference', 'menu.regions'] } },
  { path: '/about', name: 'about', component: () => import('./pages/AboutPage.vue'), meta: { title: 'menu.about', crumbs: ['menu.system', 'menu.about'] } },
  ...['members', 'notices', 'reports', 'activities'].map((m) => ({
    path: `/${m}`, name: m, component: () => import('./pages/SoonPage.vue'),
    meta: { title: `menu.${m}`, crumbs: [m === 'members' ? 'menu.org' : 'menu.work', `menu.${m}`] },
  })),
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue'), meta: { title: 'notFound.title', crumbs: ['notFound.title'] } },
];

export const router = createRouter({ history: createWebHistory(), routes });

// Pages that need a permission send a guest to sign in first (the server checks anyway).
router.beforeEach(async (to) => {
  const perm = to.meta.perm as string | undefined;
  if (!perm) return true;
  const auth = useAuth();
  if (!auth.checked) await auth.load();
  if (!auth.signedIn) return { name: 'login', query: { next: to.fullPath } };
  return auth.can(perm) ? true : { name: 'home' };
});
