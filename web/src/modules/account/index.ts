// account - signing in, and my account: sessions, API tokens, password.
import { Key } from '@element-plus/icons-vue';
import { defineModule } from '../types';
import LoginPage from './LoginPage.vue'; // in the first bundle: the page every visit starts with

export default defineModule({
  name: 'account',
  routes: [
    { path: '/login', name: 'login', component: LoginPage, meta: { title: 'login.title', public: true } },
    { path: '/account', name: 'account', component: () => import('./AccountPage.vue'), meta: { title: 'account.title', perm: 'signed-in' } },
  ],
  menu: [{ path: '/account', title: 'account.title', icon: Key, group: 'system', perm: 'signed-in', order: 30 }],
  messages: {
    'zh-CN': {
      login: {
        title: '登录科协工作平台', login: '账号', password: '密码', submit: '登录', required: '请输入账号和密码',
        wrong: '账号或密码错误', locked: '账号已锁定，请稍后再试，或联系安全管理员解锁。',
        hint: '演示账号见服务器上的 var/demo-admin.txt',
        expired: '密码已过期，请设置新密码后登录', newPassword: '新密码', changed: '密码已修改，请用新密码登录',
      },
      account: {
        title: '我的账号', sessions: '我的登录会话', signedIn: '登录时间', lastSeen: '最近活动', expires: '到期时间', address: '地址', thisOne: '当前浏览器',
        end: '下线', tokens: 'API 令牌', copyNow: '请立即复制令牌：它只显示这一次', noTokens: '暂无令牌', tokenName: '用途',
        created: '创建时间', never: '永不过期', lastUsed: '最近使用', notYet: '尚未使用', revoke: '吊销', days: '有效天数',
        createToken: '创建令牌', password: '修改密码', current: '当前密码', new: '新密码', again: '再次输入',
        change: '修改', mismatch: '两次输入的新密码不一致', wrongCurrent: '当前密码不正确',
        confirmEnd: '确定让这个会话下线吗？', confirmRevoke: '确定吊销令牌“{name}”吗？使用它的脚本将无法访问。',
        ended: '会话已下线', revoked: '令牌已吊销', tokenCreated: '令牌已创建',
      },
    },
    en: {
      login: {
        title: 'Sign in', login: 'Login', password: 'Password', submit: 'Sign in', required: 'Enter your login and password',
        wrong: 'Wrong login or password', locked: 'The account is locked. Try again later or ask a security administrator.',
        hint: 'Demo accounts: see var/demo-admin.txt on the server',
        expired: 'Your password has expired: choose a new one to sign in', newPassword: 'New password',
        changed: 'Password changed: sign in with the new one',
      },
      account: {
        title: 'My account', sessions: 'My sessions', signedIn: 'Signed in', lastSeen: 'Last active', expires: 'Ends', address: 'Address', thisOne: 'this browser',
        end: 'End', tokens: 'API tokens', copyNow: 'Copy the token now: it is shown only once', noTokens: 'No tokens', tokenName: 'Name',
        created: 'Created', never: 'never', lastUsed: 'Last used', notYet: 'not yet', revoke: 'Revoke', days: 'Valid days',
        createToken: 'Create token', password: 'Change password', current: 'Current password', new: 'New password', again: 'Repeat',
        change: 'Change', mismatch: 'The two new passwords differ', wrongCurrent: 'The current password is not right',
        confirmEnd: 'End this session?', confirmRevoke: 'Revoke the token “{name}”? Scripts using it lose access.',
        ended: 'Session ended', revoked: 'Token revoked', tokenCreated: 'Token created',
      },
    },
  },
});
