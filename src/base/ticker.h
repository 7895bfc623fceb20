/*
 * ticker.h - a thread that calls one function every period until it is stopped: the
 * server's periodic work (audit checkpoints, the stored files' orphan sweep, the scheduler's
 * and the hook worker's loops: core/audit_chain.h, core/file.h, core/schedule.h,
 * core/hook.h). The wait is on the monotonic clock; a kick or a stop ends it at once.
 */
#ifndef KEXIE_BASE_TICKER_H
#define KEXIE_BASE_TICKER_H

#include <stdbool.h>

enum ticker_flag {
	TICK_AT_START = 1u << 0, /* call fn once right away, before the first wait */
	TICK_AT_STOP = 1u << 1,  /* call fn once more when stopped (the last work before exit) */
};

struct ticker;

/* Starts the thread: fn(arg, t) every period_ms (> 0; otherwise 1000), first after one
 * period unless TICK_AT_START. fn runs on the ticker's thread only, never twice at once, and
 * may ask ticker_stopping(t) whether to hurry home. 0 with *out, or ERR_NOMEM (also when the
 * thread cannot start) with *out untouched. */
int ticker_start(int period_ms, unsigned flags, void (*fn)(void *arg, struct ticker *t), void *arg,
		 struct ticker **out);
/* Runs the next call now instead of at the end of the period. NULL is fine. */
void ticker_kick(struct ticker *t);
/* True once ticker_stop was called: a long fn should return. */
bool ticker_stopping(struct ticker *t);
/* Stops it (waking it from its wait; the call in flight finishes), runs fn once more for
 * TICK_AT_STOP, joins and frees. NULL is fine. */
void ticker_stop(struct ticker *t);

#endif
