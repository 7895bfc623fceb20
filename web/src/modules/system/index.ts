// system - status of the installation: version, database, replica, uptime.
import { Monitor } from '@element-plus/icons-vue';
import { defineModule } from '../types';

export default defineModule({
  name: 'system',
  routes: [{ path: '/about', name: 'about', component: () => import('./AboutPage.vue'), meta: { title: 'about.title', perm: 'signed-in' } }],
  menu: [{ path: '/about', title: 'about.title', icon: Monitor, group: 'system', perm: 'signed-in', order: 40 }],
  messages: {
    'zh-CN': { about: {
      title: '系统状态', version: '版本', database: '数据库', databaseOk: '数据库连接', schema: '数据结构版本',
      replica: '只读副本', uptime: '运行时长', ok: '正常', down: '不可用', yes: '已配置', no: '未配置', seconds: '{n} 秒',
    } },
    en: { about: {
      title: 'System status', version: 'Version', database: 'Database', databaseOk: 'Database connection', schema: 'Schema version',
      replica: 'Read replica', uptime: 'Uptime', ok: 'OK', down: 'Unavailable', yes: 'configured', no: 'not configured', seconds: '{n} s',
    } },
  },
});
