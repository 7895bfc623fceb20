/*
 * region.h - administrative divisions (GB/T 2260 and the statistical codes below them).
 *
 * Reference data read by everyone. Codes are digits, 2 to 12 long; a level 1..5
 * (province, city, county, township, village). Unknown codes elsewhere are never rejected
 * because the official list changes every year.
 *
 * Contracts: 0 on success; store errors (ERR_DB, ERR_BUSY, ERR_NOMEM) pass up unchanged;
 * strings and arrays passed in are borrowed for the call.
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

/* True when code is 2..12 ASCII digits. Pure. */
bool region_code_valid(const char *code);

/* Returns 0 and fills out, ERR_NOTFOUND (no region with that code), or a store error;
 * *out is unspecified on failure. */
int region_get(struct app *a, const char *code, struct region *out);

/* Lists the regions directly under parent (NULL or "" = top level) into out[0..max),
 * sorted (desc non-zero: descending); *n receives the count. Returns 0 (also for a parent
 * without children: *n = 0), ERR_NOTFOUND when parent does not exist, or a store error;
 * *n is 0 on failure (out[] may hold rows read before a store error). */
int region_children(struct app *a, const char *parent, enum region_sort sort, int desc, struct region *out,
		    int max, int *n);

/* Inserts regions in one transaction; skips codes that already exist (idempotent).
 * Field errors go to errs with the 1-based index as row. *inserted counts new rows.
 * `who` names the actor; one audit record goes into the same transaction when rows
 * were added. Returns 0; ERR_UNPROCESSABLE with the field errors when any row is invalid
 * (then nothing is inserted: every row is checked first); or a store error (nothing
 * written). *inserted is 0 on failure. */
int region_insert_many(struct app *a, const struct region *r, size_t n, const struct audit_entry *who,
		       struct errlist *errs, size_t *inserted);

/* Demo data: real provinces and a few cities and districts (region_insert_many: the same
 * returns; existing codes are skipped, so it may run again). */
int region_seed_demo(struct app *a, const struct audit_entry *who, size_t *inserted);

/* Benchmark data: one synthetic province 99 with n generated villages under it, in one
 * transaction with one audit record. 0 with *inserted the new rows; ERR_NOMEM or a store
 * error (nothing written, *inserted 0). */
int region_generate(struct app *a, size_t n, const struct audit_entry *who, size_t *inserted);

#endif
