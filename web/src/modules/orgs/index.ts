// orgs - the organization tree: as-of date, search, details with names and links, create,
// edit, move, close, reopen, guided-by links, import (a background job) and export.
import { OfficeBuilding } from '@element-plus/icons-vue';
import { defineModule } from '../types';

export default defineModule({
  name: 'orgs',
  routes: [{ path: '/orgs', name: 'orgs', component: () => import('./OrgsPage.vue'), meta: { title: 'orgs.title', perm: 'org.read' } }],
  menu: [{ path: '/orgs', title: 'orgs.title', icon: OfficeBuilding, group: 'org', perm: 'org.read', order: 10 }],
  messages: {
    'zh-CN': { orgs: {
      title: '组织体系', tree: '组织体系', move: '调整隶属关系', code: '编码', level: '层级', type: '类型', parent: '上级组织',
      opened: '成立日期', closed: '撤销日期', version: '版本', pick: '选择一个组织查看详情', newParent: '新上级组织',
      on: '生效日期', today: '默认今天', asOf: '查看日期', includeClosed: '含已撤销', search: '查找', searchHint: '名称、编码或拼音',
      noHits: '没有找到', name: '名称', shortName: '简称', region: '行政区划代码', credit: '统一社会信用代码', contact: '联系人',
      create: '新建下级', edit: '编辑', close: '撤销', reopen: '恢复', closedTag: '已撤销', detail: '基本信息', history: '隶属沿革', links: '业务指导',
      from: '起', to: '止', current: '至今', parentOrg: '上级组织', guidedBy: '业务指导单位', noLinks: '暂无业务指导关系',
      guide: '指导单位', addLink: '添加指导关系', branch: '撤销整个分支（含全部未撤销的下级组织）',
      counts: '本级及下级共 {n} 个组织', countsEmpty: '该日期本级及下级没有正在运行的组织', countsClosed: '该组织已于 {date} 撤销，下级组织不再计数',
      notOnDate: '{date} 该组织尚未成立或已撤销', treeEmpty: '{date} 您的范围内没有组织',
      created: '已新建：{name}', moved: '已调整隶属关系：{name}', closedOk: '已撤销：{n} 个组织', edited: '已保存：{name}', reopened: '已恢复：{name}', linked: '已添加指导关系',
      confirmClose: '确定撤销“{name}”吗？撤销后不再计入下级统计。', confirmCloseBranch: '确定撤销“{name}”及其全部下级组织吗？',
      confirmReopen: '确定恢复“{name}”吗？', importTitle: '导入组织', import: '导入', export: '导出', exportTitle: '导出组织',
      root: '（顶级）', results: '查找结果', revealed: '已在树中定位',
    } },
    en: { orgs: {
      title: 'Organization tree', tree: 'Organization tree', move: 'Move', code: 'Code', level: 'Level', type: 'Type', parent: 'Parent',
      opened: 'Opened', closed: 'Closed', version: 'Version', pick: 'Pick an organization to see its details', newParent: 'New parent',
      on: 'Effective', today: 'today', asOf: 'As of', includeClosed: 'Include closed', search: 'Search', searchHint: 'name, code or pinyin',
      noHits: 'Nothing found', name: 'Name', shortName: 'Short name', region: 'Region code', credit: 'Credit code', contact: 'Contact',
      create: 'New child', edit: 'Edit', close: 'Close', reopen: 'Reopen', closedTag: 'closed', detail: 'Details', history: 'History', links: 'Guided by',
      from: 'From', to: 'Until', current: 'current', parentOrg: 'Parent', guidedBy: 'Guiding organization', noLinks: 'No guided-by links',
      guide: 'Guiding organization', addLink: 'Add link', branch: 'Close the whole branch (every open organization below)',
      counts: '{n} organizations in this subtree', countsEmpty: 'No open organizations in this subtree on that date', countsClosed: 'Closed on {date}: nothing below is counted',
      notOnDate: 'On {date} this organization was not open', treeEmpty: 'On {date} there are no organizations in your scope',
      created: 'Created: {name}', moved: 'Moved: {name}', closedOk: 'Closed: {n} organizations', edited: 'Saved: {name}', reopened: 'Reopened: {name}', linked: 'Link added',
      confirmClose: 'Close “{name}”? It no longer counts below.', confirmCloseBranch: 'Close “{name}” and every organization below it?',
      confirmReopen: 'Reopen “{name}”?', importTitle: 'Import organizations', import: 'Import', export: 'Export', exportTitle: 'Export organizations',
      root: '(top)', results: 'Results', revealed: 'Shown in the tree',
    } },
  },
});
