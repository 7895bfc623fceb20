/*
 * orgimport.c - the organization tree from and to spreadsheets (see orgimport.h).
 *
 * The import is a job in four steps:
 *   1. read: the file, its header, one item per row: cells cleaned, level / type / date
 *      words mapped; codes repeated in the file and parent cycles refused; items ordered
 *      parents first (depth in the file, then row), which is also the order of the batches.
 *   2. snapshot: every org of the database (one read, one snapshot) into hash maps by code,
 *      id and credit code, with today's and the latest placement.
 *   3. plan: each item against the snapshot, in order, with exactly the checks (and field
 *      errors) of org_create_in / org_update_in / org_move_in, and its effect applied to the
 *      maps, so later rows see earlier ones. A dry run stops here.
 *   4. write, one batch per job step (one transaction): new orgs by multi-row inserts with
 *      their placements, audit records (audit_append_many) and the tree's index (closure,
 *      dated counts, name index: one org_index_sync_range per flush, set-based, from the
 *      placements in the transaction); changed rows through the per-row update
 *      and move (fresh reads, a savepoint each). A batch whose inserts hit a constraint
 *      (someone created the same code meanwhile) is done again row by row, as the import
 *      always did. The checkpoint (next item, counts so far) commits with the batch.
 * A resumed job repeats 1 and 2 (the file must hash the same), takes the rows before the
 * checkpoint as done (present in the database: kept; absent: rejected, for their children),
 * and plans and writes the rest.
 */
#include "core/orgimport.h"
#include "core/audit.h"
#include "core/bulk.h"
#include "core/codelist.h"
#include "core/codes.h"
#include "core/importcols.h"
#include "core/names.h"
#include "core/org_int.h"
#include "core/rbac.h"
#include "core/user.h"
#include "doc/writer.h"
#include "base/arena.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum col { C_CODE, C_NAME, C_SHORT, C_LEVEL, C_TYPE, C_PARENT, C_REGION, C_CREDIT, C_OPENED, C_CONTACT, C_N };

/* Canonical names (as in errors from the domain), the export's header, and the headers
 * people write (core/importcols.h). */
static const struct import_colspec columns[C_N] = {
	[C_CODE] = {"code", "代码", "code|代码|编码|组织代码|机构代码|组织编码"},
	[C_NAME] = {"name", "名称", "name|名称|组织名称|机构名称|单位名称|全称"},
	[C_SHORT] = {"short_name", "简称", "short_name|short name|简称"},
	[C_LEVEL] = {"level", "层级", "level|层级|级别|组织层级"},
	[C_TYPE] = {"type", "类型", "type|类型|组织类型|机构类型"},
	[C_PARENT] = {"parent_code", "上级代码",
		      "parent_code|parent code|parent|上级代码|上级组织代码|上级编码|上级机构代码|上级"},
	[C_REGION] = {"region_code", "行政区划代码",
		      "region_code|region code|region|行政区划代码|区划代码|行政区划"},
	[C_CREDIT] = {"credit_code", "统一社会信用代码",
		      "credit_code|credit code|统一社会信用代码|信用代码|社会信用代码"},
	[C_OPENED] = {"opened_on", "成立日期", "opened_on|opened on|成立日期|成立时间|设立日期"},
	[C_CONTACT] = {"contact", "联系人", "contact|联系人|联系方式"},
};
/* The export's column order: the import's required columns first. */
static const enum col export_cols[] = {C_CODE,   C_NAME,   C_SHORT,  C_LEVEL,  C_TYPE,
				       C_PARENT, C_REGION, C_CREDIT, C_OPENED, C_CONTACT};

/* Levels and types are the code lists' (core/codelist.c): a row may write the code, the
 * Chinese or English label or another word of the list; items index them. */
#define LEVELS codelist_org_level
#define TYPES  codelist_org_type

static void clean(char *s, bool ascii)
{
	import_clean(s, ascii);
}

/* Dates as people type them: 1980-01-02, 1980/1/2, 1980.1.2, 1980年1月2日, 19800102, or an
 * Excel serial number. Writes YYYY-MM-DD; false when it is none of these or impossible. */
bool import_date(const char *in, char out[11])
{
	int y = 0, m = 0, d = 0;
	size_t n = strlen(in);
	char tail[8] = "";
#define DIG(c) ((c) >= '0' && (c) <= '9')
	if (n == 10 && in[4] == '-' && in[7] == '-' && DIG(in[0]) && DIG(in[1]) && DIG(in[2]) && DIG(in[3]) &&
	    DIG(in[5]) && DIG(in[6]) && DIG(in[8]) && DIG(in[9])) {
		/* YYYY-MM-DD, the common case, without sscanf */
		y = (in[0] - '0') * 1000 + (in[1] - '0') * 100 + (in[2] - '0') * 10 + (in[3] - '0');
		m = (in[5] - '0') * 10 + (in[6] - '0');
		d = (in[8] - '0') * 10 + (in[9] - '0');
	} else if (n == 8 && strspn(in, "0123456789") == 8) {
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
#undef DIG
	if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	/* YYYY-MM-DD by hand: this runs for every row of an import */
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
	return date_valid(out);
}

/* ---- hash maps: string -> pointer, int64 -> pointer (open addressing, never shrinking) ---- */

struct sent {
	const char *k;
	void *v;
};
struct smap {
	struct sent *e;
	size_t cap, n;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static int smap_grow(struct smap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1024;
	struct sent *e = calloc(cap, sizeof(*e));
	if (!e)
		return ERR_NOMEM;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->e[i].k)
			continue;
		size_t h = (size_t)hash_str(m->e[i].k) & (cap - 1);
		while (e[h].k)
			h = (h + 1) & (cap - 1);
		e[h] = m->e[i];
	}
	free(m->e);
	m->e = e;
	m->cap = cap;
	return 0;
}

/* Room for n keys without growing (fewer collisions too: at most a quarter full). */
static int smap_reserve(struct smap *m, size_t n)
{
	while (m->cap < n * 4)
		if (smap_grow(m))
			return ERR_NOMEM;
	return 0;
}

/* Sets k -> v (k is borrowed and must outlive the map). v NULL hides k. */
static int smap_put(struct smap *m, const char *k, void *v)
{
	if ((m->n + 1) * 2 > m->cap && smap_grow(m))
		return ERR_NOMEM;
	size_t h = (size_t)hash_str(k) & (m->cap - 1);
	while (m->e[h].k && strcmp(m->e[h].k, k))
		h = (h + 1) & (m->cap - 1);
	if (!m->e[h].k) {
		m->e[h].k = k;
		m->n++;
	}
	m->e[h].v = v;
	return 0;
}

static void *smap_get(const struct smap *m, const char *k)
{
	if (!m->cap || !k)
		return NULL;
	size_t h = (size_t)hash_str(k) & (m->cap - 1);
	while (m->e[h].k) {
		if (!strcmp(m->e[h].k, k))
			return m->e[h].v;
		h = (h + 1) & (m->cap - 1);
	}
	return NULL;
}

struct ient {
	int64_t k; /* 0: empty */
	void *v;
};
struct imap {
	struct ient *e;
	size_t cap, n;
};

static size_t hash_int(int64_t k)
{
	uint64_t x = (uint64_t)k * 0x9E3779B97F4A7C15u;
	return (size_t)(x ^ (x >> 29));
}

static int imap_put(struct imap *m, int64_t k, void *v)
{
	if ((m->n + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 1024;
		struct ient *e = calloc(cap, sizeof(*e));
		if (!e)
			return ERR_NOMEM;
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->e[i].k)
				continue;
			size_t h = hash_int(m->e[i].k) & (cap - 1);
			while (e[h].k)
				h = (h + 1) & (cap - 1);
			e[h] = m->e[i];
		}
		free(m->e);
		m->e = e;
		m->cap = cap;
	}
	size_t h = hash_int(k) & (m->cap - 1);
	while (m->e[h].k && m->e[h].k != k)
		h = (h + 1) & (m->cap - 1);
	if (!m->e[h].k) {
		m->e[h].k = k;
		m->n++;
	}
	m->e[h].v = v;
	return 0;
}

static void *imap_get(const struct imap *m, int64_t k)
{
	if (!m->cap)
		return NULL;
	size_t h = hash_int(k) & (m->cap - 1);
	while (m->e[h].k) {
		if (m->e[h].k == k)
			return m->e[h].v;
		h = (h + 1) & (m->cap - 1);
	}
	return NULL;
}

/* ---- the state of one import ---- */

/* An org as the plan sees it: one of the snapshot, or one this import creates. */
struct item;
struct rec {
	int64_t id; /* 0: to be created by this import, not written yet */
	const char *code, *name, *short_name, *level, *type, *region, *credit, *contact, *opened, *closed;
	int64_t version;
	struct rec *parent; /* as of today (NULL: a root) */
	struct rec *latest; /* the open-ended placement's parent: the latest tree */
	const char *latest_from;
	struct item *item; /* the row that creates it */
};

struct ierr {
	struct ierr *next;
	const char *col, *code, *message;
};

enum plan { P_REJECT = 1, P_INSERT, P_UPDATE, P_UNCHANGED, P_DONE };
enum outcome { O_NONE, O_INSERTED, O_UPDATED, O_UNCHANGED, O_REJECTED, O_N };

struct item {
	long row;           /* spreadsheet row */
	const char *v[C_N]; /* cleaned cells (NULL: no such column) */
	char opened[11];
	uint8_t lv, ty; /* index in LEVELS / TYPES */
	bool bad, dup;  /* refused while reading (errors attached), a repeated code */
	uint8_t plan, outcome;
	int depth; /* parents in the file first */
	struct ierr *errs, *last;
	struct rec *rec; /* P_INSERT: the org it creates; else the existing one */
};

struct imp {
	struct job *job;
	struct app *app;
	bool dry;
	char today[11];
	struct sheet sheet;
	int map[C_N];            /* column index in the file, -1 when absent */
	const char *header[C_N]; /* the header text as written */
	struct item *items;      /* in file order */
	struct item **order;     /* the same in batch order: parents first (depth, then row) */
	long nitems;
	struct smap file_codes; /* the file's codes -> their item (the first row of a repeated code) */
	struct word_cache {     /* the level and type words seen, and what they mean: files repeat a few */
		const char *w[8];
		uint8_t v[8];
		int n;
	} lv_seen, ty_seen;
	struct arena arena;
	struct smap codes, credits;
	struct imap ids;
	struct caller *caller; /* the owner's grants (HTTP jobs); NULL: no scope (command line) */
	bool may_root;         /* the caller holds org.write at a root (for rows without a parent) */
	long counts[O_N];      /* committed (or planned, for a dry run) */
	long done;             /* items [0, done) committed */
	int per_stmt;
};

static const char *col_name(const struct imp *m, const char *field)
{
	for (int c = 0; c < C_N; c++)
		if (!strcmp(columns[c].field, field) || (c == C_PARENT && !strcmp(field, "parent_id")))
			return m->header[c] ? m->header[c] : columns[c].field;
	return field;
}

static const char *dup_str(struct imp *m, const char *s)
{
	return s ? arena_strndup(&m->arena, s, strlen(s)) : NULL;
}

/* Attaches an error to the item (copied). */
static void item_error(struct imp *m, struct item *it, const char *col, const char *code, const char *message)
{
	struct ierr *e = arena_alloc(&m->arena, sizeof(*e));
	if (!e)
		return; /* out of memory: the row is still refused, without its reason */
	e->next = NULL;
	e->col = dup_str(m, col ? col : "");
	e->code = dup_str(m, code);
	e->message = dup_str(m, message);
	if (it->last)
		it->last->next = e;
	else
		it->errs = e;
	it->last = e;
}

/* Refuses the row: the field errors of errs (named by the file's headers), or one error. */
static void reject(struct imp *m, struct item *it, const struct errlist *errs, const char *code,
		   const char *column, const char *message)
{
	it->bad = true;
	it->plan = P_REJECT;
	it->outcome = O_REJECTED;
	if (errs && errs->n) {
		for (int i = 0; i < errs->n; i++)
			item_error(m, it, col_name(m, errs->e[i].field), errs->e[i].code, errs->e[i].message);
	} else {
		item_error(m, it, column, code, message);
	}
}

/* errlist_init clears all of its ~10 KB; a row's list only needs its counts (the entries
 * are written whole when added), and this runs for every row. */
static void errs_clear(struct errlist *e)
{
	e->n = 0;
	e->dropped = 0;
}

static const char *cell(const struct item *it, enum col c)
{
	return it->v[c] && *it->v[c] ? it->v[c] : NULL;
}

/* ---- 1. read ---- */

/* The row of the file with this code (the first, when it is repeated), or NULL. */
static struct item *find(const struct imp *m, const char *code)
{
	return code ? smap_get(&m->file_codes, code) : NULL;
}

/* Which column a header cell names (-1: none). */
static int header_col(const char *name)
{
	return import_header_col(columns, C_N, name);
}

void org_import_columns(struct sheet *s, struct import_column *out, int max, int *n)
{
	import_columns(s, columns, C_N, out, max, n);
}

/* Maps the header row; false (errors noted) when a required column is missing. Header
 * errors are noted only on a first run (a resumed job has them already). */
static bool map_header(struct imp *m, const struct sheet_row *h, bool note)
{
	for (int c = 0; c < C_N; c++)
		m->map[c] = -1;
	for (int k = 0; k < h->ncells; k++) {
		clean(h->cells[k], false);
		const char *name = h->cells[k];
		if (!*name)
			continue;
		int c = header_col(name);
		if (c < 0) {
			if (note)
				job_error(m->job, h->number, name, "column_ignored",
					  "not a known column: ignored");
		} else if (m->map[c] >= 0) {
			if (note)
				job_error(m->job, h->number, name, "duplicate_column",
					  "this column appears twice");
		} else {
			m->map[c] = k;
			m->header[c] = name;
		}
	}
	bool ok = true;
	static const int required[] = {C_CODE, C_NAME, C_LEVEL, C_TYPE};
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (m->map[required[i]] < 0) {
			job_error(
				m->job, h->number, columns[required[i]].field, "missing_column",
				"this column is required (code, name, level, type; parent code below the national level)");
			ok = false;
		}
	}
	return ok;
}

static bool seen(const struct word_cache *c, const char *w, uint8_t *v)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->w[i], w)) {
			*v = c->v[i];
			return true;
		}
	return false;
}

static void remember(struct word_cache *c, const char *w, uint8_t v)
{
	if (c->n < 8 && v != 0xFF) {
		c->w[c->n] = w;
		c->v[c->n++] = v;
	}
}

static void prepare_item(struct imp *m, const struct sheet_row *r, struct item *it)
{
	it->row = r->number;
	for (int c = 0; c < C_N; c++) {
		int k = m->map[c];
		if (k < 0) {
			it->v[c] = NULL;
			continue;
		}
		char *v = k < r->ncells ? r->cells[k] : NULL;
		if (v) {
			bool ascii = c == C_CODE || c == C_PARENT || c == C_REGION || c == C_CREDIT ||
				     c == C_OPENED;
			clean(v, ascii);
		}
		it->v[c] = v ? v : "";
	}
	it->lv = it->ty = 0xFF;
	if (r->bad_encoding) {
		reject(m, it, NULL, "encoding", "",
		       "a cell cannot be read in UTF-8 or GB18030: save the file as UTF-8 CSV or XLSX");
		return;
	}
	if (r->too_long) {
		reject(m, it, NULL, "too_long", "", "a cell or the row is longer than allowed");
		return;
	}
	if (!*it->v[C_CODE]) {
		reject(m, it, NULL, "required", col_name(m, "code"), "the code is required");
		return;
	}
	const char *lv = it->v[C_LEVEL];
	if (!seen(&m->lv_seen, lv, &it->lv)) {
		const struct code_item *c = codeset_match(&LEVELS, lv);
		if (c)
			it->lv = (uint8_t)(c - LEVELS.items);
		remember(&m->lv_seen, lv, it->lv);
	}
	if (it->lv == 0xFF) {
		reject(m, it, NULL, "not_allowed", col_name(m, "level"),
		       "a level of the list org_level: its code or its Chinese word (全国/省级/市级/县级/乡镇街道/基层)");
		return;
	}
	const char *ty = it->v[C_TYPE];
	if (!seen(&m->ty_seen, ty, &it->ty)) {
		const struct code_item *c = codeset_match(&TYPES, ty);
		if (c)
			it->ty = (uint8_t)(c - TYPES.items);
		remember(&m->ty_seen, ty, it->ty);
	}
	if (it->ty == 0xFF) {
		reject(m, it, NULL, "not_allowed", col_name(m, "type"),
		       "a type of the list org_type: its code or its Chinese word (科协/学会/企业/高校/园区/科研院所/医院/村/社区/其他)");
		return;
	}
	if (it->v[C_OPENED] && *it->v[C_OPENED] && !import_date(it->v[C_OPENED], it->opened)) {
		reject(m, it, NULL, "invalid_date", col_name(m, "opened_on"),
		       "a date such as 2015-03-01, 2015/3/1, 2015年3月1日 or 20150301");
		return;
	}
}

#define DEPTH_DEEP  (ORG_DEPTH_MAX + 1) /* a chain deeper than the tree may be */
#define DEPTH_CYCLE (ORG_DEPTH_MAX + 2) /* a chain of parent codes that goes round */

/* The depth of an item as the import always ordered rows: 0 without a parent code, 1 when
 * the parent is not in the file, else one more than its parent's; DEPTH_DEEP past
 * ORG_DEPTH_MAX, DEPTH_CYCLE for a row whose chain comes round (or leads into a circle).
 * Computed once per item, without recursion: the chain up to a known depth is walked,
 * then filled in on the way down. */
static int item_depth(struct imp *m, struct item *it)
{
	struct item *chain[ORG_DEPTH_MAX + 4];
	int n = 0, d = 0;
	struct item *p = it;
	for (;;) {
		if (p->depth >= 0) { /* known */
			d = p->depth;
			break;
		}
		if (p->depth == -2) { /* met itself again */
			d = DEPTH_CYCLE;
			break;
		}
		if (n == ORG_DEPTH_MAX + 2) { /* deeper than any tree may be (or a longer circle) */
			d = DEPTH_DEEP;
			break;
		}
		p->depth = -2; /* on the chain now */
		chain[n++] = p;
		if (!cell(p, C_PARENT)) {
			d = -1; /* the top: depth 0 after the +1 below */
			break;
		}
		struct item *up = find(m, p->v[C_PARENT]);
		if (!up) {
			d = 0; /* a parent outside the file: depth 1 */
			break;
		}
		p = up;
	}
	for (int i = n - 1; i >= 0; i--) {
		d = d == DEPTH_CYCLE ? DEPTH_CYCLE : d >= ORG_DEPTH_MAX ? DEPTH_DEEP : d + 1;
		chain[i]->depth = d;
	}
	return it->depth;
}

/* Items from the sheet: prepared, duplicates and cycles refused, ordered parents first. */
static int read_items(struct imp *m)
{
	const struct sheet *s = &m->sheet;
	m->nitems = s->nrows - 1;
	m->items = calloc((size_t)(m->nitems ? m->nitems : 1), sizeof(*m->items));
	if (!m->items)
		return ERR_NOMEM;
	for (long i = 0; i < m->nitems; i++)
		prepare_item(m, &s->rows[i + 1], &m->items[i]);
	if (smap_reserve(&m->file_codes, (size_t)m->nitems))
		return ERR_NOMEM;
	/* codes in the file: a repeated code is refused on its later rows; the first row of a
	 * code is the one other rows name as their parent (rejected rows too: their children
	 * say so) */
	for (long i = 0; i < m->nitems; i++) {
		struct item *it = &m->items[i];
		const char *code = it->v[C_CODE];
		if (!code || !*code)
			continue;
		struct item *first = smap_get(&m->file_codes, code);
		if (!first) {
			if (smap_put(&m->file_codes, code, it))
				return ERR_NOMEM;
			continue;
		}
		if (first->bad && !it->bad) { /* the earlier row was refused on reading: this one counts */
			if (smap_put(&m->file_codes, code, it))
				return ERR_NOMEM;
			continue;
		}
		if (!it->bad) {
			char msg[96];
			snprintf(msg, sizeof(msg), "the same code is on row %ld", first->row);
			reject(m, it, NULL, "duplicate_code", col_name(m, "code"), msg);
		}
		it->dup = true;
	}
	for (long i = 0; i < m->nitems; i++)
		m->items[i].depth = -1;
	for (long i = 0; i < m->nitems; i++) {
		struct item *it = &m->items[i];
		int d = item_depth(m, it);
		if (d == DEPTH_CYCLE && !it->bad)
			reject(m, it, NULL, "cycle", col_name(m, "parent_code"),
			       "the parent codes in the file go round in a circle");
		else if (d == DEPTH_DEEP && !it->bad)
			reject(m, it, NULL, "too_deep", col_name(m, "parent_code"),
			       "the tree may be at most 64 levels deep");
	}
	/* the batch order: by depth, then row (a counting sort: depths are 0..DEPTH_CYCLE), so a
	 * parent's row is applied before its children's */
	long at[DEPTH_CYCLE + 2] = {0};
	m->order = malloc((size_t)(m->nitems ? m->nitems : 1) * sizeof(*m->order));
	if (!m->order)
		return ERR_NOMEM;
	for (long i = 0; i < m->nitems; i++)
		at[m->items[i].depth + 1]++;
	for (int d = 1; d < DEPTH_CYCLE + 2; d++)
		at[d] += at[d - 1];
	for (long i = 0; i < m->nitems; i++)
		m->order[at[m->items[i].depth]++] = &m->items[i];
	return 0;
}

/* ---- 2. snapshot ---- */

static struct rec *new_rec(struct imp *m)
{
	struct rec *r = arena_alloc(&m->arena, sizeof(*r));
	if (r)
		memset(r, 0, sizeof(*r));
	return r;
}

struct pending_parent {
	struct rec *r;
	int64_t today, latest;
};

/* Every org with its placements: today's parent and the open-ended one (they differ only
 * where a move is dated after today). */
static int snapshot(struct imp *m)
{
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(m->app->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = conn_read_begin(c);
	size_t np = 0, capp = 0;
	struct pending_parent *pp = NULL;
	if (!rc)
		rc = conn_prepare(
			c,
			"SELECT o.id, o.code, o.name, o.short_name, o.level, o.type, o.region_code, o.credit_code,"
			" o.contact, o.opened_on, o.closed_on, o.version, p.parent_id, p.valid_from"
			" FROM org o LEFT JOIN org_parent p ON p.org_id = o.id AND p.valid_to IS NULL",
			&st);
	while (!rc && (rc = stmt_step(st)) == STORE_ROW) {
		rc = 0;
		struct rec *r = new_rec(m);
		if (np == capp) {
			capp = capp ? capp * 2 : 4096;
			struct pending_parent *p2 = realloc(pp, capp * sizeof(*pp));
			if (!p2) {
				rc = ERR_NOMEM;
				break;
			}
			pp = p2;
		}
		if (!r) {
			rc = ERR_NOMEM;
			break;
		}
		r->id = stmt_int64(st, 0);
		r->code = dup_str(m, stmt_text(st, 1, NULL));
		r->name = dup_str(m, stmt_text(st, 2, NULL));
		r->short_name = dup_str(m, stmt_text(st, 3, NULL));
		r->level = dup_str(m, stmt_text(st, 4, NULL));
		r->type = dup_str(m, stmt_text(st, 5, NULL));
		r->region = dup_str(m, stmt_text(st, 6, NULL));
		r->credit = dup_str(m, stmt_text(st, 7, NULL));
		r->contact = dup_str(m, stmt_text(st, 8, NULL));
		r->opened = dup_str(m, stmt_text(st, 9, NULL));
		r->closed = stmt_isnull(st, 10) ? NULL : dup_str(m, stmt_text(st, 10, NULL));
		r->version = stmt_int64(st, 11);
		r->latest_from = dup_str(m, stmt_text(st, 13, NULL));
		if (!r->code || !r->name || !r->short_name || !r->level || !r->type || !r->region ||
		    !r->credit || !r->contact || !r->opened || !r->latest_from) {
			rc = ERR_NOMEM;
			break;
		}
		pp[np++] = (struct pending_parent){.r = r, .latest = stmt_int64(st, 12)};
		rc = smap_put(&m->codes, r->code, r);
		if (!rc && *r->credit)
			rc = smap_put(&m->credits, r->credit, r);
		if (!rc)
			rc = imap_put(&m->ids, r->id, r);
	}
	stmt_done(st);
	rc = rc < 0 ? rc : 0;
	/* today's parent: the latest placement unless that begins after today */
	for (size_t i = 0; !rc && i < np; i++) {
		struct rec *r = pp[i].r;
		r->latest = pp[i].latest ? imap_get(&m->ids, pp[i].latest) : NULL;
		r->parent = r->latest;
		if (strcmp(r->latest_from, m->today) <= 0)
			continue;
		rc = conn_prepare(c,
				  "SELECT parent_id FROM org_parent WHERE org_id = $1 AND valid_from <= $2"
				  " AND (valid_to IS NULL OR valid_to > $2)",
				  &st);
		if (rc)
			break;
		stmt_bind_int64(st, 1, r->id);
		stmt_bind_text(st, 2, m->today, strlen(m->today));
		r->parent = NULL;
		if ((rc = stmt_step(st)) == STORE_ROW)
			r->parent = imap_get(&m->ids, stmt_int64(st, 0));
		stmt_done(st);
		rc = rc < 0 ? rc : 0;
	}
	free(pp);
	store_release(c);
	return rc;
}

/* ---- 3. plan ---- */

/* The chain from r up (today's tree) as ids for rbac_check_path; planned orgs are 0. */
static int rec_path(const struct rec *r, int64_t path[ORG_PATH_MAX])
{
	int n = 0;
	for (; r && n < ORG_PATH_MAX; r = r->parent)
		path[n++] = r->id;
	return n;
}

/* May the caller change orgs below (and at) r? Always for the command line. */
static bool in_scope(const struct imp *m, const struct rec *r)
{
	if (!m->caller)
		return true;
	if (!r)
		return m->may_root;
	int64_t path[ORG_PATH_MAX];
	int n = rec_path(r, path);
	return rbac_check_path(m->caller, "org.write", path, n, NULL) == 0;
}

static void out_of_scope(struct imp *m, struct item *it, enum col c)
{
	reject(m, it, NULL, "out_of_scope", col_name(m, columns[c].field),
	       "outside the organizations you may change: the row was not imported");
}

/* Is the row's org (today) found: present and open by today (org_load_in's rule)? */
static struct rec *existing(const struct imp *m, const char *code)
{
	struct rec *r = smap_get(&m->codes, code);
	return r && strcmp(r->opened, m->today) <= 0 ? r : NULL;
}

/* org_create_in's depth check on the plan's tree: the new org would sit below p's chain. */
static void depth_check(const struct rec *p, struct errlist *errs)
{
	int n = 0;
	for (const struct rec *a = p; a && n <= ORG_DEPTH_MAX; a = a->parent)
		n++;
	if (n + 1 > ORG_DEPTH_MAX) {
		char msg[160];
		snprintf(msg, sizeof(msg), "the tree may be at most %d levels deep; this would make it %d",
			 ORG_DEPTH_MAX, n + 1);
		errlist_add(errs, "parent_code", "too_deep", msg);
	}
}

static void plan_create(struct imp *m, struct item *it)
{
	const char *pcode = cell(it, C_PARENT);
	struct org_input in = {.code = it->v[C_CODE],
			       .name = it->v[C_NAME],
			       .short_name = it->v[C_SHORT],
			       .level = LEVELS.items[it->lv].code,
			       .type = TYPES.items[it->ty].code,
			       .region_code = it->v[C_REGION],
			       .credit_code = it->v[C_CREDIT],
			       .contact = it->v[C_CONTACT],
			       .opened_on = it->opened[0] ? it->opened : NULL,
			       .parent_code = pcode};
	struct errlist errs;
	errs_clear(&errs);
	char credit[19], opened[11];
	struct org_input norm;
	struct org_names nb;
	if (org_create_check(&in, &norm, &nb, credit, opened, &errs)) {
		reject(m, it, &errs, "rejected", "", "the row was not accepted");
		return;
	}
	struct rec *p = pcode ? smap_get(&m->codes, pcode) : NULL;
	if (m->caller && !(pcode && !p) && !in_scope(m, p)) {
		out_of_scope(m, it, pcode ? C_PARENT : C_CODE);
		return;
	}
	if (smap_get(&m->codes, in.code)) { /* known, but not open by today */
		errlist_add(&errs, "code", "taken", "another organization already has this code");
	} else if (credit[0] && smap_get(&m->credits, credit)) {
		errlist_add(&errs, "credit_code", "taken",
			    "another organization already has this credit code");
	} else if (pcode) {
		if (!p || strcmp(p->opened, opened) > 0)
			errlist_add(&errs, "parent_code", "not_found",
				    "no organization with this code was open on opened_on");
		else if (p->closed && strcmp(p->closed, opened) <= 0)
			errlist_add(&errs, "parent_code", "closed", "the parent organization is closed");
		else
			depth_check(p, &errs);
	} else if (strcmp(in.level, "national")) {
		errlist_add(&errs, "parent_code", "required",
			    "every organization below the national level needs a parent");
	}
	if (errs.n) {
		reject(m, it, &errs, "rejected", "", "the row was not accepted");
		return;
	}
	struct rec *r = new_rec(m);
	if (!r) {
		reject(m, it, NULL, "rejected", "", "out of memory");
		return;
	}
	r->code = in.code;
	r->name = dup_str(m, norm.name); /* as the create stores it: through the name normaliser */
	r->short_name = dup_str(m, norm.short_name ? norm.short_name : "");
	r->level = in.level;
	r->type = in.type;
	r->region = in.region_code && *in.region_code ? in.region_code : "";
	r->credit = dup_str(m, credit);
	r->contact = in.contact ? in.contact : "";
	r->opened = dup_str(m, opened);
	r->version = 1;
	r->parent = r->latest = p;
	r->latest_from = r->opened;
	r->item = it;
	it->rec = r;
	it->plan = P_INSERT;
	it->outcome = O_INSERTED;
	smap_put(&m->codes, r->code, r);
	if (*r->credit)
		smap_put(&m->credits, r->credit, r);
}

/* The move checks of org_move_in as of today, on the plan's tree. */
static bool move_check(struct imp *m, struct rec *r, struct rec *p, struct errlist *errs)
{
	if (r == p) {
		errlist_add(errs, "parent_id", "cycle", "an organization cannot be its own parent");
		return false;
	}
	if (p->closed && strcmp(p->closed, m->today) <= 0) {
		errlist_add(errs, "parent_id", "closed", "the new parent is closed");
		return false;
	}
	for (const struct rec *a = p; a; a = a->parent)
		if (a == r) {
			errlist_add(errs, "parent_id", "cycle",
				    "cannot move an organization under itself or one of its descendants");
			return false;
		}
	if (strcmp(m->today, r->latest_from) < 0) {
		errlist_add(errs, "on", "before_current",
			    "a move cannot take effect before the current placement began");
		return false;
	}
	return true;
}

/* A name cell as it would be stored (the one normaliser), so a row that differs only in
 * spacing or composition is unchanged; NULL (with the field error) when it is refused. */
static const char *norm_name(struct imp *m, const char *cell, bool is_short, struct errlist *errs)
{
	char out[ORG_NAME_MAX * 4 + 1];
	if (name_normalize(cell, strlen(cell), NAME_OFFICIAL, 0, is_short ? 64 : ORG_NAME_MAX, out,
			   sizeof(out), is_short ? "short_name" : "name", errs))
		return NULL;
	return dup_str(m, out);
}

/* What a row of an existing code does: refused (out of scope, closed, another level), or
 * the fields that differ as they would be stored, a move when the parent differs, or
 * unchanged. Long (about 120 lines) because it is one comparison per column in the import's
 * column order, each with its own refusal; splitting it per column would scatter the order
 * the report follows. */
static void plan_update(struct imp *m, struct item *it, struct rec *r)
{
	if (!in_scope(m, r)) {
		out_of_scope(m, it, C_CODE);
		return;
	}
	struct errlist errs;
	errs_clear(&errs);
	if (r->closed) {
		reject(m, it, NULL, "closed", col_name(m, "code"),
		       "an organization with this code is closed");
		return;
	}
	if (strcmp(r->level, LEVELS.items[it->lv].code)) {
		reject(m, it, NULL, "level_change", col_name(m, "level"),
		       "the level of an existing organization cannot change");
		return;
	}
	/* what differs; an empty cell leaves the stored value as it is */
	struct org_input in = {0};
	bool change = false;
	for (int k = 0; k < 2; k++) {
		const char *v = cell(it, k ? C_SHORT : C_NAME);
		if (!v)
			continue;
		const char *n = norm_name(m, v, k == 1, &errs);
		if (!n) {
			reject(m, it, &errs, "rejected", "", "the row was not accepted");
			return;
		}
		if (strcmp(n, k ? r->short_name : r->name)) {
			*(k ? &in.short_name : &in.name) = n;
			change = true;
		}
	}
#define DIFF(COL, FIELD, MEMBER)                              \
	if (cell(it, COL) && strcmp(it->v[COL], r->MEMBER)) { \
		in.FIELD = it->v[COL];                        \
		change = true;                                \
	}
	DIFF(C_REGION, region_code, region)
	DIFF(C_CONTACT, contact, contact)
#undef DIFF
	if (strcmp(TYPES.items[it->ty].code, r->type)) {
		in.type = TYPES.items[it->ty].code;
		change = true;
	}
	char norm[19] = "";
	if (cell(it, C_CREDIT)) {
		if (credit_code_normalize(it->v[C_CREDIT], norm, sizeof(norm), "credit_code", &errs)) {
			reject(m, it, &errs, "rejected", "", "the row was not accepted");
			return;
		}
		if (strcmp(norm, r->credit)) {
			in.credit_code = it->v[C_CREDIT];
			change = true;
		}
	}
	struct rec *np = NULL;
	const char *pcode = cell(it, C_PARENT);
	if (pcode) {
		if (!strcmp(r->level, "national")) {
			reject(m, it, NULL, "not_allowed", col_name(m, "parent_code"),
			       "the national level has no parent");
			return;
		}
		struct rec *p = existing(m, pcode);
		if (!p) {
			reject(m, it, NULL, "not_found", col_name(m, "parent_code"),
			       "no open organization with this code");
			return;
		}
		if (p != r->parent)
			np = p;
	}
	if (change) {
		char credit[19];
		struct org_input checked;
		struct org_names nb;
		if (org_update_check(&in, &checked, &nb, credit, &errs)) {
			reject(m, it, &errs, "rejected", "", "the row was not accepted");
			return;
		}
		if (in.credit_code && *credit && strcmp(credit, r->credit) && smap_get(&m->credits, credit)) {
			reject(m, it, NULL, "taken", col_name(m, "credit_code"),
			       "another organization already has this credit code");
			return;
		}
	}
	if (np && (!in_scope(m, np) || !move_check(m, r, np, &errs))) {
		if (errs.n)
			reject(m, it, &errs, "rejected", "", "the row was not accepted");
		else
			out_of_scope(m, it, C_PARENT);
		return;
	}
	it->rec = r;
	if (!change && !np) {
		it->plan = P_UNCHANGED;
		it->outcome = O_UNCHANGED;
		return;
	}
	it->plan = P_UPDATE;
	it->outcome = O_UPDATED;
	/* what the rows below see */
	if (in.name)
		r->name = in.name;
	if (in.short_name)
		r->short_name = in.short_name;
	if (in.region_code)
		r->region = in.region_code;
	if (in.contact)
		r->contact = in.contact;
	if (in.type)
		r->type = in.type;
	if (in.credit_code) {
		if (*r->credit && smap_get(&m->credits, r->credit) == r)
			smap_put(&m->credits, r->credit, NULL);
		r->credit = dup_str(m, norm);
		smap_put(&m->credits, r->credit, r);
	}
	if (np && np != r->latest) {
		r->parent = r->latest = np;
		r->latest_from = m->today;
	}
}

/* A row whose parent in the file was not imported. */
static bool parent_failed(struct imp *m, struct item *it)
{
	const char *pc = cell(it, C_PARENT);
	struct item *p = find(m, pc);
	if (!p || p == it || p->outcome != O_REJECTED)
		return false;
	char msg[96];
	snprintf(msg, sizeof(msg), "the parent (row %ld) was not imported", p->row);
	struct errlist errs;
	errs_clear(&errs);
	errlist_add(&errs, "parent_code", "parent_rejected", msg);
	reject(m, it, &errs, "rejected", "", "the row was not accepted");
	return true;
}

static void plan_item(struct imp *m, struct item *it)
{
	if (it->bad) {
		it->plan = P_REJECT;
		it->outcome = O_REJECTED;
		return;
	}
	if (parent_failed(m, it))
		return;
	struct rec *r = existing(m, it->v[C_CODE]);
	if (r)
		plan_update(m, it, r);
	else
		plan_create(m, it);
}

/* ---- 4. write ---- */

struct batch {
	struct imp *m;
	long from, to;
	bool careful;     /* row by row (after a constraint hit a batch) */
	long counts[O_N]; /* after this batch */
	struct bulk orgs, parents;
	struct audit_entry *audit; /* inserts since the last flush */
	size_t naudit, capaudit;
	long flushed;         /* items [from, flushed) written */
	struct arena scratch; /* audit texts and ids: per attempt */
	struct job_progress progress;
	char checkpoint[96], result[256];
	bool final;
	uint64_t tx_ns; /* the last attempt's time inside the transaction */
};

static int org_returned(struct stmt *st, void *arg)
{
	struct imp *m = arg;
	struct rec *r = smap_get(&m->codes, stmt_text(st, 1, NULL));
	if (r && r->item)
		r->id = stmt_int64(st, 0);
	return 0;
}

/* Writes the new orgs of items [b->flushed, upto): rows, placements, audit records, counts. */
static int flush_inserts(struct conn *c, struct batch *b, long upto)
{
	struct imp *m = b->m;
	int rc = 0;
	long first = b->flushed;
	if (b->careful) { /* row by row: every row was written as it came */
		b->flushed = upto;
		return 0;
	}
	for (long i = first; !rc && i < upto; i++) {
		struct item *it = m->order[i];
		if (it->plan != P_INSERT || it->outcome != O_INSERTED)
			continue;
		const struct rec *r = it->rec;
		struct bulk_val *v = bulk_row(&b->orgs);
		if (!v)
			return ERR_NOMEM;
		bulk_text(&v[0], r->code);
		bulk_text(&v[1], r->name);
		bulk_text(&v[2], r->short_name);
		bulk_text(&v[3], r->level);
		bulk_text(&v[4], r->type);
		bulk_opt_text(&v[5], r->region);
		bulk_opt_text(&v[6], r->credit);
		bulk_text(&v[7], r->contact);
		bulk_text(&v[8], r->opened);
	}
	if (!b->orgs.nrows) {
		b->flushed = upto;
		return 0;
	}
	rc = bulk_flush(c, &b->orgs);
	int64_t lo = 0, hi = 0;
	for (long i = first; !rc && i < upto; i++) {
		struct item *it = m->order[i];
		if (it->plan != P_INSERT || it->outcome != O_INSERTED)
			continue;
		struct rec *r = it->rec;
		if (!r->id || (r->latest && !r->latest->id))
			return ERR_DB; /* a row went missing: never write a dangling placement */
		struct bulk_val *v = bulk_row(&b->parents);
		if (!v)
			return ERR_NOMEM;
		bulk_int(&v[0], r->id);
		bulk_opt_int(&v[1], r->latest ? r->latest->id : 0);
		bulk_text(&v[2], r->opened);
		/* the audit record, as org_create_in writes it */
		struct org_input in = {.code = r->code,
				       .name = r->name,
				       .short_name = r->short_name,
				       .level = r->level,
				       .type = r->type,
				       .region_code = r->region,
				       .contact = r->contact};
		struct audit_diff d;
		org_create_diff(&in, r->credit, r->opened, r->latest ? r->latest->code : NULL, &d);
		char oid[24];
		snprintf(oid, sizeof(oid), "%" PRId64, r->id);
		if (b->naudit == b->capaudit) {
			size_t cap = b->capaudit ? b->capaudit * 2 : 1024;
			struct audit_entry *e = realloc(b->audit, cap * sizeof(*e));
			if (!e)
				return ERR_NOMEM;
			b->audit = e;
			b->capaudit = cap;
		}
		struct audit_entry *e = &b->audit[b->naudit++];
		*e = *job_actor(m->job);
		e->action = "org.create";
		e->object_type = "org";
		e->object_id = arena_strndup(&b->scratch, oid, strlen(oid));
		e->org_id = r->id;
		const char *text = audit_diff_text(&d);
		e->detail = arena_strndup(&b->scratch, text, strlen(text));
		if (!e->object_id || !e->detail)
			return ERR_NOMEM;
		if (!lo || r->id < lo)
			lo = r->id;
		if (r->id > hi)
			hi = r->id;
	}
	if (!rc)
		rc = bulk_flush(c, &b->parents);
	/* the tree's index (closure, dated counts, name index) for the new orgs, set-based: one
	 * sync of their id range (another writer's orgs in it are recomputed to the same rows).
	 * Then the audit head, last: the order every writer takes them in (org_write.c syncs the
	 * index, then appends its record; the counts' upsert takes its rows in key order), so on
	 * PostgreSQL an import and a create wait for each other at most, never deadlock */
	if (!rc)
		rc = org_index_sync_range(c, lo, hi);
	if (!rc)
		rc = audit_append_many(c, b->audit, b->naudit, m->per_stmt);
	b->naudit = 0;
	b->flushed = upto;
	return rc;
}

/* One changed row as the import always applied it: fresh reads, the update then the move,
 * inside a savepoint; 0 with the outcome, or an error that is the database's. Over 100
 * lines because the update and the move share the savepoint and the row's refusal paths:
 * each outcome (updated, moved, unchanged, refused with its column) is written where it is
 * decided. */
static int apply_row(struct conn *c, struct imp *m, struct item *it)
{
	struct errlist errs;
	errs_clear(&errs);
	int rc = conn_exec(c, "SAVEPOINT import_row");
	if (rc)
		return rc;
	const char *parent = cell(it, C_PARENT);
	const struct audit_entry *who = job_actor(m->job);
	struct org cur;
	rc = org_load_in(c, it->v[C_CODE], &cur);
	enum outcome o = O_NONE;
	if (rc == ERR_NOTFOUND) {
		struct org_input in = {.code = it->v[C_CODE],
				       .name = it->v[C_NAME],
				       .short_name = it->v[C_SHORT],
				       .level = LEVELS.items[it->lv].code,
				       .type = TYPES.items[it->ty].code,
				       .region_code = it->v[C_REGION],
				       .credit_code = it->v[C_CREDIT],
				       .contact = it->v[C_CONTACT],
				       .opened_on = it->opened[0] ? it->opened : NULL,
				       .parent_code = parent};
		int64_t id = 0;
		rc = org_create_in(c, who, &in, &errs, &id);
		if (!rc) {
			o = O_INSERTED;
			if (it->rec)
				it->rec->id = id;
		}
	} else if (!rc) {
		if (it->rec && it->plan == P_INSERT)
			it->rec->id = cur.id; /* created meanwhile: its children go under it */
		struct org_input in = {0};
		bool change = false;
		if (cur.closed_on[0])
			rc = errlist_add(&errs, "code", "closed", "an organization with this code is closed");
		else if (strcmp(cur.level, LEVELS.items[it->lv].code))
			rc = errlist_add(&errs, "level", "level_change",
					 "the level of an existing organization cannot change");
		/* names compare as they would be stored (the one normaliser) */
		char name[ORG_NAME_MAX * 4 + 1], short_name[64 * 4 + 1];
		for (int k = 0; !rc && k < 2; k++) {
			const char *v = cell(it, k ? C_SHORT : C_NAME);
			if (!v)
				continue;
			char *out = k ? short_name : name;
			rc = name_normalize(v, strlen(v), NAME_OFFICIAL, 0, k ? 64 : ORG_NAME_MAX, out,
					    k ? sizeof(short_name) : sizeof(name), k ? "short_name" : "name",
					    &errs);
			if (!rc && strcmp(out, k ? cur.short_name : cur.name)) {
				*(k ? &in.short_name : &in.name) = out;
				change = true;
			}
		}
#define DIFF(COL, FIELD)                                      \
	if (cell(it, COL) && strcmp(it->v[COL], cur.FIELD)) { \
		in.FIELD = it->v[COL];                        \
		change = true;                                \
	}
		if (!rc) {
			DIFF(C_REGION, region_code)
			DIFF(C_CONTACT, contact)
			if (strcmp(TYPES.items[it->ty].code, cur.type)) {
				in.type = TYPES.items[it->ty].code;
				change = true;
			}
		}
#undef DIFF
		char norm[19];
		if (!rc && cell(it, C_CREDIT)) {
			rc = credit_code_normalize(it->v[C_CREDIT], norm, sizeof(norm), "credit_code", &errs);
			if (!rc && strcmp(norm, cur.credit_code)) {
				in.credit_code = it->v[C_CREDIT];
				change = true;
			}
		}
		int64_t new_parent = 0;
		if (!rc && parent) {
			struct org p;
			if (!strcmp(cur.level, "national"))
				rc = errlist_add(&errs, "parent_code", "not_allowed",
						 "the national level has no parent");
			else if ((rc = org_load_in(c, parent, &p)) == ERR_NOTFOUND)
				rc = errlist_add(&errs, "parent_code", "not_found",
						 "no open organization with this code");
			else if (!rc && p.id != cur.parent_id)
				new_parent = p.id;
		}
		if (!rc && change)
			rc = org_update_in(c, who, cur.id, &in, cur.version, &errs);
		if (!rc && new_parent)
			rc = org_move_in(c, who, cur.id, new_parent, &errs);
		if (!rc)
			o = change || new_parent ? O_UPDATED : O_UNCHANGED;
	}
	if (rc == ERR_UNPROCESSABLE || rc == ERR_CONFLICT || rc == ERR_NOTFOUND || rc == ERR_PRECONDITION) {
		rc = conn_exec(c, "ROLLBACK TO SAVEPOINT import_row");
		if (!rc)
			rc = conn_exec(c, "RELEASE SAVEPOINT import_row");
		if (rc)
			return rc;
		/* refused now rather than by the plan: the errors are this step's (the plan and the
		 * item stay as they were, so a retried step starts from the same state) */
		it->outcome = O_REJECTED;
		for (int i = 0; i < errs.n; i++)
			job_error(m->job, it->row, col_name(m, errs.e[i].field), errs.e[i].code,
				  errs.e[i].message);
		if (!errs.n)
			job_error(m->job, it->row, "", "rejected", "the row was not accepted");
		return 0;
	}
	if (rc)
		return rc; /* the database itself failed: the batch rolls back */
	it->outcome = (uint8_t)o;
	return conn_exec(c, "RELEASE SAVEPOINT import_row");
}

static void note_errors(struct imp *m, struct item *it)
{
	for (struct ierr *e = it->errs; e; e = e->next)
		job_error(m->job, it->row, e->col, e->code, e->message);
}

/* The job's result and checkpoint after `counts` over items [0, done). */
static void describe(struct imp *m, const long *counts, long done, char *result, size_t rcap,
		     char *checkpoint, size_t ccap)
{
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_int(&d, "rows", m->nitems);
	audit_diff_int(&d, "inserted", counts[O_INSERTED]);
	audit_diff_int(&d, "updated", counts[O_UPDATED]);
	audit_diff_int(&d, "unchanged", counts[O_UNCHANGED]);
	audit_diff_int(&d, "rejected", counts[O_REJECTED]);
	str_copy(result, rcap, audit_diff_text(&d));
	if (checkpoint)
		snprintf(checkpoint, ccap, "k=%ld i=%ld u=%ld n=%ld r=%ld", done, counts[O_INSERTED],
			 counts[O_UPDATED], counts[O_UNCHANGED], counts[O_REJECTED]);
}

/* The org.import record: what the whole file did (as the import always recorded it). */
static int audit_summary(struct conn *c, struct imp *m, const long *counts)
{
	char detail[256];
	describe(m, counts, 0, detail, sizeof(detail), NULL, 0);
	struct audit_entry e = *job_actor(m->job);
	e.action = "org.import";
	e.object_type = "org";
	e.detail = detail;
	return audit_append(c, &e);
}

static void write_rejected(struct imp *m);

/* One batch in one transaction (run again from the start on a retry). */
static int batch_tx(struct conn *c, void *arg)
{
	struct batch *b = arg;
	struct imp *m = b->m;
	uint64_t t0 = time_mono_ns();
	arena_free(&b->scratch);
	memcpy(b->counts, m->counts, sizeof(b->counts));
	b->flushed = b->from;
	b->naudit = 0;
	bulk_reset(&b->orgs);
	bulk_reset(&b->parents);
	for (long i = b->from; i < b->to; i++) { /* what an earlier attempt did is undone */
		struct item *it = m->order[i];
		if (it->plan == P_INSERT) {
			it->rec->id = 0;
			it->outcome = O_INSERTED;
		} else if (it->plan == P_UPDATE) {
			it->outcome = O_UPDATED;
		}
	}
	int rc = 0;
	for (long i = b->from; !rc && i < b->to; i++) {
		struct item *it = m->order[i];
		if (it->plan == P_INSERT && it->rec->latest && it->rec->latest->item &&
		    it->rec->latest->item->outcome == O_REJECTED) {
			it->outcome = O_REJECTED; /* its parent failed in the database after all */
			struct item *p = it->rec->latest->item;
			char msg[96];
			snprintf(msg, sizeof(msg), "the parent (row %ld) was not imported", p->row);
			job_error(m->job, it->row, col_name(m, "parent_code"), "parent_rejected", msg);
		} else if (it->plan == P_UPDATE || (b->careful && it->plan == P_INSERT)) {
			rc = flush_inserts(c, b, i);
			if (!rc)
				rc = apply_row(c, m, it);
			if (!rc && it->plan == P_INSERT && it->outcome == O_REJECTED)
				it->rec->id = 0;
		}
		b->counts[it->outcome]++;
	}
	if (!rc)
		rc = flush_inserts(c, b, b->to);
	if (!rc && b->final)
		rc = audit_summary(c, m, b->counts);
	if (!rc && b->final)
		write_rejected(m); /* before the step that ends the job commits: see write_rejected */
	if (rc)
		return rc;
	describe(m, b->counts, b->to, b->result, sizeof(b->result), b->checkpoint, sizeof(b->checkpoint));
	b->progress.rows_done = b->to;
	b->tx_ns = time_mono_ns() - t0;
	return 0;
}

/* Notes the plan's refusals of items [from, to) (written by the step that covers them). */
static void note_planned(struct imp *m, long from, long to)
{
	for (long i = from; i < to; i++)
		if (m->order[i]->plan == P_REJECT)
			note_errors(m, m->order[i]);
}

/* Batches are kept short (import_next_batch, core/importcols.h). */

static int write_batches(struct imp *m, int batch_rows)
{
	struct batch b = {.m = m};
	b.orgs = (struct bulk){
		.head = "INSERT INTO org (code, name, short_name, level, type, region_code, credit_code,"
			" contact, opened_on)",
		.tail = " RETURNING id, code",
		.ncols = 9,
		.per_stmt = m->per_stmt,
		.returned = org_returned,
		.arg = m};
	b.parents = (struct bulk){.head = "INSERT INTO org_parent (org_id, parent_id, valid_from)",
				  .ncols = 3,
				  .per_stmt = m->per_stmt};
	bulk_init(&b.orgs);
	bulk_init(&b.parents);
	int rc = 0, rows = batch_rows < IMPORT_STEP_MIN ? batch_rows : IMPORT_STEP_MIN;
	long from = m->done;
	do {
		if (job_stopping(m->job)) {
			rc = JOB_STOPPED;
			break;
		}
		b.from = from;
		b.to = from + rows < m->nitems ? from + rows : m->nitems;
		b.final = b.to == m->nitems;
		b.careful = false;
		b.progress = (struct job_progress){.rows_total = m->nitems,
						   .rows_done = b.to,
						   .checkpoint = b.checkpoint,
						   .result = b.result,
						   .final = b.final};
		note_planned(m, b.from, b.to);
		rc = job_step(m->job, batch_tx, &b, &b.progress);
		if (rc == ERR_CONFLICT) {
			/* someone wrote a code or credit code of this batch since the snapshot */
			log_info("org import: batch at row %ld meets changes made meanwhile: row by row",
				 b.from);
			b.careful = true; /* the plan's refusals noted above are still pending */
			rc = job_step(m->job, batch_tx, &b, &b.progress);
		}
		if (rc)
			break;
		rows = import_next_batch(rows, batch_rows, b.tx_ns / 1000000u);
		memcpy(m->counts, b.counts, sizeof(m->counts));
		m->done = b.to;
		from = b.to;
	} while (from < m->nitems);
	bulk_release(&b.orgs);
	bulk_release(&b.parents);
	free(b.audit);
	arena_free(&b.scratch);
	return rc;
}

/* ---- the job ---- */

/* CPU time of this thread (the job runs in one), for the log line that says where an import's time went. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The owner's grants, read when the job runs (a role taken away since counts). */
static int load_caller(struct imp *m)
{
	return import_job_caller(m->job, &m->caller);
}

/* The error file (core/importcols.h) of an HTTP job: every refused row as uploaded, with the
 * reasons the checks gave (a row refused while writing says only that it was not imported:
 * its reasons are in the job's errors). Written just before the step that ends the job
 * commits (inside the final batch's transaction), never after: a client that sees the job
 * succeeded finds its file. A rolled-back final step leaves a file the retry rewrites. */
static void write_rejected(struct imp *m)
{
	long n = 0;
	for (long i = 0; i < m->nitems; i++)
		n += m->items[i].outcome == O_REJECTED;
	if (!n || strcmp(job_info(m->job)->origin, "http"))
		return;
	const struct sheet_row **rows = calloc((size_t)n, sizeof(*rows));
	const char **why = calloc((size_t)n, sizeof(*why));
	long k = 0;
	for (long i = 0; rows && why && i < m->nitems; i++) {
		struct item *it = &m->items[i];
		if (it->outcome != O_REJECTED)
			continue;
		char text[1024] = "";
		size_t len = 0;
		for (const struct ierr *e = it->errs; e; e = e->next)
			len = import_why_add(text, sizeof(text), len, e->col, e->code, e->message);
		if (!len)
			len = import_why_add(text, sizeof(text), len, "", "rejected", NULL);
		rows[k] = &m->sheet.rows[i + 1];
		why[k++] = arena_strndup(&m->arena, text, len);
	}
	int rc = rows && why ? import_rejected_write(m->app, job_info(m->job)->id, &m->sheet.rows[0], rows,
						     why, k)
			     : ERR_NOMEM;
	if (rc)
		log_warn("org import: job %" PRId64 ": the error file was not written (%s)",
			 job_info(m->job)->id, err_name(rc));
	free(rows);
	free(why);
}

/* The job's run: read the file, check every row against one snapshot, plan, then write
 * in batches with a checkpoint each (resumable). About 100 lines: the phases in order,
 * each a call; what is left inline is the resume rule for rows before the checkpoint. */
static int import_run(struct job *j)
{
	const struct job_info *ji = job_info(j);
	struct imp *m = calloc(1, sizeof(*m));
	if (!m)
		return ERR_NOMEM;
	m->job = j;
	m->app = job_app(j);
	m->dry = ji->dry_run;
	m->per_stmt = 64; /* rows per statement, lowered to fit the driver's parameters (bulk.c) */
	org_today(m->today);
	char why[256] = "";
	int rc = 0;
	if (ji->attempts > 1 && ji->input_hash[0]) {
		char h[65];
		if (job_file_hash(ji->input_path, h) || strcmp(h, ji->input_hash)) {
			job_set_message(
				j,
				"the file changed or is gone since the import started: it cannot be resumed");
			rc = ERR_CONFLICT;
		}
	}
	uint64_t t0 = cpu_ns(), t_read = 0, t_snap = 0, t_plan = 0;
	if (!rc && (rc = sheet_read(ji->input_path, &m->sheet, why, sizeof(why))))
		job_set_message(j, "%s", why);
	long ck[O_N] = {0}, done = 0;
	bool resumed = !rc && ji->checkpoint[0] &&
		       sscanf(ji->checkpoint, "k=%ld i=%ld u=%ld n=%ld r=%ld", &done, &ck[O_INSERTED],
			      &ck[O_UPDATED], &ck[O_UNCHANGED], &ck[O_REJECTED]) == 5;
	if (!rc && m->sheet.nrows == 0) {
		job_error(j, 1, "", "empty", "the file has no header row");
		job_set_message(j, "the file was refused: it has no header row");
		rc = ERR_UNPROCESSABLE;
	}
	if (!rc && !map_header(m, &m->sheet.rows[0], !resumed)) {
		job_set_message(j, "the file was refused: a required column is missing (see the errors)");
		rc = ERR_UNPROCESSABLE;
	}
	if (!rc && ji->owner_id)
		rc = load_caller(m);
	if (!rc)
		rc = read_items(m);
	t_read = cpu_ns();
	if (!rc && smap_reserve(&m->codes, (size_t)m->nitems + 1024))
		rc = ERR_NOMEM;
	if (!rc)
		rc = snapshot(m);
	t_snap = cpu_ns();
	/* a row without a parent is a new root: that needs org.write from a post (system-wide),
	 * as creating one over the API does */
	if (!rc && m->caller)
		m->may_root = rbac_permits_system(m->caller, "org.write");
	if (!rc && resumed && done > 0 && done <= m->nitems) {
		/* rows before the checkpoint are done: kept if their org is there, else refused */
		for (long i = 0; i < done; i++) {
			struct item *it = m->order[i];
			struct rec *r = it->bad ? NULL : smap_get(&m->codes, it->v[C_CODE]);
			it->plan = r ? P_DONE : P_REJECT;
			it->outcome = r ? O_UNCHANGED : O_REJECTED;
			it->rec = r;
		}
		memcpy(m->counts, ck, sizeof(ck));
		m->done = done;
		log_info("org import: job %" PRId64 " resumes at row %ld of %ld", ji->id, done, m->nitems);
	}
	for (long i = m->done; !rc && i < m->nitems; i++)
		plan_item(m, m->order[i]);
	t_plan = cpu_ns();
	if (!rc && m->dry) {
		long counts[O_N] = {0};
		for (long i = 0; i < m->nitems; i++)
			counts[m->order[i]->outcome]++;
		note_planned(m, 0, m->nitems);
		char result[256];
		describe(m, counts, m->nitems, result, sizeof(result), NULL, 0);
		struct job_progress p = {.rows_total = m->nitems,
					 .rows_done = m->nitems,
					 .checkpoint = "",
					 .result = result,
					 .final = true};
		write_rejected(m);
		rc = job_step(j, NULL, NULL, &p);
	} else if (!rc) {
		rc = write_batches(m, job_batch_rows(j) > 0 ? job_batch_rows(j) : ORG_IMPORT_BATCH);
	}
	if (t_plan)
		log_info("org import: job %" PRId64
			 ": %ld rows; CPU time: read %.0f ms, snapshot %.0f ms, checks %.0f ms,"
			 " %s %.0f ms",
			 ji->id, m->nitems, (double)(t_read - t0) / 1e6, (double)(t_snap - t_read) / 1e6,
			 (double)(t_plan - t_snap) / 1e6, m->dry ? "report" : "writing",
			 (double)(cpu_ns() - t_plan) / 1e6);
	sheet_free(&m->sheet);
	free(m->items);
	free(m->order);
	free(m->file_codes.e);
	free(m->codes.e);
	free(m->credits.e);
	free(m->ids.e);
	free(m->caller);
	arena_free(&m->arena);
	free(m);
	return rc;
}

const struct job_kind org_import_kind = {
	.name = "org.import",
	.resumable = true,
	.run = import_run,
};

/* ---- export ---- */

static const char *level_zh(const char *v)
{
	return codeset_label(&LEVELS, v, true);
}

static const char *type_zh(const char *v)
{
	return codeset_label(&TYPES, v, true);
}

#define EXPORT_SQL                                                                                   \
	ORG_SUBTREE_CTE                                                                              \
	" SELECT o.code, o.name, o.short_name, o.level, o.type, pc.code, o.region_code,"             \
	" o.credit_code, o.opened_on, o.contact, o.closed_on FROM down JOIN org o ON o.id = down.id" \
	" LEFT JOIN org_parent pp ON pp.org_id = o.id AND pp.valid_from <= $2"                       \
	" AND (pp.valid_to IS NULL OR pp.valid_to > $2)"                                             \
	" LEFT JOIN org pc ON pc.id = pp.parent_id"                                                  \
	" WHERE o.opened_on <= $2 AND ($3 = 1 OR o.closed_on IS NULL OR o.closed_on > $2)"

int org_export(struct app *a, int64_t root, const char *as_of, bool include_closed,
	       const struct rbac_seen *seen, struct doc_writer *w, long *rows)
{
	char today[11];
	const char *d = org_date_or_today(as_of, today);
	*rows = 0;
	const char *head[C_N + 1];
	int nh = 0;
	for (size_t i = 0; i < sizeof(export_cols) / sizeof(export_cols[0]); i++)
		head[nh++] = columns[export_cols[i]].zh;
	if (include_closed)
		head[nh++] = "撤销日期";
	bool filter = org_seen_needed(seen, d); /* another date: only what the caller sees today */
	struct conn *c = NULL;
	struct stmt *st = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	struct org o;
	rc = org_load_conn(c, root, NULL, d, &o);
	if (!rc)
		rc = doc_writer_row(w, head, nh);
	if (!rc)
		rc = conn_prepare(c,
				  filter ? EXPORT_SQL " AND " ORG_SEEN_SQL(
						   "o.id", "$4", "$5", "$6") " ORDER BY down.depth, o.code"
					 : EXPORT_SQL " ORDER BY down.depth, o.code",
				  &st);
	if (!rc) {
		stmt_bind_int64(st, 1, root);
		stmt_bind_text(st, 2, d, strlen(d));
		stmt_bind_int64(st, 3, include_closed ? 1 : 0);
		if (filter)
			org_seen_bind(st, 4, seen);
		while ((rc = stmt_step(st)) == STORE_ROW) {
			const char *v[C_N + 1];
			for (int k = 0; k < 11; k++)
				v[k] = stmt_text(st, k, NULL);
			v[3] = level_zh(v[3]);
			v[4] = type_zh(v[4]);
			if (v[10][0] && strcmp(v[10], d) > 0)
				v[10] = ""; /* closed only after the date asked */
			rc = doc_writer_row(w, v, nh);
			if (rc)
				break;
			(*rows)++;
		}
		rc = rc < 0 ? rc : 0;
	}
	stmt_done(st);
	store_release(c);
	return rc;
}
