/*
 * serve.c - `kexie serve`: open the database, refuse a schema that is behind or was
 * altered, start the job runner and the HTTP server, and on SIGTERM/SIGINT stop accepting,
 * let in-flight requests finish (up to 10 s), leave running jobs at their last checkpoint
 * (the next start resumes them) and close the database cleanly.
 */
#include "cli/cli.h"
#include "api/api.h"
#include "base/log.h"
#include "base/ratelimit.h"
#include "base/workpool.h"
#include "core/audit.h"
#include "core/file.h"
#include "core/job.h"
#include "core/orgimport.h"
#include "domain/memberimport.h"
#include "core/touch.h"
#include "core/hook.h"
#include "core/schedule.h"
#include "store/store.h"

#include <errno.h>
#include <sodium.h>
#include <sys/stat.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The kinds of background job this server runs: one row per kind (member imports, exports
 * and reports join here). */
static const struct job_kind *const job_kinds[] = {
	&org_import_kind,
	&member_import_kind,
};

/* Who may see the owners files are attached to: one row per owner kind, each from its
 * module (notices, cases, activities join here; docs/files.md). */
static const struct file_owner_kind *const file_owners[] = {
	&file_owner_org,
};

/* The kinds of scheduled task this server runs (reminders join here; docs/notifications.md). */
static const struct schedule_kind *const schedule_kinds[] = {
	&hook_test_task,
	&notify_prune_task,
};

/* The scheduler and the outbound hook's worker: started after the HTTP server's workers,
 * stopped before them. */
struct timers {
	struct scheduler *scheduler;
	struct hook_worker *hooks;
};

/* Every configured hook URL must be http(s); the back-off list must parse. */
static int hook_settings(const struct config *cfg, int *backoff, int *nbackoff)
{
	if (hook_backoff_parse(cfg->hook_backoff, backoff, nbackoff)) {
		fprintf(stderr, "kexie: hook_backoff must be 1 to %d comma-separated seconds (60,300,1800)\n",
			HOOK_BACKOFF_MAX);
		return 1;
	}
	char url[512];
	for (const char *p = cfg->hook_urls; *p;) {
		p += strspn(p, " ");
		size_t n = strcspn(p, " ");
		if (n) {
			snprintf(url, sizeof(url), "%.*s", (int)n, p);
			if (n >= sizeof(url) || !hook_url_ok(url)) {
				fprintf(stderr,
					"kexie: hook_urls: '%.*s' is not an http:// or https:// URL\n",
					(int)n, p);
				return 1;
			}
		}
		p += n;
	}
	return 0;
}

static void stop_timers(struct timers *t)
{
	scheduler_stop(t->scheduler);
	hook_worker_stop(t->hooks);
	*t = (struct timers){0};
}

static int start_timers(struct app *app, const struct config *cfg, struct timers *t)
{
	int backoff[HOOK_BACKOFF_MAX], nbackoff = 0;
	if (hook_settings(cfg, backoff, &nbackoff))
		return 1;
	if (hook_schedule_housekeeping(app) ||
	    scheduler_start(app, schedule_kinds, sizeof(schedule_kinds) / sizeof(schedule_kinds[0]),
			    cfg->schedule_poll_ms, &t->scheduler)) {
		fprintf(stderr, "kexie: cannot start the scheduler\n");
		return 1;
	}
	if (!cfg->hook_urls[strspn(cfg->hook_urls, " ")])
		return 0; /* no hook: deliveries wait for one to be configured */
	unsigned char secret[HOOK_SECRET_MAX];
	size_t len = 0;
	if (hook_secret_load(cfg->data_dir, cfg->hook_secret_file, secret, sizeof(secret), &len)) {
		stop_timers(t);
		return 1;
	}
	struct hook_worker_opts o = {.secret = secret,
				     .secret_len = len,
				     .backoff = backoff,
				     .nbackoff = nbackoff,
				     .poll_ms = cfg->schedule_poll_ms};
	int rc = hook_worker_start(app, &o, &t->hooks);
	sodium_memzero(secret, sizeof(secret));
	if (rc) {
		fprintf(stderr, "kexie: cannot start the hook worker\n");
		stop_timers(t);
		return 1;
	}
	return 0;
}

/* DATA_DIR/jobs: uploads waiting for their job (0700, like the key). */
static int jobs_dir(const char *data_dir)
{
	char dir[600];
	snprintf(dir, sizeof(dir), "%s/jobs", data_dir);
	if (mkdir(dir, 0700) && errno != EEXIST) {
		fprintf(stderr, "kexie: cannot create %s: %s\n", dir, strerror(errno));
		return 1;
	}
	return 0;
}

static void stop_workers(struct api *api)
{
	file_sweeper_stop(api->sweeper);
	api->sweeper = NULL;
	job_runner_stop(api->jobs); /* running jobs stop at their next batch, queued again */
	workpool_free(api->files);
	workpool_free(api->hashers); /* NULL-safe: whichever were made */
	ratelimit_free(api->login_failures);
	ratelimit_free(api->applications);
	touch_stop(api->app->touch); /* after the last request: writes every time noted */
	api->app->touch = NULL;
}

/* The background threads a server needs, in this order: the store's own work (SQLite's
 * log checkpoints), the bookkeeping writer, the password hashers, the sign-in rate limit,
 * the file lane and the job runner. Prints why and returns 1 when one cannot start
 * (what did start is stopped). */
static int start_workers(struct app *app, const struct config *cfg, struct api *api)
{
	/* SQLite's log is checkpointed off the request path */
	if (store_background(app->store)) {
		fprintf(stderr, "kexie: cannot start the database's background work\n");
		return 1;
	}
	/* last-used / last-seen times: noted by requests, written every few seconds */
	if (touch_start(app->store, 0, 0, &app->touch)) {
		fprintf(stderr, "kexie: cannot start the bookkeeping writer\n");
		return 1;
	}
	/* argon2id needs ~75 ms and 64 MiB: at most one per core, a short queue, 503 beyond */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	struct job_runner_opts jo = {.threads = cfg->job_workers,
				     .pause_ms = cfg->job_pause_ms,
				     .batch_rows = cfg->import_batch_rows};
	if (workpool_new(cores > 0 ? (int)cores : 2, 32, &api->hashers) ||
	    ratelimit_new(4096, (unsigned)cfg->login_address_failures, 60, &api->login_failures) ||
	    /* public membership applications: each one hashes a password */
	    ratelimit_new(4096, 20, 3600, &api->applications) ||
	    /* uploads and exports: one at a time, a few waiting, 503 beyond */
	    workpool_new(1, 8, &api->files) || jobs_dir(cfg->data_dir) ||
	    job_runner_start(app, job_kinds, sizeof(job_kinds) / sizeof(job_kinds[0]), &jo, &api->jobs) ||
	    /* stored files: DATA_DIR/files (+ tmp for bodies as they arrive), the orphan sweep */
	    file_dirs(app) || file_sweeper_start(app, cfg->file_sweep_seconds, &api->sweeper)) {
		fprintf(stderr, "kexie: cannot start the workers\n");
		stop_workers(api);
		return 1;
	}
	return 0;
}

/* The HTTP server's settings from the configuration. */
static struct server_opts server_opts_for(const struct config *cfg, struct app *app, const char *spool)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	/* the write lane: on SQLite enough threads for the store's group commit to have
	 * writes to group (one writer runs them); PostgreSQL writes in parallel, one per core */
	int lane = store_kind(app->store) == STORE_SQLITE ? 8 : (cores > 0 ? (int)cores : 2);
	return (struct server_opts){
		.listen = cfg->listen,
		.threads = cfg->threads,
		.write_threads = lane,
		.timeout_s = (unsigned)cfg->timeout,
		.body_max = (size_t)cfg->body_limit,
		.web_dir = cfg->web_dir,
		.trusted_proxies = cfg->trusted_proxies,
		.per_client = (unsigned)cfg->connections_per_client,
		.head_timeout_s = (unsigned)cfg->header_timeout,
		.metrics_token = cfg->metrics_token,
		.metrics_listen = cfg->metrics_listen,
		.spool_dir = spool,
		.spool_max = (size_t)cfg->file_max_bytes,
	};
}

/* The start lines: the metrics line first, "serving" last (tests wait for it). */
static void announce(const struct config *cfg, struct app *app, const struct api *api)
{
	if (server_metrics_port(api->srv)) {
		const char *mc = strrchr(cfg->metrics_listen, ':');
		log_info("metrics on http://%.*s:%d/metrics", (int)(mc - cfg->metrics_listen),
			 cfg->metrics_listen, server_metrics_port(api->srv));
	}
	const char *colon = strrchr(cfg->listen, ':');
	log_info("kexie %s serving http://%.*s:%d/ (database: %s%s, web: %s)", kexie_version(),
		 (int)(colon - cfg->listen), cfg->listen, server_port(api->srv), store_kind_name(app->store),
		 store_has_replica(app->store) ? " + read replica" : "",
		 access(cfg->web_dir, R_OK) == 0 ? cfg->web_dir : "none");
}

int cmd_serve(struct cmd_ctx *x)
{
	struct app *app = x->app;
	const struct config *cfg = x->cfg;

	/* Block the stop signals in every thread; this one waits for them with sigwait. The
	 * app is open already (the row's RUN_APP), but no thread is started before this. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* the audit trail: keyed once when written before keyed chains, then checkpointed */
	int64_t rekeyed = 0;
	char why[256] = "";
	if (audit_prepare(app, &rekeyed, why, sizeof(why))) {
		fprintf(stderr, "kexie serve: %s\n", why[0] ? why : "cannot read the audit trail");
		return 1;
	}
	if (why[0])
		log_error("audit trail: %s (run `kexie audit verify`)", why);
	struct api api = {.app = app, .https = cfg->https != 0};
	app->files.owners = file_owners;
	app->files.nowners = sizeof(file_owners) / sizeof(file_owners[0]);
	if (start_workers(app, cfg, &api))
		return 1;
	struct timers timers = {0};
	if (start_timers(app, cfg, &timers)) {
		stop_workers(&api);
		return 1;
	}
	char spool[600];
	snprintf(spool, sizeof(spool), "%s/files/tmp", cfg->data_dir);
	struct server_opts so = server_opts_for(cfg, app, spool);
	char err[512];
	if (server_start(&so, api_routes, api_routes_count, &api_hooks, &api, &api.srv, err, sizeof(err))) {
		fprintf(stderr, "kexie: %s\n", err);
		stop_timers(&timers);
		stop_workers(&api);
		return 1;
	}
	struct audit_checkpointer *checkpointer = NULL;
	if (audit_checkpointer_start(app, cfg->audit_checkpoint_seconds, &checkpointer))
		log_error("audit trail: cannot start the checkpoint thread");
	announce(cfg, app, &api);
	int sig = 0;
	sigwait(&sigs, &sig);
	log_info("received %s: finishing in-flight requests", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	server_stop(api.srv, 10000);
	stop_timers(&timers); /* after the task and the POST in flight */
	stop_workers(&api);   /* jobs stop first: their last records go into the checkpoint below */
	audit_checkpointer_stop(checkpointer); /* one more checkpoint: the last requests' records */
	log_info("stopped cleanly");
	return 0;
}
