/*
 * region.h - administrative divisions (GB/T 2260 and the statistical codes below them).
 *
 * Reference data read by everyone. Codes are digits, 2 to 12 long; a level 1..5
 * (province, city, county, township, village). Unknown codes elsewhere are never rejected
 * because the official list changes every year.
 */
#ifndef KEXIE_DOMAIN_REGION_H
#define KEXIE_DOMAIN_REGION_H

#include "core/app.h"
#include "core/audit.h"
#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>

#define REGION_CODE_MAX 12
#define REGION_NAME_MAX 100 /* code points */

struct region {
	char code[REGION_CODE_MAX + 1];
	char name[REGION_NAME_MAX * 4 + 1];
	char parent[REGION_CODE_MAX + 1]; /* "" at the top */
	int level;
};

enum region_sort { REGION_SORT_CODE, REGION_SORT_NAME }; /* name: pinyin order */

/* True when code is 2..12 ASCII digits. */
bool region_code_valid(const char *code);

/* Returns 0 and fills out, ERR_NOTFOUND, or a store error. */
int region_get(struct app *a, const char *code, struct region *out);

/* Lists the regions directly under parent (NULL or "" = top level) into out[0..max),
 * sorted; *n receives the count. Returns ERR_NOTFOUND when parent does not exist. */
int region_children(struct app *a, const char *parent, enum region_sort sort, int desc,
		    struct region *out, int max, int *n);

/* Inserts regions in one transaction; skips codes that already exist (idempotent).
 * Field errors go to errs with the 1-based index as row. *inserted counts new rows.
 * `who` names the actor; one audit record goes into the same transaction when rows
 * were added. */
int region_insert_many(struct app *a, const struct region *r, size_t n,
		       const struct audit_entry *who, struct errlist *errs, size_t *inserted);

/* Demo data: real provinces and a few cities and districts. */
int region_seed_demo(struct app *a, const struct audit_entry *who, size_t *inserted);

/* Benchmark data: one synthetic province 99 with n generated villages under it. */
int region_generate(struct app *a, size_t n, const struct audit_entry *who, size_t *inserted);

#endif
