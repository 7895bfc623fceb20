/*
 * tree-bench.c - times the organization-tree operations issue 4 names, on a generated
 * national tree (kexie seed --demo && kexie seed --orgs 200000): a children page, subtree
 * counts, an as-of read and a subtree access check. Prints milliseconds per operation
 * (mean over many runs after a warm-up). Run by bench/tree/run; not part of make test.
 */
#include "core/org.h"
#include "core/rbac.h"
#include "store/store.h"
#include "base/timeutil.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double ms_since(uint64_t t0, int runs)
{
	return (double)(time_mono_ns() - t0) / 1e6 / runs;
}

static int64_t id_of(struct app *a, const char *code)
{
	struct org o;
	if (org_get_by_code(a, code, NULL, &o)) {
		fprintf(stderr, "tree-bench: no org %s (generate the tree first)\n", code);
		exit(1);
	}
	return o.id;
}

int main(int argc, char **argv)
{
	if (argc < 2 || sodium_init() < 0) {
		fprintf(stderr, "usage: tree-bench DB_URL\n");
		return 2;
	}
	struct app a = {0};
	char err[256];
	struct store_opts so = {.url = argv[1], .pool_size = 2};
	if (store_open(&so, &a.store, err, sizeof(err))) {
		fprintf(stderr, "tree-bench: %s\n", err);
		return 1;
	}
	int64_t root = id_of(&a, "CAST"), prov = id_of(&a, "G3"), city = id_of(&a, "G3.4");
	int64_t deep = id_of(&a, "G3.4.5.2.1");
	struct org *page = calloc(100, sizeof(*page));
	int n = 0, runs;
	struct org_counts counts;
	bool yes = false;
	uint64_t t0;

	runs = 500;
	org_children(&a, city, NULL, false, NULL, page, 100, &n);
	t0 = time_mono_ns();
	for (int i = 0; i < runs; i++)
		org_children(&a, city, NULL, false, NULL, page, 100, &n);
	printf("children page (city, %d items)      %8.3f ms\n", n, ms_since(t0, runs));

	runs = 200;
	t0 = time_mono_ns();
	for (int i = 0; i < runs; i++)
		org_children(&a, root, "2020-01-01", false, NULL, page, 100, &n);
	printf("children page as of 2020 (root, %d)  %8.3f ms\n", n, ms_since(t0, runs));

	runs = 200;
	struct org o;
	t0 = time_mono_ns();
	for (int i = 0; i < runs; i++)
		org_get(&a, deep, "2020-06-01", &o);
	printf("one org as of a date                 %8.3f ms\n", ms_since(t0, runs));

	runs = 200;
	t0 = time_mono_ns();
	for (int i = 0; i < runs; i++)
		org_subtree_counts(&a, prov, NULL, &counts);
	printf("subtree counts today (province, %lld orgs) %8.3f ms\n", (long long)counts.total, ms_since(t0, runs));

	runs = 200;
	t0 = time_mono_ns();
	for (int i = 0; i < runs; i++)
		org_subtree_counts(&a, root, NULL, &counts);
	printf("subtree counts today (national, %lld orgs) %8.3f ms%s\n", (long long)counts.total,
	       ms_since(t0, runs), counts.from_tally ? "" : "  (NOT from the tally)");

	runs = 3;
	t0 = time_mono_ns();
	for (int i = 0; i < runs; i++)
		org_subtree_counts(&a, root, "2020-06-01", &counts);
	printf("subtree counts as of 2020 (national, %lld orgs, history walk) %8.3f ms\n", (long long)counts.total,
	       ms_since(t0, runs));

	struct caller c = {.ngrants = 1};
	snprintf(c.g[0].role, sizeof(c.g[0].role), "staff");
	c.g[0].org_id = prov;
	runs = 2000;
	t0 = time_mono_ns();
	for (int i = 0; i < runs; i++)
		yes = rbac_check(&a, &c, "org.read", deep) == 0;
	printf("subtree access check (depth 4)       %8.3f ms  (%s)\n", ms_since(t0, runs), yes ? "allowed" : "refused");

	free(page);
	store_close(a.store);
	return 0;
}
