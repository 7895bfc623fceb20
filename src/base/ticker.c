/*
 * ticker.c - a periodic thread (see ticker.h).
 */
#include "base/ticker.h"
#include "base/err.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

struct ticker {
	int seconds;
	unsigned flags;
	void (*fn)(void *arg);
	void *arg;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
};

static void *ticker_main(void *p)
{
	struct ticker *t = p;
	if (t->flags & TICK_AT_START)
		t->fn(t->arg);
	pthread_mutex_lock(&t->mu);
	while (!t->stop) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += t->seconds;
		while (!t->stop && pthread_cond_timedwait(&t->cv, &t->mu, &until) != ETIMEDOUT)
			;
		if (t->stop)
			break;
		pthread_mutex_unlock(&t->mu);
		t->fn(t->arg);
		pthread_mutex_lock(&t->mu);
	}
	pthread_mutex_unlock(&t->mu);
	if (t->flags & TICK_AT_STOP)
		t->fn(t->arg);
	return NULL;
}

int ticker_start(int seconds, unsigned flags, void (*fn)(void *arg), void *arg, struct ticker **out)
{
	struct ticker *t = calloc(1, sizeof(*t));
	if (!t)
		return ERR_NOMEM;
	t->seconds = seconds > 0 ? seconds : 1;
	t->flags = flags;
	t->fn = fn;
	t->arg = arg;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&t->mu, NULL);
	if (pthread_create(&t->th, NULL, ticker_main, t)) {
		pthread_cond_destroy(&t->cv);
		pthread_mutex_destroy(&t->mu);
		free(t);
		return ERR_NOMEM;
	}
	*out = t;
	return 0;
}

void ticker_stop(struct ticker *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->mu);
	t->stop = true;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->th, NULL);
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
	free(t);
}
