/*
 * rbac.c - permissions per role (one table) and the subtree scope check.
 *
 * The three administrator posts of 等保 are separate: the system admin runs the tree and
 * cannot read the audit log or manage accounts; the security admin manages accounts and
 * policy; the audit admin only reads the audit log.
 */
#include "domain/rbac.h"
#include "domain/org.h"

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
	size_t n = strlen(perm);
	for (size_t i = 0; i < sizeof(role_perms) / sizeof(role_perms[0]); i++) {
		if (strcmp(role_perms[i].role, role))
			continue;
		for (const char *p = role_perms[i].perms; *p;) {
			const char *sp = strchr(p, ' ');
			size_t len = sp ? (size_t)(sp - p) : strlen(p);
			if (len == n && !strncmp(p, perm, n))
				return true;
			if (!sp)
				break;
			p = sp + 1;
		}
	}
	return false;
}

bool rbac_permits(const struct caller *c, const char *perm)
{
	for (int i = 0; i < c->ngrants; i++)
		if (rbac_role_has(c->g[i].role, perm))
			return true;
	return false;
}

/* Index of the first grant covering org_id that grants perm (perm NULL: any grant), or
 * -1 when none; a store error goes to *rc. With conn, the checks run on it. */
static int covering_on(struct app *a, struct conn *conn, const struct caller *c, const char *perm,
		       int64_t org_id, int *rc)
{
	*rc = 0;
	for (int i = 0; i < c->ngrants; i++) {
		if (perm && !rbac_role_has(c->g[i].role, perm))
			continue;
		bool yes = false;
		*rc = conn ? org_within_conn(conn, c->g[i].org_id, org_id, &yes)
			   : org_within(a, c->g[i].org_id, org_id, NULL, &yes);
		if (*rc)
			return -1;
		if (yes)
			return i;
	}
	return -1;
}

static int covering(struct app *a, const struct caller *c, const char *perm, int64_t org_id, int *rc)
{
	return covering_on(a, NULL, c, perm, org_id, rc);
}

static int check_on(struct app *a, struct conn *conn, const struct caller *c, const char *perm, int64_t org_id)
{
	int rc;
	if (covering_on(a, conn, c, perm, org_id, &rc) >= 0)
		return 0;
	if (rc)
		return rc;
	/* visible through some other role? then it exists for this caller: 403, else 404 */
	if (covering_on(a, conn, c, NULL, org_id, &rc) >= 0)
		return ERR_FORBIDDEN;
	return rc ? rc : ERR_NOTFOUND;
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
		visible = true;
	}
	return visible ? ERR_FORBIDDEN : ERR_NOTFOUND;
}

int rbac_check(struct app *a, const struct caller *c, const char *perm, int64_t org_id)
{
	return check_on(a, NULL, c, perm, org_id);
}

int rbac_check_conn(struct conn *conn, const struct caller *c, const char *perm, int64_t org_id)
{
	return check_on(NULL, conn, c, perm, org_id);
}

const char *rbac_role_for(struct app *a, const struct caller *c, const char *perm, int64_t org_id)
{
	int rc;
	int i = covering(a, c, perm, org_id, &rc);
	return i >= 0 ? c->g[i].role : "";
}
