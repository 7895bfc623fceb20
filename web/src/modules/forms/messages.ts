// messages.ts - the forms module's words (zh-CN default, en), the renderer's and the
// designer's included; and the messages with params of the forms' field error codes.
export default {
  'zh-CN': {
    forms: {
      title: '表单设计', newTitle: '新建表单', designTitle: '表单', new: '新建表单', under: '组织', empty: '没有表单', name: '名称', nameEn: '英文名称',
      code: '代码', owner: '所属组织', builtin: '内置', currentVersion: '版本', updated: '更新时间', back: '返回列表', save: '保存',
      created: '已创建表单“{name}”', saved: '已保存', savedVersion: '已保存为第 {v} 版', design: '设计', preview: '预览', try: '试填',
      tryHint: '按填报时的样子填写，检查会在输入时提示；点“服务器校验”用服务器的规则再查一遍（不保存）。',
      tryUnsaved: '表单有未保存的修改：试填只在浏览器中检查，保存后可用服务器校验。', check: '服务器校验', valid: '校验通过',
      choose: '请选择', fileId: '文件编号', row: '第 {n} 行', remove: '删除', removeRow: '删除第 {n} 行', addRow: '添加一行',
      saving: '正在保存…', savedAt: '已于 {at} 自动保存', notSaved: '未能保存，稍后会再试', field: '字段', addField: '添加字段',
      removeField: '删除字段', up: '上移', down: '下移', key: '字段标识', type: '类型', labelZh: '中文名称', labelEn: '英文名称',
      helpZh: '填写说明（中文）', helpEn: '填写说明（英文）', required: '必填', min: '最小', max: '最大', scale: '小数位数',
      boundsLength: '字数', boundsRows: '行数', boundsCount: '选择个数', boundsValue: '取值', pattern: '格式（正则表达式）',
      patternHint: '例如 [0-9]{6}，须与整个内容匹配', options: '选项', optionCode: '选项代码', addOption: '添加选项', option: '选项{n}',
      columns: '表格列', addColumn: '添加列', column: '列{n}', sumRule: '合计规则：本字段须等于下列字段之和', sumHint: '选择要合计的字段',
      noFields: '还没有字段：点“添加字段”开始',
      types: { text: '单行文本', long_text: '多行文本', integer: '整数', decimal: '小数', date: '日期', choice: '单选', multi_choice: '多选', table: '重复表格', file: '文件', org: '组织' },
    },
    fieldErrorsP: {
      too_many_decimals: '最多 {max} 位小数', too_few: '至少 {min} 项', too_many: '最多 {max} 项', sum_mismatch: '应等于各分项之和 {expected}',
    },
  },
  en: {
    forms: {
      title: 'Forms', newTitle: 'New form', designTitle: 'Form', new: 'New form', under: 'Organization', empty: 'No forms', name: 'Name', nameEn: 'English name',
      code: 'Code', owner: 'Owner', builtin: 'Built in', currentVersion: 'Version', updated: 'Updated', back: 'Back to the list', save: 'Save',
      created: 'Form “{name}” created', saved: 'Saved', savedVersion: 'Saved as version {v}', design: 'Design', preview: 'Preview', try: 'Try it',
      tryHint: 'Fill it in as a submitter would: the checks show as you type; “Check on the server” runs the server\'s rules too (nothing is saved).',
      tryUnsaved: 'The form has unsaved changes: trying checks in the browser only; save to check on the server.', check: 'Check on the server', valid: 'All values are valid',
      choose: 'Choose', fileId: 'File number', row: 'Row {n}', remove: 'Remove', removeRow: 'Remove row {n}', addRow: 'Add a row',
      saving: 'Saving…', savedAt: 'Saved automatically at {at}', notSaved: 'Not saved: will try again', field: 'Field', addField: 'Add a field',
      removeField: 'Remove the field', up: 'Move up', down: 'Move down', key: 'Key', type: 'Type', labelZh: 'Chinese label', labelEn: 'English label',
      helpZh: 'Help (Chinese)', helpEn: 'Help (English)', required: 'Required', min: 'Minimum', max: 'Maximum', scale: 'Digits after the point',
      boundsLength: 'characters', boundsRows: 'rows', boundsCount: 'choices', boundsValue: 'value', pattern: 'Format (regular expression)',
      patternHint: 'e.g. [0-9]{6}; it must match the whole value', options: 'Options', optionCode: 'Option code', addOption: 'Add an option', option: 'Option {n}',
      columns: 'Table columns', addColumn: 'Add a column', column: 'Column {n}', sumRule: 'Sum rule: this field equals the sum of', sumHint: 'Choose the fields it totals',
      noFields: 'No fields yet: “Add a field” to begin',
      types: { text: 'Text', long_text: 'Long text', integer: 'Whole number', decimal: 'Decimal', date: 'Date', choice: 'Choice', multi_choice: 'Multiple choice', table: 'Repeating table', file: 'File', org: 'Organization' },
    },
    fieldErrorsP: {
      too_many_decimals: 'at most {max} digits after the point', too_few: 'at least {min}', too_many: 'at most {max}', sum_mismatch: 'must equal the sum of its parts, {expected}',
    },
  },
};
