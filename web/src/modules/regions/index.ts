// regions - administrative divisions (GB/T 2260) by parent, in code or pinyin order.
import { Location } from '@element-plus/icons-vue';
import { defineModule } from '../types';

export default defineModule({
  name: 'regions',
  routes: [{ path: '/regions', name: 'regions', component: () => import('./RegionsPage.vue'), meta: { title: 'regions.title', perm: 'signed-in' } }],
  menu: [{ path: '/regions', title: 'regions.title', icon: Location, group: 'reference', perm: 'signed-in', order: 10 }],
  messages: {
    'zh-CN': { regions: {
      title: '行政区划', parent: '上级区划代码', parentHint: '留空查看省级', sort: '排序', byCode: '按代码', byName: '按名称拼音',
      search: '查询', code: '代码', name: '名称', level: '级别', children: '下级', empty: '没有下级区划',
      levels: ['', '省级', '地级', '县级', '乡级', '村级'],
    } },
    en: { regions: {
      title: 'Administrative divisions', parent: 'Parent code', parentHint: 'empty for provinces', sort: 'Sort', byCode: 'By code', byName: 'By pinyin',
      search: 'Search', code: 'Code', name: 'Name', level: 'Level', children: 'Children', empty: 'No divisions below',
      levels: ['', 'Province', 'Prefecture', 'County', 'Township', 'Village'],
    } },
  },
});
