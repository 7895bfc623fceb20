/*
 * job.h - background jobs: the one mechanism every long task uses (org import today; member
 * imports, exports and reports later).
 *
 * A job is a row of `job` (0016_job.sql): kind, owner, state queued -> running ->
 * succeeded | failed | cancelled, progress (rows_total, rows_done, error_count), the first
 * errors (job_error), a kind-specific checkpoint and result. A kind is a name and a run
 * function; the registry of kinds is a table the caller supplies (core never names a
 * feature), built once in cli/serve.c.
 *
 * A kind does its work in steps (job_step): each step is one short write transaction that
 * also checks the job is still running under this runner, writes the errors found since the
 * last step, the progress, the checkpoint and the result so far. So:
 *   - cancel takes effect at the next step: once POST .../cancel has committed, no further
 *     step can commit, and the job row says what the committed steps kept;
 *   - a crash loses at most the step in flight; the checkpoint of the last committed step
 *     says where to go on. A job whose runner died (same host and its process is gone, or
 *     no heartbeat for JOB_STALE_S) is resumed from its checkpoint when its kind is
 *     resumable, otherwise failed with "interrupted";
 *   - stopping the server (SIGTERM) leaves a running job at its last checkpoint, queued:
 *     the next start resumes it.
 * The server's runner takes jobs submitted over HTTP (origin "http"); jobs of the command
 * line (origin "cli") run in the command's own process (job_run_inline) and are resumed by
 * running the command again.
 *
 * Visibility: a job is its owner's only (job_get answers ERR_NOTFOUND for anyone else).
 */
#ifndef KEXIE_CORE_JOB_H
#define KEXIE_CORE_JOB_H

#include "core/app.h"
#include "core/audit.h"
#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JOB_ERRORS_KEPT    1000 /* job_error rows per job; error_count stays exact */
#define JOB_STALE_S        120  /* no heartbeat for this long: the runner is taken for dead */
#define JOB_UNFINISHED_MAX 3    /* queued or running jobs one owner may have at once */
/* How long a cancel waits for the step in flight (which holds the job row and the audit
 * head until it commits): steps aim at IMPORT_STEP_MS, but a loaded machine can stretch one
 * well past a request's usual write budget, and a cancel must not fail because of that. */
#define JOB_CANCEL_WAIT_MS 10000
/* How long a step (and the record of a job's end) waits for other writers before the job
 * fails on ERR_BUSY: a job is background work, so it waits far longer than a request's
 * write budget; a loaded machine (or a long transaction of another process) must not fail
 * an import that would have gone through a moment later. */
#define JOB_STEP_WAIT_MS 30000

/* What a step or a run function may return besides 0 and ERR_* (positive: not failures). */
#define JOB_CANCELLED 1 /* the job was cancelled (or taken over): nothing of the step kept */
#define JOB_STOPPED   2 /* the runner is stopping: left at the last checkpoint, queued again */

struct conn;
struct job;

/* One job as stored. Text fields are bounded copies. */
struct job_info {
	int64_t id;
	char kind[33];
	char origin[8];   /* "http" or "cli" */
	int64_t owner_id; /* 0: the command line */
	char role[16], request_id[33], client_addr[64];
	char state[12];
	bool dry_run;
	char input_path[512], input_name[256], input_hash[65];
	int64_t rows_total, rows_done, error_count;
	char checkpoint[256];
	char result[1024]; /* JSON object text or "" */
	char message[256];
	char runner[128]; /* host:pid:start of the process running it, "" when none */
	char params[512]; /* the kind's options as given to job_create ("" when none) */
	int attempts;
	int64_t run_ms, created_at, started_at, heartbeat_at, finished_at; /* 0: not yet */
};

/* A kind of job. run does the work through job_step and returns 0 when it finished (its
 * last step with final = true, or the runner marks it succeeded), JOB_CANCELLED /
 * JOB_STOPPED as a step told it, or an ERR_* code (the job fails with job_fail's message
 * or the code's name). A resumable kind continues from job_info()->checkpoint. */
struct job_kind {
	const char *name;
	bool resumable;
	int (*run)(struct job *j);
};

/* A new job to create. Strings are borrowed. */
struct job_new {
	const char *kind;
	const char *origin; /* "http" or "cli" */
	int64_t owner_id;   /* 0 for the command line */
	const char *role, *request_id, *client_addr;
	bool dry_run;
	const char *input_path, *input_name, *input_hash;
	const char *params; /* kind-specific options (a short text the kind parses), or NULL */
};

/* Creates a queued job; *id receives its id (untouched on failure). ERR_RATELIMIT when
 * the owner already has JOB_UNFINISHED_MAX unfinished jobs; a store error otherwise. No audit record: the kind's writes are audited, and
 * a dry run writes nothing else (as `kexie org import --dry-run` always did). */
int job_create(struct app *a, const struct job_new *n, int64_t *id);

/* The job `id` when owner_id owns it (owner_id < 0: any job, for the command line) into
 * *out. ERR_NOTFOUND for no such job and for someone else's alike (on purpose: a job is
 * its owner's only); a store error. *out is unspecified on failure. */
int job_get(struct app *a, int64_t id, int64_t owner_id, struct job_info *out);

/* Calls fn for each kept error of the job, by row then as found. fn's non-zero return stops
 * the walk and is returned (a positive one included). Strings are valid during the call.
 * 0 also for a job without errors or with no such id (nothing is checked about it). */
int job_errors(struct app *a, int64_t id,
	       int (*fn)(long row, const char *col, const char *code, const char *message, void *arg),
	       void *arg);

/* Cancels a queued or running job of owner_id: the state becomes cancelled at once (no later
 * step of it can commit) and the cancel is audited (job.cancel). ERR_NOTFOUND when not
 * owner_id's; ERR_CONFLICT when it had already finished. */
int job_cancel(struct app *a, const struct audit_entry *who, int64_t id, int64_t owner_id);

/* ---- for run functions ---- */

/* The app and the job's record as last read or stepped (borrowed; valid for the job's
 * lifetime). Never NULL. */
struct app *job_app(struct job *j);
const struct job_info *job_info(const struct job *j);
/* The audit identity for the job's writes: the owner, the role and the submitting request;
 * via "job:<id>" (or "cli" for a command-line job). Valid for the job's lifetime. */
const struct audit_entry *job_actor(struct job *j);
/* Rows per step the runner asks for (0: the kind's default). */
int job_batch_rows(const struct job *j);
/* True once the runner is stopping: return JOB_STOPPED at the next step boundary. */
bool job_stopping(struct job *j);
/* Notes an error of the job (row 1 is a header); written by the next step. Counted always,
 * kept up to JOB_ERRORS_KEPT. Inside a step's fn it belongs to that step (dropped if the
 * step rolls back or is retried). */
void job_error(struct job *j, long row, const char *col, const char *code, const char *message);
/* The failure message job_fail writes for a run that returns an ERR_* code. */
void job_set_message(struct job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* What a step records with its work. rows_done / rows_total < 0 leave them as they are;
 * NULL strings leave checkpoint and result. final: the job succeeds with this step. */
struct job_progress {
	int64_t rows_total, rows_done;
	const char *checkpoint, *result;
	bool final;
};

/* Runs fn(conn, arg) (NULL: no work, only the record) in one write transaction with the
 * job's record: the job must still be running under this runner (else JOB_CANCELLED and
 * nothing is kept), then fn, then the errors noted since the last step and p. Retried as a
 * whole on ERR_BUSY (fn must start from the same state each time). Returns 0, JOB_CANCELLED,
 * or fn's / the database's error (the step rolled back). Between steps the runner pauses
 * briefly (pause_ms) so other writers get the database. */
int job_step(struct job *j, int (*fn)(struct conn *c, void *arg), void *arg, const struct job_progress *p);

/* ---- running ---- */

struct job_runner;
struct job_runner_opts {
	int threads;    /* workers (>= 1) */
	int poll_ms;    /* how often an idle worker looks for work (default 2000) */
	int pause_ms;   /* pause after each step (default 1) */
	int batch_rows; /* rows per step for kinds that work in rows (0: the kind's default) */
};

/* Starts the server's runner: recovers jobs of origin "http" whose runner died (resumed or
 * failed "interrupted"), then runs queued ones. kinds is borrowed (must outlive the runner).
 * Returns 0 or ERR_NOMEM / a store error. */
int job_runner_start(struct app *a, const struct job_kind *const *kinds, size_t nkinds,
		     const struct job_runner_opts *o, struct job_runner **out);
/* Wakes a worker at once (a job was just created). NULL is fine. */
void job_runner_kick(struct job_runner *r);
/* Stops: running jobs stop at their next step boundary and are queued again; joins the
 * workers. NULL is fine. */
void job_runner_stop(struct job_runner *r);

/* Runs job id in the calling thread (the command line), claiming it for this process.
 * Claims a queued job, or a running one whose runner died (resuming it). Returns the run's
 * outcome: 0, JOB_CANCELLED, or an ERR_* code (the job then failed). ERR_CONFLICT when the
 * job is held by a live runner or already finished. */
int job_run_inline(struct app *a, const struct job_kind *kind, int64_t id, const struct job_runner_opts *o);

/* The BLAKE2b of a file as 64 hex digits (what input_hash holds). 0, ERR_NOTFOUND, ERR_IO. */
int job_file_hash(const char *path, char out[65]);

/* The newest unfinished command-line job of this kind over the same input (hash) whose runner
 * died: what running the command again resumes. ERR_NOTFOUND when there is none. */
int job_find_interrupted(struct app *a, const char *kind, const char *input_hash, int64_t *id);

#endif
