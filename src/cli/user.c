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

static const char *opt(char **rest, int n, const char *flag)
{
	size_t fl = strlen(flag);
	for (int i = 0; i + 1 < n; i++)
		if (!strncmp(rest[i], flag, fl) && (rest[i][fl] == '\0' || rest[i][fl] == '='))
			return rest[i + 1];
	return NULL;
}

static bool has(char **rest, int n, const char *flag)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(rest[i], flag))
			return true;
	return false;
}

static void print_user(const struct user_row *u, void *arg)
{
	(void)arg;
	printf("%-20s %-10s %-20s %s\n", u->login, u->status, u->display_name, u->roles);
}

/* `kexie user grant-post`: the post replaces the account's roles (post.h). */
static int grant_post(struct app *app, const char *login, int64_t id, const char *post, const char *org_code)
{
	int64_t org_id = 0;
	if (org_code) {
		struct org o;
		if (org_get_by_code(app, org_code, NULL, &o)) {
			fprintf(stderr, "kexie user grant-post: no organization %s\n", org_code);
			return ERR_NOTFOUND;
		}
		org_id = o.id;
	}
	struct errlist e;
	errlist_init(&e);
	int rc = post_grant(app, &cli_who, id, post, org_id, &e);
	if (rc)
		print_errs("user grant-post", rc, &e);
	else
		printf("%s now holds %s (its other roles, sessions and tokens ended)\n", login, post);
	return rc;
}

int cmd_user(int argc, char **argv)
{
	const char *sub = argc >= 2 ? argv[1] : "";
	int skip = 1;
	const char *target = NULL;
	const char *post = NULL;
	if (!strcmp(sub, "disable") || !strcmp(sub, "unlock") || !strcmp(sub, "passwd")) {
		if (argc < 3 || argv[2][0] == '-') {
			usage("user");
			return EXIT_USAGE;
		}
		target = argv[2];
		skip = 2;
	} else if (!strcmp(sub, "grant-post")) {
		if (argc < 4 || argv[2][0] == '-' || argv[3][0] == '-') {
			usage("user");
			return EXIT_USAGE;
		}
		target = argv[2];
		post = argv[3];
		skip = 3;
	} else if (strcmp(sub, "add") && strcmp(sub, "list")) {
		usage("user");
		return EXIT_USAGE;
	}
	struct config cfg;
	char *rest[16];
	int nrest;
	static const char *const extra[] = {"--login=", "--name=", "--role=", "--org=", "--password-stdin", NULL};
	int rc = config_load(&cfg, "user", argc - skip, argv + skip, rest, &nrest, extra);
	if (rc)
		return rc;
	struct app app;
	if (app_open_current(&app, &cfg, "user"))
		return 1;
	int64_t target_id = 0;
	if (target && user_find(&app, target, &target_id) == ERR_NOTFOUND) {
		fprintf(stderr, "kexie user %s: no account %s\n", sub, target);
		app_close(&app);
		return 1;
	}
	if (!strcmp(sub, "list")) {
		rc = user_list(&app, print_user, NULL);
	} else if (post) {
		rc = grant_post(&app, target, target_id, post, opt(rest, nrest, "--org"));
	} else if (!strcmp(sub, "disable") || !strcmp(sub, "unlock")) {
		bool dis = !strcmp(sub, "disable");
		rc = dis ? user_disable(&app, &cli_who, target_id) : user_unlock(&app, &cli_who, target_id);
		if (rc == ERR_NOTFOUND)
			fprintf(stderr, "kexie user %s: no account %s\n", sub, target);
		else if (!rc)
			printf(dis ? "disabled %s; its sessions and tokens are ended\n" : "unlocked %s\n", target);
	} else if (!strcmp(sub, "passwd")) {
		char pw[300] = "";
		if (!has(rest, nrest, "--password-stdin")) {
			fprintf(stderr, "kexie user passwd: give the new password on standard input with --password-stdin\n");
			app_close(&app);
			return EXIT_USAGE;
		}
		if (fgets(pw, sizeof(pw), stdin))
			pw[strcspn(pw, "\r\n")] = '\0';
		struct errlist e;
		errlist_init(&e);
		rc = user_set_password(&app, &cli_who, target_id, pw, "password", &e);
		explicit_bzero(pw, sizeof(pw));
		if (rc == ERR_NOTFOUND)
			fprintf(stderr, "kexie user passwd: no account %s\n", target);
		else if (rc)
			print_errs("user passwd", rc, &e);
		else
			printf("password of %s changed; its sessions are ended\n", target);
	} else {
		char pw[300] = "";
		if (!has(rest, nrest, "--password-stdin")) {
			fprintf(stderr, "kexie user add: give the password on standard input with --password-stdin\n");
			app_close(&app);
			return EXIT_USAGE;
		}
		if (fgets(pw, sizeof(pw), stdin))
			pw[strcspn(pw, "\r\n")] = '\0';
		struct user_input in = {.login = opt(rest, nrest, "--login"),
					.display_name = opt(rest, nrest, "--name"),
					.role = opt(rest, nrest, "--role"),
					.org_code = opt(rest, nrest, "--org"),
					.password = pw,
					.post_ok = true}; /* on the server: the first posts come from here */
		struct errlist e;
		errlist_init(&e);
		int64_t id = 0;
		rc = user_add(&app, &cli_who, &in, &e, &id);
		if (rc)
			print_errs("user add", rc, &e);
		else
			printf("added %s (%s at %s)\n", in.login, in.role, in.org_code ? in.org_code : "CAST");
		explicit_bzero(pw, sizeof(pw));
	}
	app_close(&app);
	return rc ? 1 : 0;
}

int cmd_token(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "create")) {
		usage("token");
		return EXIT_USAGE;
	}
	struct config cfg;
	char *rest[16];
	int nrest;
	static const char *const extra[] = {"--login=", "--expires-days=", "--name=", NULL};
	int rc = config_load(&cfg, "token", argc - 1, argv + 1, rest, &nrest, extra);
	if (rc)
		return rc;
	const char *login = opt(rest, nrest, "--login");
	const char *days_s = opt(rest, nrest, "--expires-days");
	char *end = NULL;
	long days = days_s ? strtol(days_s, &end, 10) : 0;
	if (!login || (days_s && (*end || days < 1 || days > 3650))) {
		fprintf(stderr, "kexie token create: --login L is required; --expires-days is 1 to 3650\n");
		return EXIT_USAGE;
	}
	struct app app;
	if (app_open_current(&app, &cfg, "token"))
		return 1;
	char token[TOKEN_LEN + 8];
	int idays = (int)days;
	rc = token_create(&app, &cli_who, login, &idays, opt(rest, nrest, "--name"), token, sizeof(token), NULL);
	app_close(&app);
	if (rc == ERR_UNPROCESSABLE) {
		fprintf(stderr, "kexie token create: --expires-days: at most %d days (token_max_days)\n",
			cfg.token_max_days);
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
