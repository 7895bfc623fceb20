/*
 * notice.c - notices down the tree (see notice.h): the config, composing and the state
 * machine, resolving targets into recipients, and the issuer's side of the receipts. The
 * recipients' inbox is in notice_inbox.c.
 *
 * Resolving a target reads the dated closure (org_closure): "the open orgs below A of level
 * L on day d" is either the range of A's subtree, each org checked, or the orgs of that
 * level and type (index org_level_type), each probed for A by the closure's key, whichever
 * reads fewer rows (both counted first with a bound). The recipients of every target are
 * gathered in memory, sorted by code and made distinct there: at most
 * NOTICE_RECIPIENTS_MAX, so a few MB at worst.
 */
#include "domain/notice.h"
#include "domain/notice_int.h"
#include "core/codelist.h"
#include "doc/markdown.h"
#include "base/buf.h"
#include "base/num.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t notice_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool notice_number_format(const char *prefix, const char *year, int64_t seq, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s\xE3\x80\x94%s\xE3\x80\x95%" PRId64 "\xE5\x8F\xB7", prefix, year, seq);
	return n > 0 && (size_t)n < cap;
}

int notice_render(const char *markdown, char **html)
{
	struct buf b;
	buf_init(&b, 1u << 20);
	int rc = markdown_html(markdown ? markdown : "", markdown ? strlen(markdown) : 0, &b);
	if (rc) {
		buf_release(&b);
		return rc;
	}
	*html = buf_detach(&b, NULL);
	return 0;
}

/* ---- config ---- */

int notice_config_conn(struct conn *c, int64_t org_id, struct notice_config *out)
{
	memset(out, 0, sizeof(*out));
	out->org_id = org_id;
	int approval = 0;
	int rc = conn_row(c, "SELECT prefix, approval_required, version FROM notice_config WHERE org_id = $1",
			  "i", "tdi", org_id, out->prefix, sizeof(out->prefix), &approval, &out->version);
	if (rc == ERR_NOTFOUND) {
		char name[801] = "", short_name[257] = "";
		rc = conn_row(c, "SELECT name, short_name FROM org WHERE id = $1", "i", "tt", org_id, name,
			      sizeof(name), short_name, sizeof(short_name));
		if (!rc) { /* the name cut at a character boundary where the prefix cannot hold it */
			const char *src = short_name[0] ? short_name : name;
			size_t n = strlen(src), max = sizeof(out->prefix) - sizeof(NOTICE_PREFIX_DEFAULT);
			if (n > max) {
				n = max;
				while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
					n--;
			}
			memcpy(out->prefix, src, n);
			memcpy(out->prefix + n, NOTICE_PREFIX_DEFAULT, sizeof(NOTICE_PREFIX_DEFAULT));
		}
	}
	out->approval_required = approval != 0;
	return rc;
}

int notice_config_get(struct app *a, int64_t org_id, struct notice_config *out)
{
	struct conn *c = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (!rc)
		rc = notice_config_conn(c, org_id, out);
	store_release(c);
	return rc;
}

struct config_job {
	const struct audit_entry *who;
	int64_t org_id, version;
	const char *prefix;
	bool approval;
	struct notice_config old;
};

static int config_tx(struct conn *c, void *arg)
{
	struct config_job *j = arg;
	int64_t cur = 0;
	int rc = conn_row(c, "SELECT version FROM notice_config WHERE org_id = $1", "i", "i", j->org_id,
			  &cur);
	if (rc && rc != ERR_NOTFOUND)
		return rc;
	if (j->version && j->version != cur)
		return ERR_PRECONDITION;
	if (rc == ERR_NOTFOUND)
		rc = conn_run(
			c,
			"INSERT INTO notice_config (org_id, prefix, approval_required) VALUES ($1, $2, $3)",
			"itd", j->org_id, j->prefix, j->approval ? 1 : 0);
	else
		rc = conn_run(
			c,
			"UPDATE notice_config SET prefix = $2, approval_required = $3, version = version + 1"
			" WHERE org_id = $1",
			"itd", j->org_id, j->prefix, j->approval ? 1 : 0);
	if (rc < 0)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "prefix", j->old.prefix, j->prefix);
	if (j->old.approval_required != j->approval)
		audit_diff_bool(&d, "approval_required", j->approval);
	return audit_object(c, j->who, "notice.config", "org", j->org_id, j->org_id, audit_diff_text(&d));
}

int notice_config_set(struct app *a, const struct audit_entry *who, int64_t org_id, const char *prefix,
		      bool approval_required, int64_t version, struct errlist *errs,
		      struct notice_config *out)
{
	size_t n = prefix ? utf8_count(prefix, strlen(prefix)) : 0;
	if (n < 1 || n > 32)
		return errlist_add(errs, "prefix", n < 1 ? "required" : "too_long", "1 to 32 characters"),
		       ERR_UNPROCESSABLE;
	struct config_job j = {who, org_id, version, prefix, approval_required, {0}};
	int rc = notice_config_get(a, org_id, &j.old);
	if (!rc)
		rc = store_tx(a->store, config_tx, &j);
	return rc ? rc : notice_config_get(a, org_id, out);
}

/* ---- targets ---- */

#define VALID(X, D) X ".valid_from <= " D " AND (" X ".valid_to IS NULL OR " X ".valid_to > " D ")"
#define OPEN(O, D)  O ".opened_on <= " D " AND (" O ".closed_on IS NULL OR " O ".closed_on > " D ")"

/* Is org in the subtree of anc (itself included) today? */
static int in_subtree(struct conn *c, int64_t org, int64_t anc, const char *today, bool *yes)
{
	bool b = false;
	int rc = conn_row(
		c, "SELECT 1 FROM org_closure x WHERE x.org_id = $1 AND x.anc_id = $2 AND " VALID("x", "$3"),
		"iit", "b", org, anc, today, &b);
	*yes = rc == 0 && b;
	return rc == ERR_NOTFOUND ? 0 : rc;
}

static void target_field(const struct notice_targets *t, int i, const char *member, char *out, size_t cap)
{
	int k = 0;
	for (int j = 0; j < i; j++)
		if ((t->t[j].kind == NT_ORG) == (t->t[i].kind == NT_ORG))
			k++;
	if (t->t[i].kind == NT_ORG)
		snprintf(out, cap, "targets.orgs[%d]", k);
	else
		snprintf(out, cap, "targets.rules[%d]%s%s", k, member ? "." : "", member ? member : "");
}

int notice_targets_check(struct conn *c, int64_t issuer, const struct notice_targets *t, struct errlist *errs)
{
	char today[11], field[64];
	date_today(today, sizeof(today));
	int bad = 0;
	for (int i = 0; i < t->n; i++) {
		const struct notice_target *x = &t->t[i];
		if (x->level[0] && !codeset_has(&codelist_org_level, x->level)) {
			target_field(t, i, "level", field, sizeof(field));
			codelist_refuse(errs, field, &codelist_org_level);
			bad++;
		}
		if (x->type[0] && !codeset_has(&codelist_org_type, x->type)) {
			target_field(t, i, "type", field, sizeof(field));
			codelist_refuse(errs, field, &codelist_org_type);
			bad++;
		}
		bool yes = false;
		int rc = in_subtree(c, x->org_id, issuer, today, &yes);
		if (rc)
			return rc;
		if (!yes || (x->kind == NT_ORG && x->org_id == issuer)) {
			target_field(t, i, "org_id", field, sizeof(field));
			errlist_add(errs, field, "out_of_scope",
				    x->kind == NT_ORG ? "not an organization below the issuing one"
						      : "not the issuing organization or one below it");
			bad++;
		}
	}
	return bad ? ERR_UNPROCESSABLE : 0;
}

int notice_targets_save(struct conn *c, int64_t id, const struct notice_targets *t)
{
	int rc = conn_run(c, "DELETE FROM notice_target WHERE notice_id = $1", "i", id);
	static const char *const kinds[] = {"", "org", "subtree", "guided"};
	for (int i = 0; rc >= 0 && i < t->n; i++) {
		const struct notice_target *x = &t->t[i];
		rc = conn_run(c,
			      "INSERT INTO notice_target (notice_id, seq, kind, org_id, level, type)"
			      " VALUES ($1, $2, $3, $4, NULLIF($5, ''), NULLIF($6, ''))",
			      "idtitt", id, i, kinds[x->kind], x->org_id, x->level, x->type);
	}
	return rc < 0 ? rc : 0;
}

static int target_row(struct stmt *st, void *arg)
{
	struct notice_targets *t = arg;
	if (t->n >= (int)(sizeof(t->t) / sizeof(t->t[0])))
		return 1;
	struct notice_target *x = &t->t[t->n++];
	const char *k = stmt_text(st, 0, NULL);
	x->kind = !strcmp(k, "org") ? NT_ORG : !strcmp(k, "subtree") ? NT_SUBTREE : NT_GUIDED;
	x->org_id = stmt_int64(st, 1);
	str_copy(x->level, sizeof(x->level), stmt_text(st, 2, NULL));
	str_copy(x->type, sizeof(x->type), stmt_text(st, 3, NULL));
	return 0;
}

int notice_targets_load(struct conn *c, int64_t id, struct notice_targets *t)
{
	t->n = 0;
	return conn_each(
		c, "SELECT kind, org_id, level, type FROM notice_target WHERE notice_id = $1 ORDER BY seq",
		target_row, t, "i", id);
}

/* ---- resolving ---- */

struct rrow {
	int64_t id;
	char code[33];
};
struct rset {
	struct rrow *v;
	size_t n, cap;
	bool over;
};

static int rrow_cmp(const void *x, const void *y)
{
	const struct rrow *a = x, *b = y;
	int c = strcmp(a->code, b->code);
	return c ? c : (a->id > b->id) - (a->id < b->id);
}

static void rset_distinct(struct rset *s)
{
	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(s->v[0]), rrow_cmp);
	size_t k = 1;
	for (size_t i = 1; i < s->n; i++)
		if (s->v[i].id != s->v[k - 1].id)
			s->v[k++] = s->v[i];
	s->n = k;
}

static int rset_add(struct stmt *st, void *arg)
{
	struct rset *s = arg;
	if (s->n == s->cap) {
		if (s->cap >= 2 * (size_t)NOTICE_RECIPIENTS_MAX) {
			rset_distinct(s);
			if (s->n > NOTICE_RECIPIENTS_MAX) {
				s->over = true;
				return 1;
			}
		}
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 1024;
			struct rrow *v = realloc(s->v, cap * sizeof(*v));
			if (!v)
				return ERR_NOMEM;
			s->v = v;
			s->cap = cap;
		}
	}
	s->v[s->n].id = stmt_int64(st, 0);
	str_copy(s->v[s->n].code, sizeof(s->v[0].code), stmt_text(st, 1, NULL));
	s->n++;
	return 0;
}

static const char sql_org[] =
	"SELECT o.id, o.code FROM org o JOIN org_closure x ON x.org_id = o.id AND x.anc_id = $2"
	" AND " VALID("x", "$3") " WHERE o.id = $1 AND o.id <> $2 AND " OPEN("o", "$3");
#define LEVEL_TYPE \
	" AND (CAST($3 AS TEXT) IS NULL OR o.level = $3) AND (CAST($4 AS TEXT) IS NULL OR o.type = $4)"
/* the subtree's range, each org checked */
static const char sql_walk[] =
	"SELECT o.id, o.code FROM org_closure x CROSS JOIN org o"
	" WHERE x.anc_id = $1 AND " VALID("x", "$2") " AND o.id = x.org_id AND o.id <> $1"
						     " AND o.id <> $5 AND " OPEN("o", "$2") LEVEL_TYPE;
/* the orgs of the level (and type), each probed for the subtree */
static const char sql_probe[] =
	"SELECT o.id, o.code FROM org o CROSS JOIN org_closure x"
	" WHERE o.level = $3 AND (CAST($4 AS TEXT) IS NULL OR o.type = $4) AND " OPEN(
		"o",
		"$2") " AND x.org_id = o.id AND x.anc_id = $1 AND " VALID("x",
									  "$2") " AND o.id <> $1 AND o.id <> $5";
static const char sql_guided[] =
	"SELECT o.id, o.code FROM org_link l CROSS JOIN org o CROSS JOIN org_closure s"
	" WHERE l.guide_id = $1 AND " VALID("l", "$2") " AND o.id = l.org_id AND " OPEN(
		"o",
		"$2") " AND s.org_id = o.id AND s.anc_id = o.id AND " VALID("s",
									    "$2") " AND o.id <> $5" LEVEL_TYPE;

/* Which plan reads fewer rows for a subtree rule with a level: both sizes counted with a
 * bound, so the choice costs at most twice the smaller. */
static int probe_is_cheaper(struct conn *c, const struct notice_target *x, bool *probe)
{
	*probe = false;
	if (!x->level[0])
		return 0;
	int64_t nlevel = 0, nsub = 0;
	int rc = conn_row(c,
			  "SELECT count(*) FROM (SELECT 1 FROM org WHERE level = $1"
			  " AND (CAST($2 AS TEXT) IS NULL OR type = $2) LIMIT $3) k",
			  "tti", "i", x->level, x->type[0] ? x->type : NULL,
			  (int64_t)NOTICE_RECIPIENTS_MAX * 4, &nlevel);
	if (!rc)
		rc = conn_row(c,
			      "SELECT count(*) FROM (SELECT 1 FROM org_closure WHERE anc_id = $1 LIMIT $2) k",
			      "ii", "i", x->org_id, nlevel + 1, &nsub);
	if (!rc)
		*probe = nlevel < nsub;
	return rc;
}

int notice_resolve(struct conn *c, int64_t issuer, const struct notice_targets *t, const char *day,
		   struct rset_view *out)
{
	struct rset s = {0};
	int rc = 0;
	for (int i = 0; !rc && !s.over && i < t->n; i++) {
		const struct notice_target *x = &t->t[i];
		const char *lv = x->level[0] ? x->level : NULL, *ty = x->type[0] ? x->type : NULL;
		if (x->kind == NT_ORG) {
			rc = conn_each(c, sql_org, rset_add, &s, "iit", x->org_id, issuer, day);
			continue;
		}
		if (x->kind == NT_GUIDED) {
			rc = conn_each(c, sql_guided, rset_add, &s, "ittti", x->org_id, day, lv, ty, issuer);
			continue;
		}
		bool probe = false;
		rc = probe_is_cheaper(c, x, &probe);
		if (!rc)
			rc = conn_each(c, probe ? sql_probe : sql_walk, rset_add, &s, "ittti", x->org_id, day,
				       lv, ty, issuer);
	}
	if (!rc && !s.over) {
		rset_distinct(&s);
		s.over = s.n > NOTICE_RECIPIENTS_MAX;
	}
	if (rc || s.over) {
		free(s.v);
		return rc ? rc : ERR_TOOBIG;
	}
	out->n = s.n;
	out->ids = malloc((s.n ? s.n : 1) * sizeof(int64_t));
	if (!out->ids) {
		free(s.v);
		return ERR_NOMEM;
	}
	for (size_t i = 0; i < s.n; i++)
		out->ids[i] = s.v[i].id;
	free(s.v);
	return 0;
}

int notice_org_read(struct conn *c, int64_t id, struct notice_org *o)
{
	o->id = id;
	return conn_row(c, "SELECT code, name, level, type FROM org WHERE id = $1", "i", "tttt", id, o->code,
			sizeof(o->code), o->name, sizeof(o->name), o->level, sizeof(o->level), o->type,
			sizeof(o->type));
}

struct preview_job {
	int64_t issuer;
	const struct notice_targets *t;
	int limit;
	int (*fn)(const struct notice_org *o, void *arg);
	void *arg;
	int64_t *count;
	struct errlist *errs;
};

static int preview_read(struct conn *c, void *arg)
{
	struct preview_job *j = arg;
	int rc = notice_targets_check(c, j->issuer, j->t, j->errs);
	if (rc)
		return rc;
	char today[11];
	date_today(today, sizeof(today));
	struct rset_view v = {0};
	rc = notice_resolve(c, j->issuer, j->t, today, &v);
	if (rc == ERR_TOOBIG) {
		errlist_add(j->errs, "targets", "too_many", "more organizations than a notice may reach");
		errlist_param_int(j->errs, "max", NOTICE_RECIPIENTS_MAX);
		return ERR_UNPROCESSABLE;
	}
	if (rc)
		return rc;
	*j->count = (int64_t)v.n;
	for (size_t i = 0; !rc && i < v.n && (int)i < j->limit; i++) {
		struct notice_org o;
		rc = notice_org_read(c, v.ids[i], &o);
		if (!rc)
			rc = j->fn(&o, j->arg);
	}
	free(v.ids);
	return rc;
}

int notice_preview(struct app *a, int64_t issuer, const struct notice_targets *t, int limit,
		   int (*fn)(const struct notice_org *o, void *arg), void *arg, int64_t *count,
		   struct errlist *errs)
{
	struct preview_job j = {issuer, t, limit, fn, arg, count, errs};
	*count = 0;
	return store_read(a->store, preview_read, &j);
}

/* ---- reading notices ---- */

void notice_clear(struct notice *n)
{
	free(n->body);
	free(n->body_html);
	free(n->targets);
	n->body = n->body_html = NULL;
	n->targets = NULL;
}

int notice_org_of(struct app *a, int64_t id, int64_t *org_id)
{
	struct conn *c = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (!rc)
		rc = conn_row(c, "SELECT org_id FROM notice WHERE id = $1", "i", "i", id, org_id);
	store_release(c);
	return rc;
}

void notice_row_read(struct stmt *st, struct notice *n)
{
	memset(n, 0, sizeof(*n));
	n->id = stmt_int64(st, 0);
	n->org_id = stmt_int64(st, 1);
	n->parent_id = stmt_int64(st, 2);
	str_copy(n->org_name, sizeof(n->org_name), stmt_text(st, 3, NULL));
	str_copy(n->state, sizeof(n->state), stmt_text(st, 4, NULL));
	str_copy(n->number, sizeof(n->number), stmt_text(st, 5, NULL));
	str_copy(n->title, sizeof(n->title), stmt_text(st, 6, NULL));
	str_copy(n->contact_name, sizeof(n->contact_name), stmt_text(st, 7, NULL));
	str_copy(n->contact_phone, sizeof(n->contact_phone), stmt_text(st, 8, NULL));
	str_copy(n->deadline_date, sizeof(n->deadline_date), stmt_text(st, 9, NULL));
	str_copy(n->deadline_time, sizeof(n->deadline_time), stmt_text(st, 10, NULL));
	n->deadline_at = stmt_int64(st, 11);
	n->receipt_required = stmt_int64(st, 12) != 0;
	n->form_id = stmt_int64(st, 13);
	n->recipient_count = stmt_int64(st, 14);
	str_copy(n->reject_reason, sizeof(n->reject_reason), stmt_text(st, 15, NULL));
	str_copy(n->recall_reason, sizeof(n->recall_reason), stmt_text(st, 16, NULL));
	n->created_by = stmt_int64(st, 17);
	n->created_at = stmt_int64(st, 18);
	n->updated_at = stmt_int64(st, 19);
	n->approved_at = stmt_int64(st, 20);
	n->sent_at = stmt_int64(st, 21);
	n->recalled_at = stmt_int64(st, 22);
	n->version = stmt_int64(st, 23);
	str_copy(n->parent_number, sizeof(n->parent_number), stmt_text(st, 24, NULL));
	str_copy(n->parent_title, sizeof(n->parent_title), stmt_text(st, 25, NULL));
	str_copy(n->parent_org_name, sizeof(n->parent_org_name), stmt_text(st, 26, NULL));
}

struct get_job {
	int64_t id;
	struct notice *n;
	bool found;
};

static int get_row(struct stmt *st, void *arg)
{
	struct get_job *j = arg;
	notice_row_read(st, j->n);
	j->n->body = strdup(stmt_text(st, 27, NULL));
	j->n->body_html = strdup(stmt_text(st, 28, NULL));
	j->found = true;
	return j->n->body && j->n->body_html ? 1 : ERR_NOMEM;
}

int notice_get_conn(struct conn *c, int64_t id, struct notice *out)
{
	struct get_job j = {id, out, false};
	int rc = conn_each(c, "SELECT " NOTICE_COLS ", n.body, n.body_html" NOTICE_FROM " WHERE n.id = $1",
			   get_row, &j, "i", id);
	if (!rc && !j.found)
		rc = ERR_NOTFOUND;
	if (!rc) {
		out->targets = malloc(sizeof(*out->targets));
		rc = out->targets ? notice_targets_load(c, id, out->targets) : ERR_NOMEM;
	}
	if (rc)
		notice_clear(out);
	return rc;
}

static int get_read(struct conn *c, void *arg)
{
	struct get_job *j = arg;
	return notice_get_conn(c, j->id, j->n);
}

int notice_get(struct app *a, int64_t id, struct notice *out)
{
	struct get_job j = {id, out, false};
	memset(out, 0, sizeof(*out));
	return store_read(a->store, get_read, &j);
}

/* ---- receipt figures ---- */

/* Per distinct org reached by notice $1 or a sent forward of it: its best state (0 unread,
 * 1 read, 2 acknowledged). */
#define ROLLUP                                                                                                     \
	"WITH r AS (SELECT nr.org_id, MAX(CASE nr.state WHEN 'acknowledged' THEN 2 WHEN 'read' THEN 1 ELSE 0 END)" \
	" AS s FROM notice_anc a JOIN notice m ON m.id = a.notice_id JOIN notice_recipient nr"                     \
	" ON nr.notice_id = a.notice_id WHERE a.anc_id = $1 AND (m.state = 'sent' OR m.id = $1)"                   \
	" GROUP BY nr.org_id) "

static void counts_add(struct notice_counts *c, int64_t s, int64_t n)
{
	c->total += n;
	if (s == 2)
		c->acknowledged += n;
	else if (s == 1)
		c->read += n;
	else
		c->unread += n;
}

static int counts_row(struct stmt *st, void *arg)
{
	counts_add(arg, stmt_int64(st, 0), stmt_int64(st, 1));
	return 0;
}

int notice_counts_conn(struct conn *c, int64_t id, struct notice_counts *out)
{
	memset(out, 0, sizeof(*out));
	return conn_each(c, ROLLUP "SELECT s, count(*) FROM r GROUP BY s", counts_row, out, "i", id);
}

struct receipts_job {
	int64_t id, under;
	struct notice_receipts *out;
	int (*fn)(const struct notice_branch *b, void *arg);
	void *arg;
	struct errlist *errs;
	struct notice_branch cur;
	int rc;
};

static int branch_row(struct stmt *st, void *arg)
{
	struct receipts_job *j = arg;
	int64_t org = stmt_int64(st, 0);
	if (org != j->cur.org.id) {
		if (j->cur.org.id) {
			int rc = j->fn(&j->cur, j->arg);
			if (rc)
				return rc;
		}
		memset(&j->cur, 0, sizeof(j->cur));
		j->cur.org.id = org;
		str_copy(j->cur.org.code, sizeof(j->cur.org.code), stmt_text(st, 1, NULL));
		str_copy(j->cur.org.name, sizeof(j->cur.org.name), stmt_text(st, 2, NULL));
		str_copy(j->cur.org.level, sizeof(j->cur.org.level), stmt_text(st, 3, NULL));
		str_copy(j->cur.org.type, sizeof(j->cur.org.type), stmt_text(st, 4, NULL));
	}
	counts_add(&j->cur.c, stmt_int64(st, 5), stmt_int64(st, 6));
	return 0;
}

static int receipts_read(struct conn *c, void *arg)
{
	struct receipts_job *j = arg;
	int64_t issuer = 0;
	int rc = conn_row(c, "SELECT org_id FROM notice WHERE id = $1", "i", "i", j->id, &issuer);
	if (rc)
		return rc;
	char today[11];
	date_today(today, sizeof(today));
	int64_t under = j->under ? j->under : issuer;
	bool yes = false;
	rc = in_subtree(c, under, issuer, today, &yes);
	if (rc)
		return rc;
	if (!yes)
		return errlist_add(j->errs, "under", "out_of_scope",
				   "not the issuing organization or one below it"),
		       ERR_UNPROCESSABLE;
	j->out->under = under;
	rc = notice_counts_conn(c, j->id, &j->out->all);
	if (!rc)
		rc = conn_each(c,
			       ROLLUP "SELECT r.s, count(*) FROM r JOIN org_closure x ON x.org_id = r.org_id"
				      " AND x.anc_id = $2 AND " VALID("x", "$3") " GROUP BY r.s",
			       counts_row, &j->out->within, "iit", j->id, under, today);
	if (!rc)
		rc = conn_each(c, ROLLUP "SELECT r.s, count(*) FROM r WHERE r.org_id = $2 GROUP BY r.s",
			       counts_row, &j->out->self, "i i", j->id, under);
	if (!rc && under == issuer) {
		struct notice_counts *o = &j->out->outside;
		o->total = j->out->all.total - j->out->within.total;
		o->unread = j->out->all.unread - j->out->within.unread;
		o->read = j->out->all.read - j->out->within.read;
		o->acknowledged = j->out->all.acknowledged - j->out->within.acknowledged;
	}
	if (rc || !j->fn)
		return rc;
	rc = conn_each(
		c,
		ROLLUP
		"SELECT b.id, b.code, b.name, b.level, b.type, r.s, count(*) FROM r"
		" JOIN org_closure x ON x.org_id = r.org_id AND " VALID("x", "$3") " JOIN org_parent p ON p.org_id = x.anc_id AND p.parent_id = $2 AND " VALID(
			"p",
			"$3") " JOIN org b ON b.id = p.org_id"
			      " GROUP BY b.id, b.code, b.name, b.level, b.type, r.s ORDER BY b.code, r.s",
		branch_row, j, "iit", j->id, under, today);
	if (!rc && j->cur.org.id)
		rc = j->fn(&j->cur, j->arg);
	return rc;
}

int notice_receipts(struct app *a, int64_t id, int64_t under, struct notice_receipts *out,
		    int (*fn)(const struct notice_branch *b, void *arg), void *arg, struct errlist *errs)
{
	memset(out, 0, sizeof(*out));
	struct receipts_job j = {.id = id, .under = under, .out = out, .fn = fn, .arg = arg, .errs = errs};
	return store_read(a->store, receipts_read, &j);
}

struct recipients_job {
	int64_t id, under;
	const char *state, *after;
	int limit, rows;
	int (*fn)(const struct notice_receipt_row *r, void *arg);
	void *arg;
	char *next;
	struct errlist *errs;
};

static int recipient_row(struct stmt *st, void *arg)
{
	struct recipients_job *j = arg;
	struct notice_receipt_row r;
	memset(&r, 0, sizeof(r));
	r.org.id = stmt_int64(st, 0);
	str_copy(r.org.code, sizeof(r.org.code), stmt_text(st, 1, NULL));
	str_copy(r.org.name, sizeof(r.org.name), stmt_text(st, 2, NULL));
	str_copy(r.org.level, sizeof(r.org.level), stmt_text(st, 3, NULL));
	str_copy(r.org.type, sizeof(r.org.type), stmt_text(st, 4, NULL));
	r.via_id = stmt_int64(st, 5);
	str_copy(r.via_number, sizeof(r.via_number), stmt_text(st, 6, NULL));
	str_copy(r.state, sizeof(r.state), stmt_text(st, 7, NULL));
	r.read_at = stmt_int64(st, 8);
	str_copy(r.read_by, sizeof(r.read_by), stmt_text(st, 9, NULL));
	r.ack_at = stmt_int64(st, 10);
	str_copy(r.ack_by, sizeof(r.ack_by), stmt_text(st, 11, NULL));
	r.forwarded_id = stmt_int64(st, 12);
	if (++j->rows == j->limit)
		snprintf(j->next, 64, "%s:%" PRId64, r.org.code, r.via_id);
	return j->fn(&r, j->arg);
}

/* "code:id" cursors (codes never hold ':') */
bool notice_cursor(const char *after, char *key, size_t cap, int64_t *id)
{
	const char *colon = after ? strrchr(after, ':') : NULL;
	if (!colon || (size_t)(colon - after) >= cap || !num_int64(colon + 1, id))
		return false;
	memcpy(key, after, (size_t)(colon - after));
	key[colon - after] = '\0';
	return true;
}

static int recipients_read(struct conn *c, void *arg)
{
	struct recipients_job *j = arg;
	char today[11], code[64] = "";
	int64_t after_id = 0;
	date_today(today, sizeof(today));
	if (j->after && !notice_cursor(j->after, code, sizeof(code), &after_id))
		return errlist_add(j->errs, "after", "invalid_parameter",
				   "the next_after of the previous page"),
		       ERR_INVALID;
	if (j->under) {
		int64_t issuer = 0;
		bool yes = false;
		int rc = conn_row(c, "SELECT org_id FROM notice WHERE id = $1", "i", "i", j->id, &issuer);
		if (!rc)
			rc = in_subtree(c, j->under, issuer, today, &yes);
		if (rc)
			return rc;
		if (!yes)
			return errlist_add(j->errs, "under", "out_of_scope",
					   "not the issuing organization or one below it"),
			       ERR_UNPROCESSABLE;
	}
	return conn_each(
		c,
		"SELECT o.id, o.code, o.name, o.level, o.type, m.id, COALESCE(m.number, ''), nr.state,"
		" COALESCE(nr.read_at, 0), COALESCE(ru.display_name, ''), COALESCE(nr.ack_at, 0),"
		" COALESCE(au.display_name, ''), COALESCE(nr.forwarded_id, 0)"
		" FROM notice_anc a JOIN notice m ON m.id = a.notice_id JOIN notice_recipient nr ON nr.notice_id = m.id"
		" JOIN org o ON o.id = nr.org_id LEFT JOIN app_user ru ON ru.id = nr.read_by"
		" LEFT JOIN app_user au ON au.id = nr.ack_by"
		" WHERE a.anc_id = $1 AND (m.state = 'sent' OR m.id = $1)"
		" AND (CAST($2 AS TEXT) IS NULL OR nr.state = $2)"
		" AND ($3 = 0 OR EXISTS (SELECT 1 FROM org_closure x WHERE x.org_id = o.id"
		" AND x.anc_id = $3 AND " VALID(
			"x",
			"$4") "))"
			      " AND (o.code > $5 OR (o.code = $5 AND m.id > $6)) ORDER BY o.code, m.id LIMIT $7",
		recipient_row, j, "itittii", j->id, j->state, j->under ? j->under : 0, today, code, after_id,
		(int64_t)j->limit);
}

int notice_recipients(struct app *a, int64_t id, int64_t under, const char *state, const char *after,
		      int limit, int (*fn)(const struct notice_receipt_row *r, void *arg), void *arg,
		      char next[64], struct errlist *errs)
{
	next[0] = '\0';
	struct recipients_job j = {id, under, state, after, limit, 0, fn, arg, next, errs};
	return store_read(a->store, recipients_read, &j);
}
