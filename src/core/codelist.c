/*
 * codelist.c - the code lists (see codelist.h). Each table is in display order; labels are
 * what a user of the Chinese or English interface reads; `words` are the other spellings
 * people type into spreadsheets, matched by codeset_match (imports).
 */
#include "core/codelist.h"

#include <stdio.h>
#include <string.h>

#define LIST(var, label, table) const struct codeset var = {label, table, sizeof(table) / sizeof(table[0])}

static const struct code_item org_levels[] = {
	{"national", "全国", "National", "国家级|全国性"},
	{"provincial", "省级", "Provincial", "省|省级科协"},
	{"city", "市级", "City", "市|地市级|地市"},
	{"county", "县级", "County", "县|区县|县区"},
	{"township", "乡镇街道", "Township", "乡镇|乡镇级|街道"},
	{"grassroots", "基层", "Grassroots", "基层组织"},
};
LIST(codelist_org_level, "org_level", org_levels);
_Static_assert(sizeof(org_levels) / sizeof(org_levels[0]) == CODELIST_ORG_LEVELS,
	       "CODELIST_ORG_LEVELS must match the level table");

static const struct code_item org_types[] = {
	{"association", "科协", "Association", "协会"},
	{"society", "学会", "Society", NULL},
	{"enterprise", "企业科协", "Enterprise", "企业"},
	{"university", "高校科协", "University", "高校|高等学校|大学|学校"},
	{"park", "园区科协", "Park", "园区|开发区"},
	{"institute", "院所科协", "Institute", "科研院所|院所|研究所|研究院"},
	{"hospital", "医院科协", "Hospital", "医院"},
	{"village", "农技协", "Village", "村|行政村"},
	{"community", "社区科普协会", "Community", "社区"},
	{"other", "其他", "Other", "其它"},
};
LIST(codelist_org_type, "org_type", org_types);

static const struct code_item roles[] = {
	{"system_admin", "系统管理员", "System administrator", NULL},
	{"security_admin", "安全管理员", "Security administrator", NULL},
	{"audit_admin", "审计管理员", "Audit administrator", NULL},
	{"org_admin", "组织管理员", "Organization administrator", NULL},
	{"staff", "工作人员", "Staff", NULL},
	{"reviewer", "评审专家", "Reviewer", NULL},
	{"member", "会员", "Member", NULL},
};
LIST(codelist_role, "role", roles);
_Static_assert(sizeof(roles) / sizeof(roles[0]) == CODELIST_ROLES,
	       "CODELIST_ROLES must match the role table");

static const struct code_item audit_actions[] = {
	{"org.create", "新建组织", "Create organization", NULL},
	{"org.update", "修改组织信息", "Edit organization", NULL},
	{"org.move", "调整隶属关系", "Move organization", NULL},
	{"org.close", "撤销组织", "Close organization", NULL},
	{"org.reopen", "恢复组织", "Reopen organization", NULL},
	{"org.link", "添加业务指导关系", "Add guided-by link", NULL},
	{"org.import", "导入组织", "Import organizations", NULL},
	{"org.export", "导出组织", "Export organizations", NULL},
	{"org.generate", "生成测试组织", "Generate test organizations", NULL},
	{"region.import", "导入行政区划", "Import regions", NULL},
	{"region.generate", "生成测试区划", "Generate test regions", NULL},
	{"user.create", "新建账号", "Create account", NULL},
	{"user.role_add", "授予角色", "Grant role", NULL},
	{"user.role_remove", "移除角色", "Remove role", NULL},
	{"user.disable", "禁用账号", "Disable account", NULL},
	{"user.enable", "启用账号", "Enable account", NULL},
	{"user.unlock", "解除锁定", "Unlock account", NULL},
	{"user.password", "修改密码", "Change password", NULL},
	{"user.sessions_end", "强制下线", "End sessions", NULL},
	{"user.login", "登录", "Sign in", NULL},
	{"user.login_failed", "登录失败", "Failed sign-in", NULL},
	{"user.logout", "退出登录", "Sign out", NULL},
	{"session.end", "结束会话", "End session", NULL},
	{"token.create", "创建 API 令牌", "Create API token", NULL},
	{"token.revoke", "吊销 API 令牌", "Revoke API token", NULL},
	{"user.password_failed", "修改密码失败", "Failed password change", NULL},
	{"user.post_grant", "授予三员岗位", "Give an administrator post", NULL},
	{"post_request.create", "申请三员岗位", "Request an administrator post", NULL},
	{"post_request.approve", "批准三员岗位申请", "Approve a post request", NULL},
	{"post_request.reject", "驳回三员岗位申请", "Reject a post request", NULL},
	{"job.cancel", "取消后台任务", "Cancel a job", NULL},
	{"audit.prune", "清理过期审计记录", "Prune audit records", NULL},
	{"audit.rekey", "审计链改用密钥签名", "Re-chain the audit trail with the key", NULL},
	{"person.create", "登记人员", "Register a person", NULL},
	{"person.update", "修改人员信息", "Change a person", NULL},
	{"person.reveal", "查看完整敏感信息", "See a full personal value", NULL},
	{"person.import", "导入人员", "Import people", NULL},
	{"person.export", "导出人员名单", "Export people", NULL},
	{"membership.create", "入会", "Join", NULL},
	{"membership.end", "退会", "Leave", NULL},
	{"membership.pay", "登记会费", "Record dues", NULL},
	{"membership.lapse", "会籍到期失效", "Memberships lapsed", NULL},
	{"member.config", "修改会员编号与会费设置", "Change member numbers and terms", NULL},
	{"pii.rekey", "敏感信息换用新密钥", "Re-encrypt personal data under a new key", NULL},
	{"application.create", "提交入会申请", "Apply for membership", NULL},
	{"member_unit.create", "登记单位会员", "Register a member unit", NULL},
	{"member_unit.update", "修改单位会员", "Change a member unit", NULL},
	{"application.approve", "批准入会申请", "Approve a membership application", NULL},
	{"application.reject", "驳回入会申请", "Reject a membership application", NULL},
	{"person.export_self", "下载本人信息", "Download one's own data", NULL},
	{"person.erasure_request", "申请注销个人信息", "Ask to be erased", NULL},
	{"person.erase", "注销个人信息（匿名化）", "Erase a person (anonymise)", NULL},
	{"person.erasure_reject", "驳回注销申请", "Refuse an erasure request", NULL},
	{"file.upload", "上传文件", "Upload a file", NULL},
	{"file.delete", "删除上传的文件", "Throw away an upload", NULL},
	{"file.attach", "添加附件", "Attach a file", NULL},
	{"file.detach", "移除附件", "Remove an attachment", NULL},
	{"file.sweep", "清理未使用的文件", "Sweep unused files", NULL},
	{"form.create", "新建表单", "Create a form", NULL},
	{"form.update", "修改表单", "Change a form", NULL},
	{"submission.create", "新建填报", "Start a submission", NULL},
	{"submission.save", "保存填报草稿", "Save a submission draft", NULL},
	{"submission.submit", "提交填报", "Submit", NULL},
	{"submission.resubmit", "重新提交填报", "Submit again", NULL},
	{"submission.return", "退回填报", "Return a submission", NULL},
	{"submission.accept", "采用填报", "Accept a submission", NULL},
	{"notification.read", "标记消息已读", "Mark a notification read", NULL},
	{"notification.read_all", "全部消息标记已读", "Mark all notifications read", NULL},
	{"hook.test", "测试外发通知网关", "Test the outbound hook", NULL},
	{"hook.retry", "重发失败的外发通知", "Retry a failed hook delivery", NULL},
	{"notice.create", "起草通知", "Draft a notice", NULL},
	{"notice.update", "修改通知草稿", "Change a notice draft", NULL},
	{"notice.forward", "转发通知", "Forward a notice", NULL},
	{"notice.submit", "提交通知审核", "Submit a notice for approval", NULL},
	{"notice.approve", "审核通过通知", "Approve a notice", NULL},
	{"notice.reject", "退回通知", "Return a notice", NULL},
	{"notice.send", "发出通知", "Send a notice", NULL},
	{"notice.recall", "撤回通知", "Recall a notice", NULL},
	{"notice.read", "阅读通知", "Read a notice", NULL},
	{"notice.acknowledge", "签收通知", "Acknowledge a notice", NULL},
	{"notice.config", "修改发文设置", "Change notice settings", NULL},
};
LIST(codelist_audit_action, "audit_action", audit_actions);

static const struct code_item object_types[] = {
	{"org", "组织", "Organization", NULL},
	{"user", "账号", "Account", NULL},
	{"session", "会话", "Session", NULL},
	{"api_token", "API 令牌", "API token", NULL},
	{"region", "行政区划", "Region", NULL},
	{"audit_log", "审计日志", "Audit log", NULL},
	{"post_request", "三员岗位申请", "Post request", NULL},
	{"unknown_login", "未知账号", "Unknown login", NULL},
	{"job", "后台任务", "Job", NULL},
	{"person", "人员", "Person", NULL},
	{"membership", "会籍", "Membership", NULL},
	{"application", "入会申请", "Membership application", NULL},
	{"member_unit", "单位会员", "Member unit", NULL},
	{"pii_key", "敏感信息密钥", "Personal data key", NULL},
	{"file", "文件", "File", NULL},
	{"form", "表单", "Form", NULL},
	{"submission", "填报", "Submission", NULL},
	{"notification", "站内消息", "Notification", NULL},
	{"hook_delivery", "外发通知", "Hook delivery", NULL},
	{"notice", "通知", "Notice", NULL},
};
LIST(codelist_object_type, "object_type", object_types);

static const struct code_item job_states[] = {
	{"queued", "排队中", "Queued", NULL},       {"running", "进行中", "Running", NULL},
	{"succeeded", "已完成", "Succeeded", NULL}, {"failed", "失败", "Failed", NULL},
	{"cancelled", "已取消", "Cancelled", NULL},
};
LIST(codelist_job_state, "job_state", job_states);

static const struct code_item user_statuses[] = {
	{"active", "正常", "Active", NULL},
	{"disabled", "已禁用", "Disabled", NULL},
};
LIST(codelist_user_status, "user_status", user_statuses);

/* The keys audit diffs use (core/org_write.c, account.c, session.c ...), for the readable
 * change column of the audit CSV and the workbench's recent changes. */
static const struct code_item audit_fields[] = {
	{"code", "编码", "Code", NULL},
	{"name", "名称", "Name", NULL},
	{"short_name", "简称", "Short name", NULL},
	{"level", "层级", "Level", NULL},
	{"type", "类型", "Type", NULL},
	{"region_code", "行政区划代码", "Region code", NULL},
	{"credit_code", "统一社会信用代码", "Credit code", NULL},
	{"contact", "联系人", "Contact", NULL},
	{"opened_on", "成立日期", "Opened on", NULL},
	{"closed_on", "撤销日期", "Closed on", NULL},
	{"parent", "上级组织", "Parent", NULL},
	{"parent_id", "上级组织", "Parent", NULL},
	{"parent_code", "上级组织编码", "Parent code", NULL},
	{"from", "生效日期", "Effective from", NULL},
	{"guided_by", "业务指导单位", "Guided by", NULL},
	{"orgs_closed", "撤销组织数", "Organizations closed", NULL},
	{"scope", "范围", "Scope", NULL},
	{"login", "账号", "Login", NULL},
	{"display_name", "姓名", "Name", NULL},
	{"role", "角色", "Role", NULL},
	{"org_id", "组织", "Organization", NULL},
	{"user", "账号", "Account", NULL},
	{"status", "状态", "Status", NULL},
	{"password", "密码", "Password", NULL},
	{"sessions", "会话", "Sessions", NULL},
	{"sessions_ended", "结束的会话数", "Sessions ended", NULL},
	{"tokens", "令牌", "Tokens", NULL},
	{"session", "会话", "Session", NULL},
	{"lock", "锁定", "Lock", NULL},
	{"failures", "失败次数", "Failures", NULL},
	{"locked_minutes", "锁定分钟数", "Locked minutes", NULL},
	{"unknown_login", "未知账号", "Unknown login", NULL},
	{"expires_days", "有效天数", "Days valid", NULL},
	{"revoked", "已吊销", "Revoked", NULL},
	{"at", "场合", "At", NULL},
	{"rows", "行数", "Rows", NULL},
	{"inserted", "新增", "Inserted", NULL},
	{"updated", "更新", "Updated", NULL},
	{"unchanged", "未变", "Unchanged", NULL},
	{"rejected", "拒绝", "Rejected", NULL},
	{"generated", "生成数", "Generated", NULL},
	{"removed", "删除数", "Removed", NULL},
	{"older_than", "早于", "Older than", NULL},
	{"through_seq", "截至序号", "Through record", NULL},
	{"truncated", "内容过长已截断", "Truncated", NULL},
	{"gender", "性别", "Gender", NULL},
	{"ethnicity", "民族", "Ethnicity", NULL},
	{"birth_date", "出生日期", "Date of birth", NULL},
	{"id_type", "证件类型", "ID type", NULL},
	{"id_number", "证件号码", "ID number", NULL},
	{"mobile", "手机号码", "Mobile", NULL},
	{"landline", "固定电话", "Landline", NULL},
	{"email", "电子邮箱", "E-mail", NULL},
	{"political_status", "政治面貌", "Political status", NULL},
	{"party_joined_on", "入党时间", "Joined the party", NULL},
	{"party_full_on", "转正时间", "Full party membership", NULL},
	{"education", "学历", "Education", NULL},
	{"degree", "学位", "Degree", NULL},
	{"title", "职称", "Title", NULL},
	{"title_level", "职称级别", "Title level", NULL},
	{"discipline", "学科", "Discipline", NULL},
	{"work_unit", "工作单位", "Work unit", NULL},
	{"position", "职务", "Position", NULL},
	{"deceased_on", "去世日期", "Died on", NULL},
	{"tags", "标签", "Tags", NULL},
	{"field", "字段", "Field", NULL},
	{"reason", "原因", "Reason", NULL},
	{"person_id", "人员", "Person", NULL},
	{"unit_id", "单位会员", "Member unit", NULL},
	{"category", "会员类别", "Category", NULL},
	{"number", "会员编号", "Member number", NULL},
	{"joined_on", "入会日期", "Joined on", NULL},
	{"left_on", "退会日期", "Left on", NULL},
	{"left_reason", "退会原因", "Why left", NULL},
	{"valid_until", "会籍有效期至", "Valid until", NULL},
	{"payment_id", "缴费记录", "Payment", NULL},
	{"amount_cents", "金额（分）", "Amount (fen)", NULL},
	{"method", "缴费方式", "Method", NULL},
	{"number_pattern", "会员编号规则", "Number pattern", NULL},
	{"terms", "会籍期限设置", "Terms", NULL},
	{"lapsed", "失效数", "Lapsed", NULL},
	{"before", "早于", "Before", NULL},
	{"consent_version", "同意书版本", "Consent version", NULL},
	{"membership_id", "会籍", "Membership", NULL},
	{"erasure", "注销申请", "Erasure request", NULL},
	{"answer", "答复", "Answer", NULL},
	{"from_version", "原密钥版本", "From key version", NULL},
	{"to_version", "新密钥版本", "To key version", NULL},
	{"done", "已完成", "Done", NULL},
	{"retired", "旧密钥停用", "Older keys retired", NULL},
	/* values that stand for themselves in diffs */
	{"changed", "已修改（不显示内容）", "changed (not shown)", NULL},
	{"ended", "已结束", "ended", NULL},
	{"cleared", "已解除", "cleared", NULL},
	{"prefix", "发文字号前缀", "Document number prefix", NULL},
	{"approval_required", "需审核", "Approval required", NULL},
	{"notice_title", "标题", "Title", NULL},
	{"body", "正文", "Body", NULL},
	{"contact_name", "联系人", "Contact person", NULL},
	{"contact_phone", "联系电话", "Contact phone", NULL},
	{"deadline_date", "截止日期", "Deadline", NULL},
	{"deadline_time", "截止时间", "Deadline time", NULL},
	{"receipt_required", "需签收", "Receipt required", NULL},
	{"form_id", "回执表单", "Form to return", NULL},
	{"targets", "发送范围", "Targets", NULL},
	{"parent_notice", "转发自", "Forwarded from", NULL},
	{"doc_number", "发文字号", "Document number", NULL},
	{"recipients", "收文单位数", "Recipients", NULL},
	{"recipient", "收文单位", "Recipient", NULL},
	{"state", "状态", "State", NULL},
	{"new", "新建", "new", NULL},
	{"branch", "整个分支", "whole branch", NULL},
	{"one", "仅本组织", "this organization only", NULL},
	{"sign-in", "登录时", "at sign-in", NULL},
	{"count", "数量", "Count", NULL},
	{"deliveries", "外发条数", "Deliveries", NULL},
};
LIST(codelist_audit_field, "audit_field", audit_fields);

/* Error codes: the top-level error.code (err_name) and the per-field details[].code. The
 * web app words its messages from these codes and details[].params; the labels here are
 * its fallback and the source of truth for which codes exist (test/api/codes.test.mjs
 * fails when src/ sends a code missing from this table). */
static const struct code_item errors[] = {
	/* top level */
	{"invalid", "请求有误", "The request is invalid", NULL},
	{"unprocessable", "部分字段填写有误", "Some fields are invalid", NULL},
	{"not_found", "不存在", "Not found", NULL},
	{"conflict", "与当前状态冲突", "Conflicts with the current state", NULL},
	{"precondition_failed", "已被他人修改，请刷新后重试", "Changed by someone else; reload", NULL},
	{"precondition_required", "缺少版本号，请刷新后重试", "The version is missing; reload", NULL},
	{"forbidden", "无权进行此操作", "Not allowed", NULL},
	{"unauthorized", "请先登录", "Sign in first", NULL},
	{"too_large", "内容过大", "Too large", NULL},
	{"unsupported_media_type", "不支持的内容类型", "Unsupported content type", NULL},
	{"rate_limited", "请求过于频繁，请稍后再试", "Too many requests; try later", NULL},
	{"busy", "服务器繁忙，请稍后再试", "The server is busy; try again shortly", NULL},
	{"unavailable", "数据库暂不可用", "The database is unavailable", NULL},
	{"method_not_allowed", "不支持的请求方法", "Method not allowed", NULL},
	{"uri_too_long", "地址过长", "The URL is too long", NULL},
	{"headers_too_large", "请求头过大", "The request headers are too large", NULL},
	{"internal", "服务器内部错误", "Internal error", NULL},
	/* fields: presence, type, size (params: min, max) */
	{"required", "必填", "Required", NULL},
	{"too_short", "太短", "Too short", NULL},
	{"too_long", "太长", "Too long", NULL},
	{"out_of_range", "超出允许范围", "Out of range", NULL},
	{"not_allowed", "取值不在允许范围内", "Not an allowed value", NULL},
	{"not_integer", "须为整数", "Must be a whole number", NULL},
	{"not_string", "须为文本", "Must be text", NULL},
	{"not_boolean", "须为是或否", "Must be true or false", NULL},
	{"not_object", "须为对象", "Must be an object", NULL},
	{"not_array", "须为列表", "Must be a list", NULL},
	{"not_nullable", "不能为空值", "Must not be null", NULL},
	{"invalid_date", "日期不正确", "Not a valid date", NULL},
	{"invalid_code", "代码格式不正确", "Malformed code", NULL},
	{"invalid_name", "名称不正确", "Invalid name", NULL},
	{"invalid_id", "编号不正确", "Invalid id", NULL},
	{"invalid_parameter", "参数不正确", "Invalid parameter", NULL},
	/* request syntax */
	{"unknown_field", "不支持的字段", "Not a known field", NULL},
	{"unknown_parameter", "不支持的参数", "Not a known parameter", NULL},
	{"duplicate_parameter", "参数重复", "Parameter given twice", NULL},
	{"duplicate_key", "字段重复", "Field given twice", NULL},
	{"invalid_json", "JSON 格式不正确", "Malformed JSON", NULL},
	{"body_required", "缺少请求内容", "The request body is empty", NULL},
	{"invalid_utf8", "含有无效字符", "Invalid characters", NULL},
	{"nul_character", "含有空字符", "Contains U+0000", NULL},
	{"control_character", "含有控制字符", "Contains a control character", NULL},
	{"too_deep", "嵌套过深", "Nested too deeply", NULL},
	{"bad_header", "请求头格式不正确", "Malformed header", NULL},
	{"duplicate_header", "请求头重复", "Header given twice", NULL},
	{"conflicting_headers", "请求头相互矛盾", "Conflicting headers", NULL},
	{"unsupported_encoding", "不支持的传输编码", "Unsupported transfer encoding", NULL},
	/* official names (core/names.c) */
	{"name_invisible", "名称没有可见字符", "The name has no visible character", NULL},
	{"name_bidi", "名称含有文字方向控制字符", "The name holds a bidirectional control character", NULL},
	{"name_control", "名称含有不可见的控制字符", "The name holds an invisible control character", NULL},
	{"name_emoji", "正式名称不能包含表情符号或图形符号",
	 "An official name cannot hold emoji or pictographs", NULL},
	/* the organization tree */
	{"taken", "已被使用", "Already taken", NULL},
	{"cycle", "不能调整到自身或其下级组织之下", "Cannot go under itself or a descendant", NULL},
	{"closed", "组织已撤销", "The organization is closed", NULL},
	{"not_closed", "组织未撤销", "The organization is not closed", NULL},
	{"before_current", "生效日期早于当前隶属关系", "Before the current placement", NULL},
	{"before_closed", "恢复日期早于撤销日期", "Before the closing date", NULL},
	{"parent_closed", "上级组织已撤销，请先恢复上级", "The parent is closed; reopen it first", NULL},
	{"open_children", "下级还有未撤销的组织", "Organizations below are still open", NULL},
	{"unknown_parent", "上级不存在", "Unknown parent", NULL},
	{"not_open", "该日期组织尚未成立或已撤销", "Not open on that date", NULL},
	{"future", "日期不能晚于今天", "Cannot be after today", NULL},
	{"cannot_guide", "只有同级或上级的科协、学会可以业务指导",
	 "Only an association or society at the same level or above can guide", NULL},
	{"root_needs_post", "只有系统管理员可以新建顶级组织",
	 "Only a system-wide administrator creates a root", NULL},
	/* national codes */
	{"credit_code_format", "统一社会信用代码格式不正确", "Malformed credit code", NULL},
	{"credit_code_checksum", "统一社会信用代码校验位不符", "Credit code check character is wrong", NULL},
	{"id_format", "身份证号格式不正确", "Malformed ID number", NULL},
	{"id_checksum", "身份证号校验位不符", "ID number check character is wrong", NULL},
	{"id_birth_date", "身份证号中的出生日期不正确", "Impossible birth date in the ID number", NULL},
	{"mobile_format", "手机号格式不正确", "Malformed mobile number", NULL},
	/* person fields (core/personfield.c) */
	{"id_excel_precision", "证件号码在 Excel 中丢失了精度，请将该列设置为文本格式后重新填写",
	 "The ID number lost precision in Excel: format the column as text and enter it again", NULL},
	{"id_gender_mismatch", "性别与身份证号不符", "The gender does not match the ID number", NULL},
	{"id_birth_mismatch", "出生日期与身份证号不符", "The birth date does not match the ID number", NULL},
	{"mobile_invalid", "手机号码不正确（11 位，以 13 至 19 开头）",
	 "Not a mobile number (11 digits starting 13 to 19)", NULL},
	{"landline_invalid", "固定电话号码不正确", "Not a landline number", NULL},
	{"email_invalid", "电子邮箱地址不正确", "Not an e-mail address", NULL},
	{"date_invalid", "日期不正确", "Not a valid date", NULL},
	{"date_ambiguous", "日期有歧义（日/月顺序或年份不明），请写成 1985-03-07",
	 "Ambiguous date (day/month order or century): write it as 1985-03-07", NULL},
	/* the member register (domain/member.c, membership.c) */
	{"person_exists", "该人员已登记（证件号码或姓名加手机号相同）", "This person is registered already",
	 NULL},
	{"id_or_mobile", "请填写证件号码或手机号码", "Give an ID number or a mobile", NULL},
	{"before_birth", "早于出生日期", "Before the date of birth", NULL},
	{"before_joined", "早于开始日期", "Before the start", NULL},
	{"before_start", "结束日期须晚于开始日期", "The end must come after the start", NULL},
	{"deceased_pair", "“已故”与去世日期须同时填写",
	 "A deceased person has a date of death, and only they do", NULL},
	{"member_exists", "已是该组织的会员", "Already a member of this organization", NULL},
	{"pattern_invalid", "会员编号规则不正确：可用机构编码、年份和一个序号占位",
	 "Not a number pattern: use the org, year and one sequence placeholder", NULL},
	{"ended", "已结束", "Has ended", NULL},
	{"duplicate", "重复", "Given twice", NULL},
	{"too_many", "数量过多", "Too many", NULL},
	{"read_only", "此处不能修改", "Cannot be changed here", NULL},
	{"consent_outdated", "同意书已更新，请阅读并同意新版本",
	 "The consent text has changed: agree to the current one", NULL},
	{"application_exists", "已有待审核的入会申请", "An application is waiting already", NULL},
	{"decided", "已处理", "Decided already", NULL},
	{"erasure_pending", "注销申请正在审核", "An erasure request is waiting", NULL},
	/* accounts and passwords */
	{"invalid_login", "账号格式不正确（2 至 64 位小写字母、数字及 . _ - 等符号）",
	 "Malformed login (2 to 64 lowercase letters, digits and . _ -)", NULL},
	{"exists", "已拥有该角色", "Already holds this role", NULL},
	{"last_role", "账号至少保留一个角色", "An account keeps at least one role", NULL},
	{"admin_post", "三员角色只能由安全管理员分配", "Only security administrators assign the three posts",
	 NULL},
	{"account_locked", "账号已锁定", "The account is locked", NULL},
	{"wrong_password", "密码不正确", "Wrong password", NULL},
	{"password_too_short", "密码太短", "The password is too short", NULL},
	{"password_common", "密码过于常见", "The password is too common", NULL},
	{"password_is_login", "密码不能与账号相同", "The password equals the login", NULL},
	{"password_classes", "须包含至少三类字符", "Needs three of four character classes", NULL},
	{"password_reused", "不能使用最近用过的密码", "A recently used password", NULL},
	{"password_expired", "密码已过期", "The password has expired", NULL},
	/* the three administrator posts (core/post.c) */
	{"self", "不能对自己的账号进行此操作", "Not on your own account", NULL},
	{"post_by_request", "三员岗位须经另一名安全管理员审批",
	 "A post is given by a request a second security administrator approves", NULL},
	{"post_holder", "三员岗位账号须由本人或在服务器上设置",
	 "Post holders are managed by themselves or on the server", NULL},
	{"holds_post", "该账号已担任三员岗位", "The account holds a post already", NULL},
	{"pending", "已有待审批的申请", "A request awaits a decision", NULL},
	{"not_pending", "该申请已处理", "The request was decided already", NULL},
	{"expired", "该申请已过期", "The request has expired", NULL},
	{"same_person", "须由另一名安全管理员审批", "A second security administrator must decide", NULL},
	/* files and imports (params: row, column) */
	{"missing_column", "缺少必需的列", "A required column is missing", NULL},
	{"duplicate_column", "列重复", "The column appears twice", NULL},
	{"column_ignored", "无法识别的列，已忽略", "Unknown column, ignored", NULL},
	{"duplicate_code", "文件中编码重复", "The code appears twice in the file", NULL},
	{"encoding", "无法识别的文字编码", "Unreadable text encoding", NULL},
	{"empty", "文件没有数据行", "The file has no data rows", NULL},
	{"rejected", "该行未导入", "The row was not imported", NULL},
	{"parent_rejected", "上级所在行未导入", "The parent's row was not imported", NULL},
	{"parent_missing", "上级组织不存在", "The parent does not exist", NULL},
	{"level_change", "导入不能修改层级", "An import cannot change the level", NULL},
	{"out_of_scope", "不在您的管理范围内", "Outside your scope", NULL},
	{"unknown_column", "无法识别的列", "Unknown column", NULL},
	{"duplicate_row", "文件中同一人出现两次", "The same person appears twice in the file", NULL},
	{"unreadable", "无法读取该文件", "The file cannot be read", NULL},
	/* stored files (core/file.h; params max, used, type) */
	{"file_empty", "文件为空", "The file is empty", NULL},
	{"file_too_large", "文件超过大小限制", "The file is larger than allowed", NULL},
	{"type_svg", "不接受 SVG 图片（可能含有脚本）",
	 "SVG images are not accepted (they can carry scripts)", NULL},
	{"type_html", "不接受网页或 XML 文件", "Web pages and XML files are not accepted", NULL},
	{"type_executable", "不接受可执行程序", "Programs are not accepted", NULL},
	{"type_not_allowed", "仅接受 PDF、Word（DOCX）、Excel（XLSX）、JPEG、PNG、WebP 文件",
	 "Only PDF, Word (DOCX), Excel (XLSX), JPEG, PNG and WebP files are accepted", NULL},
	{"not_ooxml", "不是有效的 Word 或 Excel 文档（或含有宏）",
	 "Not a valid Word or Excel document (or it holds macros)", NULL},
	{"zip_bomb", "压缩包解压后过大或条目过多", "The archive inflates too far or holds too many entries",
	 NULL},
	{"image_too_large", "图片像素过多", "The image has too many pixels", NULL},
	{"image_unreadable", "图片已损坏，无法读取", "The image is damaged and cannot be read", NULL},
	{"quota_exceeded", "本组织的存储空间已用完", "The organization's storage quota is used up", NULL},
	{"attached", "文件正在使用中", "The file is in use", NULL},
	/* jobs */
	{"finished", "任务已结束", "The job has ended already", NULL},
	/* forms: schemas (core/form.c; params: min, max) */
	{"unknown_member", "不支持的属性", "Not a member of this kind of object", NULL},
	{"bad_key", "字段标识不正确（小写字母开头，小写字母、数字、下划线，至多 40 位）",
	 "Malformed key (a-z first, then a-z 0-9 _, at most 40)", NULL},
	{"unknown_type", "不支持的字段类型", "Unknown field type", NULL},
	{"bad_options", "选项须为 1 至 200 个", "Give 1 to 200 options", NULL},
	{"duplicate_option", "选项代码重复", "Two options have this code", NULL},
	{"bad_columns", "表格须有 1 至 100 列", "Give 1 to 100 columns", NULL},
	{"min_above_max", "最小值大于最大值", "The minimum is above the maximum", NULL},
	{"bad_pattern", "格式规则不是有效的正则表达式", "Not a valid regular expression", NULL},
	{"pattern_unsafe", "格式规则可能导致匹配过慢（反向引用、嵌套重复或重复次数超过 100）",
	 "Refused: back-references, nested repetition or counts above 100 can make matching slow", NULL},
	{"bad_rule", "合计规则格式不正确", "Malformed sum rule", NULL},
	{"unknown_reference", "引用的字段不存在", "No field has this key", NULL},
	{"self_reference", "合计不能包含自身", "A total cannot sum itself", NULL},
	{"not_numeric", "只能合计整数或小数字段", "Only integer and decimal fields can be summed", NULL},
	{"scale_mismatch", "被合计字段的小数位数多于合计字段", "More digits after the point than the total",
	 NULL},
	/* forms: values (params: min, max, expected, fields, pattern) */
	{"one_line", "此处不能换行", "No line breaks here", NULL},
	{"pattern_mismatch", "格式不符合要求", "Not in the required format", NULL},
	{"not_decimal", "须为数字", "Must be a number", NULL},
	{"too_many_decimals", "小数位数过多", "Too many digits after the point", NULL},
	{"too_few", "数量不足", "Too few", NULL},
	{"file_not_found", "文件不存在或无权使用", "No such file that you may use", NULL},
	{"org_outside_scope", "所选组织不在您的管理范围内", "Not an organization within your scope", NULL},
	{"sum_mismatch", "合计与分项之和不符", "Does not equal the sum of its parts", NULL},
	/* forms: templates and submissions (core/form_store.c) */
	{"builtin", "内置表单不能修改，请复制后修改", "A built-in form cannot be changed: copy it", NULL},
	{"not_available", "该表单不适用于此组织", "This form is not for this organization", NULL},
	{"not_above", "接收单位须为本单位或其上级", "The receiving org must be this one or above it", NULL},
	{"invalid_deadline", "截止时间格式不正确", "Malformed deadline", NULL},
	{"submission_exists", "本单位已就此事项填报", "This organization has a submission for this already",
	 NULL},
	{"not_editable", "已提交，不能修改", "Submitted already: it cannot change", NULL},
	{"not_submitted", "尚未提交", "Not submitted", NULL},
	{"idempotency_key_reused", "该 Idempotency-Key 已用于另一请求",
	 "This Idempotency-Key was used for a different request", NULL},
	{"not_dead", "只有投递失败的外发通知可以重发", "Only a dead delivery can be retried", NULL},
	/* notices */
	{"wrong_state", "通知当前状态不允许此操作", "The notice is not in a state that allows this", NULL},
	{"approval_required", "本单位通知须先审核再发出",
	 "This organization's notices are approved before sending", NULL},
	{"no_recipients", "发送范围内没有正常运行的组织", "The targets reach no open organization", NULL},
	{"withdrawn", "通知已撤回", "The notice has been recalled", NULL},
	{"invalid_time", "时间格式应为 时:分", "A time is HH:MM", NULL},
};
LIST(codelist_error, "error", errors);

/* ---- the member register's person fields (issue 12; core/personfield.c) ---- */

/* GB/T 2261.1-2003: the codes are the standard's digits, so exports to other systems need
 * no mapping. */
static const struct code_item genders[] = {
	{"1", "男", "Male", "男性|M|男的"},
	{"2", "女", "Female", "女性|F|女的"},
	{"0", "未知", "Unknown", "未知的性别"},
	{"9", "未说明", "Unspecified", "未说明的性别"},
};
LIST(codelist_gender, "gender", genders);

/* GB 3304-1991 with the standard's romanisation as the English label; 97 and 98 are the
 * standard's "other, unrecognised" and "Chinese citizens of foreign origin". */
static const struct code_item ethnicities[] = {
	{"01", "汉族", "Han", "汉"},
	{"02", "蒙古族", "Mongol", "蒙古|蒙族|Mongolian"},
	{"03", "回族", "Hui", "回"},
	{"04", "藏族", "Zang", "藏|Tibetan"},
	{"05", "维吾尔族", "Uygur", "维吾尔|维族|Uyghur|Uighur"},
	{"06", "苗族", "Miao", "苗"},
	{"07", "彝族", "Yi", "彝"},
	{"08", "壮族", "Zhuang", "壮"},
	{"09", "布依族", "Buyei", "布依|Bouyei"},
	{"10", "朝鲜族", "Chosen", "朝鲜|Korean"},
	{"11", "满族", "Man", "满|Manchu"},
	{"12", "侗族", "Dong", "侗"},
	{"13", "瑶族", "Yao", "瑶"},
	{"14", "白族", "Bai", "白"},
	{"15", "土家族", "Tujia", "土家"},
	{"16", "哈尼族", "Hani", "哈尼"},
	{"17", "哈萨克族", "Kazak", "哈萨克|Kazakh"},
	{"18", "傣族", "Dai", "傣"},
	{"19", "黎族", "Li", "黎"},
	{"20", "傈僳族", "Lisu", "傈僳"},
	{"21", "佤族", "Va", "佤|Wa"},
	{"22", "畲族", "She", "畲"},
	{"23", "高山族", "Gaoshan", "高山"},
	{"24", "拉祜族", "Lahu", "拉祜"},
	{"25", "水族", "Sui", NULL},
	{"26", "东乡族", "Dongxiang", "东乡"},
	{"27", "纳西族", "Naxi", "纳西"},
	{"28", "景颇族", "Jingpo", "景颇"},
	{"29", "柯尔克孜族", "Kirgiz", "柯尔克孜|Kyrgyz"},
	{"30", "土族", "Tu", NULL},
	{"31", "达斡尔族", "Daur", "达斡尔"},
	{"32", "仫佬族", "Mulao", "仫佬"},
	{"33", "羌族", "Qiang", "羌"},
	{"34", "布朗族", "Blang", "布朗"},
	{"35", "撒拉族", "Salar", "撒拉"},
	{"36", "毛南族", "Maonan", "毛南"},
	{"37", "仡佬族", "Gelao", "仡佬"},
	{"38", "锡伯族", "Xibe", "锡伯"},
	{"39", "阿昌族", "Achang", "阿昌"},
	{"40", "普米族", "Pumi", "普米"},
	{"41", "塔吉克族", "Tajik", "塔吉克"},
	{"42", "怒族", "Nu", NULL},
	{"43", "乌孜别克族", "Uzbek", "乌孜别克"},
	{"44", "俄罗斯族", "Russ", "俄罗斯|Russian"},
	{"45", "鄂温克族", "Ewenki", "鄂温克|Evenk"},
	{"46", "德昂族", "Deang", "德昂"},
	{"47", "保安族", "Bonan", "保安"},
	{"48", "裕固族", "Yugur", "裕固"},
	{"49", "京族", "Gin", "Jing"},
	{"50", "塔塔尔族", "Tatar", "塔塔尔"},
	{"51", "独龙族", "Derung", "独龙|Drung"},
	{"52", "鄂伦春族", "Oroqen", "鄂伦春"},
	{"53", "赫哲族", "Hezhen", "赫哲"},
	{"54", "门巴族", "Monba", "门巴"},
	{"55", "珞巴族", "Lhoba", "珞巴"},
	{"56", "基诺族", "Jino", "基诺"},
	{"97", "其他", "Other", "其他未识别民族|未识别民族|其它"},
	{"98", "外国血统", "Of foreign origin", "外国血统中国籍人士|外籍加入中国籍"},
};
LIST(codelist_ethnicity, "ethnicity", ethnicities);

/* GB/T 4762-1984 (revised list): the eight democratic parties in the order of the standard. */
static const struct code_item political_statuses[] = {
	{"01", "中共党员", "CPC member", "中国共产党党员|共产党员|党员"},
	{"02", "中共预备党员", "CPC probationary member", "中国共产党预备党员|预备党员"},
	{"03", "共青团员", "CYL member", "中国共产主义青年团团员|团员"},
	{"04", "民革党员", "RCCK member", "中国国民党革命委员会会员|民革会员|民革"},
	{"05", "民盟盟员", "CDL member", "中国民主同盟盟员|民盟"},
	{"06", "民建会员", "CNDCA member", "中国民主建国会会员|民建"},
	{"07", "民进会员", "CAPD member", "中国民主促进会会员|民进"},
	{"08", "农工党党员", "CPWDP member", "中国农工民主党党员|农工党|农工民主党"},
	{"09", "致公党党员", "CZGP member", "中国致公党党员|致公党"},
	{"10", "九三学社社员", "Jiusan Society member", "九三学社"},
	{"11", "台盟盟员", "TDSL member", "台湾民主自治同盟盟员|台盟"},
	{"12", "无党派人士", "Non-party personage", "无党派民主人士|无党派"},
	{"13", "群众", "Masses", "普通群众"},
};
LIST(codelist_political_status, "political_status", political_statuses);

/* The highest education completed. "研究生" alone does not say which level (GB/T 4658 has
 * it as the group of both), so it is its own value rather than a guess. */
static const struct code_item educations[] = {
	{"doctorate", "博士研究生", "Doctoral", "博士研究生毕业|博士|博士后"},
	{"master", "硕士研究生", "Master's", "硕士研究生毕业|硕士|研究生班"},
	{"postgraduate", "研究生", "Postgraduate (level not given)", "研究生毕业|研究生教育"},
	{"bachelor", "大学本科", "Bachelor's", "本科|大本|大学|本科毕业"},
	{"college", "大学专科", "Junior college", "大专|专科|高职|高职高专"},
	{"secondary", "中专及以下", "Secondary or below",
	 "中专|中专以下|高中|职高|技校|初中|小学|中等专业学校"},
};
LIST(codelist_education, "education", educations);

static const struct code_item degrees[] = {
	{"doctor", "博士", "Doctor", "博士学位"},
	{"master", "硕士", "Master", "硕士学位"},
	{"bachelor", "学士", "Bachelor", "学士学位"},
	{"none", "无", "None", "无学位"},
};
LIST(codelist_degree, "degree", degrees);

static const struct code_item title_levels[] = {
	{"senior", "正高级", "Senior", "正高|正高级职称"},
	{"associate", "副高级", "Associate senior", "副高|副高级职称"},
	{"intermediate", "中级", "Intermediate", "中级职称"},
	{"junior", "初级", "Junior", "助理级|员级|初级职称"},
	{"none", "无", "None", "无职称|未评"},
};
LIST(codelist_title_level, "title_level", title_levels);

/* GB/T 13745-2009, the 62 first-level disciplines (三位代码), in the standard's order:
 * natural sciences, agriculture, medicine, engineering and technology, humanities and
 * social sciences. */
static const struct code_item disciplines[] = {
	{"110", "数学", "Mathematics", NULL},
	{"120", "信息科学与系统科学", "Information and systems science", NULL},
	{"130", "力学", "Mechanics", NULL},
	{"140", "物理学", "Physics", NULL},
	{"150", "化学", "Chemistry", NULL},
	{"160", "天文学", "Astronomy", NULL},
	{"170", "地球科学", "Earth sciences", NULL},
	{"180", "生物学", "Biology", NULL},
	{"190", "心理学", "Psychology", NULL},
	{"210", "农学", "Agronomy", NULL},
	{"220", "林学", "Forestry", NULL},
	{"230", "畜牧、兽医科学", "Animal husbandry and veterinary science", "畜牧兽医科学"},
	{"240", "水产学", "Fisheries science", NULL},
	{"310", "基础医学", "Basic medicine", NULL},
	{"320", "临床医学", "Clinical medicine", NULL},
	{"330", "预防医学与公共卫生学", "Preventive medicine and public health", NULL},
	{"340", "军事医学与特种医学", "Military and special medicine", NULL},
	{"350", "药学", "Pharmacy", NULL},
	{"360", "中医学与中药学", "Chinese medicine and pharmacy", NULL},
	{"410", "工程与技术科学基础学科", "Basic engineering and technology sciences", NULL},
	{"413", "信息与系统科学相关工程与技术", "Engineering related to information and systems science",
	 NULL},
	{"416", "自然科学相关工程与技术", "Engineering related to the natural sciences", NULL},
	{"420", "测绘科学技术", "Surveying and mapping", NULL},
	{"430", "材料科学", "Materials science", NULL},
	{"440", "矿山工程技术", "Mining engineering", NULL},
	{"450", "冶金工程技术", "Metallurgical engineering", NULL},
	{"460", "机械工程", "Mechanical engineering", NULL},
	{"470", "动力与电气工程", "Power and electrical engineering", NULL},
	{"480", "能源科学技术", "Energy science and technology", NULL},
	{"490", "核科学技术", "Nuclear science and technology", NULL},
	{"510", "电子与通信技术", "Electronics and communications", NULL},
	{"520", "计算机科学技术", "Computer science and technology", NULL},
	{"530", "化学工程", "Chemical engineering", NULL},
	{"535", "产品应用相关工程与技术", "Product application engineering", NULL},
	{"540", "纺织科学技术", "Textile science and technology", NULL},
	{"550", "食品科学技术", "Food science and technology", NULL},
	{"560", "土木建筑工程", "Civil and architectural engineering", NULL},
	{"570", "水利工程", "Hydraulic engineering", NULL},
	{"580", "交通运输工程", "Transportation engineering", NULL},
	{"590", "航空、航天科学技术", "Aeronautics and astronautics", "航空航天科学技术"},
	{"610", "环境科学技术及资源科学技术", "Environmental and resource science and technology", NULL},
	{"620", "安全科学技术", "Safety science and technology", NULL},
	{"630", "管理学", "Management science", NULL},
	{"710", "马克思主义", "Marxism", NULL},
	{"720", "哲学", "Philosophy", NULL},
	{"730", "宗教学", "Religious studies", NULL},
	{"740", "语言学", "Linguistics", NULL},
	{"750", "文学", "Literature", NULL},
	{"760", "艺术学", "Art", NULL},
	{"770", "历史学", "History", NULL},
	{"780", "考古学", "Archaeology", NULL},
	{"790", "经济学", "Economics", NULL},
	{"810", "政治学", "Political science", NULL},
	{"820", "法学", "Law", NULL},
	{"830", "军事学", "Military science", NULL},
	{"840", "社会学", "Sociology", NULL},
	{"850", "民族学与文化学", "Ethnology and cultural studies", NULL},
	{"860", "新闻学与传播学", "Journalism and communication", NULL},
	{"870", "图书馆、情报与文献学", "Library, information and documentation science",
	 "图书馆情报与文献学"},
	{"880", "教育学", "Education", NULL},
	{"890", "体育科学", "Sports science", NULL},
	{"910", "统计学", "Statistics", NULL},
};
LIST(codelist_discipline, "discipline", disciplines);
_Static_assert(sizeof(disciplines) / sizeof(disciplines[0]) == 62,
	       "GB/T 13745-2009 has 62 first-level disciplines");

/* The document an ID number belongs to: personfield.c checks each one's own form. */
static const struct code_item id_types[] = {
	{"resident", "居民身份证", "Resident identity card", "身份证|二代身份证|居民身份证号码"},
	{"foreign_permanent", "外国人永久居留身份证", "Foreign permanent resident ID card",
	 "外国人永久居留证|永久居留身份证|永居证"},
	{"hk_macao_residence", "港澳居民居住证", "Residence permit for Hong Kong and Macao residents", NULL},
	{"taiwan_residence", "台湾居民居住证", "Residence permit for Taiwan residents", NULL},
	{"hk_macao_permit", "港澳居民来往内地通行证",
	 "Mainland travel permit for Hong Kong and Macao residents", "回乡证|港澳居民往来内地通行证"},
	{"taiwan_permit", "台湾居民来往大陆通行证", "Mainland travel permit for Taiwan residents", "台胞证"},
	{"passport", "护照", "Passport", NULL},
};
LIST(codelist_id_type, "id_type", id_types);

static const struct code_item person_statuses[] = {
	{"active", "正常", "Active", "在世"},
	{"deceased", "已故", "Deceased", "去世|逝世|已逝世"},
};
LIST(codelist_person_status, "person_status", person_statuses);

static const struct code_item member_categories[] = {
	{"individual", "个人会员", "Individual member", "普通会员|会员"},
	{"student", "学生会员", "Student member", NULL},
	{"senior", "高级会员", "Senior member", "资深会员"},
	{"fellow", "会士", "Fellow", NULL},
	{"honorary", "荣誉会员", "Honorary member", NULL},
	{"group", "单位会员", "Group member", "团体会员"},
};
LIST(codelist_member_category, "member_category", member_categories);

static const struct code_item membership_statuses[] = {
	{"applied", "已申请", "Applied", "申请中|待审核"}, {"active", "有效", "Active", "正常|在籍"},
	{"lapsed", "已过期", "Lapsed", "过期|逾期"},       {"left", "已退会", "Left", "退会"},
	{"expelled", "已除名", "Expelled", "除名|开除"},
};
LIST(codelist_membership_status, "membership_status", membership_statuses);

static const struct code_item payment_methods[] = {
	{"bank_transfer", "银行转账", "Bank transfer", "转账|银行汇款|汇款"},
	{"cash", "现金", "Cash", NULL},
	{"wechat", "微信", "WeChat Pay", "微信支付"},
	{"alipay", "支付宝", "Alipay", NULL},
	{"other", "其他", "Other", "其它"},
};
LIST(codelist_payment_method, "payment_method", payment_methods);

/* Stored files' kinds (core/file.h): what the bytes were found to be. */
static const struct code_item file_types[] = {
	{"pdf", "PDF 文档", "PDF document", NULL},      {"docx", "Word 文档", "Word document", NULL},
	{"xlsx", "Excel 表格", "Excel workbook", NULL}, {"jpeg", "JPEG 图片", "JPEG image", NULL},
	{"png", "PNG 图片", "PNG image", NULL},         {"webp", "WebP 图片", "WebP image", NULL},
};
LIST(codelist_file_type, "file_type", file_types);
/* What a notification is about (core/notify.h): its kind decides the hook event
 * ("notification.<kind>") and the icon; labels are what the bell shows. */
static const struct code_item notification_kinds[] = {
	{"reminder", "催报提醒", "Reminder", NULL},      {"notice", "通知", "Notice", NULL},
	{"submission", "报送", "Submission", NULL},      {"system", "系统消息", "System message", NULL},
	{"hook_test", "网关测试", "Gateway test", NULL},
};
LIST(codelist_notification_kind, "notification_kind", notification_kinds);

static const struct code_item hook_states[] = {
	{"pending", "待投递", "Pending", NULL},
	{"delivered", "已投递", "Delivered", NULL},
	{"dead", "投递失败", "Failed (dead letter)", NULL},
};
LIST(codelist_hook_state, "hook_state", hook_states);
static const struct code_item notice_states[] = {
	{"draft", "草稿", "Draft", NULL},         {"pending", "待审核", "Awaiting approval", NULL},
	{"approved", "已审核", "Approved", NULL}, {"sent", "已发出", "Sent", NULL},
	{"recalled", "已撤回", "Recalled", NULL},
};
LIST(codelist_notice_state, "notice_state", notice_states);

static const struct code_item receipt_states[] = {
	{"unread", "未读", "Unread", NULL},
	{"read", "已读", "Read", NULL},
	{"acknowledged", "已签收", "Acknowledged", NULL},
};
LIST(codelist_receipt_state, "receipt_state", receipt_states);

static const struct codeset *const all[] = {
	&codelist_org_level,
	&codelist_org_type,
	&codelist_role,
	&codelist_audit_action,
	&codelist_object_type,
	&codelist_job_state,
	&codelist_user_status,
	&codelist_audit_field,
	&codelist_error,
	&codelist_gender,
	&codelist_ethnicity,
	&codelist_political_status,
	&codelist_education,
	&codelist_degree,
	&codelist_title_level,
	&codelist_discipline,
	&codelist_id_type,
	&codelist_person_status,
	&codelist_member_category,
	&codelist_membership_status,
	&codelist_payment_method,
	&codelist_file_type,
	&codelist_notification_kind,
	&codelist_hook_state,
	&codelist_notice_state,
	&codelist_receipt_state,
};

const struct codeset *const *codelist_all(size_t *n)
{
	*n = sizeof(all) / sizeof(all[0]);
	return all;
}

const struct codeset *codelist_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}

int codelist_refuse(struct errlist *errs, const char *field, const struct codeset *s)
{
	char words[512], msg[540];
	snprintf(msg, sizeof(msg), "must be one of: %s", codeset_join(s, '|', words, sizeof(words)));
	errlist_add(errs, field, "not_allowed", msg);
	return errlist_param_str(errs, "list", s->name);
}
