/*
 * tree-bench.c - times organization search and subtree counts on a generated national tree
 * (kexie seed --demo && kexie seed --orgs N), with a flat scan of the same question on the
 * same connection as the baseline of the run (issue 10 items 3 and 4). Run by bench/tree/run,
 * against this commit's objects or a base commit's (the calls used exist in both).
 *
 * Searches rotate over subtrees anywhere in the tree (the national root, provinces, cities,
 * a county, a township, where they exist) and over the queries of each kind; counts rotate
 * over the same subtrees. Each line: samples, p50, p99 and max in milliseconds, the mean
 * rows answered, and the baseline's p50. Output is a Markdown table body.
 *
 * usage: tree-bench DB_URL [SAMPLES]   (SAMPLES per query and subtree, default 20)
 */
#include "core/org.h"
#include "store/store.h"
#include "base/timeutil.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

struct series {
	double *ms;
	int n, cap;
	long rows;
};

static void add(struct series *s, double ms, int rows)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->ms = realloc(s->ms, (size_t)s->cap * sizeof(double));
		if (!s->ms)
			exit(1);
	}
	s->ms[s->n++] = ms;
	s->rows += rows;
}

static double pct(struct series *s, double p)
{
	if (!s->n)
		return 0;
	qsort(s->ms, (size_t)s->n, sizeof(double), cmp_double);
	int i = (int)(p * (s->n - 1) + 0.5);
	return s->ms[i];
}

static double ms_since(uint64_t t0)
{
	return (double)(time_mono_ns() - t0) / 1e6;
}

/* The flat scan a database does without any index for the question: the baseline. */
static double flat(struct app *a, const char *sql, const char *p1, const char *p2, int runs)
{
	struct series s = {0};
	for (int r = 0; r < runs; r++) {
		struct conn *c = NULL;
		struct stmt *st = NULL;
		uint64_t t0 = time_mono_ns();
		if (store_acquire(a->store, STORE_READ, &c) || conn_prepare(c, sql, &st)) {
			fprintf(stderr, "tree-bench: baseline failed\n");
			exit(1);
		}
		stmt_bind_text(st, 1, p1, strlen(p1));
		if (p2)
			stmt_bind_text(st, 2, p2, strlen(p2));
		int n = 0;
		while (stmt_step(st) == 1)
			n++;
		stmt_done(st);
		store_release(c);
		add(&s, ms_since(t0), n);
	}
	double v = pct(&s, 0.5);
	free(s.ms);
	return v;
}

static void line(const char *what, struct series *s, double base)
{
	double p50 = pct(s, 0.5), p99 = pct(s, 0.99), mx = pct(s, 1.0);
	printf("| %s | %d | %.3f | %.3f | %.3f | %.0f | %.3f | %.4f |\n", what, s->n, p50, p99, mx,
	       s->n ? (double)s->rows / s->n : 0.0, base, base > 0 ? p50 / base : 0.0);
	fflush(stdout);
	free(s->ms);
	memset(s, 0, sizeof(*s));
}

int main(int argc, char **argv)
{
	if (argc < 2 || sodium_init() < 0) {
		fprintf(stderr, "usage: tree-bench DB_URL [SAMPLES]\n");
		return 2;
	}
	int samples = argc > 2 ? atoi(argv[2]) : 20;
	struct app a = {0};
	char err[256];
	struct store_opts so = {.url = argv[1], .pool_size = 2, .busy_timeout_ms = 5000};
	if (store_open(&so, &a.store, err, sizeof(err))) {
		fprintf(stderr, "tree-bench: %s\n", err);
		return 1;
	}
	static const char *const where[] = {"CAST", "P0", "P24", "P0-C7", "P24-C7", "P0-C7-K3", "P24-C7-K3-T2"};
	int64_t under[8];
	int nunder = 0;
	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		struct org o;
		if (org_get_by_code(&a, where[i], NULL, &o) == 0)
			under[nunder++] = o.id;
	}
	if (!nunder) {
		fprintf(stderr, "tree-bench: no CAST (seed --demo and --orgs first)\n");
		return 1;
	}
	static const struct {
		const char *kind;
		const char *q[3];
	} kinds[] = {
		{"search: 2-character name part (宝宜, 科协)", {"宝宜", "科协", NULL}},
		{"search: pinyin (kexie, kx, baoyi)", {"kexie", "kx", "baoyi"}},
		{"search: code prefix (P0-C7, P24-C7)", {"P0-C7", "P24-C7", NULL}},
	};
	struct org *page = calloc(100, sizeof(*page));
	struct series s = {0};
	printf("| operation | samples | p50 ms | p99 ms | max ms | rows | baseline p50 ms | p50 / baseline |\n");
	printf("|---|---|---|---|---|---|---|---|\n");
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		for (int r = 0; r < samples; r++)
			for (int u = 0; u < nunder; u++)
				for (int qi = 0; qi < 3 && kinds[k].q[qi]; qi++) {
					struct org_filter f = {.q = kinds[k].q[qi]};
					int n = 0;
					uint64_t t0 = time_mono_ns();
					if (org_search(&a, under[u], &f, page, 100, &n)) {
						fprintf(stderr, "tree-bench: search failed\n");
						return 1;
					}
					add(&s, ms_since(t0), n);
				}
		/* baseline: the same match over the whole table, no subtree, no index */
		const char *q0 = kinds[k].q[0];
		char pre[64], inf[64];
		snprintf(pre, sizeof(pre), "%s%%", q0);
		snprintf(inf, sizeof(inf), "%%%s%%", q0);
		double base = flat(&a, "SELECT id, code FROM org WHERE code LIKE $1 OR name LIKE $2 ORDER BY code LIMIT 100",
				   pre, inf, 5);
		line(kinds[k].kind, &s, base);
	}
	static const char *const past[] = {"2005-03-31", "2012-07-01", "2019-12-31", "2024-02-29"};
	const char *count_flat = "SELECT level, type, count(*) FROM org WHERE opened_on <= $1"
				 " AND (closed_on IS NULL OR closed_on > $1) GROUP BY level, type";
	char today[11];
	date_today(today, sizeof(today));
	struct org_counts counts;
	for (int phase = 0; phase < 3; phase++) {
		if (phase == 2) {
			/* one org opening next year, under a township of P0: only its ancestors' figures
			 * change; everyone's counts stay on the fast path */
			struct org t, o;
			if (org_get_by_code(&a, "BENCH-FUTURE", "9999-12-31", &o) && org_get_by_code(&a, "P0-C7-K3-T2", NULL, &t) == 0) {
				char next[11];
				snprintf(next, sizeof(next), "%04d%s", atoi(today) + 1, today + 4);
				if (!strcmp(next + 4, "-02-29"))
					memcpy(next + 4, "-02-28", 6);
				struct org_input in = {.code = "BENCH-FUTURE", .name = "未来科技有限公司科协", .level = "grassroots",
						       .type = "enterprise", .parent_code = "P0-C7-K3-T2", .opened_on = next};
				struct audit_entry who = {.via = "cli", .role = "system_admin"};
				struct errlist e;
				int64_t id;
				errlist_init(&e);
				int crc = org_create(&a, &who, &in, &e, &id);
				if (crc) {
					fprintf(stderr, "tree-bench: could not create the future org: %s %s %s\n", err_name(crc),
						e.n ? e.e[0].field : "", e.n ? e.e[0].message : "");
					return 1;
				}
			}
		}
		int runs = phase == 1 ? samples : samples * 5;
		for (int r = 0; r < runs; r++)
			for (int u = 0; u < nunder; u++) {
				const char *d = phase == 1 ? past[(r + u) % 4] : NULL;
				uint64_t t0 = time_mono_ns();
				if (org_subtree_counts(&a, under[u], d, &counts)) {
					fprintf(stderr, "tree-bench: counts failed\n");
					return 1;
				}
				add(&s, ms_since(t0), (int)counts.total);
			}
		double base = flat(&a, count_flat, phase == 1 ? past[2] : today, NULL, 5);
		line(phase == 0   ? "counts: today"
		     : phase == 1 ? "counts: past dates (2005..2024)"
				  : "counts: today, one org opening next year present",
		     &s, base);
	}
	free(page);
	store_close(a.store);
	return 0;
}
