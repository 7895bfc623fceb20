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
#include "store/store.h"

#include <errno.h>
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
	char spool[600];
	snprintf(spool, sizeof(spool), "%s/files/tmp", cfg->data_dir);
	struct server_opts so = server_opts_for(cfg, app, spool);
	char err[512];
	if (server_start(&so, api_routes, api_routes_count, &api_hooks, &api, &api.srv, err, sizeof(err))) {
		fprintf(stderr, "kexie: %s\n", err);
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
	stop_workers(&api); /* jobs stop first: their last records go into the checkpoint below */
	audit_checkpointer_stop(checkpointer); /* one more checkpoint: the last requests' records */
	log_info("stopped cleanly");
	return 0;
}
