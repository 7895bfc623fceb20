/*
 * ticker.h - a thread that calls a function every so many seconds until it is stopped: the
 * server's periodic work (audit checkpoints, the stored files' orphan sweep). The wait is on
 * the monotonic clock and ends at once when the ticker is stopped.
 */
#ifndef KEXIE_BASE_TICKER_H
#define KEXIE_BASE_TICKER_H

enum ticker_flag {
	TICK_AT_START = 1u << 0, /* call fn once right away, before the first wait */
	TICK_AT_STOP = 1u << 1,  /* call fn once more when stopped (the last work before exit) */
};

struct ticker;
/* Starts the thread: fn(arg) every `seconds` (> 0) as flags say. 0 with *out, or ERR_NOMEM
 * (also when the thread cannot start) with *out untouched. fn runs on the ticker's thread
 * only, never twice at once. */
int ticker_start(int seconds, unsigned flags, void (*fn)(void *arg), void *arg, struct ticker **out);
/* Stops it (waking it from its wait), runs fn once more for TICK_AT_STOP, joins and frees.
 * NULL is fine. */
void ticker_stop(struct ticker *t);

#endif
