export default {
  app: { title: '科协工作平台', short: '科协' },
  menu: {
    home: '工作台', org: '组织与人员', orgs: '组织体系', members: '会员管理',
    work: '业务工作', notices: '通知公告', reports: '报送统计', activities: '活动管理',
    reference: '基础数据', regions: '行政区划', system: '系统', about: '系统状态',
  },
  header: { language: '语言', user: '访客', login: '登录', logout: '退出登录' },
  home: {
    welcome: '欢迎使用科协工作平台',
    intro: '组织体系、会员、通知、报送、活动与志愿服务将在这里汇聚。各模块随开发进度陆续开放。',
    regionsChart: '各省级行政区下辖区划数（演示数据）',
  },
  about: {
    title: '系统状态', version: '版本', database: '数据库', databaseOk: '数据库连接', schema: '数据结构版本',
    replica: '只读副本', uptime: '运行时长', ok: '正常', down: '不可用', yes: '已配置', no: '未配置', seconds: '{n} 秒',
  },
  regions: {
    title: '行政区划', parent: '上级区划代码', parentHint: '留空查看省级', sort: '排序', byCode: '按代码', byName: '按名称拼音',
    search: '查询', code: '代码', name: '名称', level: '级别', children: '下级', empty: '没有下级区划',
    levels: ['', '省级', '地级', '县级', '乡级', '村级'],
  },
  fieldErrors: {
    not_found: '不存在', required: '必填', cycle: '不能调整到自身或其下级组织之下', closed: '组织已撤销', before_current: '生效日期早于当前隶属关系', bad_length: '长度不符合要求', not_allowed: '取值不在允许范围内',
    not_integer: '须为整数', out_of_range: '超出允许范围', invalid_utf8: '含有无效字符', unknown_field: '不支持的字段',
  },
  login: {
    title: '登录科协工作平台', login: '账号', password: '密码', submit: '登录', required: '请输入账号和密码',
    wrong: '账号或密码错误', locked: '账号已锁定：{msg}。请 15 分钟后再试，或联系安全管理员解锁。',
    hint: '演示账号见服务器上的 var/demo-admin.txt',
  },
  orgs: {
    tree: '组织体系', move: '调整隶属关系', code: '编码', level: '层级', type: '类型', parent: '上级组织 ID',
    opened: '成立日期', closed: '撤销日期', version: '版本', pick: '在左侧选择一个组织', newParent: '新上级组织 ID',
    on: '生效日期', today: '默认今天', cancel: '取消', confirm: '确定',
    levels: { national: '全国', provincial: '省级', city: '市级', county: '县级', township: '乡镇街道', grassroots: '基层' },
    types: { association: '科协', society: '学会', enterprise: '企业科协', university: '高校科协', park: '园区科协', institute: '院所科协', hospital: '医院科协', village: '农技协', community: '社区科普协会', other: '其他' },
  },
  notFound: { title: '页面不存在', back: '返回工作台' },
  soon: { title: '建设中', text: '该模块正在开发，敬请期待。' },
  errors: {
    network: '网络错误，请检查连接', internal: '服务器内部错误', invalid: '请求有误', unprocessable: '部分字段填写有误',
    not_found: '未找到', precondition_failed: '该组织已被他人修改，请刷新后重试', conflict: '操作与当前状态冲突', unavailable: '数据库暂不可用', busy: '服务器繁忙，请稍后重试', forbidden: '没有权限',
    unauthorized: '请先登录', rate_limited: '操作过于频繁，请稍后重试', requestId: '请求编号',
  },
};
