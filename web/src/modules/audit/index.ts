// audit - the audit trail for the audit administrator, with a CSV of the same filters.
import { Tickets } from '@element-plus/icons-vue';
import { defineModule } from '../types';

export default defineModule({
  name: 'audit',
  routes: [{ path: '/audit', name: 'audit', component: () => import('./AuditPage.vue'), meta: { title: 'audit.title', perm: 'audit.read' } }],
  menu: [{ path: '/audit', title: 'audit.title', icon: Tickets, group: 'system', perm: 'audit.read', order: 20 }],
  messages: {
    'zh-CN': { audit: {
      title: '审计日志', range: '时间范围', login: '账号', action: '操作', objectType: '对象类型', org: '组织', csv: '导出 CSV', at: '时间（北京时间）',
      who: '操作人', object: '对象', changes: '变更内容', address: '地址', changed: '已修改（不显示内容）', any: '全部', via: { token: 'API 令牌', session: '浏览器', cli: '命令行', system: '系统' }, scopeBranch: '整个分支', scopeOne: '仅本组织', objectN: '{type} #{id}',
    } },
    en: { audit: {
      title: 'Audit trail', range: 'Period', login: 'Login', action: 'Action', objectType: 'Object type', org: 'Organization', csv: 'Export CSV', at: 'Time (Beijing)',
      who: 'Who', object: 'Object', changes: 'Changes', address: 'Address', changed: 'changed (not shown)', any: 'Any', via: { token: 'API token', session: 'browser', cli: 'command line', system: 'system' }, scopeBranch: 'whole branch', scopeOne: 'this organization only', objectN: '{type} #{id}',
    } },
  },
});
