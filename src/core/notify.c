/*
 * notify.c - in-app notifications and the hook outbox (see notify.h): resolving the
 * recipients, writing one row per account, the JSON the hook will carry, and the
 * recipient's own reads and marks.
 */
#include "core/notify.h"
#include "core/codelist.h"
#include "base/jsonw.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool notify_link_ok(const char *link)
{
	size_t n = strlen(link);
	if (!n)
		return true;
	if (n > NOTIFY_LINK_MAX || link[0] != '/' || strstr(link, "//") || strchr(link, '\\') ||
	    strchr(link, ':'))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)link[i] <= ' ' || link[i] == 0x7f)
			return false;
	return utf8_valid(link, n, NULL);
}

static bool msg_ok(const struct notify_msg *m)
{
	if (!m->kind || !codeset_has(&codelist_notification_kind, m->kind) || !m->title)
		return false;
	size_t tl = strlen(m->title), bl = m->body ? strlen(m->body) : 0;
	if (!tl || !utf8_valid(m->title, tl, NULL) || utf8_count(m->title, tl) > NOTIFY_TITLE_MAX)
		return false;
	if (bl > NOTIFY_BODY_MAX || (bl && !utf8_valid(m->body, bl, NULL)))
		return false;
	if (m->source_kind && strlen(m->source_kind) > 32)
		return false;
	return !m->link || notify_link_ok(m->link);
}

/* ---- recipients ---- */

struct recipient {
	int64_t id, org_id;
	const char *role;
	char login[65], name[101];
};

struct recipients {
	struct recipient *r;
	size_t n, cap;
	int64_t org_id;
	const char *role;
	int rc;
};

static int add_recipient(struct stmt *st, void *arg)
{
	struct recipients *rs = arg;
	int64_t id = stmt_int64(st, 0);
	for (size_t i = 0; i < rs->n; i++)
		if (rs->r[i].id == id)
			return 0; /* reached twice: one row */
	if (rs->n >= NOTIFY_RECIPIENTS_MAX)
		return ERR_TOOBIG;
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? 2 * rs->cap : 16;
		struct recipient *p = realloc(rs->r, cap * sizeof(*p));
		if (!p)
			return ERR_NOMEM;
		rs->r = p;
		rs->cap = cap;
	}
	struct recipient *r = &rs->r[rs->n++];
	r->id = id;
	r->org_id = rs->org_id;
	r->role = rs->role;
	size_t len;
	const char *s = stmt_text(st, 1, &len);
	snprintf(r->login, sizeof(r->login), "%.*s", (int)len, s);
	s = stmt_text(st, 2, &len);
	snprintf(r->name, sizeof(r->name), "%.*s", (int)len, s);
	return 0;
}

static const char sql_account[] =
	"SELECT id, login, display_name FROM app_user WHERE id = $1 AND status = 'active'";
static const char sql_role_at[] =
	"SELECT u.id, u.login, u.display_name FROM role_assignment ra "
	"JOIN app_user u ON u.id = ra.user_id "
	"WHERE ra.org_id = $1 AND ra.role = $2 AND u.status = 'active' ORDER BY u.id";

static int resolve(struct conn *c, const struct notify_to *to, size_t nto, struct recipients *rs)
{
	for (size_t i = 0; i < nto; i++) {
		int rc;
		if (to[i].account_id > 0) {
			rs->org_id = 0;
			rs->role = "";
			rc = conn_each(c, sql_account, add_recipient, rs, "i", to[i].account_id);
		} else {
			if (!to[i].role || !codeset_has(&codelist_role, to[i].role) || to[i].org_id <= 0)
				return ERR_INVALID;
			rs->org_id = to[i].org_id;
			rs->role = to[i].role;
			rc = conn_each(c, sql_role_at, add_recipient, rs, "it", to[i].org_id, to[i].role);
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- the hook's outbox ---- */

/* Is kind one of the configured events ("*": all; the gateway test always is)? */
static bool hook_wants(const struct app *a, const char *kind)
{
	if (!a || !a->hook_urls || !a->hook_urls[0])
		return false;
	if (!strcmp(kind, "hook_test"))
		return true;
	const char *ev = a->hook_events && a->hook_events[0] ? a->hook_events : "*";
	return !strcmp(ev, "*") || word_in(ev, ' ', kind, false);
}

size_t notify_hook_targets(const struct app *a, const char *kind)
{
	if (!hook_wants(a, kind))
		return 0;
	size_t n = 0;
	for (const char *p = a->hook_urls; *p;) {
		p += strspn(p, " ");
		size_t len = strcspn(p, " ");
		n += len > 0;
		p += len;
	}
	return n;
}

/* The JSON a hook delivery carries (docs/notifications.md, "The hook"). */
static int payload(const struct notify_msg *m, const char *event, const struct recipients *rs, int64_t now,
		   char **out)
{
	struct jsonw w;
	jsonw_init_max(&w, (size_t)1 << 20);
	char iso[32];
	time_iso(now, iso, sizeof(iso));
	jsonw_object(&w, NULL);
	jsonw_str(&w, "event", event);
	jsonw_str(&w, "created_at", iso);
	jsonw_object(&w, "notification");
	jsonw_str(&w, "kind", m->kind);
	jsonw_str(&w, "title", m->title);
	jsonw_str(&w, "body", m->body ? m->body : "");
	jsonw_str(&w, "link", m->link && m->link[0] ? m->link : NULL);
	jsonw_object(&w, "source");
	jsonw_str(&w, "kind", m->source_kind && m->source_kind[0] ? m->source_kind : NULL);
	jsonw_int(&w, "id", m->source_id);
	jsonw_end(&w);
	jsonw_end(&w);
	jsonw_array(&w, "recipients");
	for (size_t i = 0; i < rs->n; i++) {
		const struct recipient *r = &rs->r[i];
		jsonw_object(&w, NULL);
		jsonw_int(&w, "account_id", r->id);
		jsonw_str(&w, "login", r->login);
		jsonw_str(&w, "display_name", r->name);
		if (r->org_id) {
			jsonw_int(&w, "org_id", r->org_id);
			jsonw_str(&w, "role", r->role);
		}
		jsonw_end(&w);
	}
	jsonw_end(&w);
	jsonw_end(&w);
	int rc = jsonw_result(&w);
	if (rc) {
		jsonw_release(&w);
		return rc;
	}
	*out = jsonw_detach(&w, NULL);
	return *out ? 0 : ERR_NOMEM;
}

static int enqueue(struct conn *c, const struct app *a, const struct notify_msg *m,
		   const struct recipients *rs, int64_t now)
{
	char event[48];
	snprintf(event, sizeof(event), "notification.%s", m->kind);
	char *body = NULL;
	int rc = payload(m, event, rs, now, &body);
	/* one row per URL of the space-separated list */
	for (const char *p = a->hook_urls; !rc && *p;) {
		p += strspn(p, " ");
		size_t n = strcspn(p, " ");
		if (n) {
			int w = conn_run(
				c,
				"INSERT INTO hook_delivery (event, url, body, title, next_at, created_at) "
				"VALUES ($1, $2, $3, $4, $5, $5)",
				"tTtti", event, p, n, body, m->title, now);
			rc = w < 0 ? w : 0;
		}
		p += n;
	}
	free(body);
	return rc;
}

int notify_send(struct conn *c, const struct notify_msg *m, const struct notify_to *to, size_t nto, int *sent)
{
	if (sent)
		*sent = 0;
	if (!msg_ok(m))
		return ERR_INVALID;
	struct recipients rs = {0};
	int rc = resolve(c, to, nto, &rs);
	int64_t now = time_unix();
	for (size_t i = 0; !rc && i < rs.n; i++) {
		const struct recipient *r = &rs.r[i];
		int w = conn_run(
			c,
			"INSERT INTO notification (recipient_id, kind, title, body, link, source_kind, "
			"source_id, org_id, role, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
			"itttttiiti", r->id, m->kind, m->title, m->body ? m->body : "",
			m->link ? m->link : "", m->source_kind ? m->source_kind : "", m->source_id, r->org_id,
			r->role, now);
		rc = w < 0 ? w : 0;
	}
	const struct app *a = conn_owner(c);
	if (!rc && rs.n && hook_wants(a, m->kind))
		rc = enqueue(c, a, m, &rs, now);
	if (!rc && sent)
		*sent = (int)rs.n;
	free(rs.r);
	return rc;
}

/* ---- the recipient's reads ---- */

#define NOTIFICATION_COLS \
	"id, kind, title, body, link, source_kind, source_id, org_id, role, created_at, read_at"

static void row_to(struct stmt *st, struct notification *n)
{
	memset(n, 0, sizeof(*n));
	char *dst[] = {n->kind, n->title, n->body, n->link, n->source_kind};
	size_t cap[] = {sizeof(n->kind), sizeof(n->title), sizeof(n->body), sizeof(n->link),
			sizeof(n->source_kind)};
	n->id = stmt_int64(st, 0);
	for (int i = 0; i < 5; i++) {
		size_t len;
		const char *s = stmt_text(st, i + 1, &len);
		if (len >= cap[i])
			len = cap[i] - 1;
		memcpy(dst[i], s, len);
	}
	n->source_id = stmt_int64(st, 6);
	n->org_id = stmt_int64(st, 7);
	size_t len;
	const char *role = stmt_text(st, 8, &len);
	snprintf(n->role, sizeof(n->role), "%.*s", (int)len, role);
	n->created_at = stmt_int64(st, 9);
	n->read_at = stmt_isnull(st, 10) ? 0 : stmt_int64(st, 10);
}

struct list_walk {
	int (*fn)(const struct notification *n, void *arg);
	void *arg;
	int64_t last;
	struct notification n;
};

static int list_row(struct stmt *st, void *arg)
{
	struct list_walk *x = arg;
	row_to(st, &x->n);
	x->last = x->n.id;
	return x->fn(&x->n, x->arg);
}

int notify_list(struct app *a, int64_t account, bool unread_only, int64_t after, int limit,
		int (*fn)(const struct notification *n, void *arg), void *arg, int64_t *last)
{
	*last = 0;
	if (limit < 1 || limit > NOTIFY_PAGE_MAX)
		limit = 50;
	struct list_walk *x = calloc(1, sizeof(*x));
	if (!x)
		return ERR_NOMEM;
	x->fn = fn;
	x->arg = arg;
	struct conn *c = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (!rc)
		rc = conn_each(
			c,
			"SELECT " NOTIFICATION_COLS " FROM notification WHERE recipient_id = $1 "
			"AND ($2 = 0 OR read_at IS NULL) AND ($3 = 0 OR id < $3) ORDER BY id DESC LIMIT $4",
			list_row, x, "iiid", account, (int64_t)unread_only, after, limit);
	store_release(c);
	*last = rc ? 0 : x->last;
	free(x);
	return rc;
}

int notify_unread(struct app *a, int64_t account, int64_t *count)
{
	*count = 0;
	struct conn *c = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (!rc)
		rc = conn_row(c,
			      "SELECT count(*) FROM notification WHERE recipient_id = $1 AND read_at IS NULL",
			      "i", "i", account, count);
	store_release(c);
	return rc;
}

struct read_call {
	const struct audit_entry *who;
	int64_t account, id, changed;
	struct notification *out;
};

static int read_one_row(struct stmt *st, void *arg)
{
	row_to(st, arg);
	return 1;
}

static int read_tx(struct conn *c, void *arg)
{
	struct read_call *x = arg;
	int64_t now = time_unix();
	int w = conn_run(
		c,
		"UPDATE notification SET read_at = $3 WHERE id = $1 AND recipient_id = $2 AND read_at IS NULL",
		"iii", x->id, x->account, now);
	if (w < 0)
		return w;
	if (w == 1) {
		int rc = audit_object(c, x->who, "notification.read", "notification", x->id, 0, NULL);
		if (rc)
			return rc;
	}
	struct notification n;
	n.id = 0;
	int rc = conn_each(
		c, "SELECT " NOTIFICATION_COLS " FROM notification WHERE id = $1 AND recipient_id = $2",
		read_one_row, &n, "ii", x->id, x->account);
	if (rc)
		return rc;
	if (!n.id)
		return ERR_NOTFOUND;
	if (x->out)
		*x->out = n;
	return 0;
}

int notify_read(struct app *a, const struct audit_entry *who, int64_t account, int64_t id,
		struct notification *out)
{
	struct notification *n = calloc(1, sizeof(*n));
	if (!n)
		return ERR_NOMEM;
	struct read_call x = {.who = who, .account = account, .id = id, .out = n};
	int rc = store_tx(a->store, read_tx, &x);
	if (!rc && out)
		*out = *n;
	free(n);
	return rc;
}

static int read_all_tx(struct conn *c, void *arg)
{
	struct read_call *x = arg;
	int w = conn_run(c,
			 "UPDATE notification SET read_at = $2 WHERE recipient_id = $1 AND read_at IS NULL",
			 "ii", x->account, time_unix());
	if (w < 0)
		return w;
	x->changed = w;
	if (!w)
		return 0;
	char detail[48];
	snprintf(detail, sizeof(detail), "{\"count\":%d}", w);
	return audit_object(c, x->who, "notification.read_all", "user", x->account, 0, detail);
}

int notify_read_all(struct app *a, const struct audit_entry *who, int64_t account, int64_t *changed)
{
	struct read_call x = {.who = who, .account = account};
	int rc = store_tx(a->store, read_all_tx, &x);
	*changed = rc ? 0 : x.changed;
	return rc;
}

int notify_prune(struct conn *c, int64_t read_before, int64_t finished_before, int64_t *removed)
{
	*removed = 0;
	int n1 = conn_run(c, "DELETE FROM notification WHERE read_at IS NOT NULL AND read_at < $1", "i",
			  read_before);
	if (n1 < 0)
		return n1;
	int n2 = conn_run(c,
			  "DELETE FROM hook_attempt WHERE delivery_id IN (SELECT id FROM hook_delivery "
			  "WHERE state = 'delivered' AND finished_at < $1)",
			  "i", finished_before);
	if (n2 < 0)
		return n2;
	int n3 = conn_run(c, "DELETE FROM hook_delivery WHERE state = 'delivered' AND finished_at < $1", "i",
			  finished_before);
	if (n3 < 0)
		return n3;
	*removed = (int64_t)n1 + n3;
	return 0;
}
