/*
 * app.c (cli) - builds the application context shared by the commands that touch data.
 */
#include "cli/cli.h"
#include "base/timeutil.h"
#include "store/migrate.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir -p: the data directory and any missing parents. */
static int make_dirs(const char *path)
{
	char tmp[512];
	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -1;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0750) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, 0750) && errno != EEXIST ? -1 : 0;
}

int app_open(struct app *a, const struct config *cfg)
{
	memset(a, 0, sizeof(*a));
	a->version = kexie_version();
	a->data_dir = cfg->data_dir;
	a->hook_urls = cfg->hook_urls;
	a->hook_events = cfg->hook_events;
	a->started_at = time_unix();
	a->policy = (struct policy){
		.password_min = cfg->password_min_length,
		.password_strict = cfg->password_strict != 0,
		.password_expiry_days = cfg->password_expiry_days,
		.password_history = 5,
		.lock_failures = cfg->login_max_failures,
		.lock_s = (int64_t)cfg->login_lock_minutes * 60,
		.session_idle_s = (int64_t)cfg->session_idle_minutes * 60,
		.session_max_s = (int64_t)cfg->session_max_hours * 3600,
		.audit_retention_days = cfg->audit_retention_days,
		.token_max_days = cfg->token_max_days,
		.audit_checkpoint_s = cfg->audit_checkpoint_seconds,
	};
	a->files = (struct file_policy){
		.max_bytes = cfg->file_max_bytes,
		.quota_bytes = cfg->file_quota_bytes,
		.max_pixels = cfg->file_max_pixels,
		.orphan_grace_s = (int64_t)cfg->file_orphan_hours * 3600,
	};
	if (make_dirs(cfg->data_dir)) {
		fprintf(stderr, "kexie: cannot create data directory %s: %s\n", cfg->data_dir,
			strerror(errno));
		return 1;
	}
	if (keyfile_load(cfg->data_dir, a->key))
		return 1;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	struct store_opts so = {
		.url = cfg->db,
		.read_url = cfg->db_read[0] ? cfg->db_read : NULL,
		/* per pool: every HTTP thread holds one while it answers, so does each thread of
		 * the write lane (8 on SQLite, one per core on PostgreSQL: cli/serve.c), and the
		 * password workers and the bookkeeping writer need theirs */
		.pool_size = cfg->pool ? cfg->pool
				       : 2 * (cfg->threads ? cfg->threads : (int)(cores > 0 ? cores : 2)) + 8,
		.busy_timeout_ms = 5000,
	};
	char err[512];
	if (store_open(&so, &a->store, err, sizeof(err))) {
		fprintf(stderr, "kexie: %s\n", err);
		return 1;
	}
	store_set_owner(a->store, a); /* the audit trail keys its records with a->key */
	return 0;
}

void app_close(struct app *a)
{
	store_close(a->store);
	a->store = NULL;
}

int app_open_current(struct app *a, const struct config *cfg, const char *cmd)
{
	if (app_open(a, cfg))
		return 1;
	struct migrate_state ms;
	int rc = migrate_check(a->store, &ms);
	if (rc || ms.problem[0]) {
		fprintf(stderr, "kexie %s: %s\n", cmd,
			rc ? "cannot read the schema state of the database" : ms.problem);
		app_close(a);
		return 1;
	}
	return 0;
}
