// dev - hidden pages for the browser tests (no menu entry): /dev/components shows every
// shared component so test/e2e/components.test.mjs can drive it against a real server;
// /dev/i18n compiles every message of both catalogs and renders every error code it is given.
import { defineModule } from '../types';

export default defineModule({
  name: 'dev',
  routes: [
    { path: '/dev/components', name: 'dev-components', component: () => import('./ComponentsPage.vue'), meta: { title: 'dev.components', perm: 'signed-in' } },
    { path: '/dev/i18n', name: 'dev-i18n', component: () => import('./I18nPage.vue'), meta: { title: 'dev.i18n', public: true } },
  ],
  messages: {
    'zh-CN': { dev: { components: '组件示例', i18n: '文案检查' } },
    en: { dev: { components: 'Components', i18n: 'Message check' } },
  },
});
