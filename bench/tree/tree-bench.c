/*
 * tree-bench.c - times organization search and subtree counts on a generated national tree
 * (kexie seed --demo && kexie seed --orgs N), with a flat scan of the same question on the
 * same connection as the baseline of the run (issue 10 items 3 and 4). Run by bench/tree/run,
 * against this commit's objects or a base commit's (the calls used exist in both).
 *
 * Searches rotate over subtrees anywhere in the tree (the national root, provinces, cities,
 * a county, a township, where they exist) and over the queries of each kind; counts rotate
 * over the same subtrees. Each line: samples, p50, p99 and max wall milliseconds, the p99 of
 * the CPU time spent on the call (this thread's, plus on PostgreSQL its backends' from
 * /proc/PID/schedstat: the work, without the time other processes on a busy machine held
 * the CPU),
 * p50 and p99 at the national root alone (under=ROOT, the case), the mean rows
 * answered, and the baseline's p50. Output is a Markdown table body.
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

/* Samples of one operation: wall time, this thread's CPU time (on SQLite all the work, on
 * PostgreSQL only the client's), and wall time at the national root alone. */
struct series {
	double *ms, *cpu, *root;
	int n, nroot, cap;
	long rows;
};

static double *grow(double *v, int cap)
{
	v = realloc(v, (size_t)cap * sizeof(double));
	if (!v)
		exit(1);
	return v;
}

static void add(struct series *s, double ms, double cpu, bool root, int rows)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->ms = grow(s->ms, s->cap);
		s->cpu = grow(s->cpu, s->cap);
		s->root = grow(s->root, s->cap);
	}
	s->cpu[s->n] = cpu;
	s->ms[s->n++] = ms;
	if (root)
		s->root[s->nroot++] = ms;
	s->rows += rows;
}

static double pct_of(double *v, int n, double p)
{
	if (!n)
		return 0;
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	return v[(int)(p * (n - 1) + 0.5)];
}

static double pct(struct series *s, double p)
{
	return pct_of(s->ms, s->n, p);
}

static double ms_since(uint64_t t0)
{
	return (double)(time_mono_ns() - t0) / 1e6;
}

/* PostgreSQL backends serving this process (the bench is their only client), whose
 * on-CPU time (/proc/PID/schedstat, nanoseconds) counts as part of each call's work. */
static int backends[8], nbackends;

static int pid_row(struct stmt *st, void *arg)
{
	(void)arg;
	if (nbackends < 8)
		backends[nbackends++] = (int)stmt_int64(st, 0);
	return 0;
}

static void find_backends(struct app *a)
{
	struct conn *c = NULL;
	nbackends = 0;
	if (store_kind(a->store) != STORE_PG || store_acquire(a->store, STORE_READ, &c))
		return;
	conn_each(
		c,
		"SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'",
		pid_row, NULL, "");
	store_release(c);
}

static double backend_ms(void)
{
	double ns = 0;
	for (int i = 0; i < nbackends; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/schedstat", backends[i]);
		FILE *f = fopen(path, "r");
		unsigned long long run = 0;
		if (f) {
			if (fscanf(f, "%llu", &run) != 1)
				run = 0;
			fclose(f);
		}
		ns += (double)run;
	}
	return ns / 1e6;
}

/* This thread's CPU time plus the PostgreSQL backends' (0 on SQLite). */
static double cpu_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6 + backend_ms();
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
		add(&s, ms_since(t0), 0, false, n);
	}
	double v = pct(&s, 0.5);
	free(s.ms);
	free(s.cpu);
	free(s.root);
	return v;
}

static void line(const char *what, struct series *s, double base)
{
	double p50 = pct(s, 0.5), p99 = pct(s, 0.99), mx = pct(s, 1.0);
	double cpu99 = pct_of(s->cpu, s->n, 0.99), r50 = pct_of(s->root, s->nroot, 0.5),
	       r99 = pct_of(s->root, s->nroot, 0.99);
	printf("| %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.0f | %.3f | %.4f |\n", what, s->n,
	       p50, p99, mx, cpu99, r50, r99, s->n ? (double)s->rows / s->n : 0.0, base,
	       base > 0 ? p50 / base : 0.0);
	fflush(stdout);
	free(s->ms);
	free(s->cpu);
	free(s->root);
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
	/* the one write (a move dated next year) is audited: the chain is keyed with this
	 * app's key, zero here (a benchmark database's trail is not verified) */
	store_set_owner(a.store, &a);
	static const char *const where[] = {"CAST",   "P0",       "P24",         "P0-C7",
					    "P24-C7", "P0-C7-K3", "P24-C7-K3-T2"};
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
	/* warm up: every statement prepared, every pool connection open */
	for (int u = 0; u < nunder; u++) {
		struct org_filter f = {.q = "科协"};
		struct org_counts cw;
		int n = 0;
		org_search(&a, under[u], &f, page, 100, &n);
		org_subtree_counts(&a, under[u], "2019-12-31", &cw);
	}
	find_backends(&a);
	printf("| operation | samples | p50 ms | p99 ms | max ms | p99 CPU ms | root p50 ms | root p99 ms | rows | baseline p50 ms |"
	       " p50 / baseline |\n");
	printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		for (int r = 0; r < samples; r++)
			for (int u = 0; u < nunder; u++)
				for (int qi = 0; qi < 3 && kinds[k].q[qi]; qi++) {
					struct org_filter f = {.q = kinds[k].q[qi]};
					int n = 0;
					double c0 = cpu_ms();
					uint64_t t0 = time_mono_ns();
					if (org_search(&a, under[u], &f, page, 100, &n)) {
						fprintf(stderr, "tree-bench: search failed\n");
						return 1;
					}
					add(&s, ms_since(t0), cpu_ms() - c0, u == 0, n);
				}
		/* baseline: the same match over the whole table, no subtree, no index */
		const char *q0 = kinds[k].q[0];
		char pre[64], inf[64];
		snprintf(pre, sizeof(pre), "%s%%", q0);
		snprintf(inf, sizeof(inf), "%%%s%%", q0);
		double base = flat(
			&a,
			"SELECT id, code FROM org WHERE code LIKE $1 OR name LIKE $2 ORDER BY code LIMIT 100",
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
			/* one org moving next year (opening in the future is refused since issue 8): only
			 * its old and new ancestors' figures change from then; everyone's counts stay on
			 * the fast path */
			struct org g, t;
			if (org_get_by_code(&a, "P0-C7-K3-T2-G0", NULL, &g) == 0 &&
			    org_get_by_code(&a, "P0-C7-K3-T1", NULL, &t) == 0) {
				char next[16];
				snprintf(next, sizeof(next), "%04d%.6s", (atoi(today) + 1) % 10000,
					 today + 4);
				if (!strcmp(next + 4, "-02-29"))
					memcpy(next + 4, "-02-28", 6);
				struct audit_entry who = {.via = "cli", .role = "system_admin"};
				struct errlist e;
				errlist_init(&e);
				int mrc = org_move(&a, &who, g.id, t.id, next, 0, &e);
				if (mrc && !(e.n && !strcmp(e.e[0].code, "before_current"))) {
					fprintf(stderr,
						"tree-bench: could not move an org next year: %s %s %s\n",
						err_name(mrc), e.n ? e.e[0].field : "",
						e.n ? e.e[0].message : "");
					return 1;
				}
			}
		}
		int runs = phase == 1 ? samples : samples * 5;
		for (int r = 0; r < runs; r++)
			for (int u = 0; u < nunder; u++) {
				const char *d = phase == 1 ? past[(r + u) % 4] : NULL;
				double c0 = cpu_ms();
				uint64_t t0 = time_mono_ns();
				if (org_subtree_counts(&a, under[u], d, &counts)) {
					fprintf(stderr, "tree-bench: counts failed\n");
					return 1;
				}
				add(&s, ms_since(t0), cpu_ms() - c0, u == 0, (int)counts.total);
			}
		double base = flat(&a, count_flat, phase == 1 ? past[2] : today, NULL, 5);
		line(phase == 0   ? "counts: today"
		     : phase == 1 ? "counts: past dates (2005..2024)"
				  : "counts: today, one org moving next year present",
		     &s, base);
	}
	free(page);
	store_close(a.store);
	return 0;
}
