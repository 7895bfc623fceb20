// notices - notices down the tree (issue 13): the issuer's list with receipt progress,
// composing (targets with a live count, deadline in Beijing time, Markdown with the
// server's preview), a notice's receipts with drill-down, and an organization's inbox
// (read, acknowledge, forward).
import { Notebook, Message } from '@element-plus/icons-vue';
import { defineModule } from '../types';
import messages from './messages';

export default defineModule({
  name: 'notices',
  routes: [
    { path: '/notices', name: 'notices', component: () => import('./NoticesPage.vue'), meta: { title: 'menu.noticesSent', perm: 'notice.read' } },
    { path: '/notices/new', name: 'notice-new', component: () => import('./ComposePage.vue'), meta: { title: 'notices.compose', perm: 'notice.write' } },
    { path: '/notices/inbox', name: 'notice-inbox', component: () => import('./InboxPage.vue'), meta: { title: 'menu.noticesInbox', perm: 'notice.read' } },
    { path: '/notices/:id(\\d+)/edit', name: 'notice-edit', component: () => import('./ComposePage.vue'), meta: { title: 'notices.edit', perm: 'notice.write' } },
    { path: '/notices/:id(\\d+)', name: 'notice-detail', component: () => import('./NoticeDetailPage.vue'), meta: { title: 'notices.detail', perm: 'notice.read' } },
  ],
  menu: [
    { path: '/notices', title: 'menu.noticesSent', icon: Notebook, group: 'work', perm: 'notice.read', order: 10 },
    { path: '/notices/inbox', title: 'menu.noticesInbox', icon: Message, group: 'work', perm: 'notice.read', order: 11 },
  ],
  messages,
});
