// forms - the form designer (issue 13): the forms an organization may use or edit, a designer
// with a live preview through the one renderer, and a "try it" check against the server.
import { Document } from '@element-plus/icons-vue';
import { defineModule } from '../types';
import messages from './messages';

export default defineModule({
  name: 'forms',
  routes: [
    { path: '/forms', name: 'forms', component: () => import('./FormsPage.vue'), meta: { title: 'forms.title', perm: 'form.read' } },
    { path: '/forms/new', name: 'form-new', component: () => import('./FormDesignPage.vue'), meta: { title: 'forms.newTitle', perm: 'form.design' } },
    { path: '/forms/:id(\\d+)', name: 'form-design', component: () => import('./FormDesignPage.vue'), meta: { title: 'forms.designTitle', perm: 'form.read' } },
  ],
  menu: [{ path: '/forms', title: 'forms.title', icon: Document, group: 'work', perm: 'form.read', order: 25 }],
  messages,
});
