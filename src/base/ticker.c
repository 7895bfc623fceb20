/*
 * ticker.c - the periodic thread (see ticker.h): a condition variable on the monotonic
 * clock waited on with a deadline, so a kick or a stop wakes it at once.
 */
#include "base/ticker.h"
#include "base/err.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct ticker {
	int period_ms;
	unsigned flags;
	void (*fn)(void *arg, struct ticker *t);
	void *arg;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop, kicked;
	pthread_t thread;
};

static void *loop(void *p)
{
	struct ticker *t = p;
	if (t->flags & TICK_AT_START)
		t->fn(t->arg, t);
	pthread_mutex_lock(&t->mu);
	while (!t->stop) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += t->period_ms / 1000;
		until.tv_nsec += (long)(t->period_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!t->stop && !t->kicked)
			if (pthread_cond_timedwait(&t->cv, &t->mu, &until) == ETIMEDOUT)
				break;
		t->kicked = false;
		if (t->stop)
			break;
		pthread_mutex_unlock(&t->mu);
		t->fn(t->arg, t);
		pthread_mutex_lock(&t->mu);
	}
	pthread_mutex_unlock(&t->mu);
	if (t->flags & TICK_AT_STOP)
		t->fn(t->arg, t);
	return NULL;
}

int ticker_start(int period_ms, unsigned flags, void (*fn)(void *arg, struct ticker *t), void *arg,
		 struct ticker **out)
{
	struct ticker *t = calloc(1, sizeof(*t));
	if (!t)
		return ERR_NOMEM;
	t->period_ms = period_ms > 0 ? period_ms : 1000;
	t->flags = flags;
	t->fn = fn;
	t->arg = arg;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&t->mu, NULL);
	if (pthread_create(&t->thread, NULL, loop, t)) {
		pthread_mutex_destroy(&t->mu);
		pthread_cond_destroy(&t->cv);
		free(t);
		return ERR_NOMEM;
	}
	*out = t;
	return 0;
}

void ticker_kick(struct ticker *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->mu);
	t->kicked = true;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
}

bool ticker_stopping(struct ticker *t)
{
	pthread_mutex_lock(&t->mu);
	bool s = t->stop;
	pthread_mutex_unlock(&t->mu);
	return s;
}

void ticker_stop(struct ticker *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->mu);
	t->stop = true;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->thread, NULL);
	pthread_mutex_destroy(&t->mu);
	pthread_cond_destroy(&t->cv);
	free(t);
}
