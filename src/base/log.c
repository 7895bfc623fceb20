/*
 * log.c - timestamped single-line logging to stderr.
 */
#include "base/log.h"
#include "base/timeutil.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Formats one line (with its newline) into line[LOG_LINE_MAX]; returns its length. */
static size_t format_line(char *line, enum log_level lvl, const char *fmt, va_list ap)
{
	static const char *const names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
	char ts[32];
	time_iso_now(ts, sizeof(ts));
	int n = snprintf(line, LOG_LINE_MAX, "%s %s ", ts, names[lvl]);
	if (n < 0)
		return 0;
	int m = vsnprintf(line + n, LOG_LINE_MAX - (size_t)n - 1, fmt, ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > LOG_LINE_MAX - 2)
		len = LOG_LINE_MAX - 2;
	line[len++] = '\n';
	return len;
}

static void write_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(2, p, n);
		if (w <= 0)
			return; /* stderr gone: nothing sensible left to do */
		p += w;
		n -= (size_t)w;
	}
}

void log_line(enum log_level lvl, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	size_t len = format_line(line, lvl, fmt, ap);
	va_end(ap);
	write_all(line, len);
}

/* ---- buffered lines (the access log) ---- */

struct logbuf {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t flusher;
	int flush_ms;
	bool stop;
	size_t len;
	char buf[LOGBUF_BYTES];
};

static void flush_locked(struct logbuf *b)
{
	write_all(b->buf, b->len);
	b->len = 0;
}

static void *flusher(void *arg)
{
	struct logbuf *b = arg;
	pthread_mutex_lock(&b->mu);
	while (!b->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)b->flush_ms * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&b->cv, &b->mu, &until);
		if (b->len)
			flush_locked(b);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

int logbuf_new(int flush_ms, struct logbuf **out)
{
	struct logbuf *b = malloc(sizeof(*b));
	if (!b)
		return -1;
	b->flush_ms = flush_ms > 0 ? flush_ms : 250;
	b->stop = false;
	b->len = 0;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	if (pthread_create(&b->flusher, NULL, flusher, b)) {
		pthread_mutex_destroy(&b->mu);
		pthread_cond_destroy(&b->cv);
		free(b);
		return -1;
	}
	*out = b;
	return 0;
}

void logbuf_line(struct logbuf *b, enum log_level lvl, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	size_t len = format_line(line, lvl, fmt, ap);
	va_end(ap);
	if (!b) {
		write_all(line, len);
		return;
	}
	pthread_mutex_lock(&b->mu);
	if (b->len + len > sizeof(b->buf))
		flush_locked(b);
	memcpy(b->buf + b->len, line, len);
	b->len += len;
	pthread_mutex_unlock(&b->mu);
}

void logbuf_free(struct logbuf *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->mu);
	b->stop = true;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
	pthread_join(b->flusher, NULL);
	if (b->len)
		flush_locked(b);
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->cv);
	free(b);
}
