/*
 * schedule.h - tasks the server runs at a time: a reminder three days before a deadline,
 * a housekeeping run every night. Survives restarts without running anything twice.
 *
 * A task is a row of scheduled_task (0026_notify.sql): kind, a unique key, an argument,
 * when it is due, and for a recurring task its rule. Scheduling is idempotent: the key
 * ("reminder:notice:12:before3d") names the task, and scheduling the same key again does
 * nothing. The server's ticker (scheduler_start, from cli/serve.c) claims each due task in
 * a write transaction (on PostgreSQL the row FOR UPDATE SKIP LOCKED, on SQLite the single
 * writer), runs the kind's function inside that same transaction, and marks the task done
 * (or moves a recurring one to its next time) before it commits. So a crash before the
 * commit leaves the task due and runs it again; a crash after it leaves it done: the
 * task's database effects happen exactly once, however many servers share the database.
 * Effects outside the database (the hook's POST) go through an outbox row written by the
 * task and are delivered at least once (core/hook.h).
 *
 * A kind's function that fails rolls its work back; the task is retried after
 * SCHEDULE_RETRY_S * 2^attempts seconds and fails for good after the kind's max_attempts.
 *
 * Recurrence rules, in Asia/Shanghai (UTC+8 all year, no daylight saving):
 *   "daily HH:MM", "weekly D HH:MM" (D 1 = Monday .. 7 = Sunday),
 *   "monthly D HH:MM" (D 1..31; a month without day D runs on its last day).
 * The next run is the first time of the rule after the run that just happened, never "now
 * plus a day", so the clock does not drift; a server that was down runs a missed time once.
 */
#ifndef KEXIE_CORE_SCHEDULE_H
#define KEXIE_CORE_SCHEDULE_H

#include "core/app.h"
#include "base/err.h"
#include "base/timeutil.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCHEDULE_KEY_MAX   200
#define SCHEDULE_ARG_MAX   500
#define SCHEDULE_RETRY_S   60 /* first retry of a failed run; doubles each time */
#define SCHEDULE_BATCH     32 /* due tasks looked at per tick */
#define SCHEDULE_TZ_OFFSET TIME_SHANGHAI_OFFSET_S

struct conn;

/* A task as its kind's function sees it. */
struct schedule_task {
	int64_t id;
	char kind[33];
	char key[SCHEDULE_KEY_MAX + 1];
	char arg[SCHEDULE_ARG_MAX + 1];
	char recur[32];
	int64_t due_at;
	int attempts, runs;
};

/* A kind: run does the task's work on c, the claiming transaction (database work only;
 * anything outside goes through an outbox), and returns 0 or an ERR_* code (the work
 * rolls back and the task is retried). max_attempts <= 0: 5. */
struct schedule_kind {
	const char *name;
	int (*run)(struct conn *c, const struct schedule_task *t);
	int max_attempts;
};

/* Schedules a one-off task of kind at due_at (unix seconds) under key inside the caller's
 * transaction c. *created (may be NULL) says whether it is new: an existing key is left
 * as it is (whatever its state), which makes scheduling idempotent. ERR_INVALID for an
 * empty or too long key, kind or arg; a store error. */
int schedule_at(struct conn *c, const char *kind, const char *key, const char *arg, int64_t due_at,
		bool *created);

/* Schedules a recurring task by rule (see above), first due at its first time after now;
 * an existing key is left as it is. ERR_INVALID for a rule schedule_next refuses. */
int schedule_every(struct conn *c, const char *kind, const char *key, const char *arg, const char *rule,
		   int64_t now, bool *created);

/* Cancels the task under key when it is still due (a reminder for a notice recalled).
 * *cancelled (may be NULL) says whether one was. */
int schedule_cancel(struct conn *c, const char *key, bool *cancelled);

/* The first time of rule strictly after `after` into *next. ERR_INVALID for a malformed
 * rule. Pure: no clock, no database. */
int schedule_next(const char *rule, int64_t after, int64_t *next);

/* Runs the tasks due at `now` (at most SCHEDULE_BATCH), each in its own transaction as
 * described above; *ran (may be NULL) receives how many ran successfully. A task of a
 * kind not in kinds is failed with "unknown kind". For the ticker and tests. */
int schedule_run_due(struct app *a, const struct schedule_kind *const *kinds, size_t nkinds, int64_t now,
		     int *ran);

struct scheduler;
/* Starts the ticker: every poll_ms (<= 0: 1000) it runs the due tasks. kinds is borrowed
 * (must outlive the scheduler). Returns 0, ERR_NOMEM or ERR_INTERNAL. */
int scheduler_start(struct app *a, const struct schedule_kind *const *kinds, size_t nkinds, int poll_ms,
		    struct scheduler **out);
/* Stops the ticker after the task in flight (NULL is fine). */
void scheduler_stop(struct scheduler *s);

#endif
