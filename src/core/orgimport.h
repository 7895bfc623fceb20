/*
 * orgimport.h - the organization tree to and from spreadsheets: the bulk import (a job of
 * kind "org.import", run by `kexie org import` and by POST /api/v1/orgs/import alike), its
 * column preview, and the export whose files re-import unchanged.
 *
 * Columns (English or Chinese headers, any order): code, name, level, type, parent code,
 * region code, credit code, opened_on, and optionally short name and contact. Level and
 * type take the English values or their Chinese names (省级, 学会...); dates take the usual
 * spellings and Excel serials. New codes are created, existing ones updated or moved (as of
 * today) where the file differs, identical ones left alone: a file run twice reports every
 * row unchanged. Bad rows are reported (row, column, code, message) and skipped.
 *
 * The import checks every row first, in memory, against one snapshot of the tree (the same
 * checks and field errors as creating, updating and moving one org over the API), then
 * writes in batches of a few thousand rows, each one short transaction with multi-row
 * inserts, its audit records, the subtree counts and the job's checkpoint: other writers
 * wait at most one batch, and after a crash the import goes on from the last committed
 * batch (job.h). With dry_run nothing is written but the report is the same. A job started
 * over HTTP checks each row against its owner's org.write scope (out_of_scope).
 */
#ifndef KEXIE_CORE_ORGIMPORT_H
#define KEXIE_CORE_ORGIMPORT_H

#include "core/importcols.h"
#include "core/job.h"
#include "core/org.h"
#include "doc/sheet.h"

#include <stdbool.h>
#include <stdint.h>

struct doc_writer;

/* The job kind: reads job_info()->input_path; resumable from its checkpoint. Its result is
 * {"rows","inserted","updated","unchanged","rejected"} (so far, then final). */
extern const struct job_kind org_import_kind;

/* Rows per batch (and per transaction) of the import; a setting may change it. */
#define ORG_IMPORT_BATCH 4000

/* Maps the header row (the sheet's first row) for a preview; *n columns into out[0..max).
 * Cells of the header are trimmed in place. */
void org_import_columns(struct sheet *s, struct import_column *out, int max, int *n);

/* Writes the subtree of root as of a date (NULL: today) to w: a header row in the import's
 * Chinese column names, then one row per org, parents first (by depth, then code), levels
 * and types as Chinese words, dates YYYY-MM-DD; closed orgs (and a 撤销日期 column) only with
 * include_closed. For another date than today only the orgs `seen` sees today are written
 * (the one as-of rule, org.h; NULL: everything, the command line). *rows counts the orgs
 * written. ERR_NOTFOUND when root did not exist then; a writer error (ERR_TOOBIG past its
 * limit) or a store error. */
struct rbac_seen;
int org_export(struct app *a, int64_t root, const char *as_of, bool include_closed,
	       const struct rbac_seen *seen, struct doc_writer *w, long *rows);

/* A date as people type it (1980-01-02, 1980/1/2, 1980年1月2日, 19800102, an Excel serial)
 * as YYYY-MM-DD; false when it is none of these or impossible. */
bool import_date(const char *in, char out[11]);

#endif
