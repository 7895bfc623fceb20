/*
 * schedule.c - scheduled tasks (see schedule.h): idempotent scheduling by key, the rules of
 * recurring tasks, and the claim-run-mark transaction that makes a task's database effects
 * happen once.
 */
#include "core/schedule.h"
#include "base/log.h"
#include "base/ticker.h"
#include "base/timeutil.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- rules ---- */

enum every { EVERY_DAY, EVERY_WEEK, EVERY_MONTH };

struct rule {
	enum every every;
	int day;    /* weekday 1..7 or day of month 1..31; 0 for daily */
	int minute; /* minutes after midnight, Shanghai */
};

static int parse_hm(const char *s, int *minute)
{
	int h, m;
	char tail;
	if (strlen(s) != 5 || sscanf(s, "%2d:%2d%c", &h, &m, &tail) != 2 || s[2] != ':' || h < 0 || h > 23 ||
	    m < 0 || m > 59)
		return ERR_INVALID;
	*minute = h * 60 + m;
	return 0;
}

static int parse_rule(const char *s, struct rule *r)
{
	char word[8], a[8], b[8], tail;
	if (!s || strlen(s) > 24)
		return ERR_INVALID;
	int n = sscanf(s, "%7s %7s %7s %c", word, a, b, &tail);
	if (n == 2 && !strcmp(word, "daily")) {
		r->every = EVERY_DAY;
		r->day = 0;
		return parse_hm(a, &r->minute);
	}
	if (n != 3)
		return ERR_INVALID;
	char *end;
	long d = strtol(a, &end, 10);
	if (*end || end == a)
		return ERR_INVALID;
	if (!strcmp(word, "weekly") && d >= 1 && d <= 7)
		r->every = EVERY_WEEK;
	else if (!strcmp(word, "monthly") && d >= 1 && d <= 31)
		r->every = EVERY_MONTH;
	else
		return ERR_INVALID;
	r->day = (int)d;
	return parse_hm(b, &r->minute);
}

/* Unix time of minute `minute` of Shanghai day number `day` (days since 1970-01-01). */
static int64_t at_day(int64_t day, int minute)
{
	return day * 86400 + (int64_t)minute * 60 - SCHEDULE_TZ_OFFSET;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int schedule_next(const char *rule, int64_t after, int64_t *next)
{
	struct rule r;
	if (parse_rule(rule, &r))
		return ERR_INVALID;
	int64_t today = floor_div(after + SCHEDULE_TZ_OFFSET, 86400); /* the Shanghai date of `after` */
	if (r.every == EVERY_DAY) {
		int64_t t = at_day(today, r.minute);
		*next = t > after ? t : at_day(today + 1, r.minute);
		return 0;
	}
	if (r.every == EVERY_WEEK) {
		/* 1970-01-01 was a Thursday (ISO weekday 4) */
		int wd = (int)((today % 7 + 7 + 3) % 7) + 1;
		int64_t day = today + ((r.day - wd + 7) % 7);
		int64_t t = at_day(day, r.minute);
		*next = t > after ? t : at_day(day + 7, r.minute);
		return 0;
	}
	int64_t y;
	int m, d;
	civil_from_days(today, &y, &m, &d);
	for (int k = 0; k < 3; k++) { /* this month, else the next (two: a short month's last day) */
		int dd = r.day < month_days(y, m) ? r.day : month_days(y, m);
		int64_t t = at_day(days_from_civil(y, m, dd), r.minute);
		if (t > after) {
			*next = t;
			return 0;
		}
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	return ERR_INTERNAL; /* not reached: next month's day is always after */
}

/* ---- scheduling ---- */

static bool text_ok(const char *s, size_t max, bool empty_ok)
{
	size_t n = s ? strlen(s) : 0;
	return (empty_ok || n) && n <= max;
}

static int insert(struct conn *c, const char *kind, const char *key, const char *arg, const char *rule,
		  int64_t due, bool *created)
{
	if (created)
		*created = false;
	if (!text_ok(kind, 32, false) || !text_ok(key, SCHEDULE_KEY_MAX, false) ||
	    !text_ok(arg, SCHEDULE_ARG_MAX, true))
		return ERR_INVALID;
	int w = conn_run(c,
			 "INSERT INTO scheduled_task (kind, task_key, arg, recur, due_at, created_at) "
			 "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (task_key) DO NOTHING",
			 "ttttii", kind, key, arg ? arg : "", rule, due, time_unix());
	if (w < 0)
		return w;
	if (created)
		*created = w == 1;
	return 0;
}

int schedule_at(struct conn *c, const char *kind, const char *key, const char *arg, int64_t due_at,
		bool *created)
{
	return insert(c, kind, key, arg, "", due_at, created);
}

int schedule_every(struct conn *c, const char *kind, const char *key, const char *arg, const char *rule,
		   int64_t now, bool *created)
{
	int64_t first;
	if (schedule_next(rule, now, &first))
		return ERR_INVALID;
	return insert(c, kind, key, arg, rule, first, created);
}

int schedule_cancel(struct conn *c, const char *key, bool *cancelled)
{
	int w = conn_run(
		c, "UPDATE scheduled_task SET state = 'cancelled' WHERE task_key = $1 AND state = 'due'", "t",
		key);
	if (cancelled)
		*cancelled = w == 1;
	return w < 0 ? w : 0;
}

/* ---- running ---- */

static const struct schedule_kind *find_kind(const struct schedule_kind *const *kinds, size_t n,
					     const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(kinds[i]->name, name))
			return kinds[i];
	return NULL;
}

struct run_call {
	const struct schedule_kind *const *kinds;
	size_t nkinds;
	int64_t id, now;
	struct schedule_task t;
	bool claimed;
	int kind_rc;  /* the kind's own failure (rolled back) */
	bool unknown; /* no such kind in this server */
};

static const char sql_claim_pg[] =
	"SELECT id, kind, task_key, arg, recur, due_at, attempts, runs FROM scheduled_task "
	"WHERE id = $1 AND state = 'due' AND due_at <= $2 FOR UPDATE SKIP LOCKED";
static const char sql_claim_sqlite[] =
	"SELECT id, kind, task_key, arg, recur, due_at, attempts, runs FROM scheduled_task "
	"WHERE id = $1 AND state = 'due' AND due_at <= $2";

/* Marks the task run: a one-off done, a recurring one due again at its next time. */
static int mark_ran(struct conn *c, const struct schedule_task *t, int64_t now)
{
	if (!t->recur[0])
		return conn_run(c,
				"UPDATE scheduled_task SET state = 'done', runs = runs + 1, attempts = 0, "
				"last_error = '', ran_at = $2 WHERE id = $1",
				"ii", t->id, now);
	/* from the later of the time it was due and now: a missed time runs once */
	int64_t next;
	if (schedule_next(t->recur, t->due_at > now ? t->due_at : now, &next))
		return ERR_INVALID;
	return conn_run(
		c,
		"UPDATE scheduled_task SET due_at = $3, runs = runs + 1, attempts = 0, last_error = '', "
		"ran_at = $2 WHERE id = $1",
		"iii", t->id, now, next);
}

/* Claims, runs and marks one task in this transaction (see schedule.h). */
static int run_tx(struct conn *c, void *arg)
{
	struct run_call *x = arg;
	x->claimed = false;
	x->kind_rc = 0;
	x->unknown = false;
	struct schedule_task *t = &x->t;
	memset(t, 0, sizeof(*t));
	int rc = conn_row(c, conn_kind(c) == STORE_PG ? sql_claim_pg : sql_claim_sqlite, "ii", "ittttidd",
			  x->id, x->now, &t->id, t->kind, sizeof(t->kind), t->key, sizeof(t->key), t->arg,
			  sizeof(t->arg), t->recur, sizeof(t->recur), &t->due_at, &t->attempts, &t->runs);
	if (rc == ERR_NOTFOUND)
		return 0; /* done by another server meanwhile, or held by it */
	if (rc)
		return rc;
	x->claimed = true;
	const struct schedule_kind *k = find_kind(x->kinds, x->nkinds, t->kind);
	if (!k) {
		x->unknown = true;
		return conn_run(
			       c,
			       "UPDATE scheduled_task SET state = 'failed', last_error = 'unknown kind' WHERE id = $1",
			       "i", t->id) < 0
			       ? ERR_DB
			       : 0;
	}
	rc = k->run(c, t);
	if (rc) {
		x->kind_rc = rc;
		return rc; /* its work rolls back; the failure is recorded after */
	}
	rc = mark_ran(c, t, x->now);
	return rc < 0 ? rc : 0;
}

struct fail_call {
	const struct schedule_task *t;
	int max_attempts, code;
	int64_t now;
};

static int fail_tx(struct conn *c, void *arg)
{
	struct fail_call *x = arg;
	int attempts = x->t->attempts + 1;
	int64_t delay = (int64_t)SCHEDULE_RETRY_S << (attempts < 12 ? attempts - 1 : 11);
	const char *state = attempts >= x->max_attempts && !x->t->recur[0] ? "failed" : "due";
	char why[64];
	snprintf(why, sizeof(why), "%s", err_name(x->code));
	int w = conn_run(c,
			 "UPDATE scheduled_task SET attempts = $2, last_error = $3, state = $4, due_at = $5 "
			 "WHERE id = $1 AND state = 'due'",
			 "idtti", x->t->id, attempts, why, state, x->now + delay);
	return w < 0 ? w : 0;
}

struct due_ids {
	int64_t id[SCHEDULE_BATCH];
	int n;
};

static int due_row(struct stmt *st, void *arg)
{
	struct due_ids *d = arg;
	d->id[d->n++] = stmt_int64(st, 0);
	return d->n >= SCHEDULE_BATCH ? 1 : 0;
}

/* One task: run it; when its kind failed, record the failure and when it is tried again. */
static int run_one(struct app *a, struct run_call *x, int *ran)
{
	int rc = store_tx(a->store, run_tx, x);
	if (!rc && x->claimed && !x->unknown) {
		(*ran)++;
		return 0;
	}
	if (x->unknown)
		log_warn("scheduler: task %lld has kind %s, which this server does not run: failed",
			 (long long)x->id, x->t.kind);
	if (!x->kind_rc)
		return rc == ERR_BUSY ? 0 : rc; /* busy: the next tick tries again */
	const struct schedule_kind *k = find_kind(x->kinds, x->nkinds, x->t.kind);
	struct fail_call f = {.t = &x->t,
			      .max_attempts = k && k->max_attempts > 0 ? k->max_attempts : 5,
			      .code = x->kind_rc,
			      .now = x->now};
	log_warn("scheduler: task %lld (%s %s) failed: %s", (long long)x->t.id, x->t.kind, x->t.key,
		 err_name(x->kind_rc));
	return store_tx(a->store, fail_tx, &f);
}

int schedule_run_due(struct app *a, const struct schedule_kind *const *kinds, size_t nkinds, int64_t now,
		     int *ran)
{
	int done = 0;
	struct due_ids d = {.n = 0};
	struct conn *c = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c); /* the claim checks again */
	if (!rc)
		rc = conn_each(c,
			       "SELECT id FROM scheduled_task WHERE state = 'due' AND due_at <= $1 "
			       "ORDER BY due_at, id LIMIT $2",
			       due_row, &d, "id", now, (int)SCHEDULE_BATCH);
	store_release(c);
	struct run_call *x = calloc(1, sizeof(*x));
	if (!x)
		return ERR_NOMEM;
	for (int i = 0; !rc && i < d.n; i++) {
		*x = (struct run_call){.kinds = kinds, .nkinds = nkinds, .id = d.id[i], .now = now};
		rc = run_one(a, x, &done);
	}
	free(x);
	if (ran)
		*ran = done;
	return rc;
}

struct scheduler {
	struct app *app;
	const struct schedule_kind *const *kinds;
	size_t nkinds;
	struct ticker *ticker;
};

static void tick(void *arg, struct ticker *t)
{
	(void)t;
	struct scheduler *s = arg;
	int rc = schedule_run_due(s->app, s->kinds, s->nkinds, time_unix(), NULL);
	if (rc && rc != ERR_BUSY && rc != ERR_UNAVAILABLE)
		log_warn("scheduler: %s", err_name(rc));
}

int scheduler_start(struct app *a, const struct schedule_kind *const *kinds, size_t nkinds, int poll_ms,
		    struct scheduler **out)
{
	struct scheduler *s = calloc(1, sizeof(*s));
	if (!s)
		return ERR_NOMEM;
	*s = (struct scheduler){.app = a, .kinds = kinds, .nkinds = nkinds};
	int rc = ticker_start(poll_ms > 0 ? poll_ms : 1000, 0, tick, s, &s->ticker);
	if (rc) {
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void scheduler_stop(struct scheduler *s)
{
	if (!s)
		return;
	ticker_stop(s->ticker);
	free(s);
}
