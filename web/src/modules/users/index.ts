// users - accounts and roles in the caller's subtree (security and org administrators).
import { User } from '@element-plus/icons-vue';
import { defineModule } from '../types';

export default defineModule({
  name: 'users',
  routes: [{ path: '/users', name: 'users', component: () => import('./UsersPage.vue'), meta: { title: 'users.title', perm: 'user.read' } }],
  menu: [{ path: '/users', title: 'users.title', icon: User, group: 'system', perm: 'user.read', order: 10 }],
  messages: {
    'zh-CN': { users: {
      title: '用户与角色', search: '查找', searchHint: '账号或姓名', create: '新建账号', login: '账号', name: '姓名', status: '状态',
      statuses: { active: '正常', disabled: '已禁用' }, locked: '已锁定', roles: '角色', role: '角色', org: '所在组织',
      pick: '选择一个账号', lastLogin: '最近登录', passwordChanged: '密码修改时间', sessions: '在线会话',
      remove: '移除', addRole: '添加角色', disable: '禁用', enable: '启用', unlock: '解锁',
      endSessions: '强制下线', newPassword: '新密码', setPassword: '重置密码', password: '初始密码',
      signedOut: '角色已变更，该账号需重新登录', ended: '已结束 {n} 个会话', passwordSet: '密码已重置，该账号已下线',
      done: { disable: '已禁用：会话已结束，令牌已吊销', enable: '已启用', unlock: '已解锁' }, createdOk: '已新建账号：{name}',
      confirmDisable: '确定禁用账号“{name}”吗？其会话将结束，令牌将被吊销。', confirmEnd: '确定让“{name}”的全部会话下线吗？',
      confirmRemove: '确定移除“{name}”的角色“{role}”吗？', confirmPassword: '确定重置“{name}”的密码吗？该账号将下线。',
    } },
    en: { users: {
      title: 'Users & roles', search: 'Search', searchHint: 'login or name', create: 'New account', login: 'Login', name: 'Name', status: 'Status',
      statuses: { active: 'active', disabled: 'disabled' }, locked: 'locked', roles: 'Roles', role: 'Role', org: 'Organization',
      pick: 'Pick an account', lastLogin: 'Last sign-in', passwordChanged: 'Password changed', sessions: 'Live sessions',
      remove: 'Remove', addRole: 'Add role', disable: 'Disable', enable: 'Enable', unlock: 'Unlock',
      endSessions: 'End all sessions', newPassword: 'New password', setPassword: 'Set password', password: 'Password',
      signedOut: 'Roles changed: the account must sign in again', ended: '{n} sessions ended', passwordSet: 'Password set; the account was signed out',
      done: { disable: 'Disabled: sessions ended and tokens revoked', enable: 'Enabled', unlock: 'Unlocked' }, createdOk: 'Account created: {name}',
      confirmDisable: 'Disable “{name}”? Its sessions end and its tokens are revoked.', confirmEnd: 'End every session of “{name}”?',
      confirmRemove: 'Remove the role “{role}” from “{name}”?', confirmPassword: 'Set a new password for “{name}”? The account is signed out.',
    } },
  },
});
