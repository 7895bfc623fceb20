/*
 * workpool.c - bounded worker pool (see workpool.h): a ring of jobs under one mutex.
 */
#include "base/workpool.h"
#include "base/err.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct job {
	void (*fn)(void *);
	void *arg;
};

struct workpool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *ring;
	size_t cap, head, len;
	bool stopping;
	pthread_t *threads;
	int nthreads;
};

static void *worker(void *arg)
{
	struct workpool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (p->len == 0 && !p->stopping)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->len == 0 && p->stopping) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		struct job j = p->ring[p->head];
		p->head = (p->head + 1) % p->cap;
		p->len--;
		pthread_mutex_unlock(&p->mu);
		j.fn(j.arg);
	}
}

int workpool_new(int threads, size_t queue, struct workpool **out)
{
	struct workpool *p = calloc(1, sizeof(*p));
	if (!p)
		return ERR_NOMEM;
	p->cap = queue ? queue : 1;
	p->ring = calloc(p->cap, sizeof(*p->ring));
	p->threads = calloc((size_t)(threads > 0 ? threads : 1), sizeof(*p->threads));
	if (!p->ring || !p->threads) {
		free(p->ring);
		free(p->threads);
		free(p);
		return ERR_NOMEM;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	for (int i = 0; i < (threads > 0 ? threads : 1); i++) {
		if (pthread_create(&p->threads[i], NULL, worker, p))
			break;
		p->nthreads++;
	}
	if (!p->nthreads) {
		workpool_free(p);
		return ERR_NOMEM;
	}
	*out = p;
	return 0;
}

int workpool_submit(struct workpool *p, void (*fn)(void *), void *arg)
{
	pthread_mutex_lock(&p->mu);
	if (p->len == p->cap || p->stopping) {
		pthread_mutex_unlock(&p->mu);
		return ERR_BUSY;
	}
	p->ring[(p->head + p->len) % p->cap] = (struct job){fn, arg};
	p->len++;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

void workpool_free(struct workpool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p->ring);
	free(p->threads);
	free(p);
}
