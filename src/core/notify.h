/*
 * notify.h - in-app notifications, the one way every module tells people something
 * (reminders, notices, returned submissions ...), and the outbox of the outbound hook.
 *
 * A module calls notify_send inside its own write transaction: the notifications (and the
 * hook deliveries for them) commit or roll back with the module's own change. A message
 * goes to accounts, or to "every account holding role R at org X", resolved when sent
 * into one row per active account (an account reached twice gets one row). Each row is
 * its recipient's only: every read and write here takes the caller's account and answers
 * ERR_NOTFOUND for someone else's notification, as for one that does not exist.
 *
 * When the outbound hook is configured (app->hook_urls, and app->hook_events selecting the
 * kind), notify_send also writes one hook_delivery row per URL with the JSON the hook
 * worker (core/hook.h) will POST. docs/notifications.md has the whole picture.
 */
#ifndef KEXIE_CORE_NOTIFY_H
#define KEXIE_CORE_NOTIFY_H

#include "core/app.h"
#include "core/audit.h"
#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NOTIFY_TITLE_MAX      200  /* characters */
#define NOTIFY_BODY_MAX       4000 /* bytes of plain text */
#define NOTIFY_LINK_MAX       500  /* bytes */
#define NOTIFY_RECIPIENTS_MAX 2000 /* accounts one notify_send may reach */
#define NOTIFY_PAGE_MAX       200

struct conn;

/* Who a message goes to: an account (account_id > 0), or every active account holding
 * `role` at org_id (exactly that org, not below it). */
struct notify_to {
	int64_t account_id;
	int64_t org_id;
	const char *role;
};

/* What is said. Strings are borrowed. kind is a code of codelist_notification_kind; title
 * 1..NOTIFY_TITLE_MAX characters; body plain text (NULL: ""); link an app route path
 * ("/notices/12", NULL: none) checked by notify_link_ok; source what it is about
 * (source_kind "notice" and its id; NULL / 0: nothing). */
struct notify_msg {
	const char *kind, *title, *body, *link;
	const char *source_kind;
	int64_t source_id;
};

/* True when link is an app route path: starts with one '/', at most NOTIFY_LINK_MAX bytes,
 * no scheme, no "//" or backslash anywhere, no control characters or spaces. "" is fine
 * (no link). */
bool notify_link_ok(const char *link);

/* Writes the notification for each recipient of to[0..nto) inside the caller's open write
 * transaction c, and the hook deliveries for it. *sent (may be NULL) receives the number
 * of accounts reached (0 is not an error: an org without staff). ERR_INVALID for a message
 * that breaks the rules above (a programmer error: modules build their messages),
 * ERR_TOOBIG past NOTIFY_RECIPIENTS_MAX accounts, or a store error (roll back). No audit
 * record: the module audits its own action. */
int notify_send(struct conn *c, const struct notify_msg *m, const struct notify_to *to, size_t nto,
		int *sent);

/* How many hook deliveries a notification of kind makes (the configured URLs when the
 * kind is selected, else 0). */
size_t notify_hook_targets(const struct app *a, const char *kind);

/* One notification as its recipient sees it. */
struct notification {
	int64_t id, source_id, org_id;
	int64_t created_at, read_at; /* unix seconds; read_at 0: unread */
	char kind[33], source_kind[33], role[16];
	char title[4 * NOTIFY_TITLE_MAX + 1];
	char body[NOTIFY_BODY_MAX + 1];
	char link[NOTIFY_LINK_MAX + 1];
};

/* account's notifications newest first with id < after (0: from the newest), only unread
 * ones when unread_only, at most limit (1..NOTIFY_PAGE_MAX); fn's error stops the walk
 * and is returned. *last receives the last id given (0 when none). */
int notify_list(struct app *a, int64_t account, bool unread_only, int64_t after, int limit,
		int (*fn)(const struct notification *n, void *arg), void *arg, int64_t *last);

/* account's unread notifications (an index-only count). */
int notify_unread(struct app *a, int64_t account, int64_t *count);

/* Marks account's notification id read (audited notification.read; already read: kept as
 * it was, nothing written) and reads it into *out (may be NULL). ERR_NOTFOUND when it is
 * not account's. */
int notify_read(struct app *a, const struct audit_entry *who, int64_t account, int64_t id,
		struct notification *out);

/* Marks every unread notification of account read; *changed receives how many (audited
 * notification.read_all with the count when any). */
int notify_read_all(struct app *a, const struct audit_entry *who, int64_t account, int64_t *changed);

/* Deletes read notifications read before `read_before` and finished hook deliveries (with
 * their attempts) finished before `finished_before`, inside c. *removed receives the rows
 * removed. For the scheduled housekeeping task. */
int notify_prune(struct conn *c, int64_t read_before, int64_t finished_before, int64_t *removed);

#endif
