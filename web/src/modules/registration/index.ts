// registration - joining the register from outside and a member's own record (issue 12):
// the public registration and outcome pages, the staff queues of applications and erasure
// requests, and "my membership" for members.
import { Checked, Postcard, Delete } from '@element-plus/icons-vue';
import { defineModule } from '../types';
import messages from './messages';

export default defineModule({
  name: 'registration',
  routes: [
    { path: '/register', name: 'register', component: () => import('./RegisterPage.vue'), meta: { title: 'reg.title', public: true } },
    { path: '/register/status', name: 'register-status', component: () => import('./StatusPage.vue'), meta: { title: 'regStatus.title', public: true } },
    { path: '/members/applications', name: 'member-applications', component: () => import('./ApplicationsPage.vue'), meta: { title: 'regQueue.title', perm: 'member.write' } },
    { path: '/members/erasures', name: 'member-erasures', component: () => import('./ErasuresPage.vue'), meta: { title: 'regErase.title', perm: 'member.read' } },
    { path: '/me/member', name: 'me-member', component: () => import('./MyMemberPage.vue'), meta: { title: 'myMember.title', perm: 'signed-in' } },
  ],
  menu: [
    { path: '/members/applications', title: 'regQueue.title', icon: Checked, group: 'org', perm: 'member.write', order: 25 },
    { path: '/members/erasures', title: 'regErase.title', icon: Delete, group: 'org', perm: 'member.read', order: 26 },
    { path: '/me/member', title: 'myMember.title', icon: Postcard, perm: 'me.member', order: 5 },
  ],
  messages,
});
