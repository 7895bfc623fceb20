/*
 * orgimport.h - `kexie org import FILE.csv|xlsx`: the organization tree from a spreadsheet.
 *
 * Columns (English or Chinese headers, any order): code, name, level, type, parent code,
 * region code, credit code, opened_on, and optionally short name and contact. Level and
 * type take the English values or their Chinese names (省级, 学会...); dates take the usual
 * spellings and Excel serials. New codes are created, existing ones updated or moved (as
 * of today) where the file differs, identical ones left alone: a file run twice reports
 * every row unchanged. Bad rows are reported and skipped, the rest are imported in one
 * transaction; with dry_run nothing is written but the report is the same.
 */
#ifndef KEXIE_CORE_ORGIMPORT_H
#define KEXIE_CORE_ORGIMPORT_H

#include "core/org.h"
#include "doc/sheet.h"

#define IMPORT_MAX_ERRORS 1000 /* kept in the report; the counts stay exact */

/* The report shape shared by every import: {"rows","inserted","updated","unchanged",
 * "rejected","errors":[{"row","column","code","message"}]}, the header being row 1. */
struct import_error {
	long row;
	char column[64];
	char code[32];
	char message[200];
};
struct import_report {
	long rows, inserted, updated, unchanged, rejected;
	struct import_error *errors;
	int nerrors;
	long errors_dropped;
};

/* Returns 0 with the report (rejected rows included), ERR_UNPROCESSABLE when the file
 * cannot be imported at all (no header, a required column missing: see the errors), or
 * a store error (nothing written). Free the report with import_report_free. */
int org_import(struct app *a, const struct audit_entry *who, const struct sheet *s, bool dry_run,
	       struct import_report *rep);
void import_report_free(struct import_report *r);

/* A date as people type it (1980-01-02, 1980/1/2, 1980年1月2日, 19800102, an Excel serial)
 * as YYYY-MM-DD; false when it is none of these or impossible. */
bool import_date(const char *in, char out[11]);

#endif
