/*
 * orgimport.c - the organization tree from a spreadsheet (see orgimport.h).
 *
 * One transaction for the whole file (all-or-nothing against crashes), one savepoint per
 * row: a row that fails is rolled back alone and reported; the good rows stay. Rows are
 * taken parents first (a parent given further down the file is fine). Existing codes are
 * compared field by field: changed rows are updated (and moved, as of today, when the
 * parent differs), identical rows are "unchanged", so running a file twice writes nothing.
 */
#include "core/orgimport.h"
#include "core/codes.h"
#include "core/names.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum col { C_CODE, C_NAME, C_SHORT, C_LEVEL, C_TYPE, C_PARENT, C_REGION, C_CREDIT, C_OPENED, C_CONTACT, C_N };

/* Canonical names (as in errors from the domain) and the headers people write. */
static const struct {
	const char *field;
	const char *aliases; /* '|'-separated, compared after trimming, case-insensitively */
} columns[C_N] = {
	[C_CODE] = {"code", "code|代码|编码|组织代码|机构代码|组织编码"},
	[C_NAME] = {"name", "name|名称|组织名称|机构名称|单位名称|全称"},
	[C_SHORT] = {"short_name", "short_name|short name|简称"},
	[C_LEVEL] = {"level", "level|层级|级别|组织层级"},
	[C_TYPE] = {"type", "type|类型|组织类型|机构类型"},
	[C_PARENT] = {"parent_code", "parent_code|parent code|parent|上级代码|上级组织代码|上级编码|上级机构代码|上级"},
	[C_REGION] = {"region_code", "region_code|region code|region|行政区划代码|区划代码|行政区划"},
	[C_CREDIT] = {"credit_code", "credit_code|credit code|统一社会信用代码|信用代码|社会信用代码"},
	[C_OPENED] = {"opened_on", "opened_on|opened on|成立日期|成立时间|设立日期"},
	[C_CONTACT] = {"contact", "contact|联系人|联系方式"},
};

static const struct {
	const char *value, *words;
} level_words[] = {
	{"national", "全国|国家级|全国性"},  {"provincial", "省|省级|省级科协"}, {"city", "市|市级|地市级|地市"},
	{"county", "县|县级|区县|县区"}, {"township", "乡镇|乡镇级|街道|乡镇街道"}, {"grassroots", "基层|基层组织"},
};

static const struct {
	const char *value, *words;
} type_words[] = {
	{"association", "科协|协会"}, {"society", "学会"}, {"enterprise", "企业"},
	{"university", "高校|高等学校|大学|学校"}, {"park", "园区|开发区"},
	{"institute", "科研院所|院所|研究所|研究院"}, {"hospital", "医院"}, {"village", "村|行政村"},
	{"community", "社区"}, {"other", "其他|其它"},
};


/* Trims ASCII and ideographic spaces in place, and turns full-width ASCII (U+FF01..FF5E)
 * into ASCII when `ascii` (codes, dates): ０１２ -> 012. */
static void clean(char *s, bool ascii)
{
	char *w = s;
	const unsigned char *r = (const unsigned char *)s;
	while (*r) {
		if (ascii && r[0] == 0xEF && (r[1] == 0xBC || r[1] == 0xBD) && r[2]) {
			unsigned cp = ((r[0] & 0x0Fu) << 12) | ((r[1] & 0x3Fu) << 6) | (r[2] & 0x3Fu);
			if (cp >= 0xFF01 && cp <= 0xFF5E) {
				*w++ = (char)(cp - 0xFF01 + 0x21);
				r += 3;
				continue;
			}
		}
		*w++ = (char)*r++;
	}
	*w = '\0';
	/* trim: ASCII space/tab and U+3000 */
	char *b = s;
	for (;;) {
		if (*b == ' ' || *b == '\t')
			b++;
		else if (!strncmp(b, "\xE3\x80\x80", 3))
			b += 3;
		else
			break;
	}
	size_t n = strlen(b);
	for (;;) {
		if (n && (b[n - 1] == ' ' || b[n - 1] == '\t'))
			n--;
		else if (n >= 3 && !strncmp(b + n - 3, "\xE3\x80\x80", 3))
			n -= 3;
		else
			break;
	}
	memmove(s, b, n);
	s[n] = '\0';
}

/* Dates as people type them: 1980-01-02, 1980/1/2, 1980.1.2, 1980年1月2日, 19800102, or an
 * Excel serial number. Writes YYYY-MM-DD; false when it is none of these or impossible. */
bool import_date(const char *in, char out[11])
{
	int y = 0, m = 0, d = 0;
	size_t n = strlen(in);
	char tail[8] = "";
	if (n == 8 && strspn(in, "0123456789") == 8) {
		y = (in[0] - '0') * 1000 + (in[1] - '0') * 100 + (in[2] - '0') * 10 + (in[3] - '0');
		m = (in[4] - '0') * 10 + (in[5] - '0');
		d = (in[6] - '0') * 10 + (in[7] - '0');
	} else if (n >= 1 && n <= 7 && strspn(in, "0123456789.") == n && in[0] != '.') {
		/* an Excel serial: days since 1899-12-30 (which absorbs Excel's 1900 leap-year bug) */
		long serial = strtol(in, NULL, 10);
		if (serial < 61 || serial > 2958465)
			return false;
		int64_t days = serial - 25569; /* days from 1970-01-01 */
		/* civil-from-days (Howard Hinnant) */
		int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
		int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
		d = (int)(doy - (153 * mp + 2) / 5 + 1);
		m = (int)(mp < 10 ? mp + 3 : mp - 9);
		y = (int)(yoe + era * 400 + (m <= 2));
	} else if (sscanf(in, "%4d-%2d-%2d%7s", &y, &m, &d, tail) == 3 ||
		   sscanf(in, "%4d/%2d/%2d%7s", &y, &m, &d, tail) == 3 ||
		   sscanf(in, "%4d.%2d.%2d%7s", &y, &m, &d, tail) == 3) {
		/* taken */
	} else if (sscanf(in, "%4d\xE5\xB9\xB4%2d\xE6\x9C\x88%2d\xE6\x97\xA5%7s", &y, &m, &d, tail) == 3) {
		/* 年 月 日 */
	} else {
		return false;
	}
	if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
	return date_valid(out);
}

/* ---- report ---- */

static void report_error(struct import_report *r, long row, const char *column, const char *code,
			 const char *message)
{
	if (r->nerrors >= IMPORT_MAX_ERRORS) {
		r->errors_dropped++;
		return;
	}
	struct import_error *e = &r->errors[r->nerrors++];
	e->row = row;
	snprintf(e->column, sizeof(e->column), "%s", column ? column : "");
	snprintf(e->code, sizeof(e->code), "%s", code);
	snprintf(e->message, sizeof(e->message), "%s", message);
}

void import_report_free(struct import_report *r)
{
	free(r->errors);
	memset(r, 0, sizeof(*r));
}

/* ---- the import ---- */

struct item {
	long row;         /* spreadsheet row */
	const char *v[C_N]; /* cleaned cells (NULL: no such column) */
	char level[16], type[33], opened[11];
	int depth;        /* parents in the file first */
	bool bad, dup;
};

struct job {
	const struct audit_entry *who;
	const struct sheet *s;
	struct import_report *rep;
	int map[C_N];              /* column index in the file, -1 when absent */
	const char *header[C_N];   /* the header text as written */
	struct item *items;
	struct item **by_code; /* the good items by code, for parents in the file */
	long nitems, ncodes;
	bool dry_run;
};

static const char *col_name(const struct job *j, const char *field)
{
	for (int c = 0; c < C_N; c++)
		if (!strcmp(columns[c].field, field) || (c == C_PARENT && !strcmp(field, "parent_id")))
			return j->header[c] ? j->header[c] : columns[c].field;
	return field;
}

static void reject(struct job *j, struct item *it, const struct errlist *errs, const char *code,
		   const char *column, const char *message)
{
	if (!it->bad)
		j->rep->rejected++;
	it->bad = true;
	if (errs && errs->n) {
		for (int i = 0; i < errs->n; i++)
			report_error(j->rep, it->row, col_name(j, errs->e[i].field), errs->e[i].code,
				     errs->e[i].message);
	} else {
		report_error(j->rep, it->row, column, code, message);
	}
}

static int by_code(const void *a, const void *b)
{
	const struct item *const *x = a, *const *y = b;
	return strcmp((*x)->v[C_CODE], (*y)->v[C_CODE]);
}

static struct item *find(struct item **sorted, long n, const char *code)
{
	struct item key = {.v = {[C_CODE] = code}}, *kp = &key;
	struct item **hit = bsearch(&kp, sorted, (size_t)n, sizeof(*sorted), by_code);
	return hit ? *hit : NULL;
}

static int by_depth(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	return x->depth != y->depth ? x->depth - y->depth : (x->row > y->row) - (x->row < y->row);
}

/* Applies one row inside the savepoint. 0, or an error with errs filled. */
static int apply(struct conn *c, struct job *j, struct item *it, struct errlist *errs)
{
	struct org cur;
	int rc = org_load_in(c, it->v[C_CODE], &cur);
	const char *parent = it->v[C_PARENT] && *it->v[C_PARENT] ? it->v[C_PARENT] : NULL;
	if (rc == ERR_NOTFOUND) {
		struct org_input in = {.code = it->v[C_CODE], .name = it->v[C_NAME], .short_name = it->v[C_SHORT],
				       .level = it->level, .type = it->type, .region_code = it->v[C_REGION],
				       .credit_code = it->v[C_CREDIT], .contact = it->v[C_CONTACT],
				       .opened_on = it->opened[0] ? it->opened : NULL, .parent_code = parent};
		int64_t id = 0;
		rc = org_create_in(c, j->who, &in, errs, &id);
		if (!rc)
			j->rep->inserted++;
		return rc;
	}
	if (rc)
		return rc;
	if (cur.closed_on[0])
		return errlist_add(errs, "code", "closed", "an organization with this code is closed");
	if (strcmp(cur.level, it->level))
		return errlist_add(errs, "level", "level_change",
				   "the level of an existing organization cannot change");
	/* what differs; an empty cell leaves the stored value as it is */
	struct org_input in = {0};
	bool change = false;
	/* names compare as they would be stored (the one normaliser), so a row that differs
	 * only in spacing or composition is unchanged */
	char name[ORG_NAME_MAX * 4 + 1], short_name[64 * 4 + 1];
	const char *cell[2] = {it->v[C_NAME], it->v[C_SHORT]};
	char *normed[2] = {name, short_name};
	const size_t max[2] = {ORG_NAME_MAX, 64}, cap[2] = {sizeof(name), sizeof(short_name)};
	for (int k = 0; k < 2; k++) {
		if (!cell[k] || !*cell[k])
			continue;
		rc = name_normalize(cell[k], strlen(cell[k]), NAME_OFFICIAL, 0, max[k], normed[k], cap[k],
				    k ? "short_name" : "name", errs);
		if (rc)
			return rc;
		cell[k] = normed[k];
	}
	if (cell[0] && *cell[0] && strcmp(cell[0], cur.name)) {
		in.name = cell[0];
		change = true;
	}
	if (cell[1] && *cell[1] && strcmp(cell[1], cur.short_name)) {
		in.short_name = cell[1];
		change = true;
	}
#define DIFF(COL, FIELD)                                                                  \
	if (it->v[COL] && *it->v[COL] && strcmp(it->v[COL], cur.FIELD)) {                \
		in.FIELD = it->v[COL];                                                   \
		change = true;                                                           \
	}
	DIFF(C_REGION, region_code)
	DIFF(C_CONTACT, contact)
#undef DIFF
	if (strcmp(it->type, cur.type)) {
		in.type = it->type;
		change = true;
	}
	if (it->v[C_CREDIT] && *it->v[C_CREDIT]) {
		char norm[19];
		struct errlist tmp;
		errlist_init(&tmp);
		if (credit_code_normalize(it->v[C_CREDIT], norm, sizeof(norm), "credit_code", &tmp)) {
			*errs = tmp;
			return ERR_UNPROCESSABLE;
		}
		if (strcmp(norm, cur.credit_code)) {
			in.credit_code = it->v[C_CREDIT];
			change = true;
		}
	}
	int64_t new_parent = 0;
	if (parent) {
		if (!strcmp(cur.level, "national"))
			return errlist_add(errs, "parent_code", "not_allowed", "the national level has no parent");
		struct org p;
		rc = org_load_in(c, parent, &p);
		if (rc == ERR_NOTFOUND)
			return errlist_add(errs, "parent_code", "not_found", "no open organization with this code");
		if (rc)
			return rc;
		if (p.id != cur.parent_id)
			new_parent = p.id;
	}
	if (change) {
		rc = org_update_in(c, j->who, cur.id, &in, cur.version, errs);
		if (rc)
			return rc;
	}
	if (new_parent) {
		rc = org_move_in(c, j->who, cur.id, new_parent, errs);
		if (rc)
			return rc;
	}
	if (change || new_parent)
		j->rep->updated++;
	else
		j->rep->unchanged++;
	return 0;
}

#define DRY_RUN_DONE 1 /* import_tx's way to roll a dry run back */

static int import_tx(struct conn *c, void *arg)
{
	struct job *j = arg;
	j->rep->inserted = j->rep->updated = j->rep->unchanged = 0;
	for (long i = 0; i < j->nitems; i++) {
		struct item *it = &j->items[i];
		if (it->bad)
			continue;
		int rc = conn_exec(c, "SAVEPOINT import_row");
		if (rc)
			return rc;
		struct errlist errs;
		errlist_init(&errs);
		const char *pc = it->v[C_PARENT];
		struct item *parent = pc && *pc ? find(j->by_code, j->ncodes, pc) : NULL;
		if (parent && parent->bad) {
			char msg[96];
			snprintf(msg, sizeof(msg), "the parent (row %ld) was not imported", parent->row);
			errlist_add(&errs, "parent_code", "parent_rejected", msg);
			rc = ERR_UNPROCESSABLE;
		} else {
			rc = apply(c, j, it, &errs);
		}
		if (rc == ERR_UNPROCESSABLE || rc == ERR_CONFLICT || rc == ERR_NOTFOUND || rc == ERR_PRECONDITION) {
			int r2 = conn_exec(c, "ROLLBACK TO SAVEPOINT import_row");
			if (!r2)
				r2 = conn_exec(c, "RELEASE SAVEPOINT import_row");
			if (r2)
				return r2;
			reject(j, it, &errs, "rejected", "", "the row was not accepted");
			continue;
		}
		if (rc)
			return rc; /* the database itself failed: nothing of the file stays */
		rc = conn_exec(c, "RELEASE SAVEPOINT import_row");
		if (rc)
			return rc;
	}
	char detail[200];
	snprintf(detail, sizeof(detail),
		 "{\"rows\":%ld,\"inserted\":%ld,\"updated\":%ld,\"unchanged\":%ld,\"rejected\":%ld}", j->rep->rows,
		 j->rep->inserted, j->rep->updated, j->rep->unchanged, j->rep->rejected);
	struct audit_entry e = *j->who;
	e.action = "org.import";
	e.object_type = "org";
	e.detail = detail;
	int rc = audit_append(c, &e);
	if (rc)
		return rc;
	return j->dry_run ? DRY_RUN_DONE : 0;
}

/* Maps the header row; false (with errors) when a required column is missing. */
static bool map_header(struct job *j, const struct sheet_row *h)
{
	for (int c = 0; c < C_N; c++)
		j->map[c] = -1;
	for (int k = 0; k < h->ncells; k++) {
		clean(h->cells[k], false);
		const char *name = h->cells[k];
		if (!*name)
			continue;
		bool known = false;
		for (int c = 0; c < C_N && !known; c++) {
			if (word_in(columns[c].aliases, '|', name, true)) {
				known = true;
				if (j->map[c] >= 0) {
					report_error(j->rep, h->number, name, "duplicate_column", "this column appears twice");
				} else {
					j->map[c] = k;
					j->header[c] = name;
				}
			}
		}
		if (!known)
			report_error(j->rep, h->number, name, "column_ignored", "not a known column: ignored");
	}
	bool ok = true;
	static const int required[] = {C_CODE, C_NAME, C_LEVEL, C_TYPE};
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (j->map[required[i]] < 0) {
			report_error(j->rep, h->number, columns[required[i]].field, "missing_column",
				     "this column is required (code, name, level, type; parent code below the national level)");
			ok = false;
		}
	}
	return ok;
}

static void prepare_item(struct job *j, const struct sheet_row *r, struct item *it)
{
	it->row = r->number;
	for (int c = 0; c < C_N; c++) {
		int k = j->map[c];
		if (k < 0) {
			it->v[c] = NULL;
			continue;
		}
		char *v = k < r->ncells ? r->cells[k] : NULL;
		if (v) {
			bool ascii = c == C_CODE || c == C_PARENT || c == C_REGION || c == C_CREDIT || c == C_OPENED;
			clean(v, ascii);
		}
		it->v[c] = v ? v : "";
	}
	if (r->bad_encoding) {
		reject(j, it, NULL, "encoding", "",
		       "a cell cannot be read in UTF-8 or GB18030: save the file as UTF-8 CSV or XLSX");
		return;
	}
	if (r->too_long) {
		reject(j, it, NULL, "too_long", "", "a cell or the row is longer than allowed");
		return;
	}
	if (!*it->v[C_CODE]) {
		reject(j, it, NULL, "required", col_name(j, "code"), "the code is required");
		return;
	}
	const char *lv = it->v[C_LEVEL];
	for (size_t i = 0; i < sizeof(level_words) / sizeof(level_words[0]); i++)
		if (!strcasecmp(lv, level_words[i].value) || word_in(level_words[i].words, '|', lv, true))
			snprintf(it->level, sizeof(it->level), "%s", level_words[i].value);
	if (!it->level[0]) {
		reject(j, it, NULL, "not_allowed", col_name(j, "level"),
		       "national|provincial|city|county|township|grassroots (or 全国/省级/市级/县级/乡镇/基层)");
		return;
	}
	const char *ty = it->v[C_TYPE];
	for (size_t i = 0; i < sizeof(type_words) / sizeof(type_words[0]); i++)
		if (!strcasecmp(ty, type_words[i].value) || word_in(type_words[i].words, '|', ty, true))
			snprintf(it->type, sizeof(it->type), "%s", type_words[i].value);
	if (!it->type[0]) {
		reject(j, it, NULL, "not_allowed", col_name(j, "type"),
		       "association|society|enterprise|university|park|institute|hospital|village|community|other (or 科协/学会/企业/高校/园区/科研院所/医院/村/社区/其他)");
		return;
	}
	if (it->v[C_OPENED] && *it->v[C_OPENED] && !import_date(it->v[C_OPENED], it->opened)) {
		reject(j, it, NULL, "invalid_date", col_name(j, "opened_on"),
		       "a date such as 2015-03-01, 2015/3/1, 2015年3月1日 or 20150301");
		return;
	}
}

int org_import(struct app *a, const struct audit_entry *who, const struct sheet *s, bool dry_run,
	       struct import_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->errors = calloc(IMPORT_MAX_ERRORS, sizeof(*rep->errors));
	if (!rep->errors)
		return ERR_NOMEM;
	if (s->nrows == 0) {
		report_error(rep, 1, "", "empty", "the file has no header row");
		return ERR_UNPROCESSABLE;
	}
	struct job j = {.who = who, .s = s, .rep = rep, .dry_run = dry_run};
	if (!map_header(&j, &s->rows[0]))
		return ERR_UNPROCESSABLE;
	rep->rows = s->nrows - 1;
	j.nitems = rep->rows;
	j.items = calloc((size_t)(j.nitems ? j.nitems : 1), sizeof(*j.items));
	struct item **sorted = calloc((size_t)(j.nitems ? j.nitems : 1), sizeof(*sorted));
	if (!j.items || !sorted) {
		free(j.items);
		free(sorted);
		return ERR_NOMEM;
	}
	for (long i = 0; i < j.nitems; i++)
		prepare_item(&j, &s->rows[i + 1], &j.items[i]);
	/* codes in the file: duplicates are refused (the later rows), parents come first */
	long ns = 0;
	for (long i = 0; i < j.nitems; i++)
		if (!j.items[i].bad)
			sorted[ns++] = &j.items[i];
	qsort(sorted, (size_t)ns, sizeof(*sorted), by_code);
	for (long i = 1; i < ns; i++) {
		if (!strcmp(sorted[i]->v[C_CODE], sorted[i - 1]->v[C_CODE])) {
			struct item *later = sorted[i]->row > sorted[i - 1]->row ? sorted[i] : sorted[i - 1];
			char msg[96];
			snprintf(msg, sizeof(msg), "the same code is on row %ld", sorted[i]->row == later->row ? sorted[i - 1]->row : sorted[i]->row);
			if (!later->bad)
				reject(&j, later, NULL, "duplicate_code", col_name(&j, "code"), msg);
			later->dup = true;
		}
	}
	for (long i = 0; i < j.nitems; i++) {
		/* parents first: a row's depth in the file orders it. A walk that does not end
		 * within ORG_DEPTH_MAX steps is a circle (it comes back to a row it passed) or a
		 * chain deeper than the tree may be (the same refusal as org_create_in's one depth
		 * check, whose code and limit it shares). */
		struct item *it = &j.items[i], *seen[ORG_DEPTH_MAX + 1];
		int depth = 0;
		bool circle = false;
		for (struct item *p = it; p && p->v[C_PARENT] && *p->v[C_PARENT] && depth <= ORG_DEPTH_MAX && !circle; depth++) {
			seen[depth] = p;
			p = find(sorted, ns, p->v[C_PARENT]);
			for (int k = 0; p && k <= depth && !circle; k++)
				circle = seen[k] == p;
		}
		if (circle && !it->bad)
			reject(&j, it, NULL, "cycle", col_name(&j, "parent_code"),
			       "the parent codes in the file go round in a circle");
		else if (depth > ORG_DEPTH_MAX && !it->bad)
			reject(&j, it, NULL, "too_deep", col_name(&j, "parent_code"),
			       "the tree may be at most 64 levels deep");
		it->depth = circle ? ORG_DEPTH_MAX + 1 : depth;
	}
	/* stable order by depth, then row: a parent's row is applied before its children's */
	qsort(j.items, (size_t)j.nitems, sizeof(*j.items), by_depth);
	ns = 0; /* every row with a code (rejected ones too: their children say so), bar duplicates */
	for (long i = 0; i < j.nitems; i++)
		if (!j.items[i].dup && j.items[i].v[C_CODE] && *j.items[i].v[C_CODE])
			sorted[ns++] = &j.items[i];
	qsort(sorted, (size_t)ns, sizeof(*sorted), by_code);
	j.by_code = sorted;
	j.ncodes = ns;
	int rc = store_tx(a->store, import_tx, &j);
	free(sorted);
	if (rc == DRY_RUN_DONE)
		rc = 0;
	free(j.items);
	if (!rc) {
		/* errors in row order, the header's first */
		for (int x = 1; x < rep->nerrors; x++)
			for (int y = x; y > 0 && rep->errors[y - 1].row > rep->errors[y].row; y--) {
				struct import_error t = rep->errors[y];
				rep->errors[y] = rep->errors[y - 1];
				rep->errors[y - 1] = t;
			}
	}
	return rc;
}
