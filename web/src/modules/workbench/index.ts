// workbench - the first page after sign-in: key figures of the user's subtree, recent
// changes there, and the to-do list modules feed (GET /api/v1/todo).
import { House } from '@element-plus/icons-vue';
import { defineModule } from '../types';

export default defineModule({
  name: 'workbench',
  routes: [{ path: '/', name: 'home', component: () => import('./WorkbenchPage.vue'), meta: { title: 'menu.home', perm: 'signed-in' } }],
  menu: [{ path: '/', title: 'menu.home', icon: House, order: 0 }],
  messages: {
    'zh-CN': { home: {
      welcome: '欢迎使用科协工作平台', hello: '{name}，您好', scope: '管理范围', figures: '组织概况', total: '组织总数', opened: '本年新成立',
      closed: '本年撤销', byLevel: '按层级', byType: '按类型', changes: '最近变更', noChanges: '暂无变更', todo: '待办事项', noTodo: '暂无待办事项',
      chart: '各层级组织数', noScope: '您的角色不含组织范围', open: '查看', year: '{year} 年',
    } },
    en: { home: {
      welcome: 'Welcome to the S&T association platform', hello: 'Hello, {name}', scope: 'Scope', figures: 'Organizations', total: 'Organizations', opened: 'Opened this year',
      closed: 'Closed this year', byLevel: 'By level', byType: 'By type', changes: 'Recent changes', noChanges: 'No changes yet', todo: 'To do', noTodo: 'Nothing to do',
      chart: 'Organizations by level', noScope: 'Your roles hold no organization scope', open: 'Open', year: '{year}',
    } },
  },
});
