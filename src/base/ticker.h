/*
 * ticker.h - a thread that calls one function every period until stopped: the scheduler's
 * and the hook worker's loop (core/schedule.h, core/hook.h). A kick runs it at once; stop
 * waits for the call in flight, then joins.
 */
#ifndef KEXIE_BASE_TICKER_H
#define KEXIE_BASE_TICKER_H

#include <stdbool.h>

struct ticker;

/* Starts a thread calling fn(arg) every period_ms (>= 1), first after one period. fn may
 * ask whether to hurry home with ticker_stopping. Returns 0, or ERR_NOMEM / ERR_INTERNAL. */
int ticker_start(int period_ms, void (*fn)(void *arg, struct ticker *t), void *arg, struct ticker **out);
/* Runs the next call now instead of at the end of the period. NULL is fine. */
void ticker_kick(struct ticker *t);
/* True once ticker_stop was called: a long fn should return. */
bool ticker_stopping(struct ticker *t);
/* Stops: waits for the call in flight, joins the thread and frees t. NULL is fine. */
void ticker_stop(struct ticker *t);

#endif
