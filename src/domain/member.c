/*
 * member.c - people of the member register (see member.h): the fields and their one
 * normaliser, personal data sealed and masked, the scope rule, reads, writes and lists.
 * Memberships, numbers and dues are in membership.c.
 */
#include "domain/member.h"
#include "domain/member_int.h"
#include "core/codelist.h"
#include "core/nameindex.h"
#include "core/names.h"
#include "core/org.h"
#include "core/personfield.h"
#include "core/pii.h"
#include "core/rbac.h"
#include "store/store.h"
#include "base/num.h"
#include "base/timeutil.h"
#include "base/utf8.h"

#include <sodium.h>

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small shared helpers (member_int.h) ---- */

bool member_text_ok(const char *s)
{
	size_t n = strlen(s);
	if (!utf8_valid(s, n, NULL))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

int member_date(const char *text, const char *field, struct errlist *errs, char out[11])
{
	return person_date_normalize(text, strlen(text), 0, out, 11, field, errs);
}

/* ---- the fields ---- */

enum pkind {
	PK_NAME,     /* a personal name (names.h, NAME_PERSON) */
	PK_TEXT,     /* a short free text: work unit, position, title */
	PK_CODE,     /* a code of a list, given as code or label */
	PK_DATE,     /* a date as people write it */
	PK_LANDLINE, /* personfield.h */
	PK_EMAIL,
	PK_IDTYPE, /* the ID type: a code, defaulting to resident when a number is given */
	PK_ID,     /* the ID number: sealed, blind-indexed */
	PK_MOBILE, /* the mobile: sealed, blind-indexed */
};

/* One field of a person: its name in the API, the audit and errors; how it is read; where
 * it sits in person_input; its column. The order is the column order of PERSON_COLS. */
static const struct pfield {
	const char *name;
	enum pkind kind;
	const struct codeset *list;
	size_t in_off;
} pfields[] = {
#define IN(f) offsetof(struct person_input, f)
	{"name", PK_NAME, NULL, IN(name)},
	{"gender", PK_CODE, &codelist_gender, IN(gender)},
	{"ethnicity", PK_CODE, &codelist_ethnicity, IN(ethnicity)},
	{"birth_date", PK_DATE, NULL, IN(birth_date)},
	{"id_type", PK_IDTYPE, &codelist_id_type, IN(id_type)},
	{"id_number", PK_ID, NULL, IN(id_number)},
	{"mobile", PK_MOBILE, NULL, IN(mobile)},
	{"landline", PK_LANDLINE, NULL, IN(landline)},
	{"email", PK_EMAIL, NULL, IN(email)},
	{"political_status", PK_CODE, &codelist_political_status, IN(political_status)},
	{"party_joined_on", PK_DATE, NULL, IN(party_joined_on)},
	{"party_full_on", PK_DATE, NULL, IN(party_full_on)},
	{"education", PK_CODE, &codelist_education, IN(education)},
	{"degree", PK_CODE, &codelist_degree, IN(degree)},
	{"title", PK_TEXT, NULL, IN(title)},
	{"title_level", PK_CODE, &codelist_title_level, IN(title_level)},
	{"discipline", PK_CODE, &codelist_discipline, IN(discipline)},
	{"work_unit", PK_TEXT, NULL, IN(work_unit)},
	{"position", PK_TEXT, NULL, IN(position)},
	{"status", PK_CODE, &codelist_person_status, IN(status)},
	{"deceased_on", PK_DATE, NULL, IN(deceased_on)},
#undef IN
};
enum {
	F_NAME,
	F_GENDER,
	F_ETHNICITY,
	F_BIRTH,
	F_IDTYPE,
	F_ID,
	F_MOBILE,
	F_LANDLINE,
	F_EMAIL,
	F_POLITICAL,
	F_PARTY_JOINED,
	F_PARTY_FULL,
	F_EDUCATION,
	F_DEGREE,
	F_TITLE,
	F_TITLE_LEVEL,
	F_DISCIPLINE,
	F_WORK_UNIT,
	F_POSITION,
	F_STATUS,
	F_DECEASED,
	NFIELDS
};
_Static_assert(sizeof(pfields) / sizeof(pfields[0]) == NFIELDS, "one pfields row per F_ constant");

#define VAL_MAX (PERSON_TEXT_MAX * 4 + 1)

/* A person's stored values: plain text per field ("" = none; the ID number and mobile in
 * clear only while a write needs them, and wiped), the sealed values and blind indexes. */
struct prow {
	int64_t id, org_id, version;
	char val[NFIELDS][VAL_MAX];
	char id_enc[PII_SEALED_MAX], id_bidx[PII_BLIND_HEX];
	char mobile_enc[PII_SEALED_MAX], mobile_bidx[PII_BLIND_HEX];
	char tags[PERSON_TAGS_MAX][33];
	int ntags;
};

static void prow_wipe(struct prow *r)
{
	sodium_memzero(r->val[F_ID], sizeof(r->val[F_ID]));
	sodium_memzero(r->val[F_MOBILE], sizeof(r->val[F_MOBILE]));
}

static const char *in_value(const struct person_input *in, int f)
{
	return *(const char *const *)(const void *)((const char *)in + pfields[f].in_off);
}

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t')
			return false;
	return true;
}

/* Normalises the given field f of in into out (VAL_MAX). "" clears an optional field. */
static int norm_field(const struct person_input *in, int f, const char *today, char *out,
		      struct person_id *id, struct errlist *errs)
{
	const struct pfield *pf = &pfields[f];
	const char *s = in_value(in, f);
	size_t n = strlen(s);
	out[0] = '\0';
	if (pf->kind != PK_NAME && blank(s))
		return 0; /* cleared */
	switch (pf->kind) {
	case PK_NAME:
		return name_normalize(s, n, NAME_PERSON, 1, PERSON_NAME_MAX, out, VAL_MAX, pf->name, errs);
	case PK_TEXT: return name_normalize(s, n, 0, 0, PERSON_TEXT_MAX, out, VAL_MAX, pf->name, errs);
	case PK_CODE:
	case PK_IDTYPE: {
		const char *code = NULL;
		int rc = person_code(pf->list, s, n, true, &code, pf->name, errs);
		if (!rc && code)
			snprintf(out, VAL_MAX, "%s", code);
		return rc;
	}
	case PK_DATE: {
		int rc = person_date_normalize(s, n, 0, out, VAL_MAX, pf->name, errs);
		if (!rc && strcmp(out, today) > 0)
			return errlist_add(errs, pf->name, "future", "this date is after today");
		return rc;
	}
	case PK_LANDLINE: return person_landline_normalize(s, n, out, VAL_MAX, pf->name, errs);
	case PK_EMAIL: return person_email_normalize(s, n, out, VAL_MAX, pf->name, errs);
	case PK_MOBILE: return person_mobile_normalize(s, n, out, VAL_MAX, pf->name, errs);
	case PK_ID: {
		/* the type is normalised before the number (F_IDTYPE < F_ID); resident by default */
		const char *type = in->id_type && !blank(in->id_type) ? NULL : "resident";
		struct errlist scratch;
		errlist_init(&scratch);
		const char *code = type;
		if (!code && person_code(&codelist_id_type, in->id_type, strlen(in->id_type), false, &code,
					 "id_type", &scratch))
			return ERR_UNPROCESSABLE; /* id_type has its error already */
		int rc = person_id_normalize(code, s, n, today, id, pf->name, errs);
		if (!rc)
			snprintf(out, VAL_MAX, "%s", id->number);
		return rc;
	}
	}
	return ERR_INTERNAL;
}

/* The fields in gives, normalised into r->val (the others keep r's values). given[f] says
 * which were given. Cross-field rules run on the merged result. Returns 0 or
 * ERR_UNPROCESSABLE (errors in errs), or a code of the normaliser (ERR_NOMEM ...). */
static int merge_input(const struct person_input *in, struct prow *r, bool given[NFIELDS],
		       struct errlist *errs)
{
	char today[11];
	date_today(today, sizeof(today));
	struct person_id id;
	memset(&id, 0, sizeof(id));
	int bad = 0;
	for (int f = 0; f < NFIELDS; f++) {
		given[f] = in_value(in, f) != NULL;
		if (!given[f])
			continue;
		char *v = malloc(VAL_MAX);
		if (!v)
			return ERR_NOMEM;
		int rc = norm_field(in, f, today, v, &id, errs);
		if (rc == ERR_UNPROCESSABLE)
			bad = rc;
		else if (rc) {
			sodium_memzero(v, VAL_MAX);
			free(v);
			return rc;
		} else {
			memcpy(r->val[f], v, VAL_MAX);
		}
		sodium_memzero(v, VAL_MAX);
		free(v);
	}
	if (bad)
		return bad;
	if (given[F_ID] && r->val[F_ID][0] && !r->val[F_IDTYPE][0])
		snprintf(r->val[F_IDTYPE], VAL_MAX, "resident");
	if (given[F_ID] && r->val[F_ID][0]) {
		/* what the number says fills what was not given, and must agree with what was */
		bad = person_id_crosscheck(&id, given[F_GENDER] ? r->val[F_GENDER] : NULL,
					   given[F_BIRTH] ? r->val[F_BIRTH] : NULL, "id_number", "gender",
					   "birth_date", errs);
		if (!bad && id.gender[0] && !given[F_GENDER])
			snprintf(r->val[F_GENDER], VAL_MAX, "%s", id.gender);
		if (!bad && id.birth[0] && !given[F_BIRTH])
			snprintf(r->val[F_BIRTH], VAL_MAX, "%s", id.birth);
	}
	sodium_memzero(&id, sizeof(id));
	if (r->val[F_PARTY_JOINED][0] && r->val[F_PARTY_FULL][0] &&
	    strcmp(r->val[F_PARTY_FULL], r->val[F_PARTY_JOINED]) < 0)
		bad = errlist_add(errs, "party_full_on", "before_joined",
				  "full party membership cannot come before joining");
	if (r->val[F_BIRTH][0] && r->val[F_PARTY_JOINED][0] &&
	    strcmp(r->val[F_PARTY_JOINED], r->val[F_BIRTH]) < 0)
		bad = errlist_add(errs, "party_joined_on", "before_birth",
				  "this date is before the birth date");
	bool deceased = !strcmp(r->val[F_STATUS], "deceased"), dated = r->val[F_DECEASED][0] != '\0';
	if (deceased != dated && (given[F_STATUS] || given[F_DECEASED]))
		bad = errlist_add(errs, r->val[F_DECEASED][0] ? "status" : "deceased_on", "deceased_pair",
				  "a deceased person has the date of death, and only a deceased person");
	if (!r->val[F_STATUS][0])
		snprintf(r->val[F_STATUS], VAL_MAX, "active");
	if (in->tags) {
		if (in->ntags > PERSON_TAGS_MAX)
			bad = errlist_add(errs, "tags", "too_many", "at most 16 tags"),
			errlist_param_int(errs, "max", PERSON_TAGS_MAX);
		r->ntags = 0;
		for (int i = 0; i < in->ntags && i < PERSON_TAGS_MAX; i++) {
			bool dup = false;
			for (int k = 0; k < r->ntags; k++)
				dup |= !strcmp(r->tags[k], in->tags[i]);
			if (!dup && strlen(in->tags[i]) < sizeof(r->tags[0]))
				snprintf(r->tags[r->ntags++], sizeof(r->tags[0]), "%s", in->tags[i]);
		}
	}
	return bad;
}

/* ---- sort key: pinyin with the surname's reading ---- */

static uint32_t next_cp(const char **p)
{
	const unsigned char *s = (const unsigned char *)*p;
	int len = utf8_seqlen(s[0]);
	uint32_t cp = s[0];
	if (len == 2)
		cp = s[0] & 0x1Fu;
	else if (len == 3)
		cp = s[0] & 0x0Fu;
	else if (len == 4)
		cp = s[0] & 0x07u;
	for (int i = 1; i < len; i++)
		cp = (cp << 6) | (s[i] & 0x3Fu);
	*p += len > 0 ? len : 1;
	return cp;
}

/* "wang jian guo\x1f王建国": the pinyin (surname reading for the first character), then
 * the name itself, so equal readings sort by character and the key is unique per name. */
void member_sort_key(const char *name, char *out, size_t cap)
{
	size_t len = 0;
	bool first = true;
	for (const char *p = name; *p && len + 8 < cap;) {
		const char *start = p;
		uint32_t cp = next_cp(&p);
		const char *py = first ? nameindex_surname_pinyin(cp) : nameindex_pinyin(cp);
		first = false;
		int w;
		if (py)
			w = snprintf(out + len, cap - len, "%s%s", len ? " " : "", py);
		else if (cp < 0x80)
			w = snprintf(out + len, cap - len, "%c",
				     (cp >= 'A' && cp <= 'Z') ? (char)(cp + 32) : (char)cp);
		else
			w = snprintf(out + len, cap - len, "%.*s", (int)(p - start), start);
		if (w < 0 || (size_t)w >= cap - len)
			break;
		len += (size_t)w;
	}
	snprintf(out + len, cap - len, "\x1f%s", name);
}

/* ---- rows ---- */

/* The stored columns of a person in pfields order (the ID number and mobile sealed). */
#define FIELD_COLS                                                                                      \
	"p.name, p.gender, p.ethnicity, COALESCE(p.birth_date, ''), p.id_type, COALESCE(p.id_enc, '')," \
	" COALESCE(p.mobile_enc, ''), p.landline, p.email, p.political_status,"                         \
	" COALESCE(p.party_joined_on, ''), COALESCE(p.party_full_on, ''), p.education, p.degree,"       \
	" p.title, p.title_level, p.discipline, p.work_unit, p.position, p.status,"                     \
	" COALESCE(p.deceased_on, '')"
#define PERSON_COLS                                                                                        \
	"p.id, p.org_id, p.version, " FIELD_COLS ", COALESCE(p.id_bidx, ''), COALESCE(p.mobile_bidx, '')," \
	" p.created_at, p.updated_at, o.name"
#define PERSON_FROM " FROM person p JOIN org o ON o.id = p.org_id"
#define COL_F0      3 /* the first field's column */

/* What the name index holds for a person: the name and, after a space, the work unit, so
 * that q finds either through the index (list_plan); pinyin is decided on the name alone
 * (list_row). MEMBER_INDEX_SQL is the same text in SQL, for `kexie member reindex`. */
static void index_text(const struct prow *r, char *out, size_t cap)
{
	if (r->val[F_WORK_UNIT][0])
		snprintf(out, cap, "%s %s", r->val[F_NAME], r->val[F_WORK_UNIT]);
	else
		str_copy(out, cap, r->val[F_NAME]);
}

struct prow_meta {
	int64_t created_at, updated_at;
	char org_name[801];
};

static void prow_read(struct stmt *st, struct prow *r, struct prow_meta *m)
{
	memset(r, 0, sizeof(*r));
	r->id = stmt_int64(st, 0);
	r->org_id = stmt_int64(st, 1);
	r->version = stmt_int64(st, 2);
	for (int f = 0; f < NFIELDS; f++) {
		const char *v = stmt_text(st, COL_F0 + f, NULL);
		if (f == F_ID)
			str_copy(r->id_enc, sizeof(r->id_enc), v);
		else if (f == F_MOBILE)
			str_copy(r->mobile_enc, sizeof(r->mobile_enc), v);
		else
			str_copy(r->val[f], VAL_MAX, v);
	}
	str_copy(r->id_bidx, sizeof(r->id_bidx), stmt_text(st, COL_F0 + NFIELDS, NULL));
	str_copy(r->mobile_bidx, sizeof(r->mobile_bidx), stmt_text(st, COL_F0 + NFIELDS + 1, NULL));
	if (m) {
		m->created_at = stmt_int64(st, COL_F0 + NFIELDS + 2);
		m->updated_at = stmt_int64(st, COL_F0 + NFIELDS + 3);
		str_copy(m->org_name, sizeof(m->org_name), stmt_text(st, COL_F0 + NFIELDS + 4, NULL));
	}
}

/* Opens the sealed ID number and mobile of r into r->val (wipe with prow_wipe). */
static int prow_open(const struct app *a, const struct pii_ring *ring, struct prow *r)
{
	int rc = 0;
	if (r->id_enc[0])
		rc = pii_open(a, ring, PII_PERSON_ID_NUMBER, r->id_enc, strlen(r->id_enc), r->val[F_ID],
			      VAL_MAX, NULL);
	if (!rc && r->mobile_enc[0])
		rc = pii_open(a, ring, PII_PERSON_MOBILE, r->mobile_enc, strlen(r->mobile_enc),
			      r->val[F_MOBILE], VAL_MAX, NULL);
	return rc;
}

/* The answer's form of an opened row: masked, the clear values wiped from r. */
static void person_of(struct prow *r, const struct prow_meta *m, struct person *out)
{
	memset(out, 0, sizeof(*out));
	out->id = r->id;
	out->org_id = r->org_id;
	out->version = r->version;
	if (m) {
		out->created_at = m->created_at;
		out->updated_at = m->updated_at;
		str_copy(out->org_name, sizeof(out->org_name), m->org_name);
	}
#define PUT(dst, f) str_copy(out->dst, sizeof(out->dst), r->val[f])
	PUT(name, F_NAME);
	PUT(gender, F_GENDER);
	PUT(ethnicity, F_ETHNICITY);
	PUT(birth_date, F_BIRTH);
	PUT(id_type, F_IDTYPE);
	PUT(landline, F_LANDLINE);
	PUT(email, F_EMAIL);
	PUT(political_status, F_POLITICAL);
	PUT(party_joined_on, F_PARTY_JOINED);
	PUT(party_full_on, F_PARTY_FULL);
	PUT(education, F_EDUCATION);
	PUT(degree, F_DEGREE);
	PUT(title, F_TITLE);
	PUT(title_level, F_TITLE_LEVEL);
	PUT(discipline, F_DISCIPLINE);
	PUT(work_unit, F_WORK_UNIT);
	PUT(position, F_POSITION);
	PUT(status, F_STATUS);
	PUT(deceased_on, F_DECEASED);
#undef PUT
	if (r->val[F_ID][0])
		pii_mask_id(r->val[F_ID], strlen(r->val[F_ID]), out->id_masked, sizeof(out->id_masked));
	else if (r->id_enc[0])
		snprintf(out->id_masked, sizeof(out->id_masked), "******"); /* sealed but unreadable */
	if (r->val[F_MOBILE][0])
		pii_mask_mobile(r->val[F_MOBILE], strlen(r->val[F_MOBILE]), out->mobile_masked,
				sizeof(out->mobile_masked));
	else if (r->mobile_enc[0])
		snprintf(out->mobile_masked, sizeof(out->mobile_masked), "******");
	size_t len = 0;
	for (int i = 0; i < r->ntags; i++) {
		int w = snprintf(out->tags + len, sizeof(out->tags) - len, "%s%s", i ? "," : "", r->tags[i]);
		if (w < 0 || (size_t)w >= sizeof(out->tags) - len)
			break;
		len += (size_t)w;
	}
	prow_wipe(r);
}

static int tag_row(struct stmt *st, void *arg)
{
	struct prow *r = arg;
	if (r->ntags < PERSON_TAGS_MAX)
		str_copy(r->tags[r->ntags++], sizeof(r->tags[0]), stmt_text(st, 0, NULL));
	return 0;
}

struct prow_one {
	struct prow *r;
	struct prow_meta *m;
	int n;
};

static int prow_one_row(struct stmt *st, void *arg)
{
	struct prow_one *o = arg;
	prow_read(st, o->r, o->m);
	o->n++;
	return 1;
}

/* Loads person id (not anonymised) with its tags, sealed. */
static int prow_load(struct conn *c, int64_t id, struct prow *r, struct prow_meta *m)
{
	struct prow_one o = {r, m, 0};
	int rc = conn_each(c,
			   "SELECT " PERSON_COLS PERSON_FROM " WHERE p.id = $1 AND p.anonymized_at IS NULL",
			   prow_one_row, &o, "i", id);
	if (rc)
		return rc;
	if (!o.n)
		return ERR_NOTFOUND;
	r->ntags = 0;
	return conn_each(c, "SELECT tag FROM person_tag WHERE person_id = $1 ORDER BY tag", tag_row, r, "i",
			 id);
}

struct get_job {
	struct app *a;
	int64_t id;
	struct person *out;
};

static int get_read(struct conn *c, void *arg)
{
	struct get_job *j = arg;
	struct prow *r = malloc(sizeof(*r));
	if (!r)
		return ERR_NOMEM;
	struct prow_meta m;
	struct pii_ring ring;
	int rc = prow_load(c, j->id, r, &m);
	if (!rc)
		rc = pii_ring_read(c, &ring);
	if (!rc)
		rc = prow_open(j->a, &ring, r);
	if (!rc)
		person_of(r, &m, j->out);
	prow_wipe(r);
	free(r);
	return rc;
}

int member_get(struct app *a, int64_t id, struct person *out)
{
	struct get_job j = {a, id, out};
	return store_read(a->store, get_read, &j);
}

/* ---- the scope rule ---- */

struct check_job {
	const struct caller *c;
	const char *perm;
	int64_t id;
	const char **role;
	int result; /* the best answer so far: 0 beats ERR_FORBIDDEN beats ERR_NOTFOUND */
	int64_t orgs[32];
	int norgs;
};

static int check_org_row(struct stmt *st, void *arg)
{
	struct check_job *j = arg;
	if (j->norgs < (int)(sizeof(j->orgs) / sizeof(j->orgs[0])))
		j->orgs[j->norgs++] = stmt_int64(st, 0);
	return 0;
}

/* The orgs a person is seen through (keeper first), then the rule on each. */
static int check_conn(struct conn *c, struct check_job *j)
{
	j->norgs = 0;
	j->result = ERR_NOTFOUND;
	int rc = conn_each(c,
			   "SELECT org_id FROM person WHERE id = $1 AND anonymized_at IS NULL"
			   " UNION ALL SELECT m.org_id FROM membership m JOIN person p ON p.id = m.person_id"
			   " WHERE m.person_id = $1 AND p.anonymized_at IS NULL"
			   " AND m.status IN ('applied','active','lapsed')",
			   check_org_row, j, "i", j->id);
	if (rc)
		return rc;
	char today[11];
	date_today(today, sizeof(today));
	for (int i = 0; i < j->norgs && j->result; i++) {
		int64_t path[ORG_PATH_MAX];
		int n = 0;
		rc = org_path_conn(c, j->orgs[i], today, path, &n);
		if (rc)
			return rc;
		const char *role = NULL;
		int r = rbac_check_path(j->c, j->perm, path, n, &role);
		if (r == 0 || (r == ERR_FORBIDDEN && j->result == ERR_NOTFOUND)) {
			j->result = r;
			if (!r && j->role)
				*j->role = role;
		}
	}
	return j->result;
}

static int check_read(struct conn *c, void *arg)
{
	return check_conn(c, arg);
}

int member_check(struct app *a, const struct caller *c, const char *perm, int64_t id, const char **role)
{
	struct check_job j = {.c = c, .perm = perm, .id = id, .role = role};
	if (role)
		*role = "";
	return store_read(a->store, check_read, &j);
}

/* ---- writes ---- */

static int audit_person(struct conn *c, const struct audit_entry *who, const char *action, int64_t id,
			int64_t org_id, const char *detail)
{
	char oid[24];
	snprintf(oid, sizeof(oid), "%" PRId64, id);
	struct audit_entry e = *who;
	e.action = action;
	e.object_type = "person";
	e.object_id = oid;
	e.org_id = org_id;
	e.detail = detail;
	return audit_append(c, &e);
}

/* Seals r's clear ID number and mobile under the current version, with their indexes
 * (only those in `which`: a value not changed keeps its sealed text). */
static int prow_seal(struct conn *c, const struct app *a, struct prow *r, bool id, bool mobile)
{
	uint32_t version = 0;
	int rc = pii_current(c, &version);
	if (rc)
		return rc;
	r->id_enc[0] = r->id_bidx[0] = '\0';
	if (id && r->val[F_ID][0]) {
		size_t n = strlen(r->val[F_ID]);
		rc = pii_seal(a, version, PII_PERSON_ID_NUMBER, r->val[F_ID], n, r->id_enc,
			      sizeof(r->id_enc));
		if (!rc)
			rc = pii_blind(a, PII_PERSON_ID_NUMBER, r->val[F_ID], n, r->id_bidx);
		if (rc)
			return rc;
	}
	if (mobile) {
		r->mobile_enc[0] = r->mobile_bidx[0] = '\0';
		if (r->val[F_MOBILE][0]) {
			size_t n = strlen(r->val[F_MOBILE]);
			rc = pii_seal(a, version, PII_PERSON_MOBILE, r->val[F_MOBILE], n, r->mobile_enc,
				      sizeof(r->mobile_enc));
			if (!rc)
				rc = pii_blind(a, PII_PERSON_MOBILE, r->val[F_MOBILE], n, r->mobile_bidx);
		}
	}
	return rc;
}

/* Binds the 21 field columns of r from $base + 1 on (sealed ID and mobile), then the two
 * blind indexes and the sort key. */
static int prow_bind(struct stmt *st, int base, const struct prow *r, const char *sort_key)
{
	int rc = 0;
	for (int f = 0; f < NFIELDS && !rc; f++) {
		const char *v = f == F_ID ? r->id_enc : f == F_MOBILE ? r->mobile_enc : r->val[f];
		rc = stmt_bind_text(st, base + 1 + f, v, strlen(v));
	}
	if (!rc)
		rc = stmt_bind_text(st, base + NFIELDS + 1, r->id_bidx, strlen(r->id_bidx));
	if (!rc)
		rc = stmt_bind_text(st, base + NFIELDS + 2, r->mobile_bidx, strlen(r->mobile_bidx));
	if (!rc)
		rc = stmt_bind_text(st, base + NFIELDS + 3, sort_key, strlen(sort_key));
	return rc;
}

/* Is another person registered with r's ID number, or with r's name and mobile? *other
 * receives that person (0: none). */
static int find_duplicate(struct conn *c, const struct prow *r, int64_t self, int64_t *other,
			  const char **field)
{
	*other = 0;
	int rc = ERR_NOTFOUND;
	if (r->id_bidx[0]) {
		*field = "id_number";
		rc = conn_row(c, "SELECT id FROM person WHERE id_bidx = $1 AND id <> $2", "ti", "i",
			      r->id_bidx, self, other);
	}
	if (rc == ERR_NOTFOUND && r->mobile_bidx[0]) {
		*field = "mobile";
		rc = conn_row(c,
			      "SELECT id FROM person WHERE mobile_bidx = $1 AND name = $2 AND id <> $3"
			      " AND anonymized_at IS NULL",
			      "tti", "i", r->mobile_bidx, r->val[F_NAME], self, other);
	}
	return rc == ERR_NOTFOUND ? 0 : rc;
}

/* The refusal of a duplicate: the other person's id only for a caller who sees it. */
static int refuse_duplicate(struct conn *c, const struct caller *who, int64_t other, const char *field,
			    struct errlist *errs)
{
	errlist_add(errs, field, "person_exists",
		    !strcmp(field, "id_number") ? "a person with this ID number is registered already"
						: "a person with this name and mobile is registered already");
	if (who) {
		struct check_job j = {.c = who, .perm = "member.read", .id = other};
		if (check_conn(c, &j) == 0)
			errlist_param_int(errs, "id", other);
	}
	return ERR_CONFLICT;
}

static int tags_write(struct conn *c, const struct prow *r, bool replace, struct errlist *errs)
{
	int rc = replace ? conn_run(c, "DELETE FROM person_tag WHERE person_id = $1", "i", r->id) : 0;
	for (int i = 0; rc >= 0 && i < r->ntags; i++) {
		bool known = false;
		rc = conn_row(c, "SELECT 1 FROM person_tag_def WHERE code = $1", "t", "b", r->tags[i],
			      &known);
		if (rc == ERR_NOTFOUND)
			return errlist_add(errs, "tags", "not_allowed", "not a tag of the list"),
			       errlist_param_str(errs, "value", r->tags[i]);
		if (!rc)
			rc = conn_run(c, "INSERT INTO person_tag (person_id, tag) VALUES ($1, $2)", "it",
				      r->id, r->tags[i]);
	}
	return rc < 0 ? rc : 0;
}

/* The audit detail of a write: every field that changed (ID number and mobile only as
 * "changed"), and the tags. */
static void person_diff(const struct prow *old, const struct prow *nw, bool tags, struct audit_diff *d)
{
	audit_diff_init(d);
	for (int f = 0; f < NFIELDS; f++) {
		const char *o = old ? old->val[f] : "", *n = nw->val[f];
		if (f == F_ID || f == F_MOBILE) {
			const char *ob = old ? (f == F_ID ? old->id_bidx : old->mobile_bidx) : "";
			const char *nb = f == F_ID ? nw->id_bidx : nw->mobile_bidx;
			if (strcmp(ob, nb))
				audit_diff_secret(d, pfields[f].name);
			continue;
		}
		if (strcmp(o, n))
			audit_diff_change(d, pfields[f].name, *o ? o : NULL, *n ? n : NULL);
	}
	if (tags) {
		char list[PERSON_TAGS_MAX * 33] = "";
		size_t len = 0;
		for (int i = 0; i < nw->ntags; i++)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? "," : "",
						nw->tags[i]);
		audit_diff_str(d, "tags", list);
	}
}

struct create_job {
	struct app *a;
	const struct audit_entry *who;
	const struct caller *caller;
	struct prow *r;
	bool tags;
	struct errlist *errs;
};

/* Inserts the sealed row j->r (no duplicate: the caller looked) with its tags, name index
 * and person.create record; r->id receives the new id. */
static int person_insert(struct conn *c, struct create_job *j)
{
	struct prow *r = j->r;
	int rc = 0;
	char key[VAL_MAX * 2];
	member_sort_key(r->val[F_NAME], key, sizeof(key));
	struct stmt *st = NULL;
	rc = conn_prepare(
		c,
		"INSERT INTO person (name, gender, ethnicity, birth_date, id_type, id_enc, mobile_enc, landline,"
		" email, political_status, party_joined_on, party_full_on, education, degree, title,"
		" title_level, discipline, work_unit, position, status, deceased_on, id_bidx, mobile_bidx,"
		" name_py, org_id, created_at, updated_at) VALUES ($1, $2, $3, NULLIF($4, ''), $5,"
		" NULLIF($6, ''), NULLIF($7, ''), $8, $9, $10, NULLIF($11, ''), NULLIF($12, ''), $13, $14,"
		" $15, $16, $17, $18, $19, $20, NULLIF($21, ''), NULLIF($22, ''), NULLIF($23, ''), $24, $25,"
		" $26, $26) RETURNING id",
		&st);
	if (rc)
		return rc;
	rc = prow_bind(st, 0, r, key);
	if (!rc)
		rc = stmt_bind_int64(st, 25, r->org_id);
	if (!rc)
		rc = stmt_bind_int64(st, 26, time_unix());
	if (!rc)
		rc = stmt_step(st);
	if (rc == STORE_ROW) {
		r->id = stmt_int64(st, 0);
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = ERR_DB;
	}
	stmt_done(st);
	if (rc)
		return rc;
	rc = tags_write(c, r, false, j->errs);
	char itext[VAL_MAX * 2 + 2];
	index_text(r, itext, sizeof(itext));
	if (!rc)
		rc = nameindex_set(c, NX_MEMBER, r->id, itext, NULL);
	if (rc)
		return rc;
	struct audit_diff d;
	person_diff(NULL, r, r->ntags > 0, &d);
	return audit_person(c, j->who, "person.create", r->id, r->org_id, audit_diff_text(&d));
}

static int create_tx(struct conn *c, void *arg)
{
	struct create_job *j = arg;
	int rc = prow_seal(c, j->a, j->r, true, true);
	if (rc)
		return rc;
	int64_t other = 0;
	const char *field = NULL;
	rc = find_duplicate(c, j->r, 0, &other, &field);
	if (rc)
		return rc;
	if (other)
		return refuse_duplicate(c, j->caller, other, field, j->errs);
	return person_insert(c, j);
}

/* merge_input for a new person: a name and an ID number or a mobile are required. */
static int merge_new(const struct person_input *in, struct prow *r, bool given[NFIELDS], struct errlist *errs)
{
	int rc = merge_input(in, r, given, errs);
	if (!given[F_NAME] && !errlist_has(errs, "name"))
		rc = errlist_add(errs, "name", "required", "the name is required");
	if (!r->val[F_ID][0] && !r->val[F_MOBILE][0] && !errlist_has(errs, "id_number") &&
	    !errlist_has(errs, "mobile"))
		rc = errlist_add(errs, "id_number", "id_or_mobile", "give an ID number or a mobile");
	return rc;
}

int member_create(struct app *a, const struct audit_entry *who, const struct caller *c,
		  const struct person_input *in, struct errlist *errs, int64_t *id)
{
	struct prow *r = calloc(1, sizeof(*r));
	if (!r)
		return ERR_NOMEM;
	bool given[NFIELDS];
	int rc = merge_new(in, r, given, errs);
	if (in->org_id <= 0)
		rc = errlist_add(errs, "org_id", "required", "the organization that keeps the record");
	if (!rc) {
		r->org_id = in->org_id;
		struct create_job j = {a, who, c, r, in->tags != NULL, errs};
		rc = store_tx(a->store, create_tx, &j);
		if (rc == ERR_CONFLICT && !errs->n) /* a racing writer took the ID number */
			errlist_add(errs, "id_number", "person_exists",
				    "a person with this ID number is registered already");
		if (!rc)
			*id = r->id;
	}
	prow_wipe(r);
	free(r);
	return rc;
}

struct update_job {
	struct app *a;
	const struct audit_entry *who;
	int64_t id, version;
	const struct person_input *in;
	struct errlist *errs;
	struct prow *old, *nw;
	bool changed; /* a row was written */
};

/* A gender or birth date changed beside a stored ID number must still agree with it. */
static int crosscheck_stored(const struct update_job *j, const bool given[NFIELDS])
{
	const struct prow *nw = j->nw;
	if (given[F_ID] || !nw->val[F_ID][0] || (!given[F_GENDER] && !given[F_BIRTH]))
		return 0;
	struct person_id id;
	struct errlist scratch;
	errlist_init(&scratch);
	const char *type = nw->val[F_IDTYPE][0] ? nw->val[F_IDTYPE] : "resident";
	int rc = person_id_normalize(type, nw->val[F_ID], strlen(nw->val[F_ID]), NULL, &id, "id_number",
				     &scratch);
	if (!rc)
		rc = person_id_crosscheck(&id, given[F_GENDER] ? nw->val[F_GENDER] : NULL,
					  given[F_BIRTH] ? nw->val[F_BIRTH] : NULL, "id_number", "gender",
					  "birth_date", j->errs);
	else
		rc = 0; /* a number stored under older rules: nothing to compare with */
	sodium_memzero(&id, sizeof(id));
	return rc;
}

static int update_tx(struct conn *c, void *arg)
{
	struct update_job *j = arg;
	struct pii_ring ring;
	int rc = prow_load(c, j->id, j->old, NULL);
	if (!rc)
		rc = pii_ring_read(c, &ring);
	if (!rc)
		rc = prow_open(j->a, &ring, j->old);
	if (rc)
		return rc;
	if (j->version < 0) /* an import: the version just read */
		j->version = j->old->version;
	if (j->old->version != j->version)
		return ERR_PRECONDITION;
	*j->nw = *j->old;
	bool given[NFIELDS];
	rc = merge_input(j->in, j->nw, given, j->errs);
	if (!rc)
		rc = crosscheck_stored(j, given);
	if (rc)
		return rc;
	bool id_changed = strcmp(j->old->val[F_ID], j->nw->val[F_ID]) != 0;
	bool mobile_changed = strcmp(j->old->val[F_MOBILE], j->nw->val[F_MOBILE]) != 0;
	if (id_changed || mobile_changed) {
		char keep_enc[PII_SEALED_MAX], keep_bidx[PII_BLIND_HEX];
		snprintf(keep_enc, sizeof(keep_enc), "%s", j->old->id_enc);
		snprintf(keep_bidx, sizeof(keep_bidx), "%s", j->old->id_bidx);
		rc = prow_seal(c, j->a, j->nw, id_changed, mobile_changed);
		if (rc)
			return rc;
		if (!id_changed) { /* prow_seal clears the ID's columns it did not seal */
			snprintf(j->nw->id_enc, sizeof(j->nw->id_enc), "%s", keep_enc);
			snprintf(j->nw->id_bidx, sizeof(j->nw->id_bidx), "%s", keep_bidx);
		}
		int64_t other = 0;
		const char *field = NULL;
		rc = find_duplicate(c, j->nw, j->id, &other, &field);
		if (rc)
			return rc;
		if (other)
			return refuse_duplicate(c, NULL, other, field, j->errs);
	}
	struct audit_diff d;
	person_diff(j->old, j->nw, j->in->tags != NULL, &d);
	bool tags_changed = false;
	if (j->in->tags) {
		tags_changed = j->old->ntags != j->nw->ntags;
		for (int i = 0; !tags_changed && i < j->nw->ntags; i++)
			tags_changed = strcmp(j->old->tags[i], j->nw->tags[i]) != 0;
	}
	if (audit_diff_count(&d) == (j->in->tags ? 1 : 0) && !tags_changed)
		return 0; /* nothing changed: no write, no record */
	char key[VAL_MAX * 2];
	member_sort_key(j->nw->val[F_NAME], key, sizeof(key));
	struct stmt *st = NULL;
	rc = conn_prepare(
		c,
		"UPDATE person SET name = $1, gender = $2, ethnicity = $3, birth_date = NULLIF($4, ''),"
		" id_type = $5, id_enc = NULLIF($6, ''), mobile_enc = NULLIF($7, ''), landline = $8, email = $9,"
		" political_status = $10, party_joined_on = NULLIF($11, ''), party_full_on = NULLIF($12, ''),"
		" education = $13, degree = $14, title = $15, title_level = $16, discipline = $17,"
		" work_unit = $18, position = $19, status = $20, deceased_on = NULLIF($21, ''),"
		" id_bidx = NULLIF($22, ''), mobile_bidx = NULLIF($23, ''), name_py = $24, updated_at = $25,"
		" version = version + 1 WHERE id = $26 AND version = $27",
		&st);
	if (rc)
		return rc;
	rc = prow_bind(st, 0, j->nw, key);
	if (!rc)
		rc = stmt_bind_int64(st, 25, time_unix());
	if (!rc)
		rc = stmt_bind_int64(st, 26, j->id);
	if (!rc)
		rc = stmt_bind_int64(st, 27, j->version);
	if (!rc)
		rc = stmt_step(st);
	int64_t changed = rc == STORE_DONE ? stmt_changes(st) : 0;
	stmt_done(st);
	if (rc < 0)
		return rc;
	if (changed != 1)
		return ERR_PRECONDITION;
	if (tags_changed && (rc = tags_write(c, j->nw, true, j->errs)))
		return rc;
	char itext[VAL_MAX * 2 + 2];
	index_text(j->nw, itext, sizeof(itext));
	if ((rc = nameindex_set(c, NX_MEMBER, j->id, itext, NULL))) /* no write when unchanged */
		return rc;
	j->changed = true;
	return audit_person(c, j->who, "person.update", j->id, j->old->org_id, audit_diff_text(&d));
}

int member_update(struct app *a, const struct audit_entry *who, int64_t id, const struct person_input *in,
		  int64_t version, struct errlist *errs)
{
	struct prow *rows = calloc(2, sizeof(*rows));
	if (!rows)
		return ERR_NOMEM;
	struct update_job j = {a, who, id, version, in, errs, &rows[0], &rows[1], false};
	int rc = store_tx(a->store, update_tx, &j);
	prow_wipe(&rows[0]);
	prow_wipe(&rows[1]);
	free(rows);
	return rc;
}

/* ---- import (domain/memberimport.c) ---- */

int member_import_key(struct app *a, const struct person_input *in, struct errlist *errs, char *key,
		      size_t cap)
{
	key[0] = '\0';
	struct prow *r = calloc(1, sizeof(*r));
	if (!r)
		return ERR_NOMEM;
	bool given[NFIELDS];
	int rc = merge_new(in, r, given, errs);
	char bidx[PII_BLIND_HEX];
	if (!rc && r->val[F_ID][0]) {
		rc = pii_blind(a, PII_PERSON_ID_NUMBER, r->val[F_ID], strlen(r->val[F_ID]), bidx);
		if (!rc)
			snprintf(key, cap, "i:%s", bidx);
	} else if (!rc && r->val[F_MOBILE][0]) {
		rc = pii_blind(a, PII_PERSON_MOBILE, r->val[F_MOBILE], strlen(r->val[F_MOBILE]), bidx);
		if (!rc)
			snprintf(key, cap, "m:%s\x1f%s", bidx, r->val[F_NAME]);
	}
	prow_wipe(r);
	free(r);
	return rc;
}

int member_upsert_conn(struct conn *c, struct app *a, const struct audit_entry *who,
		       const struct caller *caller, const struct person_input *in, struct errlist *errs,
		       int64_t *id, enum member_upsert *outcome)
{
	*id = 0;
	struct prow *rows = calloc(3, sizeof(*rows));
	if (!rows)
		return ERR_NOMEM;
	struct prow *r = &rows[0];
	bool given[NFIELDS];
	int rc = merge_new(in, r, given, errs);
	if (!rc && in->org_id <= 0)
		rc = errlist_add(errs, "org_id", "required", "the organization that keeps the record");
	r->org_id = in->org_id;
	if (!rc)
		rc = prow_seal(c, a, r, true, true);
	int64_t other = 0;
	const char *field = NULL;
	if (!rc)
		rc = find_duplicate(c, r, 0, &other, &field);
	if (!rc && !other) {
		struct create_job j = {a, who, caller, r, in->tags != NULL, errs};
		rc = person_insert(c, &j);
		if (!rc) {
			*id = r->id;
			*outcome = MU_INSERTED;
		}
	} else if (!rc) {
		/* the same person: within the caller's scope (as editing one is), then the
		 * fields the row gives where they differ, as member_update does */
		struct check_job cj = {.c = caller, .perm = "member.write", .id = other};
		int seen = caller ? check_conn(c, &cj) : 0;
		if (seen == ERR_FORBIDDEN || seen == ERR_NOTFOUND)
			rc = refuse_duplicate(c, caller, other, field, errs);
		else
			rc = seen; /* 0, or the database failed */
		struct person_input up = *in;
		up.org_id = 0; /* the keeping org stays */
		struct update_job u = {a, who, other, -1, &up, errs, &rows[1], &rows[2], false};
		if (!rc)
			rc = update_tx(c, &u);
		if (!rc) {
			*id = other;
			*outcome = u.changed ? MU_UPDATED : MU_UNCHANGED;
		}
	}
	for (int i = 0; i < 3; i++)
		prow_wipe(&rows[i]);
	free(rows);
	return rc;
}

/* ---- reveal ---- */

struct reveal_job {
	struct app *a;
	const struct audit_entry *who;
	int64_t id;
	bool id_number;
	const char *reason;
	char *out;
	size_t cap;
};

static int reveal_tx(struct conn *c, void *arg)
{
	struct reveal_job *j = arg;
	int64_t hour = time_unix() / 3600, n = 0;
	int rc = conn_row(c,
			  "INSERT INTO pii_reveal_count (user_id, hour, n) VALUES ($1, $2, 1)"
			  " ON CONFLICT (user_id, hour) DO UPDATE SET n = pii_reveal_count.n + 1 RETURNING n",
			  "ii", "i", j->who->user_id, hour, &n);
	if (rc)
		return rc;
	if (n > MEMBER_REVEALS_PER_HOUR)
		return ERR_RATELIMIT; /* rolled back: the count stays at the limit */
	struct prow *r = malloc(sizeof(*r));
	if (!r)
		return ERR_NOMEM;
	struct pii_ring ring;
	rc = prow_load(c, j->id, r, NULL);
	if (!rc)
		rc = pii_ring_read(c, &ring);
	const char *sealed = j->id_number ? r->id_enc : r->mobile_enc;
	if (!rc && !*sealed)
		rc = ERR_NOTFOUND;
	if (!rc)
		rc = pii_open(j->a, &ring, j->id_number ? PII_PERSON_ID_NUMBER : PII_PERSON_MOBILE, sealed,
			      strlen(sealed), j->out, j->cap, NULL);
	int64_t org_id = r->org_id;
	prow_wipe(r);
	free(r);
	if (rc)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_str(&d, "field", j->id_number ? "id_number" : "mobile");
	audit_diff_str(&d, "reason", j->reason);
	return audit_person(c, j->who, "person.reveal", j->id, org_id, audit_diff_text(&d));
}

int member_reveal(struct app *a, const struct audit_entry *who, int64_t id, const char *field,
		  const char *reason, struct errlist *errs, char *out, size_t cap)
{
	out[0] = '\0';
	int bad = 0;
	bool idn = field && !strcmp(field, "id_number");
	if (!idn && !(field && !strcmp(field, "mobile")))
		bad = errlist_add(errs, "field", "not_allowed", "id_number or mobile");
	char why[201 * 4];
	if (!reason || name_normalize(reason, strlen(reason), 0, 2, 200, why, sizeof(why), "reason", errs))
		bad = ERR_UNPROCESSABLE;
	if (!reason && !errlist_has(errs, "reason"))
		errlist_add(errs, "reason", "required", "say why you need the full value");
	if (bad)
		return bad;
	if (!who->user_id)
		return ERR_FORBIDDEN;
	struct reveal_job j = {a, who, id, idn, why, out, cap};
	int rc = store_tx(a->store, reveal_tx, &j);
	if (rc)
		sodium_memzero(out, cap);
	return rc;
}

/* ---- lists ---- */

/* "col's org is in the subtree of $1 on day $2": a probe of the closure's primary key per
 * row (an IN over the subtree read every closure row of a province per query) */
#define SUBTREE(col)                                                                        \
	"EXISTS (SELECT 1 FROM org_closure oc WHERE oc.org_id = " col " AND oc.anc_id = $1" \
	" AND oc.valid_from <= $2 AND (oc.valid_to IS NULL OR oc.valid_to > $2))"
#define CURRENT_MS(extra)                                             \
	"EXISTS (SELECT 1 FROM membership m WHERE m.person_id = p.id" \
	" AND m.status IN ('applied','active','lapsed') AND " SUBTREE("m.org_id") extra ")"
#define JOINED_EXPR                                                                    \
	"COALESCE((SELECT MIN(m.joined_on) FROM membership m WHERE m.person_id = p.id" \
	" AND m.status IN ('applied','active','lapsed')), '9999-12-31')"

/*
 * The page statement: the subtree, every filter (an empty parameter matches everything),
 * the q part, the keyset on (sort value, id). $1 under, $2 today, $3..$9 gender, title
 * level, education, political status, status, tag, category, $10 born on or before, $11
 * born after, $12 $13 joined from / to, $14 $15 the cursor, $16 the limit, $17 '%q%', $18
 * the blind index or '%letters%'; a driver's parameters follow ($19 ...).
 *
 * Three plans (list_plan picks one per query from the index's counts):
 *  - walk: people in sort order (the name index), each checked, until the page is full;
 *    costs about a page x (people / matches): good for a big subtree and a common q;
 *  - candidates: the name index's candidates for q (nameindex.h), each checked, sorted;
 *    costs about the candidates (a two-character name: a few hundred at 1M people);
 *  - subtree: the people kept in the subtree or holding a membership there, each checked,
 *    sorted; costs about the subtree's people (a county's few thousand).
 * A driver's ids come first: SQLite reads the left side of a CROSS JOIN first; PostgreSQL
 * plans `id = ANY(ARRAY(subquery))` as lookups of a short list (org_search.c).
 */
#define LIST_SQL(SORT, FROM, QPART)                                                                                                                         \
	"SELECT " PERSON_COLS ", " SORT ", CASE WHEN CAST($17 AS TEXT) = '' OR p.name LIKE $17"                                                             \
	" ESCAPE '\\' OR p.work_unit LIKE $17 ESCAPE '\\' THEN 1 ELSE 0 END" FROM                                                                           \
	" WHERE p.anonymized_at IS NULL AND (" SUBTREE("p.org_id") " OR " CURRENT_MS(                                                                       \
		"") ")"                                                                                                                                     \
		    " AND ($3 = '' OR p.gender = $3) AND ($4 = '' OR p.title_level = $4)"                                                                   \
		    " AND ($5 = '' OR p.education = $5) AND ($6 = '' OR p.political_status = $6)"                                                           \
		    " AND ($7 = '' OR p.status = $7)"                                                                                                       \
		    " AND ($8 = '' OR EXISTS (SELECT 1 FROM person_tag t WHERE t.person_id = p.id AND t.tag = $8))"                                         \
		    " AND ($9 = '' OR " CURRENT_MS(                                                                                                         \
			    " AND m.category = $9") ")"                                                                                                     \
						    " AND ($10 = '' OR p.birth_date <= $10) AND ($11 = '' OR p.birth_date > $11)"                           \
						    " AND (($12 = '' AND $13 = '') OR " CURRENT_MS(                                                         \
							    " AND m.joined_on >= $12 AND ($13 = '' OR m.joined_on <= $13)") ")"                             \
															    " AND ($14 = '' OR " SORT       \
															    " > $14 OR (" SORT              \
															    " = $14 AND p.id > $15))" QPART \
															    " ORDER BY " SORT               \
															    ", p.id LIMIT $16"
#define Q_NONE " AND $17 = '' AND $18 = ''"
#define Q_ID   " AND p.id_bidx = $18 AND $17 = ''"
#define Q_MOB  " AND p.mobile_bidx = $18 AND $17 = ''"
/* the name or work unit contains q, or (pinyin) the name's pinyin may match: name_text
 * read by key for each row */
#define Q_NAME                                                                                \
	" AND (p.name LIKE $17 ESCAPE '\\' OR p.work_unit LIKE $17 ESCAPE '\\' OR ($18 <> ''" \
	" AND EXISTS (SELECT 1 FROM name_text nt WHERE nt.kind = 2 AND nt.obj_id = p.id"      \
	" AND (nt.py LIKE $18 OR nt.ini LIKE $18))))"
#define S_NAME  "p.name_py"
#define S_BIRTH "COALESCE(p.birth_date, '9999-12-31')"

/* Where a driver's SQL goes in a plan's text (split there at run time). */
#define DRIVER_MARK        "/*driver*/"
#define FROM_DRIVER_SQLITE " FROM (" DRIVER_MARK ") k CROSS JOIN person p JOIN org o ON o.id = p.org_id"
#define Q_DRIVER_SQLITE    " AND p.id = k.id"
#define Q_DRIVER_PG        " AND p.id = ANY(ARRAY(" DRIVER_MARK "))"

/* The subtree's people: kept there, or holding a current membership there. */
#define DRIVER_SUBTREE                                                                                     \
	"SELECT sp.id FROM org_closure sc CROSS JOIN person sp WHERE sc.anc_id = $1"                       \
	" AND sc.valid_from <= $2 AND (sc.valid_to IS NULL OR sc.valid_to > $2) AND sp.org_id = sc.org_id" \
	" UNION SELECT sm.person_id FROM org_closure sc CROSS JOIN membership sm WHERE sc.anc_id = $1"     \
	" AND sc.valid_from <= $2 AND (sc.valid_to IS NULL OR sc.valid_to > $2)"                           \
	" AND sm.org_id = sc.org_id AND sm.person_id IS NOT NULL"                                          \
	" AND sm.status IN ('applied','active','lapsed')"

#define SORTS(F)                                      \
	{                                             \
		F(S_NAME), F(S_BIRTH), F(JOINED_EXPR) \
	}
#define WALK(SORT)                                                                              \
	{                                                                                       \
		LIST_SQL(SORT, PERSON_FROM, Q_NONE), LIST_SQL(SORT, PERSON_FROM, Q_ID),         \
			LIST_SQL(SORT, PERSON_FROM, Q_MOB), LIST_SQL(SORT, PERSON_FROM, Q_NAME) \
	}
#define DRIVEN(SORT)                                                                \
	{                                                                           \
		LIST_SQL(SORT, FROM_DRIVER_SQLITE, Q_NONE Q_DRIVER_SQLITE),         \
			LIST_SQL(SORT, FROM_DRIVER_SQLITE, Q_NAME Q_DRIVER_SQLITE), \
			LIST_SQL(SORT, PERSON_FROM, Q_NONE Q_DRIVER_PG),            \
			LIST_SQL(SORT, PERSON_FROM, Q_NAME Q_DRIVER_PG)             \
	}

/* One statement per (sort, q kind): the texts are fixed, only parameters vary. */
static const char *const list_sql[3][4] = SORTS(WALK);
/* [sort][sqlite no q, sqlite q, pg no q, pg q]: a driver goes at DRIVER_MARK */
static const char *const driven_sql[3][4] = SORTS(DRIVEN);

/* A driver is used when it offers at most this many people (they are sorted). */
#define DRIVER_MAX 20000

struct list_job {
	struct app *a;
	const struct member_filter *f;
	int (*fn)(const struct person *p, void *arg);
	/* member_export unmasked: called instead of fn, with the clear values */
	int (*full_fn)(const struct person *p, const char *id_number, const char *mobile, void *arg);
	void *arg;
	int sort, qkind;
	const char *codes[7]; /* gender, title_level, education, political, status, tag, category */
	char born_before[11], born_after[11], joined_from[11], joined_to[11];
	char cur_val[VAL_MAX * 2];
	int64_t cur_id;
	char like[NX_QUERY_MAX * 4 * 2 + 3], like_py[NX_PINYIN_MAX + 3], bidx[PII_BLIND_HEX];
	struct nameindex_q q;
	bool pinyin;
	int plan;  /* PLAN_* */
	char *sql; /* a driven plan's statement (malloc'd) */
	struct pii_ring ring;
	struct prow *r;
	struct person p;
	char last_val[VAL_MAX * 2];
	int64_t last_id;
	int scanned;
};

static int list_row(struct stmt *st, void *arg)
{
	struct list_job *j = arg;
	prow_read(st, j->r, NULL);
	j->scanned++;
	j->last_id = j->r->id;
	str_copy(j->last_val, sizeof(j->last_val), stmt_text(st, COL_F0 + NFIELDS + 5, NULL));
	bool like = stmt_int64(st, COL_F0 + NFIELDS + 6) != 0;
	if (j->qkind == 3 && !like &&
	    !(j->pinyin && nameindex_pinyin_match(NX_MEMBER, j->r->val[F_NAME], &j->q)))
		return 0; /* a pinyin candidate that does not match exactly */
	struct prow_meta m = {.created_at = stmt_int64(st, COL_F0 + NFIELDS + 2),
			      .updated_at = stmt_int64(st, COL_F0 + NFIELDS + 3)};
	str_copy(m.org_name, sizeof(m.org_name), stmt_text(st, COL_F0 + NFIELDS + 4, NULL));
	int rc = prow_open(j->a, &j->ring, j->r);
	if (rc)
		return rc;
	if (j->full_fn) {
		char id[VAL_MAX], mobile[VAL_MAX];
		memcpy(id, j->r->val[F_ID], sizeof(id));
		memcpy(mobile, j->r->val[F_MOBILE], sizeof(mobile));
		person_of(j->r, &m, &j->p);
		rc = j->full_fn(&j->p, id, mobile, j->arg);
		sodium_memzero(id, sizeof(id));
		sodium_memzero(mobile, sizeof(mobile));
		return rc;
	}
	person_of(j->r, &m, &j->p);
	return j->fn(&j->p, j->arg);
}

enum { PLAN_WALK, PLAN_CANDIDATES, PLAN_SUBTREE };

/* Picks the plan (see LIST_SQL) from the index's and the tree's own counts. */
static int list_plan(struct conn *c, struct list_job *j)
{
	j->plan = PLAN_WALK;
	if (j->qkind == 1 || j->qkind == 2)
		return 0; /* an exact lookup by the blind index */
	int64_t people = 0, orgs = 0, sub_orgs = 0, cand = -1;
	int rc = conn_row(c,
			  "SELECT (SELECT max(id) FROM person), (SELECT max(id) FROM org),"
			  " (SELECT COALESCE(sum(n), 0) + 1 FROM org_count WHERE org_id = $1)",
			  "i", "iii", j->f->under, &people, &orgs, &sub_orgs);
	if (rc)
		return rc == ERR_NOTFOUND ? 0 : rc;
	if (j->qkind == 3) {
		bool built = false;
		if ((rc = nameindex_estimate(c, NX_MEMBER, &j->q, &cand, &built)))
			return rc;
		if (!built)
			cand = -1;
	}
	/* the subtree's people, estimated by its share of the orgs (the dated counts summed
	 * over every date: the orgs open below it today and those opening later) */
	int64_t sub = orgs > 0 ? people * (sub_orgs < orgs ? sub_orgs : orgs) / orgs : people;
	/* With q, the index's candidates whenever they are few enough to sort: a walk in name
	 * order meets the matches of a name part where the names with it sort (wjg: after
	 * every name from a to w), not evenly. Without q, the subtree's people when a walk
	 * would read more of them (and with q when the candidates are too many). */
	if (cand >= 0 && cand <= DRIVER_MAX)
		j->plan = PLAN_CANDIDATES;
	else if (sub <= DRIVER_MAX && sub < people)
		j->plan = PLAN_SUBTREE;
	if (j->plan == PLAN_WALK)
		return 0;
	/* the driven statement: the plan's text with the driver at DRIVER_MARK */
	bool pg = conn_kind(c) == STORE_PG;
	const char *tpl = driven_sql[j->sort][(pg ? 2 : 0) + (j->qkind == 3)];
	char driver[2048];
	if (j->plan == PLAN_CANDIDATES) {
		if (nameindex_candidates_sql(18, driver, sizeof(driver)) < 0)
			return ERR_INTERNAL;
	} else {
		str_copy(driver, sizeof(driver), DRIVER_SUBTREE);
	}
	const char *mark = strstr(tpl, DRIVER_MARK);
	size_t head = (size_t)(mark - tpl), dn = strlen(driver), tail = strlen(mark + strlen(DRIVER_MARK));
	if (!(j->sql = malloc(head + dn + tail + 1)))
		return ERR_NOMEM;
	memcpy(j->sql, tpl, head);
	memcpy(j->sql + head, driver, dn);
	memcpy(j->sql + head + dn, mark + strlen(DRIVER_MARK), tail + 1);
	return 0;
}

static int list_read(struct conn *c, void *arg)
{
	struct list_job *j = arg;
	int rc = pii_ring_read(c, &j->ring);
	if (!rc)
		rc = list_plan(c, j);
	if (rc)
		return rc;
	char today[11];
	date_today(today, sizeof(today));
	struct stmt *st = NULL;
	if ((rc = conn_prepare(c, j->plan == PLAN_WALK ? list_sql[j->sort][j->qkind] : j->sql, &st)))
		return rc;
	const char *q18 = j->qkind == 1 || j->qkind == 2 ? j->bidx
			  : j->qkind == 3 && j->pinyin   ? j->like_py
							 : "";
	const char *texts[] = {today,          j->codes[0],  j->codes[1], j->codes[2],    j->codes[3],
			       j->codes[4],    j->codes[5],  j->codes[6], j->born_before, j->born_after,
			       j->joined_from, j->joined_to, j->cur_val};
	stmt_bind_int64(st, 1, j->f->under);
	for (int i = 0; i < (int)(sizeof(texts) / sizeof(texts[0])); i++)
		stmt_bind_text(st, 2 + i, texts[i], strlen(texts[i]));
	stmt_bind_int64(st, 15, j->cur_id);
	stmt_bind_int64(st, 16, j->f->limit);
	const char *q17 = j->qkind == 3 ? j->like : "";
	stmt_bind_text(st, 17, q17, strlen(q17));
	stmt_bind_text(st, 18, q18, strlen(q18));
	if (j->plan == PLAN_CANDIDATES)
		nameindex_bind_candidates(st, 18, NX_MEMBER, &j->q);
	while ((rc = stmt_step(st)) == STORE_ROW)
		if ((rc = list_row(st, j)))
			break;
	stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* What q is: a full ID number or mobile (exact, blind index) or a name / work unit part. */
static int list_q(struct app *a, struct list_job *j, struct errlist *errs)
{
	const char *q = j->f->q;
	if (!q || !*q)
		return 0;
	struct errlist scratch;
	errlist_init(&scratch);
	struct person_id id;
	char mobile[PERSON_MOBILE_LEN + 1];
	size_t n = strlen(q);
	if (n >= 15 && !person_id_normalize("resident", q, n, NULL, &id, "q", &scratch)) {
		j->qkind = 1;
		pii_blind(a, PII_PERSON_ID_NUMBER, id.number, strlen(id.number), j->bidx);
		sodium_memzero(&id, sizeof(id));
		return 0;
	}
	if (n >= 11 && !person_mobile_normalize(q, n, mobile, sizeof(mobile), "q", &scratch)) {
		j->qkind = 2;
		pii_blind(a, PII_PERSON_MOBILE, mobile, strlen(mobile), j->bidx);
		sodium_memzero(mobile, sizeof(mobile));
		return 0;
	}
	j->qkind = 3;
	if (utf8_count(q, n) < 2 || nameindex_parse(q, false, &j->q))
		return errlist_add(errs, "q", "too_short",
				   "two characters or more, or a full ID number or mobile"),
		       errlist_param_int(errs, "min", 2);
	if (!store_like(j->q.norm, "%", "%", j->like, sizeof(j->like)))
		return errlist_add(errs, "q", "too_long", "too long");
	j->pinyin = j->q.pinyin;
	if (j->pinyin)
		snprintf(j->like_py, sizeof(j->like_py), "%s", j->q.like_letters);
	return 0;
}

/* The filters as parameters; field errors for bad ones. */
static int list_params(struct list_job *j, struct errlist *errs)
{
	const struct member_filter *f = j->f;
	static const struct {
		const char *field;
		const struct codeset *list;
	} codes[] = {
		{"gender", &codelist_gender},
		{"title", &codelist_title_level},
		{"education", &codelist_education},
		{"political", &codelist_political_status},
		{"status", &codelist_person_status},
		{"tag", NULL},
		{"category", &codelist_member_category},
	};
	const char *given[7] = {f->gender, f->title_level, f->education, f->political,
				f->status, f->tag,         f->category};
	int bad = 0;
	for (int i = 0; i < 7; i++) {
		j->codes[i] = "";
		if (!given[i] || !*given[i])
			continue;
		if (!codes[i].list) {
			j->codes[i] = given[i]; /* a tag: matches nothing when unknown */
			continue;
		}
		const char *code = NULL;
		if (person_code(codes[i].list, given[i], strlen(given[i]), false, &code, codes[i].field,
				errs))
			bad = ERR_UNPROCESSABLE;
		else
			j->codes[i] = code;
	}
	char today[11];
	date_today(today, sizeof(today));
	if (f->age_min < 0 || f->age_min > 150 || f->age_max < 0 || f->age_max > 150)
		bad = errlist_add(errs, f->age_min < 0 || f->age_min > 150 ? "age_min" : "age_max",
				  "out_of_range", "0 to 150");
	if (f->age_min > 0)
		date_add(today, -12 * f->age_min, 0, j->born_before);
	if (f->age_max > 0)
		date_add(today, -12 * (f->age_max + 1), 0, j->born_after);
	if (f->joined_from && *f->joined_from &&
	    member_date(f->joined_from, "joined_from", errs, j->joined_from))
		bad = ERR_UNPROCESSABLE;
	if (f->joined_to && *f->joined_to && member_date(f->joined_to, "joined_to", errs, j->joined_to))
		bad = ERR_UNPROCESSABLE;
	if (j->joined_to[0] && !j->joined_from[0])
		snprintf(j->joined_from, sizeof(j->joined_from), "0000-01-01");
	const char *sort = f->sort && *f->sort ? f->sort : "name";
	j->sort = !strcmp(sort, "name") ? 0 : !strcmp(sort, "birth") ? 1 : !strcmp(sort, "joined") ? 2 : -1;
	if (j->sort < 0)
		bad = errlist_add(errs, "sort", "not_allowed", "name, birth or joined");
	if (f->after && *f->after) {
		/* the cursor: hex of the sort value, '.', the id */
		const char *dot = strrchr(f->after, '.');
		size_t hn = dot ? (size_t)(dot - f->after) : 0;
		if (!dot || hn % 2 || hn / 2 >= sizeof(j->cur_val) || !num_int64(dot + 1, &j->cur_id) ||
		    sodium_hex2bin((unsigned char *)j->cur_val, sizeof(j->cur_val) - 1, f->after, hn, NULL,
				   NULL, NULL) ||
		    !utf8_valid(j->cur_val, strlen(j->cur_val), NULL))
			bad = errlist_add(errs, "after", "invalid", "give next_after of the previous page");
	}
	return bad;
}

static int list_page(struct app *a, const struct member_filter *f,
		     int (*fn)(const struct person *p, void *arg),
		     int (*full_fn)(const struct person *p, const char *id_number, const char *mobile,
				    void *arg),
		     void *arg, struct errlist *errs, char *next, size_t cap)
{
	next[0] = '\0';
	struct list_job *j = calloc(1, sizeof(*j));
	if (!j)
		return ERR_NOMEM;
	j->a = a;
	j->f = f;
	j->fn = fn;
	j->full_fn = full_fn;
	j->arg = arg;
	int rc = list_params(j, errs);
	int qrc = list_q(a, j, errs);
	if (!rc)
		rc = qrc;
	if (!rc && !(j->r = malloc(sizeof(*j->r))))
		rc = ERR_NOMEM;
	if (!rc)
		rc = store_read(a->store, list_read, j);
	if (!rc && j->scanned == f->limit) {
		size_t vn = strlen(j->last_val);
		if (vn * 2 + 24 < cap) {
			sodium_bin2hex(next, cap, (const unsigned char *)j->last_val, vn);
			snprintf(next + vn * 2, cap - vn * 2, ".%" PRId64, j->last_id);
		}
	}
	if (j->r) {
		prow_wipe(j->r);
		free(j->r);
	}
	free(j->sql);
	sodium_memzero(j->bidx, sizeof(j->bidx));
	free(j);
	return rc;
}

/* ---- the name index ---- */

/* index_text in SQL, page by page for nameindex_rebuild */
static const char MEMBER_INDEX_SQL[] =
	"SELECT id, CASE WHEN work_unit <> '' THEN name || ' ' || work_unit ELSE name END, NULL"
	" FROM person WHERE id > $1 AND anonymized_at IS NULL ORDER BY id LIMIT $2";

static int reindex_tx(struct conn *c, void *arg)
{
	(void)arg;
	return nameindex_rebuild(c, NX_MEMBER, MEMBER_INDEX_SQL);
}

int member_reindex(struct app *a)
{
	return store_tx_within(a->store, 600000, reindex_tx, NULL);
}

/* ---- the managed tag list ---- */

struct tags_job {
	int (*fn)(const char *code, const char *zh, const char *en, void *arg);
	void *arg;
};

static int tag_def_row(struct stmt *st, void *arg)
{
	struct tags_job *j = arg;
	return j->fn(stmt_text(st, 0, NULL), stmt_text(st, 1, NULL), stmt_text(st, 2, NULL), j->arg);
}

static int tags_read(struct conn *c, void *arg)
{
	return conn_each(c, "SELECT code, zh, en FROM person_tag_def ORDER BY sort, code", tag_def_row, arg,
			 "");
}

int member_tags(struct app *a, int (*fn)(const char *code, const char *zh, const char *en, void *arg),
		void *arg)
{
	struct tags_job j = {fn, arg};
	return store_read(a->store, tags_read, &j);
}

int member_list(struct app *a, const struct member_filter *f, int (*fn)(const struct person *p, void *arg),
		void *arg, struct errlist *errs, char *next, size_t cap)
{
	return list_page(a, f, fn, NULL, arg, errs, next, cap);
}

/* ---- export ---- */

struct export_call {
	int (*fn)(const struct person *p, const char *id_number, const char *mobile, void *arg);
	void *arg;
};

static int export_masked(const struct person *p, void *arg)
{
	struct export_call *x = arg;
	return x->fn(p, NULL, NULL, x->arg);
}

int member_export(struct app *a, const struct member_filter *f, bool unmasked,
		  int (*fn)(const struct person *p, const char *id_number, const char *mobile, void *arg),
		  void *arg, struct errlist *errs)
{
	struct member_filter page = *f;
	page.limit = 200;
	page.after = NULL;
	char *next = malloc(2048), *after = malloc(2048);
	if (!next || !after) {
		free(next);
		free(after);
		return ERR_NOMEM;
	}
	struct export_call x = {fn, arg};
	int rc = 0;
	do { /* keyset pages, each its own snapshot: an export never holds one read for minutes */
		rc = unmasked ? list_page(a, &page, NULL, fn, arg, errs, next, 2048)
			      : list_page(a, &page, export_masked, NULL, &x, errs, next, 2048);
		if (!rc && next[0]) {
			memcpy(after, next, 2048);
			page.after = after;
		}
	} while (!rc && next[0]);
	free(next);
	free(after);
	return rc;
}
