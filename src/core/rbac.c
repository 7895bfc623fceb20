/*
 * rbac.c - permissions per role (one table) and the one scope rule (see rbac.h).
 *
 * The three administrator posts of 等保 are separate and system-wide: the system admin
 * runs the tree (every root) and cannot read the audit log or manage accounts; the
 * security admin manages accounts and requests and approves posts; the audit admin reads
 * the audit log. Separation of duties between them is enforced where roles are given
 * (account.c, post.c): nobody holds two posts, a post holder holds no other role, and a
 * post is given over HTTP only by two different security administrators.
 * hook.admin (the outbound hook's deliveries and dead letters, the gateway test) is the
 * system admin's: operating the gateway is running the system, and the deliveries carry
 * business notifications, which the security and audit posts never see
 * (docs/notifications.md).
 */
#include "core/rbac.h"
#include "core/org.h"
#include "core/codelist.h"
#include "base/timeutil.h"
#include "base/utf8.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *role;
	const char *perms; /* space-separated */
	bool post;         /* one of the three system-wide administrator posts */
} role_perms[] = {
	{"system_admin", "org.read org.write hook.admin", true},
	{"security_admin", "org.read user.read user.admin user.post", true},
	{"audit_admin", "org.read audit.read", true},
	{"org_admin",
	 "org.read org.write user.read user.admin member.read member.write member.reveal member.erase file.read"
	 " file.write form.read form.design form.submit form.review notice.read notice.write notice.approve",
	 false},
	{"staff",
	 "org.read member.read member.write file.read file.write form.read form.design form.submit form.review"
	 " notice.read notice.write",
	 false},
	{"reviewer", "form.read form.review", false},
	{"member", "", false},
};
/* one row per role of codelist_role (core/codelist.c), which names and orders them */
_Static_assert(sizeof(role_perms) / sizeof(role_perms[0]) == CODELIST_ROLES,
	       "a role of codelist_role has no permissions row, or the reverse");

bool rbac_role_has(const char *role, const char *perm)
{
	for (size_t i = 0; i < sizeof(role_perms) / sizeof(role_perms[0]); i++)
		if (!strcmp(role_perms[i].role, role))
			return word_in(role_perms[i].perms, ' ', perm, false);
	return false;
}

bool rbac_is_post(const char *role)
{
	for (size_t i = 0; i < sizeof(role_perms) / sizeof(role_perms[0]); i++)
		if (!strcmp(role_perms[i].role, role))
			return role_perms[i].post;
	return false;
}

const char *rbac_posts(char *out, size_t cap)
{
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(role_perms) / sizeof(role_perms[0]); i++) {
		if (!role_perms[i].post)
			continue;
		int w = snprintf(out + len, cap - len, "%s%s", len ? "|" : "", role_perms[i].role);
		if (w < 0 || (size_t)w >= cap - len)
			break;
		len += (size_t)w;
	}
	return out;
}

bool rbac_permits(const struct caller *c, const char *perm)
{
	for (int i = 0; i < c->ngrants; i++)
		if (rbac_role_has(c->g[i].role, perm))
			return true;
	return false;
}

bool rbac_permits_system(const struct caller *c, const char *perm)
{
	for (int i = 0; i < c->ngrants; i++)
		if (rbac_is_post(c->g[i].role) && rbac_role_has(c->g[i].role, perm))
			return true;
	return false;
}

bool rbac_holds_role(const struct caller *c, const char *role)
{
	for (int i = 0; i < c->ngrants; i++)
		if (!strcmp(c->g[i].role, role))
			return true;
	return false;
}

/* Does grant g cover the org whose chain is path[0..n)? A post covers every org. */
static bool covers(const struct grant *g, const int64_t *path, int n)
{
	if (rbac_is_post(g->role))
		return true;
	for (int k = 0; k < n; k++)
		if (path[k] == g->org_id)
			return true;
	return false;
}

int rbac_check_path(const struct caller *c, const char *perm, const int64_t *path, int n, const char **role)
{
	bool visible = false;
	if (role)
		*role = "";
	for (int i = 0; i < c->ngrants; i++) {
		if (!covers(&c->g[i], path, n))
			continue;
		if (!perm || rbac_role_has(c->g[i].role, perm)) {
			if (role)
				*role = c->g[i].role;
			return 0;
		}
		visible = true; /* in a scope of the caller, without the role: it exists for them */
	}
	return visible ? ERR_FORBIDDEN : ERR_NOTFOUND;
}

int rbac_check(struct app *a, const struct caller *c, const char *perm, int64_t org_id)
{
	int64_t path[ORG_PATH_MAX];
	int n = 0;
	int rc = org_path(a, org_id, path, &n);
	return rc ? rc : rbac_check_path(c, perm, path, n, NULL);
}

const char *rbac_role_for(struct app *a, const struct caller *c, const char *perm, int64_t org_id)
{
	if (!org_id) {
		for (int i = 0; i < c->ngrants; i++)
			if (rbac_role_has(c->g[i].role, perm))
				return c->g[i].role;
		return "";
	}
	int64_t path[ORG_PATH_MAX];
	int n = 0;
	const char *role = "";
	if (org_path(a, org_id, path, &n) == 0)
		rbac_check_path(c, perm, path, n, &role);
	return role;
}

void rbac_seen(const struct caller *c, const char *perm, struct rbac_seen *out)
{
	memset(out, 0, sizeof(*out));
	date_today(out->today, sizeof(out->today));
	out->all = rbac_permits_system(c, perm);
	out->user_id = c->user_id;
	size_t len = 0;
	out->roles[len++] = '|';
	for (size_t i = 0; i < sizeof(role_perms) / sizeof(role_perms[0]); i++) {
		const char *role = role_perms[i].role;
		if (rbac_is_post(role) || !rbac_role_has(role, perm))
			continue;
		int w = snprintf(out->roles + len, sizeof(out->roles) - len, "%s|", role);
		if (w > 0 && (size_t)w < sizeof(out->roles) - len)
			len += (size_t)w;
	}
}
