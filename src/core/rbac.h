/*
 * rbac.h - who may do what, where: the one scope rule.
 *
 * A caller holds grants (role, org). An org role (org_admin, staff, reviewer, member)
 * applies to its org and everything below it as of today. The three administrator posts
 * of 等保 (system_admin, security_admin, audit_admin) are system-wide: they cover every
 * org of every root, whatever org they were recorded at. Permissions per role are data
 * (rbac.c).
 *
 * The rule, for an object at an org: outside every scope of the caller it is
 * ERR_NOTFOUND (its existence is not revealed); inside a scope but without a role granting
 * the permission there it is ERR_FORBIDDEN. Scope is judged on today's tree, whatever date
 * is read: an org the caller cannot see today is never shown, by any path (rbac_seen and
 * ORG_SEEN_SQL carry the rule into lists).
 */
#ifndef KEXIE_CORE_RBAC_H
#define KEXIE_CORE_RBAC_H

#include "core/app.h"
#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
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

/* The three posts joined by '|' into out ("system_admin|security_admin|audit_admin"),
 * for messages; the roles themselves are codelist_role (core/codelist.h). Returns out. */
const char *rbac_posts(char *out, size_t cap);

/* True when the role grants perm. */
bool rbac_role_has(const char *role, const char *perm);

/* True when role is one of the three system-wide administrator posts. */
bool rbac_is_post(const char *role);

/* True when some role of the caller grants perm somewhere (the route-level check). */
bool rbac_permits(const struct caller *c, const char *perm);

/* True when a post of the caller grants perm: system-wide, over every org of every root
 * (needed to create a root, or to act on the system as a whole). */
bool rbac_permits_system(const struct caller *c, const char *perm);

/* True when the caller holds exactly this role (at any org). */
bool rbac_holds_role(const struct caller *c, const char *role);

/* The scope rule for perm on the org whose chain up to its root (itself first, as of
 * today) is path[0..n) (org_path): 0, ERR_FORBIDDEN or ERR_NOTFOUND as above. No database
 * work. On 0, *role (when role is not NULL) points at the granting role inside c (valid
 * while c lives); otherwise it is "". perm NULL asks only whether the org is in scope. */
int rbac_check_path(const struct caller *c, const char *perm, const int64_t *path, int n,
		    const char **role);

/* The same rule for org_id, reading its chain as of today. Existence is not checked here:
 * an unknown id is ERR_NOTFOUND unless a post covers everything (use org_get_for to load
 * and check at once). */
int rbac_check(struct app *a, const struct caller *c, const char *perm, int64_t org_id);

/* The role the caller acts under for perm on org_id ("" when none), for the audit trail;
 * org_id 0: the first role granting perm anywhere. */
const char *rbac_role_for(struct app *a, const struct caller *c, const char *perm, int64_t org_id);

/* What a caller may see, for lists (ORG_SEEN_SQL in org.h): everything when a post grants
 * perm (all), else the orgs whose chain as of `today` meets an org where user_id holds one
 * of `roles` ("|org_admin|staff|": the roles granting perm). */
struct rbac_seen {
	bool all;
	int64_t user_id;
	char roles[96];
	char today[11];
};
void rbac_seen(const struct caller *c, const char *perm, struct rbac_seen *out);

#endif
