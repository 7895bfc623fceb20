/*
 * membership.c - memberships of orgs, member numbers, terms and dues (see member.h).
 */
#include "domain/member.h"
#include "domain/member_int.h"
#include "core/codelist.h"
#include "core/org.h"
#include "store/store.h"
#include "base/num.h"
#include "base/timeutil.h"
#include "base/utf8.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATTERN_DEFAULT "{org}{year}{seq:6}"
#define NUMBER_TRIES    1000 /* allocations skipped over numbers given by hand, at most */

/* ---- the number pattern ---- */

/* Walks pattern: literal bytes and the three placeholders. With out NULL it only checks;
 * with out it writes the number for (code, year, seq). Returns 0, or -1 for a bad pattern
 * or a number that does not fit out. *has_year says whether {year} occurs. */
static int pattern_walk(const char *p, const char *code, const char *year, int64_t seq, char *out, size_t cap,
			bool *has_year, bool *has_seq)
{
	size_t len = 0;
	*has_year = *has_seq = false;
	while (*p) {
		char piece[32] = "";
		const char *lit = p;
		size_t litn = 1;
		if (*p == '{') {
			const char *e = strchr(p, '}');
			if (!e)
				return -1;
			size_t n = (size_t)(e - p - 1);
			if (n == 3 && !strncmp(p + 1, "org", 3)) {
				snprintf(piece, sizeof(piece), "%s", code ? code : "");
			} else if (n == 4 && !strncmp(p + 1, "year", 4)) {
				*has_year = true;
				snprintf(piece, sizeof(piece), "%s", year ? year : "");
			} else if (n >= 5 && !strncmp(p + 1, "seq:", 4)) {
				int64_t w;
				char digits[8] = "";
				if (n - 4 >= sizeof(digits))
					return -1;
				memcpy(digits, p + 5, n - 4);
				if (!num_int64(digits, &w) || w < 1 || w > 12 || *has_seq)
					return -1;
				*has_seq = true;
				snprintf(piece, sizeof(piece), "%0*" PRId64, (int)w, seq);
			} else {
				return -1;
			}
			lit = piece;
			litn = strlen(piece);
			p = e + 1;
		} else if (*p == '}' || (unsigned char)*p < 0x20) {
			return -1;
		} else {
			p++;
		}
		if (out) {
			if (len + litn >= cap)
				return -1;
			memcpy(out + len, lit, litn);
			len += litn;
			out[len] = '\0';
		}
	}
	return *has_seq ? 0 : -1; /* without a sequence every member would get one number */
}

int member_pattern_check(const char *pattern, struct errlist *errs)
{
	bool y, s;
	if (!pattern || !*pattern || strlen(pattern) > 128 || !utf8_valid(pattern, strlen(pattern), NULL) ||
	    pattern_walk(pattern, "", "", 0, NULL, 0, &y, &s))
		return errlist_add(errs, "number_pattern", "pattern_invalid",
				   "text with {org}, {year} and one {seq:N} (N from 1 to 12)");
	return 0;
}

/* Allocates the next free number of the org by its pattern for a member joining in year
 * (YYYY). Numbers given by hand that the sequence meets are skipped, never reused. */
static int number_next(struct conn *c, int64_t org_id, const char *year, char *out, size_t cap)
{
	char pattern[129] = PATTERN_DEFAULT, code[ORG_CODE_MAX + 1] = "";
	int rc = conn_row(c, "SELECT number_pattern FROM member_config WHERE org_id = $1", "i", "t", org_id,
			  pattern, sizeof(pattern));
	if (rc && rc != ERR_NOTFOUND)
		return rc;
	rc = conn_row(c, "SELECT code FROM org WHERE id = $1", "i", "t", org_id, code, sizeof(code));
	if (rc)
		return rc;
	bool has_year, has_seq;
	if (pattern_walk(pattern, code, year, 0, NULL, 0, &has_year, &has_seq))
		snprintf(pattern, sizeof(pattern), "%s", PATTERN_DEFAULT);
	(void)pattern_walk(pattern, code, year, 0, NULL, 0, &has_year, &has_seq);
	const char *scope = has_year ? year : "";
	for (int tries = 0; tries < NUMBER_TRIES; tries++) {
		int64_t seq = 0;
		rc = conn_row(c,
			      "INSERT INTO member_number_seq (org_id, scope, next) VALUES ($1, $2, 2)"
			      " ON CONFLICT (org_id, scope) DO UPDATE SET next = member_number_seq.next + 1"
			      " RETURNING next - 1",
			      "it", "i", org_id, scope, &seq);
		if (rc)
			return rc;
		if (pattern_walk(pattern, code, year, seq, out, cap, &has_year, &has_seq))
			return ERR_TOOBIG;
		bool taken = false;
		rc = conn_row(c, "SELECT 1 FROM membership WHERE org_id = $1 AND number = $2", "it", "b",
			      org_id, out, &taken);
		if (rc == ERR_NOTFOUND)
			return 0;
		if (rc)
			return rc;
	}
	return ERR_CONFLICT;
}

/* ---- reading ---- */

#define MS_COLS                                                                                     \
	"m.id, m.org_id, COALESCE(m.person_id, 0), COALESCE(m.unit_id, 0), o.name,"                 \
	" COALESCE(p.name, u.name, ''), m.category, m.number, m.status, COALESCE(m.joined_on, '')," \
	" COALESCE(m.valid_until, ''), COALESCE(m.left_on, ''), m.left_reason, m.version,"          \
	" m.created_at, m.updated_at FROM membership m JOIN org o ON o.id = m.org_id"               \
	" LEFT JOIN person p ON p.id = m.person_id LEFT JOIN member_unit u ON u.id = m.unit_id"

static void ms_read(struct stmt *st, struct membership *m)
{
	memset(m, 0, sizeof(*m));
	m->id = stmt_int64(st, 0);
	m->org_id = stmt_int64(st, 1);
	m->person_id = stmt_int64(st, 2);
	m->unit_id = stmt_int64(st, 3);
	str_copy(m->org_name, sizeof(m->org_name), stmt_text(st, 4, NULL));
	str_copy(m->holder_name, sizeof(m->holder_name), stmt_text(st, 5, NULL));
	str_copy(m->category, sizeof(m->category), stmt_text(st, 6, NULL));
	str_copy(m->number, sizeof(m->number), stmt_text(st, 7, NULL));
	str_copy(m->status, sizeof(m->status), stmt_text(st, 8, NULL));
	str_copy(m->joined_on, sizeof(m->joined_on), stmt_text(st, 9, NULL));
	str_copy(m->valid_until, sizeof(m->valid_until), stmt_text(st, 10, NULL));
	str_copy(m->left_on, sizeof(m->left_on), stmt_text(st, 11, NULL));
	str_copy(m->left_reason, sizeof(m->left_reason), stmt_text(st, 12, NULL));
	m->version = stmt_int64(st, 13);
	m->created_at = stmt_int64(st, 14);
	m->updated_at = stmt_int64(st, 15);
}

struct ms_each {
	int (*fn)(const struct membership *m, void *arg);
	void *arg;
	struct membership m;
	int64_t last;
	int n;
};

static int ms_row(struct stmt *st, void *arg)
{
	struct ms_each *e = arg;
	ms_read(st, &e->m);
	e->last = e->m.id;
	e->n++;
	return e->fn ? e->fn(&e->m, e->arg) : 1;
}

static int ms_get_conn(struct conn *c, int64_t id, struct membership *out)
{
	struct ms_each e = {0};
	int rc = conn_each(c, "SELECT " MS_COLS " WHERE m.id = $1", ms_row, &e, "i", id);
	if (rc)
		return rc;
	if (!e.n)
		return ERR_NOTFOUND;
	*out = e.m;
	return 0;
}

struct ms_get_job {
	int64_t id;
	struct membership *out;
};

static int ms_get_read(struct conn *c, void *arg)
{
	struct ms_get_job *j = arg;
	return ms_get_conn(c, j->id, j->out);
}

int membership_get(struct app *a, int64_t id, struct membership *out)
{
	struct ms_get_job j = {id, out};
	return store_read(a->store, ms_get_read, &j);
}

struct ms_person_job {
	int64_t person_id;
	struct ms_each e;
};

static int ms_person_read(struct conn *c, void *arg)
{
	struct ms_person_job *j = arg;
	return conn_each(c, "SELECT " MS_COLS " WHERE m.person_id = $1 ORDER BY m.created_at DESC, m.id DESC",
			 ms_row, &j->e, "i", j->person_id);
}

int membership_of_person(struct app *a, int64_t person_id, int (*fn)(const struct membership *m, void *arg),
			 void *arg)
{
	struct ms_person_job j = {.person_id = person_id, .e = {.fn = fn, .arg = arg}};
	return store_read(a->store, ms_person_read, &j);
}

struct ms_list_job {
	const struct membership_filter *f;
	char today[11], until[11];
	struct ms_each e;
};

static int ms_list_read(struct conn *c, void *arg)
{
	struct ms_list_job *j = arg;
	const struct membership_filter *f = j->f;
	const char *status = f->status && *f->status ? f->status : NULL;
	/* $3: the statuses, '|'-joined; expiring: valid_until in [today, until]; lapsed: before today */
	return conn_each(
		c,
		"SELECT " MS_COLS " WHERE m.org_id IN (SELECT oc.org_id FROM org_closure oc"
		" WHERE oc.anc_id = $1 AND oc.valid_from <= $2 AND (oc.valid_to IS NULL OR oc.valid_to > $2))"
		" AND $3 LIKE '%|' || m.status || '|%' AND m.id > $4"
		" AND ($5 = 0 OR (m.valid_until IS NOT NULL AND m.valid_until >= $2 AND m.valid_until <= $6))"
		" AND ($7 = 0 OR (m.valid_until IS NOT NULL AND m.valid_until < $2))"
		" ORDER BY m.id LIMIT $8",
		ms_row, &j->e, "itt i d t d d", f->under, j->today,
		status ? (!strcmp(status, "applied")    ? "|applied|"
			  : !strcmp(status, "active")   ? "|active|"
			  : !strcmp(status, "lapsed")   ? "|lapsed|"
			  : !strcmp(status, "left")     ? "|left|"
			  : !strcmp(status, "expelled") ? "|expelled|"
							: "||")
		       : "|applied|active|lapsed|",
		f->after, f->expiring_days > 0 ? 1 : 0, j->until, f->lapsed ? 1 : 0, f->limit);
}

int membership_list(struct app *a, const struct membership_filter *f,
		    int (*fn)(const struct membership *m, void *arg), void *arg, int64_t *next)
{
	struct ms_list_job j = {.f = f, .e = {.fn = fn, .arg = arg}};
	date_today(j.today, sizeof(j.today));
	if (f->expiring_days > 0 && !date_add(j.today, 0, f->expiring_days, j.until))
		return ERR_UNPROCESSABLE;
	int rc = store_read(a->store, ms_list_read, &j);
	*next = !rc && j.e.n == f->limit ? j.e.last : 0;
	return rc;
}

/* ---- writing ---- */

static int audit_ms(struct conn *c, const struct audit_entry *who, const char *action, int64_t id,
		    int64_t org_id, const char *detail)
{
	char oid[24];
	snprintf(oid, sizeof(oid), "%" PRId64, id);
	struct audit_entry e = *who;
	e.action = action;
	e.object_type = "membership";
	e.object_id = oid;
	e.org_id = org_id;
	e.detail = detail;
	return audit_append(c, &e);
}

struct ms_create_job {
	const struct audit_entry *who;
	const struct membership_input *in;
	struct errlist *errs;
	const char *category, *status;
	char joined[11], number[65];
	int64_t id;
};

static int ms_holder_check(struct conn *c, struct ms_create_job *j)
{
	const struct membership_input *in = j->in;
	bool there = false;
	int rc = in->person_id ? conn_row(c, "SELECT 1 FROM person WHERE id = $1 AND anonymized_at IS NULL",
					  "i", "b", in->person_id, &there)
			       : conn_row(c, "SELECT 1 FROM member_unit WHERE id = $1", "i", "b", in->unit_id,
					  &there);
	if (rc == ERR_NOTFOUND)
		return errlist_add(j->errs, in->person_id ? "person_id" : "unit_id", "not_found",
				   "no such person or member unit");
	if (rc)
		return rc;
	rc = conn_row(c,
		      in->person_id ? "SELECT 1 FROM membership WHERE org_id = $1 AND person_id = $2"
				      " AND status IN ('applied','active','lapsed')"
				    : "SELECT 1 FROM membership WHERE org_id = $1 AND unit_id = $2"
				      " AND status IN ('applied','active','lapsed')",
		      "ii", "b", in->org_id, in->person_id ? in->person_id : in->unit_id, &there);
	if (!rc) {
		errlist_add(j->errs, in->person_id ? "person_id" : "unit_id", "member_exists",
			    "already a member of this organization");
		return ERR_CONFLICT;
	}
	return rc == ERR_NOTFOUND ? 0 : rc;
}

static int ms_create_tx(struct conn *c, void *arg)
{
	struct ms_create_job *j = arg;
	const struct membership_input *in = j->in;
	int rc = ms_holder_check(c, j);
	if (rc)
		return rc;
	if (in->number && *in->number) {
		snprintf(j->number, sizeof(j->number), "%s", in->number);
		bool taken = false;
		rc = conn_row(c, "SELECT 1 FROM membership WHERE org_id = $1 AND number = $2", "it", "b",
			      in->org_id, j->number, &taken);
		if (!rc) {
			errlist_add(j->errs, "number", "taken",
				    "another member of this organization has this number");
			return ERR_CONFLICT;
		}
		if (rc != ERR_NOTFOUND)
			return rc;
	} else {
		char year[5];
		snprintf(year, sizeof(year), "%.4s", j->joined);
		rc = number_next(c, in->org_id, year, j->number, sizeof(j->number));
		if (rc)
			return rc;
	}
	int64_t now = time_unix();
	rc = conn_row(
		c,
		"INSERT INTO membership (org_id, person_id, unit_id, category, number, status, joined_on,"
		" created_at, updated_at) VALUES ($1, NULLIF($2, 0), NULLIF($3, 0), $4, $5, $6, $7, $8, $8)"
		" RETURNING id",
		"iiitttti", "i", in->org_id, in->person_id, in->unit_id, j->category, j->number, j->status,
		j->joined[0] ? j->joined : NULL, now, &j->id);
	if (rc)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	if (in->person_id)
		audit_diff_int(&d, "person_id", in->person_id);
	if (in->unit_id)
		audit_diff_int(&d, "unit_id", in->unit_id);
	audit_diff_change(&d, "category", NULL, j->category);
	audit_diff_change(&d, "number", NULL, j->number);
	audit_diff_change(&d, "status", NULL, j->status);
	audit_diff_change(&d, "joined_on", NULL, j->joined[0] ? j->joined : NULL);
	return audit_ms(c, j->who, "membership.create", j->id, in->org_id, audit_diff_text(&d));
}

/* The checks of a new membership before any read (j: who, in, errs set). */
static int ms_prepare(struct ms_create_job *j)
{
	const struct membership_input *in = j->in;
	struct errlist *errs = j->errs;
	int bad = 0;
	if ((in->person_id > 0) == (in->unit_id > 0))
		bad = errlist_add(errs, "person_id", "required", "give a person or a member unit");
	const struct code_item *cat = in->category ? codeset_match(&codelist_member_category, in->category)
						   : NULL;
	if (!cat)
		bad = codelist_refuse(errs, "category", &codelist_member_category);
	else
		j->category = cat->code;
	j->status = in->status && *in->status ? in->status : "active";
	if (strcmp(j->status, "active") && strcmp(j->status, "applied"))
		bad = errlist_add(errs, "status", "not_allowed", "a new membership is applied or active");
	if (in->joined_on && *in->joined_on) {
		if (member_date(in->joined_on, "joined_on", errs, j->joined))
			bad = ERR_UNPROCESSABLE;
	} else if (!strcmp(j->status, "active")) {
		date_today(j->joined, sizeof(j->joined));
	}
	if (in->number && *in->number && (strlen(in->number) > 64 || !member_text_ok(in->number)))
		bad = errlist_add(errs, "number", "invalid", "1 to 64 printable characters");
	if (bad)
		return bad;
	if (!j->joined[0])
		date_today(j->joined, sizeof(j->joined)); /* the number's year for an application */
	return 0;
}

int membership_ensure_conn(struct conn *c, const struct audit_entry *who, const struct membership_input *in,
			   struct errlist *errs, bool *created)
{
	*created = false;
	struct ms_create_job j = {.who = who, .in = in, .errs = errs};
	int rc = ms_prepare(&j);
	if (rc)
		return rc;
	bool there = false;
	rc = conn_row(c,
		      "SELECT 1 FROM membership WHERE org_id = $1 AND person_id = $2"
		      " AND status IN ('applied','active','lapsed')",
		      "ii", "b", in->org_id, in->person_id, &there);
	if (!rc)
		return 0; /* a current membership is kept as it is */
	if (rc != ERR_NOTFOUND)
		return rc;
	rc = ms_create_tx(c, &j);
	*created = rc == 0;
	return rc;
}

int membership_create(struct app *a, const struct audit_entry *who, const struct membership_input *in,
		      struct errlist *errs, int64_t *id)
{
	struct ms_create_job j = {.who = who, .in = in, .errs = errs};
	int rc = ms_prepare(&j);
	if (rc)
		return rc;
	rc = store_tx(a->store, ms_create_tx, &j);
	if (!rc)
		*id = j.id;
	return rc;
}

struct ms_end_job {
	const struct audit_entry *who;
	int64_t id, version;
	const char *status, *reason;
	char on[11];
	struct errlist *errs;
};

static int ms_end_tx(struct conn *c, void *arg)
{
	struct ms_end_job *j = arg;
	struct membership m;
	int rc = ms_get_conn(c, j->id, &m);
	if (rc)
		return rc;
	if (j->version && j->version != m.version)
		return ERR_PRECONDITION;
	if (!strcmp(m.status, "left") || !strcmp(m.status, "expelled")) {
		errlist_add(j->errs, "status", "ended", "this membership has ended already");
		return ERR_CONFLICT;
	}
	if (m.joined_on[0] && strcmp(j->on, m.joined_on) < 0)
		return errlist_add(j->errs, "on", "before_joined", "a membership cannot end before it began");
	rc = conn_run(
		c,
		"UPDATE membership SET status = $2, left_on = $3, left_reason = $4, version = version + 1,"
		" updated_at = $5 WHERE id = $1",
		"ittti", j->id, j->status, j->on, j->reason, time_unix());
	if (rc < 0)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "status", m.status, j->status);
	audit_diff_change(&d, "left_on", NULL, j->on);
	audit_diff_change(&d, "left_reason", NULL, j->reason);
	return audit_ms(c, j->who, "membership.end", j->id, m.org_id, audit_diff_text(&d));
}

int membership_end(struct app *a, const struct audit_entry *who, int64_t id, const char *status,
		   const char *on, const char *reason, int64_t version, struct errlist *errs)
{
	struct ms_end_job j = {
		.who = who, .id = id, .version = version, .reason = reason ? reason : "", .errs = errs};
	int bad = 0;
	j.status = status && *status ? status : "left";
	if (strcmp(j.status, "left") && strcmp(j.status, "expelled"))
		bad = errlist_add(errs, "status", "not_allowed", "left or expelled");
	if (on && *on) {
		if (member_date(on, "on", errs, j.on))
			bad = ERR_UNPROCESSABLE;
	} else {
		date_today(j.on, sizeof(j.on));
	}
	if (!reason || utf8_count(reason, strlen(reason)) < 2 || utf8_count(reason, strlen(reason)) > 200)
		bad = errlist_add(errs, "reason", "required", "say why, in 2 to 200 characters");
	return bad ? bad : store_tx(a->store, ms_end_tx, &j);
}

/* ---- configuration ---- */

struct cfg_job {
	int64_t org_id;
	struct member_config *out;
	const struct member_config *in;
	const struct audit_entry *who;
};

static int term_row(struct stmt *st, void *arg)
{
	struct member_config *c = arg;
	if (c->nterms >= (int)(sizeof(c->terms) / sizeof(c->terms[0])))
		return 1;
	struct member_term *t = &c->terms[c->nterms++];
	str_copy(t->category, sizeof(t->category), stmt_text(st, 0, NULL));
	t->term_months = (int)stmt_int64(st, 1);
	t->fee_cents = stmt_int64(st, 2);
	return 0;
}

static int cfg_read_conn(struct conn *c, int64_t org_id, struct member_config *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->number_pattern, sizeof(out->number_pattern), "%s", PATTERN_DEFAULT);
	int rc = conn_row(c, "SELECT number_pattern, version FROM member_config WHERE org_id = $1", "i", "ti",
			  org_id, out->number_pattern, sizeof(out->number_pattern), &out->version);
	if (rc && rc != ERR_NOTFOUND)
		return rc;
	return conn_each(c,
			 "SELECT category, term_months, fee_cents FROM member_term WHERE org_id = $1"
			 " ORDER BY category",
			 term_row, out, "i", org_id);
}

static int cfg_read(struct conn *c, void *arg)
{
	struct cfg_job *j = arg;
	return cfg_read_conn(c, j->org_id, j->out);
}

int member_config_get(struct app *a, int64_t org_id, struct member_config *out)
{
	struct cfg_job j = {.org_id = org_id, .out = out};
	return store_read(a->store, cfg_read, &j);
}

static int cfg_set_tx(struct conn *c, void *arg)
{
	struct cfg_job *j = arg;
	struct member_config old;
	int rc = cfg_read_conn(c, j->org_id, &old);
	if (rc)
		return rc;
	if (j->in->version && j->in->version != old.version)
		return ERR_PRECONDITION;
	rc = conn_run(c,
		      "INSERT INTO member_config (org_id, number_pattern) VALUES ($1, $2)"
		      " ON CONFLICT (org_id) DO UPDATE SET number_pattern = $2,"
		      " version = member_config.version + 1",
		      "it", j->org_id, j->in->number_pattern);
	if (rc < 0)
		return rc;
	rc = conn_run(c, "DELETE FROM member_term WHERE org_id = $1", "i", j->org_id);
	for (int i = 0; rc >= 0 && i < j->in->nterms; i++)
		rc = conn_run(
			c,
			"INSERT INTO member_term (org_id, category, term_months, fee_cents) VALUES ($1, $2, $3, $4)",
			"itdi", j->org_id, j->in->terms[i].category, j->in->terms[i].term_months,
			j->in->terms[i].fee_cents);
	if (rc < 0)
		return rc;
	char oid[24];
	snprintf(oid, sizeof(oid), "%" PRId64, j->org_id);
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "number_pattern", old.number_pattern, j->in->number_pattern);
	audit_diff_int(&d, "terms", j->in->nterms);
	struct audit_entry e = *j->who;
	e.action = "member.config";
	e.object_type = "org";
	e.object_id = oid;
	e.org_id = j->org_id;
	e.detail = audit_diff_text(&d);
	return audit_append(c, &e);
}

int member_config_set(struct app *a, const struct audit_entry *who, int64_t org_id,
		      const struct member_config *in, struct errlist *errs)
{
	int bad = member_pattern_check(in->number_pattern, errs);
	for (int i = 0; i < in->nterms; i++) {
		const struct member_term *t = &in->terms[i];
		if (!codeset_has(&codelist_member_category, t->category)) {
			bad = codelist_refuse(errs, "terms", &codelist_member_category);
			errlist_param_int(errs, "index", i);
		}
		if (t->term_months < 1 || t->term_months > 120 || t->fee_cents < 0 ||
		    t->fee_cents > 100000000) {
			bad = errlist_add(errs, "terms", "out_of_range",
					  "a term of 1 to 120 months, a fee of 0 to 1,000,000");
			errlist_param_int(errs, "index", i);
		}
		for (int k = 0; k < i; k++)
			if (!strcmp(in->terms[k].category, t->category)) {
				bad = errlist_add(errs, "terms", "duplicate", "one term per category");
				errlist_param_int(errs, "index", i);
			}
	}
	if (bad)
		return bad;
	struct cfg_job j = {.org_id = org_id, .in = in, .who = who};
	return store_tx(a->store, cfg_set_tx, &j);
}

/* ---- dues ---- */

struct dues_job {
	const struct audit_entry *who;
	const struct dues_input *in;
	struct errlist *errs;
	const char *method;
	char paid_on[11], period_to[11];
	int64_t id;
};

static int dues_tx(struct conn *c, void *arg)
{
	struct dues_job *j = arg;
	struct membership m;
	int rc = ms_get_conn(c, j->in->membership_id, &m);
	if (rc)
		return rc;
	if (!strcmp(m.status, "left") || !strcmp(m.status, "expelled")) {
		errlist_add(j->errs, "membership_id", "ended", "this membership has ended");
		return ERR_CONFLICT;
	}
	/* the period starts the day after the paid term ends, or when the member joined (a
	 * first payment), or the day paid when neither is known or the term ran out long ago */
	char from[11], to[11];
	if (m.valid_until[0] && strcmp(m.valid_until, j->paid_on) >= 0)
		date_add(m.valid_until, 0, 1, from);
	else if (!m.valid_until[0] && m.joined_on[0])
		snprintf(from, sizeof(from), "%s", m.joined_on);
	else
		snprintf(from, sizeof(from), "%s", j->paid_on);
	if (j->period_to[0]) {
		snprintf(to, sizeof(to), "%s", j->period_to);
		if (strcmp(to, from) <= 0)
			return errlist_add(j->errs, "period_to", "before_start",
					   "the period must end after it starts"),
			       errlist_param_str(j->errs, "from", from);
	} else {
		int months = 12;
		rc = conn_row(c, "SELECT term_months FROM member_term WHERE org_id = $1 AND category = $2",
			      "it", "d", m.org_id, m.category, &months);
		if (rc && rc != ERR_NOTFOUND)
			return rc;
		if (!date_add(from, months, -1, to))
			return ERR_INTERNAL;
	}
	rc = conn_row(c,
		      "INSERT INTO dues_payment (membership_id, amount_cents, period_from, period_to, method,"
		      " receipt_no, paid_on, recorded_by, created_at)"
		      " VALUES ($1, $2, $3, $4, $5, $6, $7, NULLIF($8, 0), $9) RETURNING id",
		      "iittttti i", "i", m.id, j->in->amount_cents, from, to, j->method,
		      j->in->receipt_no ? j->in->receipt_no : "", j->paid_on, j->who->user_id, time_unix(),
		      &j->id);
	if (rc)
		return rc;
	const char *status = !strcmp(m.status, "lapsed") ? "active" : m.status;
	rc = conn_run(
		c,
		"UPDATE membership SET valid_until = $2, status = $3, version = version + 1, updated_at = $4"
		" WHERE id = $1",
		"itti", m.id, to, status, time_unix());
	if (rc < 0)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_int(&d, "payment_id", j->id);
	audit_diff_int(&d, "amount_cents", j->in->amount_cents);
	audit_diff_str(&d, "method", j->method);
	audit_diff_change(&d, "valid_until", m.valid_until[0] ? m.valid_until : NULL, to);
	if (strcmp(status, m.status))
		audit_diff_change(&d, "status", m.status, status);
	return audit_ms(c, j->who, "membership.pay", m.id, m.org_id, audit_diff_text(&d));
}

int dues_record(struct app *a, const struct audit_entry *who, const struct dues_input *in,
		struct errlist *errs, int64_t *payment_id)
{
	struct dues_job j = {.who = who, .in = in, .errs = errs};
	int bad = 0;
	if (in->amount_cents < 0 || in->amount_cents > 100000000)
		bad = errlist_add(errs, "amount_cents", "out_of_range", "0 to 1,000,000 yuan, in fen");
	const struct code_item *m = in->method ? codeset_match(&codelist_payment_method, in->method) : NULL;
	if (!m)
		bad = codelist_refuse(errs, "method", &codelist_payment_method);
	else
		j.method = m->code;
	if (in->paid_on && *in->paid_on) {
		char today[11];
		date_today(today, sizeof(today));
		if (member_date(in->paid_on, "paid_on", errs, j.paid_on))
			bad = ERR_UNPROCESSABLE;
		else if (strcmp(j.paid_on, today) > 0)
			bad = errlist_add(errs, "paid_on", "future",
					  "a payment cannot be recorded before it is made");
	} else {
		date_today(j.paid_on, sizeof(j.paid_on));
	}
	if (in->period_to && *in->period_to && member_date(in->period_to, "period_to", errs, j.period_to))
		bad = ERR_UNPROCESSABLE;
	if (in->receipt_no && (strlen(in->receipt_no) > 64 || !member_text_ok(in->receipt_no)))
		bad = errlist_add(errs, "receipt_no", "invalid", "up to 64 printable characters");
	if (bad)
		return bad;
	int rc = store_tx(a->store, dues_tx, &j);
	if (!rc && payment_id)
		*payment_id = j.id;
	return rc;
}

struct dues_each {
	int64_t membership_id;
	int (*fn)(const struct dues_payment *p, void *arg);
	void *arg;
};

static int dues_row(struct stmt *st, void *arg)
{
	struct dues_each *e = arg;
	struct dues_payment p = {.id = stmt_int64(st, 0),
				 .membership_id = stmt_int64(st, 1),
				 .amount_cents = stmt_int64(st, 2),
				 .created_at = stmt_int64(st, 8)};
	str_copy(p.period_from, sizeof(p.period_from), stmt_text(st, 3, NULL));
	str_copy(p.period_to, sizeof(p.period_to), stmt_text(st, 4, NULL));
	str_copy(p.method, sizeof(p.method), stmt_text(st, 5, NULL));
	str_copy(p.receipt_no, sizeof(p.receipt_no), stmt_text(st, 6, NULL));
	str_copy(p.paid_on, sizeof(p.paid_on), stmt_text(st, 7, NULL));
	return e->fn(&p, e->arg);
}

static int dues_read(struct conn *c, void *arg)
{
	struct dues_each *e = arg;
	return conn_each(
		c,
		"SELECT id, membership_id, amount_cents, period_from, period_to, method, receipt_no, paid_on,"
		" created_at FROM dues_payment WHERE membership_id = $1 ORDER BY period_from DESC, id DESC",
		dues_row, e, "i", e->membership_id);
}

int dues_of_membership(struct app *a, int64_t membership_id,
		       int (*fn)(const struct dues_payment *p, void *arg), void *arg)
{
	struct dues_each e = {membership_id, fn, arg};
	return store_read(a->store, dues_read, &e);
}

/* ---- lapse ---- */

struct lapse_job {
	const struct audit_entry *who;
	char today[11];
	int n;
};

static int lapse_tx(struct conn *c, void *arg)
{
	struct lapse_job *j = arg;
	int rc = conn_run(c,
			  "UPDATE membership SET status = 'lapsed', version = version + 1, updated_at = $2"
			  " WHERE status = 'active' AND valid_until IS NOT NULL AND valid_until < $1",
			  "ti", j->today, time_unix());
	if (rc < 0)
		return rc;
	j->n = rc;
	if (!rc)
		return 0;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_int(&d, "lapsed", rc);
	audit_diff_str(&d, "before", j->today);
	struct audit_entry e = *j->who;
	e.action = "membership.lapse";
	e.object_type = "membership";
	e.object_id = "";
	e.detail = audit_diff_text(&d);
	return audit_append(c, &e);
}

int membership_lapse_due(struct app *a, const struct audit_entry *who, int *n)
{
	struct lapse_job j = {.who = who};
	date_today(j.today, sizeof(j.today));
	int rc = store_tx(a->store, lapse_tx, &j);
	*n = rc ? 0 : j.n;
	return rc;
}
