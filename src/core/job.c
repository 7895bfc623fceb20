/*
 * job.c - background jobs: the job rows, the steps a kind commits its work in, and the
 * runner (a few worker threads owned by whoever starts it) that claims, runs, recovers and
 * stops them (see job.h for the contract).
 *
 * Claiming is a compare-and-swap on the row (UPDATE ... WHERE state = ... AND runner = ...),
 * so two runners never run one job. Every step's transaction starts by touching the job row
 * under the same condition: on PostgreSQL that row lock orders a step and a cancel, on
 * SQLite the single writer does; either way a cancel that committed first makes the step
 * find nothing to update and roll back.
 */
#include "core/job.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "store/store.h"

#include <sodium.h>

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct pending_error {
	long row;
	char col[64];
	char code[32];
	char message[1024]; /* an unknown column lists the known ones */
};

struct job_runner {
	struct app *app;
	const struct job_kind *const *kinds;
	size_t nkinds;
	int poll_ms, pause_ms, batch_rows;
	char me[128]; /* host:pid:start, this process's runner identity */
	pthread_t *threads;
	int nthreads;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned kicks;
	int64_t last_recovery; /* unix seconds; under mu */
	atomic_bool stopping;
};

struct job {
	struct app *app;
	const struct job_kind *kind;
	struct job_runner *runner; /* NULL: run inline */
	const char *me;
	int pause_ms, batch_rows;
	struct job_info info;
	struct audit_entry actor;
	char via[32];
	struct pending_error *errs; /* noted, not yet written */
	int nerrs;
	int64_t stored;   /* rows in job_error */
	uint64_t mark_ns; /* run time recorded up to here */
	char message[256];
};

/* This process as a runner: host:pid:start-ms. */
static void runner_identity(char *out, size_t cap)
{
	char host[64] = "";
	if (gethostname(host, sizeof(host) - 1))
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	for (char *p = host; *p; p++)
		if (*p == ':')
			*p = '_';
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(out, cap, "%s:%ld:%lld", host, (long)getpid(),
		 (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Is the runner that wrote `who` gone? Same host: its process no longer exists (or this very
 * pid is a later incarnation); elsewhere: no heartbeat for JOB_STALE_S. */
static bool runner_dead(const char *who, int64_t heartbeat, const char *me)
{
	if (!who[0])
		return true;
	if (heartbeat && time_unix() - heartbeat > JOB_STALE_S)
		return true;
	const char *c1 = strchr(who, ':'), *m1 = strchr(me, ':');
	if (!c1 || !m1 || c1 - who != m1 - me || strncmp(who, me, (size_t)(c1 - who)))
		return false; /* another host: only the heartbeat tells */
	long pid = strtol(c1 + 1, NULL, 10);
	if (pid <= 0)
		return true;
	if (pid == (long)getpid())
		return strcmp(who, me) != 0; /* a previous process that had our pid */
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* ---- rows ---- */

#define JOB_COLS                                                                                        \
	"SELECT id, kind, origin, owner_id, role, request_id, client_addr, state, dry_run, input_path," \
	" input_name, input_hash, rows_total, rows_done, error_count, checkpoint, result, message,"     \
	" attempts, run_ms, created_at, started_at, heartbeat_at, finished_at, runner, params FROM job "

static void row_to_info(struct stmt *st, struct job_info *o)
{
	memset(o, 0, sizeof(*o));
	o->id = stmt_int64(st, 0);
	str_copy(o->kind, sizeof(o->kind), stmt_text(st, 1, NULL));
	str_copy(o->origin, sizeof(o->origin), stmt_text(st, 2, NULL));
	o->owner_id = stmt_int64(st, 3);
	str_copy(o->role, sizeof(o->role), stmt_text(st, 4, NULL));
	str_copy(o->request_id, sizeof(o->request_id), stmt_text(st, 5, NULL));
	str_copy(o->client_addr, sizeof(o->client_addr), stmt_text(st, 6, NULL));
	str_copy(o->state, sizeof(o->state), stmt_text(st, 7, NULL));
	o->dry_run = stmt_int64(st, 8) != 0;
	str_copy(o->input_path, sizeof(o->input_path), stmt_text(st, 9, NULL));
	str_copy(o->input_name, sizeof(o->input_name), stmt_text(st, 10, NULL));
	str_copy(o->input_hash, sizeof(o->input_hash), stmt_text(st, 11, NULL));
	o->rows_total = stmt_int64(st, 12);
	o->rows_done = stmt_int64(st, 13);
	o->error_count = stmt_int64(st, 14);
	str_copy(o->checkpoint, sizeof(o->checkpoint), stmt_text(st, 15, NULL));
	str_copy(o->result, sizeof(o->result), stmt_text(st, 16, NULL));
	str_copy(o->message, sizeof(o->message), stmt_text(st, 17, NULL));
	o->attempts = (int)stmt_int64(st, 18);
	o->run_ms = stmt_int64(st, 19);
	o->created_at = stmt_int64(st, 20);
	o->started_at = stmt_int64(st, 21);
	o->heartbeat_at = stmt_int64(st, 22);
	o->finished_at = stmt_int64(st, 23);
	str_copy(o->runner, sizeof(o->runner), stmt_text(st, 24, NULL));
	str_copy(o->params, sizeof(o->params), stmt_text(st, 25, NULL));
}

static int info_row(struct stmt *st, void *arg)
{
	row_to_info(st, arg);
	return 1; /* one row */
}

static int load_conn(struct conn *c, int64_t id, int64_t owner_id, struct job_info *out)
{
	out->id = 0;
	int rc = owner_id < 0 ? conn_each(c, JOB_COLS "WHERE id = $1", info_row, out, "i", id)
			      : conn_each(c, JOB_COLS "WHERE id = $1 AND owner_id = $2", info_row, out, "ii",
					  id, owner_id);
	return rc ? rc : out->id ? 0 : ERR_NOTFOUND;
}

/* Reads the row on the primary (a replica may not have it yet). */
static int load_primary(struct app *a, int64_t id, struct job_info *out)
{
	struct conn *c = NULL;
	int rc = store_acquire(a->store, STORE_WRITE, &c);
	if (rc)
		return rc;
	rc = load_conn(c, id, -1, out);
	store_release(c);
	return rc;
}

int job_get(struct app *a, int64_t id, int64_t owner_id, struct job_info *out)
{
	if (owner_id == 0)
		return ERR_NOTFOUND; /* command-line jobs have no owner to show them to */
	struct conn *c = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = load_conn(c, id, owner_id, out);
	store_release(c);
	return rc;
}

struct create_call {
	const struct job_new *n;
	int64_t id;
};

static int create_tx(struct conn *c, void *arg)
{
	struct create_call *x = arg;
	const struct job_new *n = x->n;
	if (n->owner_id > 0) {
		int64_t open = 0;
		int rc = conn_row(
			c, "SELECT count(*) FROM job WHERE owner_id = $1 AND state IN ('queued', 'running')",
			"i", "i", n->owner_id, &open);
		if (rc)
			return rc;
		if (open >= JOB_UNFINISHED_MAX)
			return ERR_RATELIMIT;
	}
#define S(v) ((v) ? (v) : "")
	int rc = conn_row(
		c,
		"INSERT INTO job (kind, origin, owner_id, role, request_id, client_addr, state, dry_run,"
		" input_path, input_name, input_hash, created_at, params)"
		" VALUES ($1, $2, NULLIF(CAST($3 AS BIGINT), 0), $4, $5, $6, 'queued', $7, $8, $9, $10, $11, $12)"
		" RETURNING id",
		"tt"
		"i"
		"ttt"
		"i"
		"ttt"
		"i"
		"t",
		"i", S(n->kind), S(n->origin), n->owner_id, S(n->role), S(n->request_id), S(n->client_addr),
		(int64_t)(n->dry_run ? 1 : 0), S(n->input_path), S(n->input_name), S(n->input_hash),
		time_unix(), S(n->params), &x->id);
#undef S
	return rc == ERR_NOTFOUND ? ERR_DB : rc;
}

int job_create(struct app *a, const struct job_new *n, int64_t *id)
{
	struct create_call x = {.n = n};
	int rc = store_tx(a->store, create_tx, &x);
	if (!rc)
		*id = x.id;
	return rc;
}

struct errors_call {
	int64_t id;
	int (*fn)(long row, const char *col, const char *code, const char *message, void *arg);
	void *arg;
	int rc; /* fn's non-zero return */
};

static int error_row(struct stmt *st, void *arg)
{
	struct errors_call *x = arg;
	x->rc = x->fn((long)stmt_int64(st, 0), stmt_text(st, 1, NULL), stmt_text(st, 2, NULL),
		      stmt_text(st, 3, NULL), x->arg);
	return x->rc ? 1 : 0;
}

static int errors_read(struct conn *c, void *arg)
{
	struct errors_call *x = arg;
	return conn_each(
		c, "SELECT row_no, col, code, message FROM job_error WHERE job_id = $1 ORDER BY row_no, seq",
		error_row, x, "i", x->id);
}

int job_errors(struct app *a, int64_t id,
	       int (*fn)(long row, const char *col, const char *code, const char *message, void *arg),
	       void *arg)
{
	struct errors_call x = {.id = id, .fn = fn, .arg = arg};
	int rc = store_read(a->store, errors_read, &x);
	return rc ? rc : x.rc;
}

/* The upload of an HTTP job is the job's own file: gone once the job is over. */
static void drop_input(const struct job_info *i)
{
	if (!strcmp(i->origin, "http") && i->input_path[0] && unlink(i->input_path) && errno != ENOENT)
		log_warn("job %" PRId64 ": cannot remove its input file: %s", i->id, strerror(errno));
}

struct cancel_call {
	const struct audit_entry *who;
	int64_t id, owner_id;
	struct job_info before;
};

static int cancel_tx(struct conn *c, void *arg)
{
	struct cancel_call *x = arg;
	int rc = load_conn(c, x->id, x->owner_id, &x->before);
	if (rc)
		return rc;
	rc = conn_run(c,
		      "UPDATE job SET state = 'cancelled', finished_at = $3"
		      " WHERE id = $1 AND owner_id = $2 AND state IN ('queued', 'running')",
		      "iii", x->id, x->owner_id, time_unix());
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_CONFLICT; /* it finished before the cancel came */
	char oid[24];
	snprintf(oid, sizeof(oid), "%" PRId64, x->id);
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "state", x->before.state, "cancelled");
	audit_diff_str(&d, "kind", x->before.kind);
	audit_diff_int(&d, "rows_done", x->before.rows_done);
	struct audit_entry e = *x->who;
	e.action = "job.cancel";
	e.object_type = "job";
	e.object_id = oid;
	e.detail = audit_diff_text(&d);
	return audit_append(c, &e);
}

int job_cancel(struct app *a, const struct audit_entry *who, int64_t id, int64_t owner_id)
{
	if (owner_id <= 0)
		return ERR_NOTFOUND;
	struct cancel_call x = {.who = who, .id = id, .owner_id = owner_id};
	int rc = store_tx_within(a->store, JOB_CANCEL_WAIT_MS, cancel_tx, &x);
	if (!rc && !strcmp(x.before.state, "queued"))
		drop_input(&x.before); /* never started: nobody else will */
	return rc;
}

/* ---- for run functions ---- */

struct app *job_app(struct job *j)
{
	return j->app;
}

const struct job_info *job_info(const struct job *j)
{
	return &j->info;
}

const struct audit_entry *job_actor(struct job *j)
{
	return &j->actor;
}

int job_batch_rows(const struct job *j)
{
	return j->batch_rows;
}

bool job_stopping(struct job *j)
{
	return j->runner && atomic_load(&j->runner->stopping);
}

void job_error(struct job *j, long row, const char *col, const char *code, const char *message)
{
	j->info.error_count++;
	if (j->stored + j->nerrs >= JOB_ERRORS_KEPT)
		return;
	if (!j->errs) {
		j->errs = calloc(JOB_ERRORS_KEPT, sizeof(*j->errs));
		if (!j->errs)
			return; /* counted, not kept */
	}
	struct pending_error *e = &j->errs[j->nerrs++];
	e->row = row;
	str_copy(e->col, sizeof(e->col), col ? col : "");
	str_copy(e->code, sizeof(e->code), code ? code : "");
	str_copy(e->message, sizeof(e->message), message ? message : "");
}

void job_set_message(struct job *j, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(j->message, sizeof(j->message), fmt, ap);
	va_end(ap);
}

/* Writes the noted errors after those already stored. */
static int write_errors(struct conn *c, struct job *j)
{
	for (int i = 0; i < j->nerrs; i++) {
		const struct pending_error *e = &j->errs[i];
		int rc = conn_run(c,
				  "INSERT INTO job_error (job_id, seq, row_no, col, code, message)"
				  " VALUES ($1, $2, $3, $4, $5, $6)",
				  "iiittt", j->info.id, j->stored + i + 1, (int64_t)e->row, e->col, e->code,
				  e->message);
		if (rc < 0)
			return rc;
	}
	return 0;
}

struct step_call {
	struct job *j;
	int (*fn)(struct conn *c, void *arg);
	void *arg;
	const struct job_progress *p;
	int nerrs0; /* noted before the step: written by it */
	int64_t count0;
	int64_t ms; /* run time to add */
};

static int step_tx(struct conn *c, void *arg)
{
	struct step_call *s = arg;
	struct job *j = s->j;
	j->nerrs = s->nerrs0; /* a retry starts again from what was noted before the step */
	j->info.error_count = s->count0;
	int rc = conn_run(
		c, "UPDATE job SET heartbeat_at = $2 WHERE id = $1 AND state = 'running' AND runner = $3",
		"iit", j->info.id, time_unix(), j->me);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return JOB_CANCELLED;
	if (s->fn && (rc = s->fn(c, s->arg)))
		return rc;
	rc = write_errors(c, j);
	if (rc)
		return rc;
	const struct job_progress *p = s->p;
	rc = conn_run(
		c,
		p->final
			? "UPDATE job SET rows_total = $2, rows_done = $3, error_count = $4, checkpoint = $5,"
			  " result = $6, run_ms = run_ms + $7, state = 'succeeded', finished_at = $8,"
			  " message = '' WHERE id = $1"
			: "UPDATE job SET rows_total = $2, rows_done = $3, error_count = $4, checkpoint = $5,"
			  " result = $6, run_ms = run_ms + $7, heartbeat_at = $8 WHERE id = $1",
		"iiii tt ii", j->info.id, p->rows_total >= 0 ? p->rows_total : j->info.rows_total,
		p->rows_done >= 0 ? p->rows_done : j->info.rows_done, j->info.error_count,
		p->checkpoint ? p->checkpoint : j->info.checkpoint, p->result ? p->result : j->info.result,
		s->ms, time_unix());
	return rc < 0 ? rc : 0;
}

/* Between steps: the pause, then, while requests of this process wait for the write
 * connection the step just gave back, up to 100 ms more so they go first (a condition
 * variable wakes them, but a busy machine may run this thread again before them). */
static void yield_to_writers(struct job *j)
{
	struct timespec ms = {0, 1000000L};
	for (int i = 0; i < j->pause_ms; i++)
		nanosleep(&ms, NULL);
	for (int i = 0; i < 100; i++) {
		struct store_stats ss;
		store_stats(j->app->store, &ss);
		if (ss.write_waiting == 0)
			break;
		nanosleep(&ms, NULL);
	}
}

int job_step(struct job *j, int (*fn)(struct conn *c, void *arg), void *arg, const struct job_progress *p)
{
	uint64_t now = time_mono_ns();
	struct step_call s = {.j = j,
			      .fn = fn,
			      .arg = arg,
			      .p = p,
			      .nerrs0 = j->nerrs,
			      .count0 = j->info.error_count,
			      .ms = (int64_t)((now - j->mark_ns) / 1000000u)};
	int rc = store_tx_within(j->app->store, JOB_STEP_WAIT_MS, step_tx, &s);
	if (rc) {
		j->nerrs = s.nerrs0; /* what the step noted is gone with it */
		j->info.error_count = s.count0;
		return rc;
	}
	j->mark_ns += (uint64_t)s.ms * 1000000u;
	j->stored += j->nerrs;
	j->nerrs = 0;
	if (p->rows_total >= 0)
		j->info.rows_total = p->rows_total;
	if (p->rows_done >= 0)
		j->info.rows_done = p->rows_done;
	if (p->checkpoint)
		str_copy(j->info.checkpoint, sizeof(j->info.checkpoint), p->checkpoint);
	if (p->result)
		str_copy(j->info.result, sizeof(j->info.result), p->result);
	if (p->final)
		str_copy(j->info.state, sizeof(j->info.state), "succeeded");
	if (!p->final)
		yield_to_writers(j);
	return 0;
}

/* ---- claiming, finishing, recovering ---- */

static const struct job_kind *find_kind(const struct job_kind *const *kinds, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(kinds[i]->name, name))
			return kinds[i];
	return NULL;
}

struct claim_call {
	int64_t id;
	const char *me, *state, *runner;
	bool claimed;
};

static int claim_tx(struct conn *c, void *arg)
{
	struct claim_call *x = arg;
	int rc = conn_run(c,
			  "UPDATE job SET state = 'running', runner = $2, attempts = attempts + 1,"
			  " started_at = COALESCE(started_at, $3), heartbeat_at = $3"
			  " WHERE id = $1 AND state = $4 AND runner = $5",
			  "ititt", x->id, x->me, time_unix(), x->state, x->runner);
	x->claimed = rc == 1;
	return rc < 0 ? rc : 0;
}

/* Takes job id from (state, runner) for `me`; *claimed says whether it was still there. */
static int claim(struct app *a, int64_t id, const char *me, const char *state, const char *runner,
		 bool *claimed)
{
	struct claim_call x = {.id = id, .me = me, .state = state, .runner = runner};
	int rc = store_tx(a->store, claim_tx, &x);
	*claimed = !rc && x.claimed;
	return rc;
}

struct end_call {
	struct job *j;
	const char *sql;
	const char *message;
};

static int end_tx(struct conn *c, void *arg)
{
	struct end_call *x = arg;
	struct job *j = x->j;
	int rc = x->message ? write_errors(c, j) : 0;
	if (rc)
		return rc;
	int64_t ms = (int64_t)((time_mono_ns() - j->mark_ns) / 1000000u);
	rc = x->message ? conn_run(c, x->sql, "itii ti", j->info.id, j->me, time_unix(), ms, x->message,
				   j->info.error_count)
			: conn_run(c, x->sql, "itii", j->info.id, j->me, time_unix(), ms);
	return rc < 0 ? rc : 0;
}

/* Records how the run ended (the job row stays as a cancel or a final step left it). */
static int finish(struct job *j, int rc)
{
	struct end_call x = {.j = j};
	if (rc == 0) {
		if (!strcmp(j->info.state, "succeeded"))
			return 0;
		x.sql = "UPDATE job SET state = 'succeeded', finished_at = $3, run_ms = run_ms + $4"
			" WHERE id = $1 AND runner = $2 AND state = 'running'";
	} else if (rc == JOB_STOPPED) {
		x.sql = "UPDATE job SET state = 'queued', runner = '', heartbeat_at = $3, run_ms = run_ms + $4"
			" WHERE id = $1 AND runner = $2 AND state = 'running'";
	} else if (rc == JOB_CANCELLED) {
		x.sql = "UPDATE job SET run_ms = run_ms + $4, heartbeat_at = $3 WHERE id = $1 AND runner = $2";
	} else {
		x.sql = "UPDATE job SET state = 'failed', finished_at = $3, run_ms = run_ms + $4, message = $5,"
			" error_count = $6 WHERE id = $1 AND runner = $2 AND state = 'running'";
		x.message = j->message[0] ? j->message : err_name(rc);
		if (rc == ERR_DB || rc == ERR_NOMEM || rc == ERR_INTERNAL || rc == ERR_IO ||
		    rc == ERR_UNAVAILABLE)
			x.message =
				"the job stopped on an internal error; what its committed steps did is kept";
		log_warn("job %" PRId64 " (%s) failed: %s (%s)", j->info.id, j->info.kind, x.message,
			 err_name(rc));
	}
	int r2 = store_tx_within(j->app->store, JOB_STEP_WAIT_MS, end_tx, &x);
	if (r2)
		log_error("job %" PRId64 ": cannot record its end: %s", j->info.id, err_name(r2));
	return r2;
}

/* Runs a claimed job to its end. Returns the run's outcome. */
static int run_claimed(struct app *a, const struct job_kind *kind, struct job_runner *r, const char *me,
		       int pause_ms, int batch_rows, int64_t id)
{
	struct job *j = calloc(1, sizeof(*j));
	if (!j)
		return ERR_NOMEM;
	j->app = a;
	j->kind = kind;
	j->runner = r;
	j->me = me;
	j->pause_ms = pause_ms;
	j->batch_rows = batch_rows;
	j->mark_ns = time_mono_ns();
	int rc = load_primary(a, id, &j->info);
	if (rc) {
		free(j);
		return rc;
	}
	j->stored = 0;
	/* errors already kept by an earlier attempt stay; new ones go after them */
	struct conn *c = NULL;
	if (!store_acquire(a->store, STORE_WRITE, &c)) {
		if (conn_row(c, "SELECT count(*) FROM job_error WHERE job_id = $1", "i", "i", id, &j->stored))
			j->stored = 0;
		store_release(c);
	}
	snprintf(j->via, sizeof(j->via), !strcmp(j->info.origin, "cli") ? "cli" : "job:%" PRId64, id);
	j->actor = (struct audit_entry){.user_id = j->info.owner_id,
					.role = j->info.role,
					.via = j->via,
					.request_id = j->info.request_id,
					.client_addr = j->info.client_addr};
	log_info("job %" PRId64 " (%s) %s", id, kind->name, j->info.attempts > 1 ? "resumed" : "started");
	rc = kind->run(j);
	finish(j, rc);
	if (rc != JOB_STOPPED) {
		struct job_info end;
		if (!load_primary(a, id, &end) && strcmp(end.state, "queued") && strcmp(end.state, "running"))
			drop_input(&end);
		log_info("job %" PRId64 " (%s) ended: %s", id, kind->name, end.state);
	}
	free(j->errs);
	free(j);
	return rc;
}

struct orphan {
	int64_t id;
	char kind[33], runner[128];
};

struct orphans {
	struct orphan o[32];
	int n;
	const char *me;
};

static int orphan_row(struct stmt *st, void *arg)
{
	struct orphans *x = arg;
	if (x->n >= 32)
		return 1; /* the rest at the next sweep */
	if (!runner_dead(stmt_text(st, 2, NULL), stmt_int64(st, 3), x->me))
		return 0;
	struct orphan *o = &x->o[x->n++];
	o->id = stmt_int64(st, 0);
	str_copy(o->kind, sizeof(o->kind), stmt_text(st, 1, NULL));
	str_copy(o->runner, sizeof(o->runner), stmt_text(st, 2, NULL));
	return 0;
}

/* Jobs of `origin` left running by a runner that died: resumed (queued again, the
 * checkpoint kept) when their kind can, else failed as interrupted. */
static int recover(struct app *a, const struct job_kind *const *kinds, size_t nkinds, const char *origin,
		   const char *me)
{
	struct orphans x = {.me = me};
	struct conn *c = NULL;
	int rc = store_acquire(a->store, STORE_WRITE, &c);
	if (rc)
		return rc;
	rc = conn_each(
		c,
		"SELECT id, kind, runner, heartbeat_at FROM job WHERE state = 'running' AND origin = $1 ORDER BY id",
		orphan_row, &x, "t", origin);
	for (int i = 0; !rc && i < x.n; i++) {
		const struct job_kind *k = find_kind(kinds, nkinds, x.o[i].kind);
		bool resume = k && k->resumable;
		rc = resume ? conn_run(
				      c,
				      "UPDATE job SET state = 'queued', runner = '' WHERE id = $1 AND state = 'running' AND runner = $2",
				      "it", x.o[i].id, x.o[i].runner)
			    : conn_run(
				      c,
				      "UPDATE job SET state = 'failed', message = 'interrupted', finished_at = $3"
				      " WHERE id = $1 AND state = 'running' AND runner = $2",
				      "iti", x.o[i].id, x.o[i].runner, time_unix());
		rc = rc < 0 ? rc : 0;
		log_warn("job %" PRId64 " (%s) was interrupted (its runner %s is gone): %s", x.o[i].id,
			 x.o[i].kind, x.o[i].runner, resume ? "resuming from its checkpoint" : "failed");
	}
	store_release(c);
	return rc;
}

struct next_call {
	struct job_runner *r;
	int64_t id;
	const struct job_kind *kind;
};

static int queued_row(struct stmt *st, void *arg)
{
	struct next_call *x = arg;
	const struct job_kind *k = find_kind(x->r->kinds, x->r->nkinds, stmt_text(st, 1, NULL));
	if (!k)
		return 0; /* a kind this binary does not run */
	x->id = stmt_int64(st, 0);
	x->kind = k;
	return 1;
}

static int queued_read(struct conn *c, void *arg)
{
	return conn_each(
		c, "SELECT id, kind FROM job WHERE state = 'queued' AND origin = 'http' ORDER BY id LIMIT 50",
		queued_row, arg, "");
}

/* The oldest queued job of origin "http" whose kind this runner knows (on the primary: a
 * replica may not have it yet). */
static int next_queued(struct job_runner *r, int64_t *id, const struct job_kind **kind)
{
	struct next_call x = {.r = r};
	struct conn *c = NULL;
	int rc = store_acquire(r->app->store, STORE_WRITE, &c);
	if (rc)
		return rc;
	rc = queued_read(c, &x);
	store_release(c);
	*id = x.id;
	*kind = x.kind;
	return rc;
}

static void *worker(void *arg)
{
	struct job_runner *r = arg;
	unsigned seen = 0;
	while (!atomic_load(&r->stopping)) {
		int64_t now = time_unix();
		bool sweep = false;
		pthread_mutex_lock(&r->mu);
		if (now - r->last_recovery >= 10) {
			r->last_recovery = now;
			sweep = true;
		}
		pthread_mutex_unlock(&r->mu);
		if (sweep)
			recover(r->app, r->kinds, r->nkinds, "http", r->me);
		int64_t id = 0;
		const struct job_kind *kind = NULL;
		if (!next_queued(r, &id, &kind) && id) {
			bool claimed = false;
			if (!claim(r->app, id, r->me, "queued", "", &claimed) && claimed)
				run_claimed(r->app, kind, r, r->me, r->pause_ms, r->batch_rows, id);
			continue; /* look again at once: more may be waiting */
		}
		pthread_mutex_lock(&r->mu);
		if (r->kicks == seen && !atomic_load(&r->stopping)) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += r->poll_ms / 1000;
			until.tv_nsec += (long)(r->poll_ms % 1000) * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&r->cv, &r->mu, &until);
		}
		seen = r->kicks;
		pthread_mutex_unlock(&r->mu);
	}
	return NULL;
}

int job_runner_start(struct app *a, const struct job_kind *const *kinds, size_t nkinds,
		     const struct job_runner_opts *o, struct job_runner **out)
{
	struct job_runner *r = calloc(1, sizeof(*r));
	if (!r)
		return ERR_NOMEM;
	r->app = a;
	r->kinds = kinds;
	r->nkinds = nkinds;
	r->nthreads = o && o->threads > 0 ? o->threads : 1;
	r->poll_ms = o && o->poll_ms > 0 ? o->poll_ms : 2000;
	r->pause_ms = o && o->pause_ms >= 0 ? o->pause_ms : 1;
	r->batch_rows = o && o->batch_rows > 0 ? o->batch_rows : 0;
	runner_identity(r->me, sizeof(r->me));
	atomic_init(&r->stopping, false);
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	int rc = recover(a, kinds, nkinds, "http", r->me);
	if (rc)
		log_warn("jobs: cannot look for interrupted jobs now (%s); will retry", err_name(rc));
	r->last_recovery = rc ? 0 : time_unix();
	r->threads = calloc((size_t)r->nthreads, sizeof(*r->threads));
	if (!r->threads) {
		pthread_mutex_destroy(&r->mu);
		pthread_cond_destroy(&r->cv);
		free(r);
		return ERR_NOMEM;
	}
	int started = 0;
	for (; started < r->nthreads; started++)
		if (pthread_create(&r->threads[started], NULL, worker, r))
			break;
	if (!started) {
		free(r->threads);
		pthread_mutex_destroy(&r->mu);
		pthread_cond_destroy(&r->cv);
		free(r);
		return ERR_NOMEM;
	}
	r->nthreads = started;
	*out = r;
	return 0;
}

void job_runner_kick(struct job_runner *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->mu);
	r->kicks++;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

void job_runner_stop(struct job_runner *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->mu);
	atomic_store(&r->stopping, true);
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	for (int i = 0; i < r->nthreads; i++)
		pthread_join(r->threads[i], NULL);
	free(r->threads);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	free(r);
}

int job_run_inline(struct app *a, const struct job_kind *kind, int64_t id, const struct job_runner_opts *o)
{
	char me[128];
	runner_identity(me, sizeof(me));
	struct job_info i;
	int rc = load_primary(a, id, &i);
	if (rc)
		return rc;
	bool claimed = false;
	if (!strcmp(i.state, "queued"))
		rc = claim(a, id, me, "queued", i.runner, &claimed);
	else if (!strcmp(i.state, "running") && runner_dead(i.runner, i.heartbeat_at, me))
		rc = claim(a, id, me, "running", i.runner, &claimed);
	if (rc)
		return rc;
	if (!claimed)
		return ERR_CONFLICT;
	return run_claimed(a, kind, NULL, me, o && o->pause_ms >= 0 ? o->pause_ms : 1,
			   o && o->batch_rows > 0 ? o->batch_rows : 0, id);
}

struct interrupted_call {
	const char *me;
	int64_t id;
};

static int interrupted_row(struct stmt *st, void *arg)
{
	struct interrupted_call *x = arg;
	if (strcmp(stmt_text(st, 1, NULL), "queued") &&
	    !runner_dead(stmt_text(st, 2, NULL), stmt_int64(st, 3), x->me))
		return 0;
	x->id = stmt_int64(st, 0);
	return 1;
}

int job_find_interrupted(struct app *a, const char *kind, const char *input_hash, int64_t *id)
{
	char me[128];
	runner_identity(me, sizeof(me));
	struct interrupted_call x = {.me = me};
	struct conn *c = NULL;
	int rc = store_acquire(a->store, STORE_WRITE, &c);
	if (rc)
		return rc;
	rc = conn_each(c,
		       "SELECT id, state, runner, heartbeat_at FROM job WHERE origin = 'cli' AND kind = $1"
		       " AND input_hash = $2 AND state IN ('queued', 'running') ORDER BY id DESC",
		       interrupted_row, &x, "tt", kind, input_hash);
	store_release(c);
	*id = x.id;
	return rc ? rc : x.id ? 0 : ERR_NOTFOUND;
}

int job_file_hash(const char *path, char out[65])
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return ERR_NOTFOUND;
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 32);
	unsigned char buf[1 << 16];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		crypto_generichash_update(&st, buf, n);
	bool err = ferror(f) != 0;
	fclose(f);
	unsigned char h[32];
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(out, 65, h, sizeof(h));
	return err ? ERR_IO : 0;
}
