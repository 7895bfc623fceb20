/*
 * notice_inbox.c - the recipient's side of notices (see notice.h): an org's inbox in pages
 * newest first (one range of notice_recipient_inbox or, filtered by state,
 * notice_recipient_inbox_state), the first read and the acknowledgement (签收), each with
 * who and when, each audited at the recipient org.
 */
#include "domain/notice.h"
#include "domain/notice_int.h"
#include "base/num.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INBOX_COLS                                                                                                 \
	"SELECT r.notice_id, n.org_id, o.name, COALESCE(n.number, ''), n.title, r.state, n.state,"                 \
	" n.receipt_required, r.sent_at, COALESCE(n.deadline_at, 0), COALESCE(r.read_at, 0),"                      \
	" COALESCE(r.ack_at, 0), COALESCE(r.forwarded_id, 0), COALESCE(n.parent_notice_id, 0),"                    \
	" COALESCE(ru.display_name, ''), COALESCE(au.display_name, '')"                                            \
	" FROM notice_recipient r CROSS JOIN notice n CROSS JOIN org o LEFT JOIN app_user ru ON ru.id = r.read_by" \
	" LEFT JOIN app_user au ON au.id = r.ack_by"
#define INBOX_JOIN " AND n.id = r.notice_id AND o.id = n.org_id"

static const char sql_all[] = INBOX_COLS
	" WHERE r.org_id = $1 AND (r.sent_at, r.notice_id) < ($2, $3)" INBOX_JOIN
	" ORDER BY r.sent_at DESC, r.notice_id DESC LIMIT $4";
static const char sql_state[] = INBOX_COLS " WHERE r.org_id = $1 AND r.state = $5"
					   " AND (r.sent_at, r.notice_id) < ($2, $3)" INBOX_JOIN
					   " ORDER BY r.sent_at DESC, r.notice_id DESC LIMIT $4";

static void item_row(struct stmt *st, struct notice_inbox_item *it)
{
	memset(it, 0, sizeof(*it));
	it->notice_id = stmt_int64(st, 0);
	it->org_id = stmt_int64(st, 1);
	str_copy(it->org_name, sizeof(it->org_name), stmt_text(st, 2, NULL));
	str_copy(it->number, sizeof(it->number), stmt_text(st, 3, NULL));
	str_copy(it->title, sizeof(it->title), stmt_text(st, 4, NULL));
	str_copy(it->state, sizeof(it->state), stmt_text(st, 5, NULL));
	it->withdrawn = !strcmp(stmt_text(st, 6, NULL), "recalled");
	it->receipt_required = stmt_int64(st, 7) != 0;
	it->sent_at = stmt_int64(st, 8);
	it->deadline_at = stmt_int64(st, 9);
	it->read_at = stmt_int64(st, 10);
	it->ack_at = stmt_int64(st, 11);
	it->forwarded_id = stmt_int64(st, 12);
	it->parent_id = stmt_int64(st, 13);
	str_copy(it->read_by, sizeof(it->read_by), stmt_text(st, 14, NULL));
	str_copy(it->ack_by, sizeof(it->ack_by), stmt_text(st, 15, NULL));
}

struct inbox_job {
	int (*fn)(const struct notice_inbox_item *it, void *arg);
	void *arg;
	int limit, rows;
	char *next;
};

static int inbox_row(struct stmt *st, void *arg)
{
	struct inbox_job *j = arg;
	struct notice_inbox_item it;
	item_row(st, &it);
	if (++j->rows == j->limit)
		snprintf(j->next, 64, "%" PRId64 ":%" PRId64, it.sent_at, it.notice_id);
	return j->fn(&it, j->arg);
}

int notice_inbox(struct app *a, int64_t org_id, const char *state, const char *after, int limit,
		 int (*fn)(const struct notice_inbox_item *it, void *arg), void *arg, char next[64],
		 struct errlist *errs)
{
	next[0] = '\0';
	char key[24];
	int64_t at = INT64_MAX, id = INT64_MAX;
	if (after && (!notice_cursor(after, key, sizeof(key), &id) || !num_int64(key, &at)))
		return errlist_add(errs, "after", "invalid_parameter", "the next_after of the previous page"),
		       ERR_INVALID;
	struct conn *c = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	struct inbox_job j = {fn, arg, limit, 0, next};
	if (state)
		rc = conn_each(c, sql_state, inbox_row, &j, "iiiit", org_id, at, id, (int64_t)limit, state);
	else
		rc = conn_each(c, sql_all, inbox_row, &j, "iiii", org_id, at, id, (int64_t)limit);
	store_release(c);
	return rc;
}

struct item_job {
	struct notice_inbox_item *out;
	bool found;
};

static int item_one(struct stmt *st, void *arg)
{
	struct item_job *j = arg;
	item_row(st, j->out);
	j->found = true;
	return 1;
}

static int item_conn(struct conn *c, int64_t org_id, int64_t notice_id, struct notice_inbox_item *out)
{
	struct item_job j = {out, false};
	int rc = conn_each(c, INBOX_COLS " WHERE r.org_id = $1 AND r.notice_id = $2" INBOX_JOIN, item_one, &j,
			   "ii", org_id, notice_id);
	return rc ? rc : j.found ? 0 : ERR_NOTFOUND;
}

int notice_inbox_get(struct app *a, int64_t org_id, int64_t notice_id, struct notice_inbox_item *out)
{
	struct conn *c = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	rc = item_conn(c, org_id, notice_id, out);
	store_release(c);
	return rc;
}

struct mark_job {
	const struct audit_entry *who;
	int64_t org_id, notice_id;
	bool ack, changed;
	struct errlist *errs;
};

static int mark_tx(struct conn *c, void *arg)
{
	struct mark_job *j = arg;
	struct notice_inbox_item it;
	int rc = item_conn(c, j->org_id, j->notice_id, &it);
	if (rc)
		return rc;
	j->changed = false;
	if (j->ack && it.withdrawn)
		return errlist_add(j->errs, "notice", "withdrawn", "the notice has been recalled"),
		       ERR_CONFLICT;
	if (j->ack ? it.ack_at != 0 : it.read_at != 0)
		return 0; /* the first read and the acknowledgement are kept as they were */
	int64_t now = notice_now_ms(), user = j->who->user_id;
	if (j->ack)
		rc = conn_run(
			c,
			"UPDATE notice_recipient SET state = 'acknowledged', ack_by = NULLIF(CAST($3 AS BIGINT), 0), ack_at = $4,"
			" read_by = COALESCE(read_by, NULLIF(CAST($3 AS BIGINT), 0)), read_at = COALESCE(read_at, $4)"
			" WHERE notice_id = $1 AND org_id = $2 AND ack_at IS NULL",
			"iiii", j->notice_id, j->org_id, user, now);
	else
		rc = conn_run(
			c,
			"UPDATE notice_recipient SET state = CASE WHEN state = 'unread' THEN 'read' ELSE state END,"
			" read_by = NULLIF(CAST($3 AS BIGINT), 0), read_at = $4 WHERE notice_id = $1 AND org_id = $2 AND read_at IS NULL",
			"iiii", j->notice_id, j->org_id, user, now);
	if (rc < 0)
		return rc;
	j->changed = rc > 0;
	if (!j->changed)
		return 0;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_change(&d, "state", it.state, j->ack ? "acknowledged" : "read");
	audit_diff_int(&d, "recipient", j->org_id);
	return audit_object(c, j->who, j->ack ? "notice.acknowledge" : "notice.read", "notice", j->notice_id,
			    j->org_id, audit_diff_text(&d));
}

int notice_mark_read(struct app *a, const struct audit_entry *who, int64_t org_id, int64_t notice_id,
		     bool *changed)
{
	struct mark_job j = {who, org_id, notice_id, false, false, NULL};
	int rc = store_tx(a->store, mark_tx, &j);
	*changed = j.changed;
	return rc;
}

int notice_acknowledge(struct app *a, const struct audit_entry *who, int64_t org_id, int64_t notice_id,
		       struct errlist *errs, bool *changed)
{
	struct mark_job j = {who, org_id, notice_id, true, false, errs};
	int rc = store_tx(a->store, mark_tx, &j);
	*changed = j.changed;
	return rc;
}
