/*
 * metrics.c - request counters and latency histograms per route, in Prometheus text form.
 *
 * Lock-free: relaxed atomic adds on arrays sized at start. Slot nroutes counts static files,
 * nroutes+1 everything that matched no route. Statuses fold into a fixed list.
 */
#include "http/internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static const unsigned statuses[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 409,
				    412, 413, 414, 415, 422, 428, 429, 500, 503, 0};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0])) /* last: other */
static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5};
#define NBUCKET (sizeof(bounds) / sizeof(bounds[0]) + 1)

struct slot {
	_Atomic uint64_t by_status[NSTATUS];
	_Atomic uint64_t bucket[NBUCKET];
	_Atomic uint64_t sum_ns;
	_Atomic uint64_t count;
};

struct metrics {
	size_t n; /* routes + 2 */
	struct slot *s;
};

int metrics_new(size_t nroutes, struct metrics **out)
{
	struct metrics *m = calloc(1, sizeof(*m));
	if (!m)
		return ERR_NOMEM;
	m->n = nroutes + 2;
	m->s = calloc(m->n, sizeof(*m->s));
	if (!m->s) {
		free(m);
		return ERR_NOMEM;
	}
	*out = m;
	return 0;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	free(m->s);
	free(m);
}

void metrics_record(struct metrics *m, int route_idx, unsigned status, uint64_t ns)
{
	size_t i = route_idx >= 0 ? (size_t)route_idx : route_idx == -2 ? m->n - 2 : m->n - 1;
	struct slot *s = &m->s[i];
	size_t k = 0;
	while (statuses[k] && statuses[k] != status)
		k++;
	atomic_fetch_add_explicit(&s->by_status[k], 1, memory_order_relaxed);
	double sec = (double)ns / 1e9;
	size_t b = 0;
	while (b < NBUCKET - 1 && sec > bounds[b])
		b++;
	atomic_fetch_add_explicit(&s->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->sum_ns, ns, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
}

static const char *slot_label(const struct route *routes, size_t n, size_t i, char *tmp, size_t cap)
{
	if (i == n)
		return "static";
	if (i == n + 1)
		return "unmatched";
	snprintf(tmp, cap, "%s %s", method_name(routes[i].method), routes[i].pattern);
	return tmp;
}

int metrics_render(struct metrics *m, const struct route *routes, size_t n, struct buf *out)
{
	char label[320];
	int rc = buf_puts(out, "# HELP kexie_http_requests_total HTTP requests by route and status.\n"
			       "# TYPE kexie_http_requests_total counter\n");
	for (size_t i = 0; !rc && i < m->n; i++) {
		const char *l = slot_label(routes, n, i, label, sizeof(label));
		for (size_t k = 0; !rc && k < NSTATUS; k++) {
			uint64_t v = atomic_load_explicit(&m->s[i].by_status[k], memory_order_relaxed);
			if (!v)
				continue;
			if (statuses[k])
				rc = buf_printf(
					out, "kexie_http_requests_total{route=\"%s\",status=\"%u\"} %llu\n",
					l, statuses[k], (unsigned long long)v);
			else
				rc = buf_printf(
					out,
					"kexie_http_requests_total{route=\"%s\",status=\"other\"} %llu\n", l,
					(unsigned long long)v);
		}
	}
	if (!rc)
		rc = buf_puts(out, "# HELP kexie_http_request_duration_seconds Request latency.\n"
				   "# TYPE kexie_http_request_duration_seconds histogram\n");
	for (size_t i = 0; !rc && i < m->n; i++) {
		uint64_t count = atomic_load_explicit(&m->s[i].count, memory_order_relaxed);
		if (!count)
			continue;
		const char *l = slot_label(routes, n, i, label, sizeof(label));
		uint64_t cum = 0;
		for (size_t b = 0; !rc && b < NBUCKET; b++) {
			cum += atomic_load_explicit(&m->s[i].bucket[b], memory_order_relaxed);
			if (b < NBUCKET - 1)
				rc = buf_printf(
					out,
					"kexie_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
					l, bounds[b], (unsigned long long)cum);
			else
				rc = buf_printf(
					out,
					"kexie_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
					l, (unsigned long long)cum);
		}
		if (!rc)
			rc = buf_printf(
				out,
				"kexie_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
				"kexie_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
				l, (double)atomic_load_explicit(&m->s[i].sum_ns, memory_order_relaxed) / 1e9,
				l, (unsigned long long)count);
	}
	return rc;
}
