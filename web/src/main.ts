import { createApp } from 'vue';
import { createPinia } from 'pinia';
import 'element-plus/theme-chalk/base.css';
import './theme.css';
import App from './App.vue';
import { router } from './router';
import { i18n } from './i18n';
import { api } from './api/client';

const app = createApp(App);
app.use(createPinia()).use(router).use(i18n);

// Errors in the browser reach the server log (message and route only, no personal data).
app.config.errorHandler = (err) => {
  console.error(err);
  api.reportClientError({ message: String(err).slice(0, 1000), source: 'vue', route: router.currentRoute.value.path });
};
window.addEventListener('error', (e) => {
  api.reportClientError({ message: String(e.message).slice(0, 1000), source: String(e.filename || '').slice(0, 500), line: e.lineno || 0, column: e.colno || 0, route: location.pathname });
});

document.documentElement.lang = i18n.global.locale.value;
app.mount('#app');
