/*
 * rbac.h - who may do what, where. A caller holds grants (role, org); a role applies to
 * its org and everything below it as of today. Permissions per role are data (rbac.c).
 * Every module checks objects through rbac_check: an object outside all of the caller's
 * scopes is ERR_NOTFOUND (its existence is not revealed); inside a scope but without a
 * role granting the permission there is ERR_FORBIDDEN.
 */
#ifndef KEXIE_CORE_RBAC_H
#define KEXIE_CORE_RBAC_H

#include "core/app.h"
#include "base/err.h"

#include <stdbool.h>
#include <stdint.h>

#define CALLER_MAX_GRANTS 16

struct grant {
	char role[16];
	int64_t org_id;
};

struct caller {
	int64_t user_id;
	char login[65];
	char display_name[401];
	const char *via;  /* "token" or "session" */
	char cred[40];    /* which one, for the audit trail: "token:12", "session:34" */
	int64_t token_id;
	int64_t session_id;
	struct grant g[CALLER_MAX_GRANTS];
	int ngrants;
};

/* Roles and what they grant ("system_admin|security_admin|..."). */
extern const char RBAC_ROLES[];

/* True when the role grants perm. */
bool rbac_role_has(const char *role, const char *perm);

/* True when some role of the caller grants perm somewhere (route-level check). */
bool rbac_permits(const struct caller *c, const char *perm);

/* Object-level check for perm on org_id (see above). 0 when allowed. */
int rbac_check(struct app *a, const struct caller *c, const char *perm, int64_t org_id);

/* rbac_check when the object's chain of orgs up to its root (itself first, as of today) is
 * already known (org_path): no database work. rbac_check reads the chain, then this. */
int rbac_check_path(const struct caller *c, const char *perm, const int64_t *path, int n);

/* Does a grant of exactly `role` cover org_id (e.g. a security admin over an account's org)? */
int rbac_holds(struct app *a, const struct caller *c, const char *role, int64_t org_id, bool *yes);

/* The role the caller acts under for perm on org_id ("" when none), for the audit trail. */
const char *rbac_role_for(struct app *a, const struct caller *c, const char *perm, int64_t org_id);

#endif
