/*
 * seed.c (cli) - `kexie seed --demo` loads demo data into an empty or partly seeded
 * database (idempotent); `kexie seed --regions N` generates N regions for benchmarks.
 */
#include "cli/cli.h"
#include "core/org.h"
#include "domain/demo.h"
#include "core/user.h"

#include <sodium.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "domain/region.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One demo account per role, sharing one generated password that is printed once and
 * written to DATA_DIR/demo-admin.txt (mode 0600). Does nothing when "admin" exists.
 * Separation of duties holds for them too: each post holder holds that post alone, and a
 * second security administrator (security2) is there to approve post requests, which need
 * two different people. */
static int seed_users(struct app *app, const struct config *cfg, const struct audit_entry *who)
{
	static const struct {
		const char *login, *name, *role, *org;
	} demo[] = {
		{"admin", "系统管理员", "system_admin", "CAST"},
		{"security", "安全管理员", "security_admin", "CAST"},
		{"security2", "安全管理员（复核）", "security_admin", "CAST"},
		{"auditor", "审计管理员", "audit_admin", "CAST"},
		{"dc.admin", "东川省科协管理员", "org_admin", "DC"},
		{"county.staff", "安平县科协工作人员", "staff", "DC-C1-K1"},
		{"reviewer", "评审专家", "reviewer", "CAST"},
		{"member", "会员", "member", "DC-C1-K1"},
	};
	/* 96 random bits, framed so that even the strict policy's character classes hold */
	char pw[40], b64[24];
	unsigned char rnd[12];
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2base64(b64, sizeof(b64), rnd, sizeof(rnd), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(pw, sizeof(pw), "Kx-%s-7", b64);
	sodium_memzero(b64, sizeof(b64));
	int created = 0;
	for (size_t i = 0; i < sizeof(demo) / sizeof(demo[0]); i++) {
		struct user_input in = {.login = demo[i].login, .display_name = demo[i].name,
					.role = demo[i].role, .org_code = demo[i].org, .password = pw,
					.post_ok = true}; /* on the server: posts may be given directly */
		struct errlist e;
		errlist_init(&e);
		int64_t id;
		int rc = user_add(app, who, &in, &e, &id);
		if (rc == ERR_CONFLICT && i == 0)
			return 0; /* seeded before: never print or rewrite a password */
		if (rc && rc != ERR_CONFLICT)
			return rc;
		created += rc == 0;
	}
	char path[600];
	snprintf(path, sizeof(path), "%s/demo-admin.txt", cfg->data_dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		char text[1024];
		int n = snprintf(text, sizeof(text),
				 "kexie demo accounts (all share this password; change it before real use)\n"
				 "password: %s\n"
				 "admin (system_admin), security and security2 (security_admin), auditor (audit_admin),\n"
				 "dc.admin (org_admin of DC), county.staff (staff of DC-C1-K1), reviewer, member\n", pw);
		if (n > 0 && write(fd, text, (size_t)n) != n)
			fprintf(stderr, "kexie seed: could not write %s\n", path);
		fchmod(fd, 0600);
		close(fd);
	}
	printf("seed: demo accounts: %d new; login admin with password %s (also in %s)\n", created, pw, path);
	sodium_memzero(pw, sizeof(pw));
	return 0;
}

int cmd_seed(int argc, char **argv)
{
	struct config cfg;
	char *rest[8];
	int nrest;
	static const char *const extra[] = {"--demo", "--regions=", "--orgs=", NULL};
	int rc = config_load(&cfg, "seed", argc, argv, rest, &nrest, extra);
	if (rc)
		return rc;
	bool demo = false;
	long regions = -1, orgs_n = -1;
	for (int i = 0; i < nrest; i++) {
		if (!strcmp(rest[i], "--demo")) {
			demo = true;
		} else if (!strncmp(rest[i], "--orgs", 6) && i + 1 < nrest) {
			char *end;
			orgs_n = strtol(rest[++i], &end, 10);
			if (*end || orgs_n < 1 || orgs_n > 5000000) {
				fprintf(stderr, "kexie seed: --orgs must be 1 to 5000000\n");
				return EXIT_USAGE;
			}
		} else if (!strncmp(rest[i], "--regions", 9) && i + 1 < nrest) {
			char *end;
			regions = strtol(rest[++i], &end, 10);
			if (*end || regions < 1 || regions > 20000000) {
				fprintf(stderr, "kexie seed: --regions must be 1 to 20000000\n");
				return EXIT_USAGE;
			}
		}
	}
	if (!demo && regions < 0 && orgs_n < 0) {
		usage("seed");
		return EXIT_USAGE;
	}
	struct app app;
	if (app_open_current(&app, &cfg, "seed"))
		return 1;
	size_t n = 0;
	const struct audit_entry who = {.via = "cli", .role = "system_admin"};
	if (demo) {
		rc = region_seed_demo(&app, &who, &n);
		if (!rc)
			printf("seed: demo regions: %zu new\n", n);
		int orgs = 0;
		if (!rc)
			rc = org_seed_demo(&app, &who, &orgs);
		if (!rc)
			printf("seed: demo organizations: %d new\n", orgs);
		if (!rc)
			rc = seed_users(&app, &cfg, &who);
	}
	if (!rc && regions > 0) {
		rc = region_generate(&app, (size_t)regions, &who, &n);
		if (!rc)
			printf("seed: generated regions: %zu new\n", n);
	}
	if (!rc && orgs_n > 0) {
		int made = 0;
		rc = org_generate(&app, &who, (int)orgs_n, &made);
		if (rc == ERR_NOTFOUND)
			fprintf(stderr, "kexie seed: --orgs needs the demo tree (run seed --demo first)\n");
		if (!rc)
			printf("seed: generated organizations: %d new\n", made);
	}
	app_close(&app);
	if (rc) {
		fprintf(stderr, "kexie seed: failed (%s); nothing was written\n", err_name(rc));
		return 1;
	}
	return 0;
}
