/*
 * account.c - accounts: create, find, disable/enable/unlock, roles over subtrees, the
 * administrators' view (detail, scope, search) (see user.h).
 */
#include "core/user.h"
#include "core/user_int.h"
#include "core/names.h"
#include "core/org.h"
#include "core/codelist.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "store/store.h"

#include <sodium.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool login_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
		      c == '@'))
			return false;
	}
	return true;
}

struct add_job {
	const struct user_input *in;
	const struct audit_entry *who;
	struct errlist *errs;
	char hash[crypto_pwhash_STRBYTES];
	int64_t org_id;
	int64_t id;
};

int user_insert_conn(struct conn *c, const struct audit_entry *who, const struct user_new *n,
		     struct errlist *errs, int64_t *id)
{
	bool taken = false;
	int rc = conn_row(c, "SELECT 1 FROM app_user WHERE login = $1", "t", "b", n->login, &taken);
	if (!rc) {
		errlist_add(errs, "login", "taken", "another account already has this login");
		return ERR_CONFLICT;
	}
	if (rc != ERR_NOTFOUND)
		return rc;
	int64_t now = time_unix();
	rc = conn_row(
		c,
		"INSERT INTO app_user (login, display_name, password_hash, password_changed_at, created_at,"
		" person_id) VALUES ($1, $2, $3, $4, $4, NULLIF($5, 0)) RETURNING id",
		"tttii", "i", n->login, n->display_name, n->hash, now, n->person_id, id);
	if (rc)
		return rc;
	rc = conn_run(c, "INSERT INTO role_assignment (user_id, role, org_id) VALUES ($1, $2, $3)", "iti",
		      *id, n->role, n->org_id);
	if (rc < 0)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "login", NULL, n->login);
	audit_diff_change(&d, "display_name", NULL, n->display_name);
	audit_diff_change(&d, "role", NULL, n->role);
	audit_diff_int(&d, "org_id", n->org_id);
	if (n->person_id)
		audit_diff_int(&d, "person_id", n->person_id);
	audit_diff_secret(&d, "password"); /* recorded as set, never in any form */
	return audit_object(c, who, "user.create", "user", *id, n->org_id, audit_diff_text(&d));
}

static int add_tx(struct conn *c, void *arg)
{
	struct add_job *j = arg;
	struct user_new n = {.login = j->in->login,
			     .display_name = j->in->display_name,
			     .hash = j->hash,
			     .role = j->in->role,
			     .org_id = j->org_id};
	return user_insert_conn(c, j->who, &n, j->errs, &j->id);
}

struct person_job {
	int64_t user_id, *person_id;
};

static int person_read(struct conn *c, void *arg)
{
	struct person_job *j = arg;
	return conn_row(c, "SELECT COALESCE(person_id, 0) FROM app_user WHERE id = $1", "i", "i", j->user_id,
			j->person_id);
}

int user_person(struct app *a, int64_t user_id, int64_t *person_id)
{
	struct person_job j = {user_id, person_id};
	*person_id = 0;
	return store_read(a->store, person_read, &j);
}

bool user_login_ok(const char *login)
{
	return login && login_ok(login);
}

static bool in_roles(const char *role)
{
	return codeset_has(&codelist_role, role);
}

int user_add(struct app *a, const struct audit_entry *who, const struct user_input *in, struct errlist *errs,
	     int64_t *id)
{
	int bad = 0;
	if (in->role && rbac_is_post(in->role) && !in->post_ok)
		return errlist_add(
			       errs, "role", "post_by_request",
			       "an administrator post is given by a request that a second security administrator"
			       " approves (POST /api/v1/post-requests): create the account with another role first"),
		       ERR_FORBIDDEN;
	if (!in->login || !login_ok(in->login))
		bad = errlist_add(errs, "login", "invalid_login", "2 to 64 of a-z 0-9 . _ - @");
	/* the display name is an official name: the one normaliser (core/names.h) */
	char display[100 * 4 + 1];
	struct user_input norm = *in;
	int nrc = name_normalize(in->display_name, in->display_name ? strlen(in->display_name) : 0,
				 NAME_OFFICIAL, 1, 100, display, sizeof(display), "display_name", errs);
	if (nrc && nrc != ERR_UNPROCESSABLE)
		return nrc;
	if (nrc)
		bad = nrc;
	norm.display_name = display;
	in = &norm;
	if (!in->role || !in_roles(in->role))
		bad = codelist_refuse(errs, "role", &codelist_role);
	if (!in->password || password_check(a, in->password, in->login, "password", errs))
		bad = ERR_UNPROCESSABLE;
	struct add_job j = {.in = in, .who = who, .errs = errs};
	struct org o;
	int rc = in->org_id > 0 ? org_get(a, in->org_id, NULL, &o)
				: org_get_by_code(a, in->org_code && *in->org_code ? in->org_code : "CAST",
						  NULL, &o);
	if (rc == ERR_NOTFOUND || (!rc && o.closed_on[0]))
		bad = errlist_add(errs, in->org_id > 0 ? "org_id" : "org", "not_found",
				  "no open organization with this code");
	else if (rc)
		return rc;
	if (bad)
		return ERR_UNPROCESSABLE;
	j.org_id = o.id;
	rc = user_hash_password(in->password, j.hash);
	if (!rc)
		rc = store_tx(a->store, add_tx, &j);
	sodium_memzero(j.hash, sizeof(j.hash));
	if (!rc)
		*id = j.id;
	return rc;
}

int user_find(struct app *a, const char *login, int64_t *id)
{
	struct conn *c = NULL;
	struct stmt *st = NULL;
	*id = 0;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c, "SELECT id FROM app_user WHERE login = $1", &st);
	if (!rc) {
		stmt_bind_text(st, 1, login, strlen(login));
		rc = stmt_step(st);
		if (rc == STORE_ROW)
			*id = stmt_int64(st, 0);
		rc = rc == STORE_ROW ? 0 : rc == STORE_DONE ? ERR_NOTFOUND : rc;
	}
	stmt_done(st);
	store_release(c);
	return rc;
}

/* Ends the user's sessions and, with tokens, its API tokens too; *n counts the sessions. */
int user_end_credentials(struct conn *c, int64_t user_id, bool tokens, int64_t *n)
{
	static const char *const sql[] = {
		"UPDATE session SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL"
		" AND expires_at > $2",
		"UPDATE api_token SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
	};
	for (int i = 0; i < (tokens ? 2 : 1); i++) {
		struct stmt *st = NULL;
		int rc = conn_prepare(c, sql[i], &st);
		if (rc)
			return rc;
		stmt_bind_int64(st, 1, user_id);
		stmt_bind_int64(st, 2, time_unix());
		rc = stmt_step(st);
		if (i == 0 && n)
			*n = stmt_changes(st);
		stmt_done(st);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* One change to an account, by id. */
enum account_op { ACC_DISABLE, ACC_ENABLE, ACC_UNLOCK, ACC_PASSWORD, ACC_END_SESSIONS };

struct account_job {
	const struct audit_entry *who;
	int64_t id;
	enum account_op op;
	const char *hash; /* ACC_PASSWORD */
	int history;      /* ACC_PASSWORD: old hashes to keep */
	int64_t ended;    /* sessions ended */
};

int user_run_sql_id(struct conn *c, const char *sql, int64_t id, int64_t *changes)
{
	struct stmt *st = NULL;
	int rc = conn_prepare(c, sql, &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, id);
	rc = stmt_step(st);
	if (changes)
		*changes = stmt_changes(st);
	stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* Keeps the password being replaced in the history (strict mode refuses reuse). */

static int account_tx(struct conn *c, void *arg)
{
	struct account_job *j = arg;
	struct stmt *st = NULL;
	int rc = conn_prepare(c, "SELECT status FROM app_user WHERE id = $1", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, j->id);
	rc = stmt_step(st);
	stmt_done(st);
	if (rc == STORE_DONE)
		return ERR_NOTFOUND;
	if (rc < 0)
		return rc;
	const char *action = "";
	struct audit_diff d;
	audit_diff_init(&d);
	switch (j->op) {
	case ACC_DISABLE:
		rc = user_run_sql_id(
			c, "UPDATE app_user SET status = 'disabled', version = version + 1 WHERE id = $1",
			j->id, NULL);
		if (!rc)
			rc = user_end_credentials(c, j->id, true, &j->ended);
		action = "user.disable";
		audit_diff_change(&d, "status", "active", "disabled");
		audit_diff_str(&d, "sessions", "ended");
		audit_diff_str(&d, "tokens", "revoked");
		break;
	case ACC_ENABLE:
		rc = user_run_sql_id(
			c,
			"UPDATE app_user SET status = 'active', failed_count = 0, locked_until = 0,"
			" version = version + 1 WHERE id = $1",
			j->id, NULL);
		action = "user.enable";
		audit_diff_change(&d, "status", "disabled", "active");
		break;
	case ACC_UNLOCK:
		rc = user_run_sql_id(c,
				     "UPDATE app_user SET failed_count = 0, locked_until = 0 WHERE id = $1",
				     j->id, NULL);
		action = "user.unlock";
		audit_diff_str(&d, "lock", "cleared");
		break;
	case ACC_PASSWORD:
		rc = user_set_password_conn(c, j->id, j->hash, j->history, &j->ended);
		action = "user.password";
		/* the password is recorded as changed, never in any form */
		audit_diff_secret(&d, "password");
		audit_diff_str(&d, "sessions", "ended");
		audit_diff_str(&d, "tokens", "revoked");
		break;
	case ACC_END_SESSIONS:
		rc = user_end_credentials(c, j->id, false, &j->ended);
		action = "user.sessions_end";
		audit_diff_int(&d, "sessions_ended", j->ended);
		break;
	}
	return rc ? rc : audit_object(c, j->who, action, "user", j->id, 0, audit_diff_text(&d));
}

static int account_run(struct app *a, const struct audit_entry *who, int64_t id, enum account_op op,
		       int64_t *ended)
{
	struct account_job j = {.who = who, .id = id, .op = op};
	int rc = store_tx(a->store, account_tx, &j);
	if (ended)
		*ended = j.ended;
	return rc;
}

int user_disable(struct app *a, const struct audit_entry *who, int64_t id)
{
	return account_run(a, who, id, ACC_DISABLE, NULL);
}

int user_enable(struct app *a, const struct audit_entry *who, int64_t id)
{
	return account_run(a, who, id, ACC_ENABLE, NULL);
}

int user_unlock(struct app *a, const struct audit_entry *who, int64_t id)
{
	return account_run(a, who, id, ACC_UNLOCK, NULL);
}

int user_end_sessions(struct app *a, const struct audit_entry *who, int64_t id, int64_t *ended)
{
	return account_run(a, who, id, ACC_END_SESSIONS, ended);
}

/* Strict mode: refuses the current password and the retired ones kept in the history.
 * Reads the hashes first and verifies outside any transaction (argon2id is slow). */

/* One text column of one account (sql selects it WHERE id = $1); ERR_NOTFOUND when none. */
int user_account_text(struct app *a, const char *sql, int64_t id, char *out, size_t cap)
{
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c, sql, &st);
	if (!rc) {
		stmt_bind_int64(st, 1, id);
		rc = stmt_step(st);
		if (rc == STORE_ROW)
			str_copy(out, cap, stmt_text(st, 0, NULL));
		rc = rc == STORE_ROW ? 0 : rc == STORE_DONE ? ERR_NOTFOUND : rc;
	}
	stmt_done(st);
	store_release(c);
	return rc;
}

int user_set_password(struct app *a, const struct audit_entry *who, int64_t id, const char *password,
		      const char *field, struct errlist *errs)
{
	char login[65] = "";
	int rc = user_account_text(a, "SELECT login FROM app_user WHERE id = $1", id, login, sizeof(login));
	if (rc)
		return rc;
	if (password_check(a, password, login, field, errs) || user_reuse_check(a, id, password, field, errs))
		return errs->n ? ERR_UNPROCESSABLE : ERR_DB;
	char hash[crypto_pwhash_STRBYTES];
	rc = user_hash_password(password, hash);
	if (rc)
		return rc;
	struct account_job j = {.who = who,
				.id = id,
				.op = ACC_PASSWORD,
				.hash = hash,
				.history = user_policy(a).password_history};
	rc = store_tx(a->store, account_tx, &j);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

int user_list(struct app *a, void (*fn)(const struct user_row *u, void *arg), void *arg)
{
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_prepare(c,
			  "SELECT u.id, u.login, u.display_name, u.status, r.role, o.code"
			  " FROM app_user u LEFT JOIN role_assignment r ON r.user_id = u.id"
			  " LEFT JOIN org o ON o.id = r.org_id ORDER BY u.login, r.role, o.code",
			  &st);
	struct user_row cur = {0};
	while (!rc && (rc = stmt_step(st)) == STORE_ROW) {
		rc = 0;
		int64_t id = stmt_int64(st, 0);
		if (cur.id && cur.id != id) {
			fn(&cur, arg);
			memset(&cur, 0, sizeof(cur));
		}
		if (!cur.id) {
			cur.id = id;
			str_copy(cur.login, sizeof(cur.login), stmt_text(st, 1, NULL));
			str_copy(cur.display_name, sizeof(cur.display_name), stmt_text(st, 2, NULL));
			str_copy(cur.status, sizeof(cur.status), stmt_text(st, 3, NULL));
		}
		if (!stmt_isnull(st, 4)) {
			size_t len = strlen(cur.roles);
			snprintf(cur.roles + len, sizeof(cur.roles) - len, "%s%s@%s", len ? ", " : "",
				 stmt_text(st, 4, NULL), stmt_text(st, 5, NULL));
		}
	}
	if (cur.id)
		fn(&cur, arg);
	stmt_done(st);
	store_release(c);
	return rc < 0 ? rc : 0;
}

/* The user's role assignments; *n of at most max. */
static int user_grants(struct conn *c, int64_t id, struct user_grant *g, int max, int *n)
{
	struct stmt *st = NULL;
	*n = 0;
	int rc = conn_prepare(c,
			      "SELECT r.role, r.org_id, o.code, o.name FROM role_assignment r"
			      " JOIN org o ON o.id = r.org_id WHERE r.user_id = $1 ORDER BY r.role, o.code",
			      &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, id);
	while ((rc = stmt_step(st)) == STORE_ROW && *n < max) {
		struct user_grant *x = &g[(*n)++];
		str_copy(x->role, sizeof(x->role), stmt_text(st, 0, NULL));
		x->org_id = stmt_int64(st, 1);
		str_copy(x->org_code, sizeof(x->org_code), stmt_text(st, 2, NULL));
		str_copy(x->org_name, sizeof(x->org_name), stmt_text(st, 3, NULL));
	}
	stmt_done(st);
	return rc < 0 ? rc : 0;
}

int user_get(struct app *a, int64_t id, struct user_detail *out)
{
	memset(out, 0, sizeof(*out));
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	int64_t now = time_unix();
	rc = conn_prepare(c,
			  "SELECT id, login, display_name, status, locked_until, password_changed_at,"
			  " created_at, (SELECT count(*) FROM session s WHERE s.user_id = u.id"
			  " AND s.revoked_at IS NULL AND s.expires_at > $2 AND s.last_seen_at > $3),"
			  " (SELECT max(created_at) FROM session s WHERE s.user_id = u.id), person_id"
			  " FROM app_user u WHERE id = $1",
			  &st);
	if (!rc) {
		stmt_bind_int64(st, 1, id);
		stmt_bind_int64(st, 2, now);
		stmt_bind_int64(st, 3, now - user_policy(a).session_idle_s);
		rc = stmt_step(st);
		if (rc == STORE_ROW) {
			out->id = stmt_int64(st, 0);
			str_copy(out->login, sizeof(out->login), stmt_text(st, 1, NULL));
			str_copy(out->display_name, sizeof(out->display_name), stmt_text(st, 2, NULL));
			str_copy(out->status, sizeof(out->status), stmt_text(st, 3, NULL));
			int64_t lock = stmt_int64(st, 4);
			out->locked_for_s = lock > now ? lock - now : 0;
			out->password_changed_at = stmt_int64(st, 5);
			out->created_at = stmt_int64(st, 6);
			out->active_sessions = stmt_int64(st, 7);
			out->last_login_at = stmt_int64(st, 8);
			out->person_id = stmt_int64(st, 9);
		}
		rc = rc == STORE_ROW ? 0 : rc == STORE_DONE ? ERR_NOTFOUND : rc;
	}
	stmt_done(st);
	if (!rc)
		rc = user_grants(c, id, out->g, USER_MAX_GRANTS, &out->ngrants);
	store_release(c);
	return rc;
}

int user_check(struct app *a, const struct caller *c, const char *perm, int64_t user_id, const char **role)
{
	*role = "";
	struct user_detail *u = malloc(sizeof(*u));
	if (!u)
		return ERR_NOMEM;
	int rc = user_get(a, user_id, u);
	bool visible = false, allowed = !rc && u->ngrants > 0, post = false;
	for (int i = 0; !rc && i < u->ngrants; i++) {
		int64_t path[ORG_PATH_MAX];
		int n = 0;
		const char *granting = "";
		rc = org_path(a, u->g[i].org_id, path, &n);
		int r = rc ? rc : rbac_check_path(c, perm, path, n, &granting);
		if (r == 0 && !**role)
			*role = granting;
		if (r == 0 || r == ERR_FORBIDDEN)
			visible = true;
		if (r != 0)
			allowed = false;
		post = post || rbac_is_post(u->g[i].role);
	}
	/* an account holding one of the three posts is changed by a security administrator only */
	if (!rc && allowed && post && strcmp(perm, "user.read") && !rbac_holds_role(c, "security_admin"))
		allowed = false;
	free(u);
	if (rc)
		return rc;
	if (!allowed)
		*role = "";
	return allowed ? 0 : visible ? ERR_FORBIDDEN : ERR_NOTFOUND;
}

struct role_job {
	const struct audit_entry *who;
	int64_t user_id, org_id;
	const char *role;
	bool add;
	struct errlist *errs;
	int64_t ended;
};

/* Does the account hold one of the three posts? */
int user_holds_post(struct conn *c, int64_t user_id, bool *yes)
{
	struct stmt *st = NULL;
	*yes = false;
	int rc = conn_prepare(c,
			      "SELECT 1 FROM role_assignment WHERE user_id = $1"
			      " AND role IN ('system_admin', 'security_admin', 'audit_admin')",
			      &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, user_id);
	rc = stmt_step(st);
	*yes = rc == STORE_ROW;
	stmt_done(st);
	return rc < 0 ? rc : 0;
}

struct post_probe {
	int64_t user_id;
	bool yes;
};

static int post_probe(struct conn *c, void *arg)
{
	struct post_probe *p = arg;
	return user_holds_post(c, p->user_id, &p->yes);
}

int user_password_reset_check(struct app *a, int64_t by, int64_t user_id, struct errlist *errs)
{
	if (by == user_id)
		return 0;
	struct post_probe p = {.user_id = user_id};
	int rc = store_read(a->store, post_probe, &p);
	if (rc)
		return rc;
	if (p.yes)
		return errlist_add(
			       errs, "password", "post_holder",
			       "an administrator post holder sets their own password (or it is set on the server:"
			       " kexie user passwd); nobody else may, or they could act as that post"),
		       ERR_FORBIDDEN;
	return 0;
}

static int role_tx(struct conn *c, void *arg)
{
	struct role_job *j = arg;
	struct stmt *st = NULL;
	int rc;
	if (j->add) {
		/* separation of duties: a post holder does that post and nothing else */
		bool post = false;
		rc = user_holds_post(c, j->user_id, &post);
		if (rc)
			return rc;
		if (post) {
			errlist_add(j->errs, "role", "post_holder",
				    "the account holds an administrator post and no other role");
			return ERR_CONFLICT;
		}
	}
	rc = conn_prepare(
		c,
		j->add ? "INSERT INTO role_assignment (user_id, role, org_id) VALUES ($1, $2, $3)"
			 " ON CONFLICT DO NOTHING"
		       : "DELETE FROM role_assignment WHERE user_id = $1 AND role = $2 AND org_id = $3",
		&st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, j->user_id);
	stmt_bind_text(st, 2, j->role, strlen(j->role));
	stmt_bind_int64(st, 3, j->org_id);
	rc = stmt_step(st);
	int64_t n = stmt_changes(st);
	stmt_done(st);
	if (rc < 0)
		return rc;
	if (n == 0) {
		if (j->add)
			errlist_add(j->errs, "role", "exists", "the account already holds this role there");
		return j->add ? ERR_CONFLICT : ERR_NOTFOUND;
	}
	if (!j->add) {
		/* an account keeps at least one role: its place in the tree is how it is managed */
		int64_t left = 0;
		rc = conn_prepare(c, "SELECT count(*) FROM role_assignment WHERE user_id = $1", &st);
		if (rc)
			return rc;
		stmt_bind_int64(st, 1, j->user_id);
		if (stmt_step(st) == STORE_ROW)
			left = stmt_int64(st, 0);
		stmt_done(st);
		if (left == 0) { /* the caller's transaction rolls the delete back */
			errlist_add(j->errs, "role", "last_role",
				    "an account keeps at least one role: disable the account instead");
			return ERR_CONFLICT;
		}
	}
	/* a privilege change: the account signs in again and gets a new session token */
	rc = user_end_credentials(c, j->user_id, false, &j->ended);
	if (rc)
		return rc;
	char org[24];
	snprintf(org, sizeof(org), "%" PRId64, j->org_id);
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "role", j->add ? NULL : j->role, j->add ? j->role : NULL);
	audit_diff_int(&d, "org_id", j->org_id);
	audit_diff_int(&d, "sessions_ended", j->ended);
	return audit_object(c, j->who, j->add ? "user.role_add" : "user.role_remove", "user", j->user_id,
			    j->org_id, audit_diff_text(&d));
}

int user_role_set(struct app *a, const struct audit_entry *who, int64_t user_id, const char *role,
		  int64_t org_id, bool add, struct errlist *errs)
{
	struct role_job j = {
		.who = who, .user_id = user_id, .org_id = org_id, .role = role, .add = add, .errs = errs};
	if (!in_roles(role))
		return codelist_refuse(errs, "role", &codelist_role);
	if (who->user_id && who->user_id == user_id)
		return errlist_add(errs, "role", "self", "nobody gives or takes away their own roles"),
		       ERR_FORBIDDEN;
	if (add && rbac_is_post(role))
		return errlist_add(
			       errs, "role", "post_by_request",
			       "an administrator post is given by a request that a second security administrator"
			       " approves (POST /api/v1/post-requests)"),
		       ERR_FORBIDDEN;
	return store_tx(a->store, role_tx, &j);
}

int user_search(struct app *a, int64_t under, const char *q, const char *after_login, int max,
		void (*fn)(const struct user_row *u, void *arg), void *arg, int *n)
{
	struct conn *c = NULL;
	struct stmt *st = NULL;
	char today[11];
	*n = 0;
	date_today(today, sizeof(today));
	char like[200] = "";
	if (q && *q) {
		/* LIKE wildcards in q are matched literally */
		size_t k = 0;
		like[k++] = '%';
		for (const char *p = q; *p && k + 3 < sizeof(like); p++) {
			if (*p == '%' || *p == '_' || *p == '\\')
				like[k++] = '\\';
			like[k++] = *p;
		}
		like[k++] = '%';
		like[k] = '\0';
	}
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_prepare(
		c,
		ORG_SUBTREE_CTE
		","
		" hit AS (SELECT DISTINCT r.user_id FROM role_assignment r JOIN down ON down.id = r.org_id)"
		" SELECT u.id, u.login, u.display_name, u.status, u.locked_until FROM app_user u"
		" JOIN hit ON hit.user_id = u.id"
		" WHERE ($3 = '' OR u.login LIKE $3 ESCAPE '\\' OR u.display_name LIKE $3 ESCAPE '\\')"
		" AND u.login > $4 ORDER BY u.login LIMIT $5",
		&st);
	if (rc) {
		store_release(c);
		return rc;
	}
	stmt_bind_int64(st, 1, under);
	stmt_bind_text(st, 2, today, strlen(today));
	stmt_bind_text(st, 3, like, strlen(like));
	const char *after = after_login ? after_login : "";
	stmt_bind_text(st, 4, after, strlen(after));
	stmt_bind_int64(st, 5, max);
	int64_t now = time_unix();
	struct user_row *rows = calloc((size_t)max, sizeof(*rows));
	if (!rows)
		rc = ERR_NOMEM;
	while (!rc && (rc = stmt_step(st)) == STORE_ROW) {
		rc = 0;
		struct user_row *u = &rows[(*n)++];
		u->id = stmt_int64(st, 0);
		str_copy(u->login, sizeof(u->login), stmt_text(st, 1, NULL));
		str_copy(u->display_name, sizeof(u->display_name), stmt_text(st, 2, NULL));
		str_copy(u->status, sizeof(u->status), stmt_text(st, 3, NULL));
		u->locked = stmt_int64(st, 4) > now;
	}
	stmt_done(st);
	rc = rc < 0 ? rc : 0;
	/* roles, per user, on the same connection */
	for (int i = 0; !rc && i < *n; i++) {
		struct user_grant *g = rows[i].g;
		int ng = 0;
		rc = user_grants(c, rows[i].id, g, USER_ROW_GRANTS, &ng);
		rows[i].ngrants = ng;
		for (int k = 0; !rc && k < ng; k++) {
			size_t len = strlen(rows[i].roles);
			snprintf(rows[i].roles + len, sizeof(rows[i].roles) - len, "%s%s@%s", len ? ", " : "",
				 g[k].role, g[k].org_code);
		}
	}
	store_release(c);
	for (int i = 0; !rc && i < *n; i++)
		fn(&rows[i], arg);
	free(rows);
	return rc;
}
