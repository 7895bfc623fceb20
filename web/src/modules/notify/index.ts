// notify - notifications (the bell in the header, and the full list) and, for the system
// admin, the outbound hook's deliveries and dead letters (docs/notifications.md).
import { Bell } from '@element-plus/icons-vue';
import { defineModule } from '../types';

export default defineModule({
  name: 'notify',
  routes: [
    { path: '/notifications', name: 'notifications', component: () => import('./NotificationsPage.vue'), meta: { title: 'notify.title', perm: 'signed-in' } },
    { path: '/hooks/deliveries', name: 'hook-deliveries', component: () => import('./HookDeliveriesPage.vue'), meta: { title: 'hooks.title', perm: 'hook.admin' } },
  ],
  menu: [{ path: '/hooks/deliveries', title: 'hooks.title', icon: Bell, group: 'system', perm: 'hook.admin', order: 45 }],
  messages: {
    'zh-CN': {
      notify: {
        title: '站内消息', bell: '消息', unreadCount: '{n} 条未读', none: '暂无消息', noneUnread: '没有未读消息',
        readAll: '全部标为已读', readAllDone: '已将 {n} 条消息标为已读', markRead: '标为已读', unread: '未读', read: '已读',
        onlyUnread: '只看未读', seeAll: '查看全部消息', more: '加载更多', open: '打开',
      },
      hooks: {
        title: '外发通知', state: '状态', all: '全部', event: '事件', url: '接收地址', attempts: '尝试次数', lastStatus: '最后状态',
        lastError: '最后错误', created: '创建时间', next: '下次尝试', finished: '结束时间', log: '投递记录', attempt: '第 {n} 次',
        duration: '{n} 毫秒', noAnswer: '无响应', retry: '重发', retryConfirm: '立即重新投递这条外发通知？再次失败将回到失败列表。',
        retried: '已安排重新投递', test: '发送测试', tested: '测试消息已发送（外发 {n} 条）', none: '没有外发通知', more: '加载更多',
      },
    },
    en: {
      notify: {
        title: 'Notifications', bell: 'Notifications', unreadCount: '{n} unread', none: 'No notifications', noneUnread: 'Nothing unread',
        readAll: 'Mark all read', readAllDone: '{n} notifications marked read', markRead: 'Mark read', unread: 'Unread', read: 'Read',
        onlyUnread: 'Unread only', seeAll: 'All notifications', more: 'Load more', open: 'Open',
      },
      hooks: {
        title: 'Outbound hook', state: 'State', all: 'All', event: 'Event', url: 'Receiver', attempts: 'Attempts', lastStatus: 'Last status',
        lastError: 'Last error', created: 'Created', next: 'Next attempt', finished: 'Finished', log: 'Attempts', attempt: 'Attempt {n}',
        duration: '{n} ms', noAnswer: 'no answer', retry: 'Retry', retryConfirm: 'Deliver this again now? If it fails it goes back to the dead letters.',
        retried: 'Queued for another attempt', test: 'Send a test', tested: 'Test sent ({n} hook deliveries)', none: 'No deliveries', more: 'Load more',
      },
    },
  },
});
