/*
 * ratelimit.c - fixed-window counters in a bounded, mutex-protected table (ratelimit.h).
 */
#include "base/ratelimit.h"
#include "base/err.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct slot {
	uint64_t key;
	int64_t window;
	unsigned count;
};

struct ratelimit {
	pthread_mutex_t mu;
	struct slot *s;
	unsigned n, limit, window_s;
};

static uint64_t hash(const char *k)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *k; k++) {
		h ^= (unsigned char)*k;
		h *= 1099511628211ull;
	}
	return h | 1; /* 0 marks an empty slot */
}

int ratelimit_new(unsigned slots, unsigned limit, unsigned window_s, struct ratelimit **out)
{
	struct ratelimit *rl = calloc(1, sizeof(*rl));
	if (!rl)
		return ERR_NOMEM;
	rl->n = slots ? slots : 1;
	rl->s = calloc(rl->n, sizeof(*rl->s));
	if (!rl->s) {
		free(rl);
		return ERR_NOMEM;
	}
	rl->limit = limit;
	rl->window_s = window_s ? window_s : 60;
	pthread_mutex_init(&rl->mu, NULL);
	*out = rl;
	return 0;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->mu);
	free(rl->s);
	free(rl);
}

static struct slot *find(struct ratelimit *rl, uint64_t h, int64_t window, bool claim)
{
	struct slot *s = &rl->s[h % rl->n];
	if (s->key == h && s->window == window)
		return s;
	if (!claim)
		return NULL;
	s->key = h;
	s->window = window;
	s->count = 0;
	return s;
}

bool ratelimit_over(struct ratelimit *rl, const char *key, int64_t now)
{
	pthread_mutex_lock(&rl->mu);
	struct slot *s = find(rl, hash(key), now / rl->window_s, false);
	bool over = s && s->count >= rl->limit;
	pthread_mutex_unlock(&rl->mu);
	return over;
}

void ratelimit_hit(struct ratelimit *rl, const char *key, int64_t now)
{
	pthread_mutex_lock(&rl->mu);
	struct slot *s = find(rl, hash(key), now / rl->window_s, true);
	s->count++;
	pthread_mutex_unlock(&rl->mu);
}
