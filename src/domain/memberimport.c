/*
 * memberimport.c - the member register from spreadsheets (see memberimport.h).
 *
 * The job in three steps:
 *   1. read: the file (the worksheet asked for), its header mapped through the shared column
 *      table (core/importcols.h; an unknown header refuses the file unless told to ignore
 *      it), one item per row: cells cleaned, numeric XLSX date cells read as serials.
 *   2. check, in memory: each row through member_import_key (the register's normaliser,
 *      the required fields) and the membership's own fields; rows naming the same person
 *      as an earlier row (the key) refused naming it.
 *   3. write: batches of rows, each one job step (one transaction): per row a savepoint,
 *      member_upsert_conn (create, update where a value changed, or leave alone) and, with
 *      a category, membership_ensure_conn. The checkpoint (next row, counts so far) commits
 *      with the batch. All-or-nothing: one step for the whole file. Dry run: each batch in a
 *      transaction that is rolled back.
 * A resumed job repeats 1 and 2 (the file must hash the same) and writes from the
 * checkpoint on.
 */
#include "domain/memberimport.h"
#include "domain/member.h"
#include "core/audit.h"
#include "core/codelist.h"
#include "core/personfield.h"
#include "core/rbac.h"
#include "doc/writer.h"
#include "store/store.h"
#include "base/arena.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/utf8.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum mcol {
	M_NAME,
	M_GENDER,
	M_IDTYPE,
	M_ID,
	M_MOBILE,
	M_BIRTH,
	M_ETHNICITY,
	M_POLITICAL,
	M_PARTY_JOINED,
	M_PARTY_FULL,
	M_EDUCATION,
	M_DEGREE,
	M_TITLE,
	M_TITLE_LEVEL,
	M_DISCIPLINE,
	M_WORK_UNIT,
	M_POSITION,
	M_EMAIL,
	M_LANDLINE,
	M_TAGS,
	M_CATEGORY,
	M_NUMBER,
	M_JOINED,
	M_N
};

/* The field names are the register's (member.h, the API's), so a field error of the
 * normaliser names its column; the Chinese header is what the export writes. */
static const struct import_colspec columns[M_N] = {
	[M_NAME] = {"name", "姓名", "name|姓名|名字"},
	[M_GENDER] = {"gender", "性别", "gender|sex|性别"},
	[M_IDTYPE] = {"id_type", "证件类型", "id_type|id type|证件类型|证件种类"},
	[M_ID] = {"id_number", "身份证号",
		  "id_number|id number|id|身份证号|身份证号码|身份证|公民身份号码|证件号码|证件号"},
	[M_MOBILE] = {"mobile", "手机号码", "mobile|phone|手机|手机号|手机号码|联系电话|移动电话"},
	[M_BIRTH] = {"birth_date", "出生日期", "birth_date|birth date|出生日期|出生年月日|生日"},
	[M_ETHNICITY] = {"ethnicity", "民族", "ethnicity|民族"},
	[M_POLITICAL] = {"political_status", "政治面貌", "political_status|political status|政治面貌"},
	[M_PARTY_JOINED] = {"party_joined_on", "入党时间", "party_joined_on|入党时间|入党日期"},
	[M_PARTY_FULL] = {"party_full_on", "转正时间", "party_full_on|转正时间|转正日期"},
	[M_EDUCATION] = {"education", "学历", "education|学历|最高学历"},
	[M_DEGREE] = {"degree", "学位", "degree|学位|最高学位"},
	[M_TITLE] = {"title", "职称", "title|职称|专业技术职称"},
	[M_TITLE_LEVEL] = {"title_level", "职称级别", "title_level|title level|职称级别|职称等级"},
	[M_DISCIPLINE] = {"discipline", "学科", "discipline|学科|学科分类|一级学科"},
	[M_WORK_UNIT] = {"work_unit", "工作单位", "work_unit|work unit|工作单位|单位|单位名称"},
	[M_POSITION] = {"position", "职务", "position|职务"},
	[M_EMAIL] = {"email", "电子邮箱", "email|e-mail|电子邮箱|电子邮件|邮箱"},
	[M_LANDLINE] = {"landline", "固定电话", "landline|固定电话|办公电话|座机"},
	[M_TAGS] = {"tags", "标签", "tags|标签"},
	[M_CATEGORY] = {"category", "会员类别", "category|会员类别|会员类型|会员级别"},
	[M_NUMBER] = {"number", "会员编号", "number|member_number|会员编号|会员号"},
	[M_JOINED] = {"joined_on", "入会时间", "joined_on|入会时间|入会日期"},
};

static bool is_date_col(int c)
{
	return c == M_BIRTH || c == M_PARTY_JOINED || c == M_PARTY_FULL || c == M_JOINED;
}

/* ---- options ---- */

void member_import_params(const struct member_import_opts *o, char *out, size_t cap)
{
	snprintf(out, cap, "org=%" PRId64 " mode=%s unknown=%s sheet=%.300s", o->org_id,
		 o->all_or_nothing ? "all" : "valid", o->ignore_unknown ? "ignore" : "refuse",
		 o->sheet ? o->sheet : "");
}

int member_import_parse(const char *params, struct member_import_opts *o, char *sheet, size_t cap)
{
	memset(o, 0, sizeof(*o));
	char mode[8] = "", unknown[8] = "";
	long long org = 0;
	const char *sh = strstr(params, " sheet=");
	if (sscanf(params, "org=%lld mode=%7s unknown=%7s", &org, mode, unknown) != 3 || !sh || org <= 0)
		return ERR_INVALID;
	o->org_id = (int64_t)org;
	o->all_or_nothing = !strcmp(mode, "all");
	o->ignore_unknown = !strcmp(unknown, "ignore");
	str_copy(sheet, cap, sh + 7);
	o->sheet = sheet[0] ? sheet : NULL;
	return 0;
}

void member_import_columns(struct sheet *s, struct import_column *out, int max, int *n)
{
	import_columns(s, columns, M_N, out, max, n);
}

const char *member_import_encoding(const struct sheet *s)
{
	if (s->encoding && !strcmp(s->encoding, "gb18030"))
		return s->beyond_gbk ? "gb18030" : "gbk";
	return "utf-8";
}

/* ---- the state of one import ---- */

struct ierr {
	struct ierr *next;
	const char *col, *code, *message;
};

enum outcome { O_NONE, O_INSERTED, O_UPDATED, O_UNCHANGED, O_REJECTED, O_N };

struct item {
	long row;
	const char *v[M_N]; /* cleaned cells; NULL: blank or no such column */
	const char *key;    /* the person's key in the file (member_import_key) */
	const char *tags[PERSON_TAGS_MAX];
	int ntags;
	bool bad;           /* refused by the checks (errs) */
	struct ierr *errs;  /* the checks' refusals */
	struct ierr *werrs; /* the database's refusals of this row (all-or-nothing: kept) */
	uint8_t outcome;    /* of the write in flight */
};

struct imp {
	struct job *job;
	struct app *app;
	struct member_import_opts o;
	char sheet_name[320];
	struct sheet sheet;
	int map[M_N];
	const char *header[M_N];
	struct item *items;
	long nitems;
	struct arena arena;
	struct caller *caller; /* the owner's grants (HTTP jobs); NULL: the command line */
	long counts[O_N];
	long done;
	struct errlist *errs; /* scratch, one row at a time */
};

static const char *col_name(const struct imp *m, const char *field)
{
	for (int c = 0; c < M_N; c++)
		if (!strcmp(columns[c].field, field))
			return m->header[c] ? m->header[c] : columns[c].field;
	return field;
}

static const char *dup_str(struct imp *m, const char *s)
{
	return s ? arena_strndup(&m->arena, s, strlen(s)) : "";
}

static void add_err(struct imp *m, struct ierr **list, const char *col, const char *code, const char *message)
{
	struct ierr *e = arena_alloc(&m->arena, sizeof(*e));
	if (!e)
		return;
	e->next = NULL;
	e->col = dup_str(m, col);
	e->code = dup_str(m, code);
	e->message = dup_str(m, message);
	struct ierr **at = list;
	while (*at)
		at = &(*at)->next;
	*at = e;
}

/* The field errors of errs onto list, named by the file's headers. */
static void add_errs(struct imp *m, struct ierr **list, const struct errlist *errs)
{
	for (int i = 0; i < errs->n; i++)
		add_err(m, list, col_name(m, errs->e[i].field), errs->e[i].code, errs->e[i].message);
}

static void note(struct imp *m, const struct item *it, const struct ierr *e)
{
	for (; e; e = e->next)
		job_error(m->job, it->row, e->col, e->code, e->message);
}

/* ---- 1. read ---- */

/* Maps the header; false when the file is refused (errors noted on a first run only). */
static bool map_header(struct imp *m, const struct sheet_row *h, bool first)
{
	bool ok = true;
	char known[1200];
	import_known(columns, M_N, known, sizeof(known));
	for (int c = 0; c < M_N; c++)
		m->map[c] = -1;
	for (int k = 0; k < h->ncells; k++) {
		import_clean(h->cells[k], false);
		const char *name = h->cells[k];
		if (!*name)
			continue;
		int c = import_header_col(columns, M_N, name);
		if (c < 0) {
			char msg[1400];
			snprintf(msg, sizeof(msg), "not a known column%s; the known ones: %s",
				 m->o.ignore_unknown ? " (ignored)" : "", known);
			if (first)
				job_error(m->job, h->number, name,
					  m->o.ignore_unknown ? "column_ignored" : "unknown_column", msg);
			ok = ok && m->o.ignore_unknown;
		} else if (m->map[c] >= 0) {
			if (first)
				job_error(m->job, h->number, name, "duplicate_column",
					  "this column appears twice");
			ok = false;
		} else {
			m->map[c] = k;
			m->header[c] = name;
		}
	}
	if (m->map[M_NAME] < 0) {
		if (first)
			job_error(m->job, h->number, "name", "missing_column",
				  "the 姓名 (name) column is required");
		ok = false;
	}
	if (m->map[M_ID] < 0 && m->map[M_MOBILE] < 0) {
		if (first)
			job_error(m->job, h->number, "id_number", "missing_column",
				  "a 身份证号 (id_number) or a 手机号码 (mobile) column is required");
		ok = false;
	}
	return ok;
}

/* Splits a tags cell at , ， 、 ; and spaces into it->tags (arena copies). */
static void split_tags(struct imp *m, struct item *it, const char *cell)
{
	char *s = arena_strndup(&m->arena, cell, strlen(cell));
	if (!s)
		return;
	char *p = s;
	while (*p && it->ntags < PERSON_TAGS_MAX + 1) {
		size_t skip = 0;
		if (*p == ',' || *p == ';' || *p == ' ')
			skip = 1;
		else if (!strncmp(p, "\xEF\xBC\x8C", 3) || !strncmp(p, "\xE3\x80\x81", 3))
			skip = 3; /* ， 、 */
		if (skip) {
			*p = '\0';
			p += skip;
			continue;
		}
		char *start = p;
		while (*p && *p != ',' && *p != ';' && *p != ' ' && strncmp(p, "\xEF\xBC\x8C", 3) &&
		       strncmp(p, "\xE3\x80\x81", 3))
			p++;
		char end = *p;
		*p = '\0';
		if (it->ntags < PERSON_TAGS_MAX)
			it->tags[it->ntags] = arena_strndup(&m->arena, start, strlen(start));
		it->ntags++;
		*p = end;
	}
	if (it->ntags > PERSON_TAGS_MAX)
		it->ntags = PERSON_TAGS_MAX + 1; /* member_import_key refuses too many */
}

static void prepare(struct imp *m, const struct sheet_row *r, struct item *it)
{
	it->row = r->number;
	for (int c = 0; c < M_N; c++) {
		int k = m->map[c];
		char *v = k >= 0 && k < r->ncells ? r->cells[k] : NULL;
		if (v)
			import_clean(v, false);
		it->v[c] = v && *v ? v : NULL;
		if (it->v[c] && is_date_col(c) && (r->numeric >> k & 1u)) {
			/* a date cell of a spreadsheet holds its serial day */
			char d[16];
			struct errlist scratch;
			errlist_init(&scratch);
			if (!person_date_normalize(v, strlen(v), PDATE_NUMERIC_CELL, d, sizeof(d),
						   columns[c].field, &scratch))
				it->v[c] = arena_strndup(&m->arena, d, strlen(d));
		}
	}
	if (it->v[M_TAGS])
		split_tags(m, it, it->v[M_TAGS]);
}

/* The row as the register's input. */
static void input_of(const struct imp *m, const struct item *it, struct person_input *in)
{
	memset(in, 0, sizeof(*in));
	in->org_id = m->o.org_id;
	in->name = it->v[M_NAME];
	in->gender = it->v[M_GENDER];
	in->ethnicity = it->v[M_ETHNICITY];
	in->birth_date = it->v[M_BIRTH];
	in->id_type = it->v[M_IDTYPE];
	in->id_number = it->v[M_ID];
	in->mobile = it->v[M_MOBILE];
	in->landline = it->v[M_LANDLINE];
	in->email = it->v[M_EMAIL];
	in->political_status = it->v[M_POLITICAL];
	in->party_joined_on = it->v[M_PARTY_JOINED];
	in->party_full_on = it->v[M_PARTY_FULL];
	in->education = it->v[M_EDUCATION];
	in->degree = it->v[M_DEGREE];
	in->title = it->v[M_TITLE];
	in->title_level = it->v[M_TITLE_LEVEL];
	in->discipline = it->v[M_DISCIPLINE];
	in->work_unit = it->v[M_WORK_UNIT];
	in->position = it->v[M_POSITION];
	if (it->v[M_TAGS]) {
		in->tags = it->tags;
		in->ntags = it->ntags;
	}
}

/* ---- 2. check ---- */

static void check_item(struct imp *m, const struct sheet_row *r, struct item *it)
{
	struct errlist *errs = m->errs;
	errlist_init(errs);
	if (r->bad_encoding) {
		it->bad = true;
		add_err(m, &it->errs, "", "encoding",
			"a cell cannot be read in UTF-8 or GB18030: save the file as UTF-8 CSV or XLSX");
		return;
	}
	if (r->too_long) {
		it->bad = true;
		add_err(m, &it->errs, "", "too_long", "a cell or the row is longer than allowed");
		return;
	}
	struct person_input in;
	input_of(m, it, &in);
	char key[300];
	int rc = member_import_key(m->app, &in, errs, key, sizeof(key));
	if (rc && rc != ERR_UNPROCESSABLE) {
		add_err(m, &it->errs, "", "internal", "the row could not be checked");
		it->bad = true;
		return;
	}
	/* the membership's own fields */
	if (it->v[M_CATEGORY] && !codeset_match(&codelist_member_category, it->v[M_CATEGORY]))
		codelist_refuse(errs, "category", &codelist_member_category);
	if (!it->v[M_CATEGORY] && (it->v[M_NUMBER] || it->v[M_JOINED]))
		errlist_add(errs, "category", "required",
			    "a member number or joining date needs the member category (会员类别)");
	if (it->v[M_JOINED]) {
		char d[16];
		person_date_normalize(it->v[M_JOINED], strlen(it->v[M_JOINED]), 0, d, sizeof(d), "joined_on",
				      errs);
	}
	if (it->v[M_NUMBER] && strlen(it->v[M_NUMBER]) > 64)
		errlist_add(errs, "number", "too_long", "at most 64 characters");
	if (errs->n) {
		it->bad = true;
		add_errs(m, &it->errs, errs);
		return;
	}
	it->key = arena_strndup(&m->arena, key, strlen(key));
}

struct keyed {
	const char *key;
	long i;
};

static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* A later row naming the person of an earlier one is refused naming it. */
static int refuse_repeats(struct imp *m)
{
	struct keyed *k = malloc((size_t)(m->nitems ? m->nitems : 1) * sizeof(*k));
	if (!k)
		return ERR_NOMEM;
	long n = 0;
	for (long i = 0; i < m->nitems; i++)
		if (!m->items[i].bad && m->items[i].key && m->items[i].key[0])
			k[n++] = (struct keyed){m->items[i].key, i};
	qsort(k, (size_t)n, sizeof(*k), keyed_cmp);
	for (long i = 1; i < n; i++) {
		long first = i - 1;
		while (i < n && !strcmp(k[i].key, k[first].key)) {
			struct item *it = &m->items[k[i].i];
			char msg[96];
			snprintf(msg, sizeof(msg), "the same person is on row %ld", m->items[k[first].i].row);
			it->bad = true;
			add_err(m, &it->errs, col_name(m, k[i].key[0] == 'i' ? "id_number" : "mobile"),
				"duplicate_row", msg);
			i++;
		}
	}
	free(k);
	return 0;
}

/* ---- 3. write ---- */

struct batch {
	struct imp *m;
	long from, to;
	bool final, dry;
	long counts[O_N];
	long bad; /* all-or-nothing: rows the database refused */
	char result[512], checkpoint[128];
	struct job_progress progress;
};

/* One row in its savepoint: 0 with it->outcome, or the database's failure. */
static int write_row(struct conn *c, struct batch *b, struct item *it)
{
	struct imp *m = b->m;
	const struct audit_entry *who = job_actor(m->job);
	struct errlist *errs = m->errs;
	errlist_init(errs);
	int rc = conn_exec(c, "SAVEPOINT member_row");
	if (rc)
		return rc;
	struct person_input in;
	input_of(m, it, &in);
	int64_t pid = 0;
	enum member_upsert o = MU_UNCHANGED;
	rc = member_upsert_conn(c, m->app, who, m->caller, &in, errs, &pid, &o);
	if (!rc && it->v[M_CATEGORY]) {
		struct membership_input mi = {.org_id = m->o.org_id,
					      .person_id = pid,
					      .category = it->v[M_CATEGORY],
					      .number = it->v[M_NUMBER],
					      .joined_on = it->v[M_JOINED]};
		bool created = false;
		rc = membership_ensure_conn(c, who, &mi, errs, &created);
		if (!rc && created && o == MU_UNCHANGED)
			o = MU_UPDATED; /* the person was there; the membership is new */
	}
	if (rc == ERR_UNPROCESSABLE || rc == ERR_CONFLICT) {
		if (!errs->n)
			errlist_add(errs, "", "rejected", "the row was not accepted");
		rc = conn_exec(c, "ROLLBACK TO SAVEPOINT member_row");
		if (!rc)
			rc = conn_exec(c, "RELEASE SAVEPOINT member_row");
		if (rc)
			return rc;
		add_errs(m, &it->werrs, errs);
		it->outcome = O_REJECTED;
		return 0;
	}
	if (rc)
		return rc;
	it->outcome = o == MU_INSERTED ? O_INSERTED : o == MU_UPDATED ? O_UPDATED : O_UNCHANGED;
	return conn_exec(c, "RELEASE SAVEPOINT member_row");
}

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
	audit_diff_str(&d, "encoding", member_import_encoding(&m->sheet));
	str_copy(result, rcap, audit_diff_text(&d));
	if (checkpoint)
		snprintf(checkpoint, ccap, "k=%ld i=%ld u=%ld n=%ld r=%ld", done, counts[O_INSERTED],
			 counts[O_UPDATED], counts[O_UNCHANGED], counts[O_REJECTED]);
}

/* The person.import record: what the whole file did. */
static int audit_summary(struct conn *c, struct imp *m, const long *counts)
{
	char detail[512], org[24];
	describe(m, counts, 0, detail, sizeof(detail), NULL, 0);
	snprintf(org, sizeof(org), "%" PRId64, m->o.org_id);
	struct audit_entry e = *job_actor(m->job);
	e.action = "person.import";
	e.object_type = "org";
	e.object_id = org;
	e.org_id = m->o.org_id;
	e.detail = detail;
	return audit_append(c, &e);
}

static void write_rejected(struct imp *m);

/* One batch in one transaction (run again from the start on a retry). */
static int batch_tx(struct conn *c, void *arg)
{
	struct batch *b = arg;
	struct imp *m = b->m;
	memcpy(b->counts, m->counts, sizeof(b->counts));
	b->bad = 0;
	int rc = 0;
	for (long i = b->from; !rc && i < b->to; i++) {
		struct item *it = &m->items[i];
		it->werrs = NULL;
		if (it->bad) {
			b->counts[O_REJECTED]++;
			continue;
		}
		rc = write_row(c, b, it);
		if (rc)
			break;
		if (it->outcome == O_REJECTED) {
			if (m->o.all_or_nothing)
				b->bad++;
			else
				note(m, it, it->werrs); /* inside the step: kept with it */
		}
		b->counts[it->outcome]++;
	}
	if (!rc && b->bad)
		return ERR_UNPROCESSABLE; /* all-or-nothing: nothing of the file is kept */
	if (!rc && b->final && !b->dry)
		rc = audit_summary(c, m, b->counts);
	if (!rc && b->final && !b->dry)
		write_rejected(m); /* before the step that ends the job commits: see write_rejected */
	if (rc)
		return rc;
	describe(m, b->counts, b->to, b->result, sizeof(b->result), b->checkpoint, sizeof(b->checkpoint));
	return b->dry ? JOB_CANCELLED : 0; /* a dry run: rolled back (a positive code: not a failure) */
}

/* The job's last record when nothing more is written: the result and the errors noted (and
 * the error file first). */
static int finish(struct imp *m, const long *counts)
{
	write_rejected(m);
	char result[512];
	describe(m, counts, m->nitems, result, sizeof(result), NULL, 0);
	struct job_progress p = {.rows_total = m->nitems,
				 .rows_done = m->nitems,
				 .checkpoint = "",
				 .result = result,
				 .final = true};
	return job_step(m->job, NULL, NULL, &p);
}

static void note_checked(struct imp *m, long from, long to)
{
	for (long i = from; i < to; i++)
		if (m->items[i].bad)
			note(m, &m->items[i], m->items[i].errs);
}

/* The error file (core/importcols.h) of an HTTP job (the command line has its own file and
 * the report): every refused row as it was, and why, in Chinese (the code's label; the
 * message when the code has none). Written just before the step that ends the job commits
 * (in the final batch's transaction, or before finish()'s record), never after: a client that
 * sees the job succeeded finds its file. A failure to write it is logged, the import stands. */
static void write_rejected(struct imp *m)
{
	if (strcmp(job_info(m->job)->origin, "http"))
		return;
	long n = 0;
	for (long i = 0; i < m->nitems; i++)
		n += m->items[i].bad || m->items[i].werrs;
	if (!n)
		return;
	const struct sheet_row **rows = calloc((size_t)n, sizeof(*rows));
	const char **why = calloc((size_t)n, sizeof(*why));
	long k = 0;
	for (long i = 0; rows && why && i < m->nitems; i++) {
		struct item *it = &m->items[i];
		if (!it->bad && !it->werrs)
			continue;
		char text[1024];
		size_t len = 0;
		text[0] = '\0';
		for (int pass = 0; pass < 2; pass++)
			for (const struct ierr *e = pass ? it->werrs : it->errs; e; e = e->next)
				len = import_why_add(text, sizeof(text), len, e->col, e->code, e->message);
		rows[k] = &m->sheet.rows[i + 1];
		why[k++] = arena_strndup(&m->arena, text, len);
	}
	int rc = rows && why ? import_rejected_write(m->app, job_info(m->job)->id, &m->sheet.rows[0], rows,
						     why, k)
			     : ERR_NOMEM;
	if (rc)
		log_warn("member import: job %" PRId64 ": the error file was not written (%s)",
			 job_info(m->job)->id, err_name(rc));
	free(rows);
	free(why);
}

/* All-or-nothing: the whole file in one step, or nothing of it. */
static int write_all(struct imp *m)
{
	long counts[O_N] = {0};
	long bad = 0;
	for (long i = 0; i < m->nitems; i++)
		bad += m->items[i].bad;
	if (bad) { /* the checks refused rows: nothing is written */
		note_checked(m, 0, m->nitems);
		counts[O_REJECTED] = bad;
		return finish(m, counts);
	}
	struct batch b = {.m = m,
			  .from = 0,
			  .to = m->nitems,
			  .final = true,
			  .dry = m->o.all_or_nothing && job_info(m->job)->dry_run};
	b.progress = (struct job_progress){.rows_total = m->nitems,
					   .rows_done = m->nitems,
					   .checkpoint = b.checkpoint,
					   .result = b.result,
					   .final = true};
	int rc = b.dry ? store_tx_within(m->app->store, JOB_STEP_WAIT_MS, batch_tx, &b)
		       : job_step(m->job, batch_tx, &b, &b.progress);
	if (rc == JOB_CANCELLED && b.dry)
		return finish(m, b.counts);
	if (rc != ERR_UNPROCESSABLE)
		return rc;
	/* the database refused rows: the step rolled back; say which */
	for (long i = 0; i < m->nitems; i++)
		if (m->items[i].werrs) {
			note(m, &m->items[i], m->items[i].werrs);
			counts[O_REJECTED]++;
		}
	return finish(m, counts);
}

static int write_batches(struct imp *m, int max)
{
	bool dry = job_info(m->job)->dry_run;
	int rows = max < IMPORT_STEP_MIN ? max : IMPORT_STEP_MIN;
	struct batch b = {.m = m, .dry = dry};
	long from = m->done;
	int rc = 0;
	while (!rc && (from < m->nitems || (from == 0 && m->nitems == 0))) {
		if (job_stopping(m->job))
			return JOB_STOPPED;
		b.from = from;
		b.to = from + rows < m->nitems ? from + rows : m->nitems;
		b.final = b.to == m->nitems;
		b.progress = (struct job_progress){.rows_total = m->nitems,
						   .rows_done = b.to,
						   .checkpoint = b.checkpoint,
						   .result = b.result,
						   .final = b.final && !dry};
		note_checked(m, b.from, b.to);
		uint64_t t0 = time_mono_ns();
		if (dry) {
			rc = store_tx_within(m->app->store, JOB_STEP_WAIT_MS, batch_tx, &b);
			rc = rc == JOB_CANCELLED ? 0 : rc;
		} else {
			rc = job_step(m->job, batch_tx, &b, &b.progress);
		}
		if (rc)
			break;
		rows = import_next_batch(rows, max, (time_mono_ns() - t0) / 1000000u);
		memcpy(m->counts, b.counts, sizeof(m->counts));
		m->done = b.to;
		from = b.to;
		if (m->nitems == 0)
			break;
	}
	if (!rc && dry)
		rc = finish(m, m->counts);
	return rc;
}

/* ---- the job ---- */

static int import_run(struct job *j)
{
	const struct job_info *ji = job_info(j);
	struct imp *m = calloc(1, sizeof(*m));
	struct errlist *errs = malloc(sizeof(*errs));
	if (!m || !errs) {
		free(m);
		free(errs);
		return ERR_NOMEM;
	}
	m->job = j;
	m->app = job_app(j);
	m->errs = errs;
	char why[256] = "";
	int rc = member_import_parse(ji->params, &m->o, m->sheet_name, sizeof(m->sheet_name));
	if (rc)
		job_set_message(j, "the import's options cannot be read");
	if (!rc && ji->attempts > 1 && ji->input_hash[0]) {
		char h[65];
		if (job_file_hash(ji->input_path, h) || strcmp(h, ji->input_hash)) {
			job_set_message(
				j,
				"the file changed or is gone since the import started: it cannot be resumed");
			rc = ERR_CONFLICT;
		}
	}
	if (!rc && (rc = sheet_read_named(ji->input_path, m->o.sheet, &m->sheet, why, sizeof(why)))) {
		job_error(j, 1, "", "unreadable", why);
		job_set_message(j, "%s", why);
	}
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
		job_set_message(j, "the file was refused: its columns are not right (see the errors)");
		rc = ERR_UNPROCESSABLE;
	}
	if (!rc && ji->owner_id)
		rc = import_job_caller(j, &m->caller);
	if (!rc) {
		m->nitems = m->sheet.nrows - 1;
		m->items = calloc((size_t)(m->nitems ? m->nitems : 1), sizeof(*m->items));
		if (!m->items)
			rc = ERR_NOMEM;
	}
	for (long i = 0; !rc && i < m->nitems; i++) {
		prepare(m, &m->sheet.rows[i + 1], &m->items[i]);
		check_item(m, &m->sheet.rows[i + 1], &m->items[i]);
	}
	if (!rc)
		rc = refuse_repeats(m);
	if (!rc && resumed && done > 0 && done <= m->nitems && !m->o.all_or_nothing) {
		memcpy(m->counts, ck, sizeof(ck));
		m->done = done;
		log_info("member import: job %" PRId64 " resumes at row %ld of %ld", ji->id, done, m->nitems);
	}
	if (!rc && m->o.all_or_nothing)
		rc = write_all(m);
	else if (!rc)
		rc = write_batches(m, job_batch_rows(j) > 0 ? job_batch_rows(j) : MEMBER_IMPORT_BATCH);
	sheet_free(&m->sheet);
	free(m->items);
	free(m->caller);
	arena_free(&m->arena);
	free(m);
	free(errs);
	return rc;
}

const struct job_kind member_import_kind = {
	.name = "member.import",
	.resumable = true,
	.run = import_run,
};

/* ---- export ---- */

/* The export's columns: the import's, in its Chinese headers, so an unmasked export imports
 * again with every row unchanged. Code lists as their Chinese labels. */
static const enum mcol export_cols[] = {M_NAME,      M_GENDER,    M_IDTYPE,    M_ID,           M_MOBILE,
					M_BIRTH,     M_ETHNICITY, M_POLITICAL, M_PARTY_JOINED, M_PARTY_FULL,
					M_EDUCATION, M_DEGREE,    M_TITLE,     M_TITLE_LEVEL,  M_DISCIPLINE,
					M_WORK_UNIT, M_POSITION,  M_EMAIL,     M_LANDLINE,     M_TAGS};
#define NEXPORT ((int)(sizeof(export_cols) / sizeof(export_cols[0])))

struct export_job {
	struct doc_writer *w;
	long rows;
};

static const char *zh(const struct codeset *list, const char *code)
{
	return code[0] ? codeset_label(list, code, true) : "";
}

static int export_row(const struct person *p, const char *id_number, const char *mobile, void *arg)
{
	struct export_job *x = arg;
	const char *v[NEXPORT] = {
		p->name,
		zh(&codelist_gender, p->gender),
		zh(&codelist_id_type, p->id_type),
		id_number ? id_number : p->id_masked,
		mobile ? mobile : p->mobile_masked,
		p->birth_date,
		zh(&codelist_ethnicity, p->ethnicity),
		zh(&codelist_political_status, p->political_status),
		p->party_joined_on,
		p->party_full_on,
		zh(&codelist_education, p->education),
		zh(&codelist_degree, p->degree),
		p->title,
		zh(&codelist_title_level, p->title_level),
		zh(&codelist_discipline, p->discipline),
		p->work_unit,
		p->position,
		p->email,
		p->landline,
		p->tags,
	};
	int rc = doc_writer_row(x->w, v, NEXPORT);
	if (!rc)
		x->rows++;
	return rc;
}

int member_export_write(struct app *a, const struct member_filter *f, bool unmasked, struct doc_writer *w,
			struct errlist *errs, long *rows)
{
	const char *head[NEXPORT];
	for (int i = 0; i < NEXPORT; i++)
		head[i] = columns[export_cols[i]].zh;
	struct export_job x = {.w = w};
	int rc = doc_writer_row(w, head, NEXPORT);
	if (!rc)
		rc = member_export(a, f, unmasked, export_row, &x, errs);
	*rows = x.rows;
	return rc;
}
