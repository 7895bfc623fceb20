/*
 * workpool.h - a fixed set of worker threads with a bounded queue, for work too slow or too
 * memory-hungry to run on every HTTP thread at once (argon2id: ~75 ms and 64 MiB a hash).
 * workpool_submit never blocks: a full queue answers ERR_BUSY at once, so a burst is
 * refused (503 + Retry-After) instead of stalling everything else.
 */
#ifndef KEXIE_BASE_WORKPOOL_H
#define KEXIE_BASE_WORKPOOL_H

#include <stddef.h>

struct workpool;

/* threads >= 1, queue >= 1. Returns 0 or ERR_NOMEM. */
int workpool_new(int threads, size_t queue, struct workpool **out);
/* Runs fn(arg) on a worker. 0, or ERR_BUSY when the queue is full. */
int workpool_submit(struct workpool *p, void (*fn)(void *arg), void *arg);
/* Finishes queued jobs, then joins the threads and frees the pool. NULL is fine. */
void workpool_free(struct workpool *p);

#endif
