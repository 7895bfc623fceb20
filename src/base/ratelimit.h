/*
 * ratelimit.h - counts events per key (a client address) in fixed windows, in a bounded
 * table: memory never grows with the number of keys. When two keys share a slot the newer
 * takes it over, so a flood of distinct keys can at worst reset a count, never exhaust
 * memory. Thread-safe.
 */
#ifndef KEXIE_BASE_RATELIMIT_H
#define KEXIE_BASE_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit;

/* slots: table size; limit: events allowed per window; window_s: window length. */
int ratelimit_new(unsigned slots, unsigned limit, unsigned window_s, struct ratelimit **out);
void ratelimit_free(struct ratelimit *rl);
/* True when key already reached the limit in the current window (counts nothing). */
bool ratelimit_over(struct ratelimit *rl, const char *key, int64_t now);
/* Counts one event for key. */
void ratelimit_hit(struct ratelimit *rl, const char *key, int64_t now);

#endif
