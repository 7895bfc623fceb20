// router.ts - routes come from the modules (modules.ts). Everything but the sign-in page
// needs a signed-in user: a guest sees only the sign-in page. A page that needs a
// permission the user lacks goes to the workbench (the server checks anyway).
import { createRouter, createWebHistory } from 'vue-router';
import { routes } from './modules';
import { useAuth } from './stores/auth';

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  const auth = useAuth();
  if (!auth.checked) await auth.load();
  if (!auth.signedIn) return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
  const perm = (to.meta.perm as string | undefined) ?? 'signed-in';
  return auth.can(perm) ? true : { name: 'home' };
});
