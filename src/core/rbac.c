/*
 * rbac.c - permissions per role (one table) and the subtree scope check.
 *
 * The three administrator posts of 等保 are separate: the system admin runs the tree and
 * cannot read the audit log or manage accounts; the security admin manages accounts and
 * policy; the audit admin only reads the audit log.
 */
#include "core/rbac.h"
#include "core/org.h"
#include "base/utf8.h"

#include <string.h>

const char RBAC_ROLES[] = "system_admin|security_admin|audit_admin|org_admin|staff|reviewer|member";

static const struct {
	const char *role;
	const char *perms; /* space-separated */
} role_perms[] = {
	{"system_admin", "org.read org.write"},
	{"security_admin", "org.read user.read user.admin"},
	{"audit_admin", "org.read audit.read"},
	{"org_admin", "org.read org.write user.read user.admin"},
	{"staff", "org.read"},
	{"reviewer", ""},
	{"member", ""},
};

bool rbac_role_has(const char *role, const char *perm)
{
	for (size_t i = 0; i < sizeof(role_perms) / sizeof(role_perms[0]); i++)
		if (!strcmp(role_perms[i].role, role))
			return word_in(role_perms[i].perms, ' ', perm, false);
	return false;
}

bool rbac_permits(const struct caller *c, const char *perm)
{
	for (int i = 0; i < c->ngrants; i++)
		if (rbac_role_has(c->g[i].role, perm))
			return true;
	return false;
}

int rbac_check_path(const struct caller *c, const char *perm, const int64_t *path, int n)
{
	bool visible = false;
	for (int i = 0; i < c->ngrants; i++) {
		bool covers = false;
		for (int k = 0; k < n && !covers; k++)
			covers = path[k] == c->g[i].org_id;
		if (!covers)
			continue;
		if (!perm || rbac_role_has(c->g[i].role, perm))
			return 0;
		visible = true; /* in a scope of the caller, without the role: it exists for them */
	}
	return visible ? ERR_FORBIDDEN : ERR_NOTFOUND;
}

/* The first grant whose role passes `want` and whose org is on the path, or -1. */
static int covering(const struct caller *c, const int64_t *path, int n,
		    bool (*want)(const char *role, const char *arg), const char *arg)
{
	for (int i = 0; i < c->ngrants; i++) {
		if (!want(c->g[i].role, arg))
			continue;
		for (int k = 0; k < n; k++)
			if (path[k] == c->g[i].org_id)
				return i;
	}
	return -1;
}

static bool is_role(const char *role, const char *arg)
{
	return !strcmp(role, arg);
}

int rbac_check(struct app *a, const struct caller *c, const char *perm, int64_t org_id)
{
	int64_t path[ORG_PATH_MAX];
	int n = 0;
	int rc = org_path(a, org_id, path, &n);
	return rc ? rc : rbac_check_path(c, perm, path, n);
}

const char *rbac_role_for(struct app *a, const struct caller *c, const char *perm, int64_t org_id)
{
	int64_t path[ORG_PATH_MAX];
	int n = 0;
	if (org_path(a, org_id, path, &n))
		return "";
	int i = covering(c, path, n, rbac_role_has, perm);
	return i >= 0 ? c->g[i].role : "";
}

int rbac_holds(struct app *a, const struct caller *c, const char *role, int64_t org_id, bool *yes)
{
	int64_t path[ORG_PATH_MAX];
	int n = 0;
	*yes = false;
	int rc = org_path(a, org_id, path, &n);
	if (!rc)
		*yes = covering(c, path, n, is_role, role) >= 0;
	return rc;
}
