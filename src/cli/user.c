/*
 * user.c (cli) - accounts and tokens from the terminal:
 *   kexie user add --login L --name N --role ROLE [--org CODE] --password-stdin
 *   kexie user list
 *   kexie user disable LOGIN | unlock LOGIN | passwd LOGIN --password-stdin
 *   kexie user grant-post LOGIN POST [--org CODE]   (POST: system_admin, security_admin or audit_admin)
 *     (the server's way to give an administrator post; over HTTP it takes two security
 *     administrators: a request and an approval, see core/post.h)
 *   kexie token create --login L [--expires-days N] [--name NAME]   (printed once)
 * The password is read from the first line of standard input, never from argv (which
 * other users can see in the process list).
 */
#include "cli/cli.h"
#include "base/err.h"
#include "core/org.h"
#include "core/post.h"
#include "core/user.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct audit_entry cli_who = {.via = "cli", .role = "security_admin"};

static void print_errs(const char *cmd, int rc, const struct errlist *e)
{
	fprintf(stderr, "kexie %s: refused (%s)\n", cmd, err_name(rc));
	for (int i = 0; i < e->n; i++)
		fprintf(stderr, "  %s %s: %s\n", e->e[i].field, e->e[i].code, e->e[i].message);
}

static void print_user(const struct user_row *u, void *arg)
{
	(void)arg;
	printf("%-20s %-10s %-20s %s\n", u->login, u->status, u->display_name, u->roles);
}

/* The account named by the first positional argument, or a message and non-zero. */
static int target(struct cmd_ctx *x, int64_t *id)
{
	if (user_find(x->app, x->argv[0], id) != ERR_NOTFOUND)
		return 0;
	fprintf(stderr, "kexie %s: no account %s\n", x->name, x->argv[0]);
	return 1;
}

/* `kexie user grant-post LOGIN POST [--org CODE]`: the post replaces the account's roles
 * (post.h). */
static int user_grant_post(struct cmd_ctx *x)
{
	const char *login = x->argv[0], *post = x->argv[1], *org_code = cli_opt(x, "--org");
	int64_t id = 0, org_id = 0;
	if (target(x, &id))
		return 1;
	if (org_code) {
		struct org o;
		if (org_get_by_code(x->app, org_code, NULL, &o)) {
			fprintf(stderr, "kexie user grant-post: no organization %s\n", org_code);
			return 1;
		}
		org_id = o.id;
	}
	struct errlist e;
	errlist_init(&e);
	int rc = post_grant(x->app, &cli_who, id, post, org_id, &e);
	if (rc) {
		print_errs("user grant-post", rc, &e);
		return 1;
	}
	printf("%s now holds %s (its other roles, sessions and tokens ended)\n", login, post);
	return 0;
}

static int user_list_cmd(struct cmd_ctx *x)
{
	return user_list(x->app, print_user, NULL) ? 1 : 0;
}

static int user_disable_cmd(struct cmd_ctx *x)
{
	int64_t id = 0;
	if (target(x, &id))
		return 1;
	int rc = user_disable(x->app, &cli_who, id);
	if (rc == ERR_NOTFOUND)
		fprintf(stderr, "kexie user disable: no account %s\n", x->argv[0]);
	else if (!rc)
		printf("disabled %s; its sessions and tokens are ended\n", x->argv[0]);
	return rc ? 1 : 0;
}

static int user_unlock_cmd(struct cmd_ctx *x)
{
	int64_t id = 0;
	if (target(x, &id))
		return 1;
	int rc = user_unlock(x->app, &cli_who, id);
	if (rc == ERR_NOTFOUND)
		fprintf(stderr, "kexie user unlock: no account %s\n", x->argv[0]);
	else if (!rc)
		printf("unlocked %s\n", x->argv[0]);
	return rc ? 1 : 0;
}

/* The first line of standard input into pw (the password never comes from argv, which
 * other users can see in the process list); EXIT_USAGE without --password-stdin. */
static int read_password(struct cmd_ctx *x, char *pw, size_t cap)
{
	pw[0] = '\0';
	if (!cli_has(x, "--password-stdin")) {
		fprintf(stderr, "kexie %s: give the %spassword on standard input with --password-stdin\n",
			x->name, strcmp(x->name, "user passwd") ? "" : "new ");
		return EXIT_USAGE;
	}
	if (fgets(pw, (int)cap, stdin))
		pw[strcspn(pw, "\r\n")] = '\0';
	return 0;
}

static int user_passwd_cmd(struct cmd_ctx *x)
{
	int64_t id = 0;
	if (target(x, &id))
		return 1;
	char pw[300];
	int rc = read_password(x, pw, sizeof(pw));
	if (rc)
		return rc;
	struct errlist e;
	errlist_init(&e);
	rc = user_set_password(x->app, &cli_who, id, pw, "password", &e);
	explicit_bzero(pw, sizeof(pw));
	if (rc == ERR_NOTFOUND)
		fprintf(stderr, "kexie user passwd: no account %s\n", x->argv[0]);
	else if (rc)
		print_errs("user passwd", rc, &e);
	else
		printf("password of %s changed; its sessions are ended\n", x->argv[0]);
	return rc ? 1 : 0;
}

static int user_add_cmd(struct cmd_ctx *x)
{
	char pw[300];
	int rc = read_password(x, pw, sizeof(pw));
	if (rc)
		return rc;
	struct user_input in = {.login = cli_opt(x, "--login"),
				.display_name = cli_opt(x, "--name"),
				.role = cli_opt(x, "--role"),
				.org_code = cli_opt(x, "--org"),
				.password = pw,
				.post_ok = true}; /* on the server: the first posts come from here */
	struct errlist e;
	errlist_init(&e);
	int64_t id = 0;
	rc = user_add(x->app, &cli_who, &in, &e, &id);
	explicit_bzero(pw, sizeof(pw));
	if (rc)
		print_errs("user add", rc, &e);
	else
		printf("added %s (%s at %s)\n", in.login, in.role, in.org_code ? in.org_code : "CAST");
	return rc ? 1 : 0;
}

static int token_create_cmd(struct cmd_ctx *x)
{
	const char *login = cli_opt(x, "--login");
	const char *days_s = cli_opt(x, "--expires-days");
	char *end = NULL;
	long days = days_s ? strtol(days_s, &end, 10) : 0;
	if (!login || (days_s && (*end || days < 1 || days > 3650))) {
		fprintf(stderr, "kexie token create: --login L is required; --expires-days is 1 to 3650\n");
		return EXIT_USAGE;
	}
	char token[TOKEN_LEN + 8];
	int idays = (int)days;
	int rc = token_create(x->app, &cli_who, login, &idays, cli_opt(x, "--name"), token, sizeof(token),
			      NULL);
	if (rc == ERR_UNPROCESSABLE) {
		fprintf(stderr, "kexie token create: --expires-days: at most %d days (token_max_days)\n",
			x->cfg->token_max_days);
		return 1;
	}
	if (rc == ERR_NOTFOUND) {
		fprintf(stderr, "kexie token create: no active account %s\n", login);
		return 1;
	}
	if (rc) {
		fprintf(stderr, "kexie token create: failed (%s)\n", err_name(rc));
		return 1;
	}
	/* shown once: only its hash is stored */
	printf("%s\n", token);
	explicit_bzero(token, sizeof(token));
	return 0;
}

static const char *const add_flags[] = {"--login=", "--name=", "--role=", "--org=", "--password-stdin", NULL};
static const char *const passwd_flags[] = {"--password-stdin", NULL};
static const char *const grant_flags[] = {"--org=", NULL};
static const char *const token_flags[] = {"--login=", "--expires-days=", "--name=", NULL};

/* one row per command, read as a table */
/* clang-format off */
const struct command user_commands[] = {
	{.name = "add",
	 .run = user_add_cmd,
	 .args = "--login L --name N --role ROLE [--org CODE] --password-stdin",
	 .summary = "add an account with a role at an organization (default CAST)",
	 .flags = RUN_APP,
	 .extra = add_flags},
	{.name = "list",
	 .run = user_list_cmd,
	 .args = "",
	 .summary = "list the accounts and their roles",
	 .flags = RUN_APP},
	{.name = "disable",
	 .run = user_disable_cmd,
	 .args = "LOGIN",
	 .summary = "disable an account and end its sessions and tokens",
	 .flags = RUN_APP,
	 .npos = 1},
	{.name = "unlock",
	 .run = user_unlock_cmd,
	 .args = "LOGIN",
	 .summary = "clear the lock after too many wrong passwords",
	 .flags = RUN_APP,
	 .npos = 1},
	{.name = "passwd",
	 .run = user_passwd_cmd,
	 .args = "LOGIN --password-stdin",
	 .summary = "set an account's password (its sessions end)",
	 .flags = RUN_APP,
	 .npos = 1,
	 .extra = passwd_flags},
	{.name = "grant-post",
	 .run = user_grant_post,
	 .args = "LOGIN POST [--org CODE]",
	 .summary =
		 "give system_admin, security_admin or audit_admin (over HTTP it takes two security administrators)",
	 .flags = RUN_APP,
	 .npos = 2,
	 .extra = grant_flags},
	{0},
};
/* clang-format on */

/* one row per command, read as a table */
/* clang-format off */
const struct command token_commands[] = {
	{.name = "create",
	 .run = token_create_cmd,
	 .args = "--login L [--expires-days N] [--name NAME]",
	 .summary = "create an API token for the account (printed once; only its hash is kept)",
	 .flags = RUN_APP,
	 .extra = token_flags},
	{0},
};
/* clang-format on */
