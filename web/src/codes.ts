// codes.ts - stable codes shown as words: org levels and types, roles, audit actions,
// object types and job states. The server's lists (GET /api/v1/codes) are loaded once per
// sign-in; until they arrive, or when an older server has no such endpoint, the table below
// is used. It holds the same words as the server's list (a browser test compares them).
import { reactive } from 'vue';
import { i18n } from './i18n';
import { api, type CodeEntry } from './api/client';

export type CodeList = 'org_level' | 'org_type' | 'role' | 'audit_action' | 'object_type' | 'job_state';
type Table = Record<CodeList, CodeEntry[]>;
const e = (code: string, zh: string, en: string): CodeEntry => ({ code, zh, en });

export const FALLBACK: Table = {
  org_level: [
    e('national', '全国', 'National'), e('provincial', '省级', 'Provincial'), e('city', '市级', 'City'),
    e('county', '县级', 'County'), e('township', '乡镇街道', 'Township'), e('grassroots', '基层', 'Grassroots'),
  ],
  org_type: [
    e('association', '科协', 'Association'), e('society', '学会', 'Society'), e('enterprise', '企业科协', 'Enterprise'),
    e('university', '高校科协', 'University'), e('park', '园区科协', 'Park'), e('institute', '院所科协', 'Institute'),
    e('hospital', '医院科协', 'Hospital'), e('village', '农技协', 'Village'), e('community', '社区科普协会', 'Community'), e('other', '其他', 'Other'),
  ],
  role: [
    e('system_admin', '系统管理员', 'System administrator'), e('security_admin', '安全管理员', 'Security administrator'),
    e('audit_admin', '审计管理员', 'Audit administrator'), e('org_admin', '组织管理员', 'Organization administrator'),
    e('staff', '工作人员', 'Staff'), e('reviewer', '评审专家', 'Expert reviewer'), e('member', '会员', 'Member'),
  ],
  audit_action: [
    e('org.create', '新建组织', 'Create organization'), e('org.update', '修改组织', 'Edit organization'), e('org.move', '调整隶属', 'Move organization'),
    e('org.close', '撤销组织', 'Close organization'), e('org.reopen', '恢复组织', 'Reopen organization'), e('org.link', '添加指导关系', 'Add guided-by link'),
    e('org.import', '导入组织', 'Import organizations'), e('org.generate', '生成组织', 'Generate organizations'),
    e('user.create', '新建账号', 'Create account'), e('user.login', '登录', 'Sign in'), e('user.login_failed', '登录失败', 'Failed sign-in'),
    e('user.logout', '退出登录', 'Sign out'), e('user.disable', '禁用账号', 'Disable account'), e('user.enable', '启用账号', 'Enable account'),
    e('user.unlock', '解锁账号', 'Unlock account'), e('user.password', '修改密码', 'Change password'), e('user.role_add', '添加角色', 'Add role'),
    e('user.role_remove', '移除角色', 'Remove role'), e('user.sessions_end', '强制下线', 'End sessions'),
    e('token.create', '创建令牌', 'Create token'), e('token.revoke', '吊销令牌', 'Revoke token'), e('session.end', '结束会话', 'End session'),
    e('region.import', '导入区划', 'Import regions'), e('region.generate', '生成区划', 'Generate regions'), e('audit.prune', '清理审计记录', 'Prune audit trail'),
    e('job.cancel', '取消任务', 'Cancel job'), e('audit.checkpoint', '审计检查点', 'Audit checkpoint'), e('audit.rekey', '更换审计密钥', 'Re-key audit trail'),
    e('post_request.create', '申请三员岗位', 'Request administrator post'), e('post_request.approve', '批准岗位申请', 'Approve post request'),
    e('post_request.reject', '驳回岗位申请', 'Reject post request'), e('user.password_failed', '密码验证失败', 'Failed password check'),
    e('user.post_grant', '授予三员岗位', 'Grant administrator post'),
  ],
  object_type: [
    e('org', '组织', 'Organization'), e('user', '账号', 'Account'), e('api_token', 'API 令牌', 'API token'), e('session', '会话', 'Session'),
    e('region', '行政区划', 'Region'), e('audit_log', '审计日志', 'Audit trail'), e('job', '任务', 'Job'),
    e('unknown_login', '未知账号', 'Unknown login'), e('post_request', '岗位申请', 'Post request'),
  ],
  job_state: [
    e('queued', '排队中', 'Queued'), e('running', '进行中', 'Running'), e('succeeded', '已完成', 'Succeeded'),
    e('failed', '失败', 'Failed'), e('cancelled', '已取消', 'Cancelled'),
  ],
};

export const codeTables = reactive<{ lists: Table; fromServer: boolean }>({ lists: structuredClone(FALLBACK), fromServer: false });

// Loads the server's lists once per sign-in; keeps the fallback when that fails.
let loaded = false;
export async function loadCodes(force = false) {
  if (loaded && !force) return;
  loaded = true;
  try {
    const r = await api.codes();
    for (const [k, v] of Object.entries(r.lists ?? {})) if (Array.isArray(v) && v.length) (codeTables.lists as Record<string, CodeEntry[]>)[k] = v;
    codeTables.fromServer = true;
  } catch {
    codeTables.fromServer = false;
  }
}
export function resetCodes() { loaded = false; }

// The word for a code in the UI language; an unknown code shows as itself.
export function word(list: CodeList, code: string | null | undefined): string {
  if (!code) return '—';
  const hit = codeTables.lists[list]?.find((x) => x.code === code) ?? FALLBACK[list].find((x) => x.code === code);
  if (!hit) return code;
  return i18n.global.locale.value === 'en' ? hit.en : hit.zh;
}

export function options(list: CodeList): { value: string; label: string }[] {
  return codeTables.lists[list].map((x) => ({ value: x.code, label: i18n.global.locale.value === 'en' ? x.en : x.zh }));
}
export const codesOf = (list: CodeList) => codeTables.lists[list].map((x) => x.code);
