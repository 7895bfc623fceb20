/*
 * notice_int.h - what the notice module's files (notice.c, notice_write.c,
 * notice_inbox.c) share; nothing outside domain/notice*.c includes it.
 */
#ifndef KEXIE_DOMAIN_NOTICE_INT_H
#define KEXIE_DOMAIN_NOTICE_INT_H

#include "domain/notice.h"

#include <stddef.h>
#include <stdint.h>

struct conn;
struct stmt;

/* The columns notice_row_read reads (27), and where they come from. */
#define NOTICE_COLS                                                                                          \
	"n.id, n.org_id, COALESCE(n.parent_notice_id, 0), o.name, n.state, COALESCE(n.number, ''), n.title," \
	" n.contact_name, n.contact_phone, COALESCE(n.deadline_date, ''), COALESCE(n.deadline_time, ''),"    \
	" COALESCE(n.deadline_at, 0), n.receipt_required, COALESCE(n.form_id, 0), n.recipient_count,"        \
	" n.reject_reason, n.recall_reason, COALESCE(n.created_by, 0), n.created_at, n.updated_at,"          \
	" COALESCE(n.approved_at, 0), COALESCE(n.sent_at, 0), COALESCE(n.recalled_at, 0), n.version,"        \
	" COALESCE(p.number, ''), COALESCE(p.title, ''), COALESCE(po.name, '')"
#define NOTICE_FROM                                                                                    \
	" FROM notice n JOIN org o ON o.id = n.org_id LEFT JOIN notice p ON p.id = n.parent_notice_id" \
	" LEFT JOIN org po ON po.id = p.org_id"
#define NOTICE_LIST_COLS NOTICE_COLS NOTICE_FROM
void notice_row_read(struct stmt *st, struct notice *n);

/* The distinct recipients of a resolution, in code order (ids malloc'd; the caller frees). */
struct rset_view {
	int64_t *ids;
	size_t n;
};

int64_t notice_now_ms(void);
/* notice_config_get on the caller's connection (inside a transaction). */
int notice_config_conn(struct conn *c, int64_t org_id, struct notice_config *out);
/* Field errors for targets outside the issuer's subtree today, or a bad level or type. */
int notice_targets_check(struct conn *c, int64_t issuer, const struct notice_targets *t,
			 struct errlist *errs);
int notice_targets_save(struct conn *c, int64_t id, const struct notice_targets *t);
int notice_targets_load(struct conn *c, int64_t id, struct notice_targets *t);
/* The open orgs the targets reach on day, the issuer never among them. ERR_TOOBIG past
 * NOTICE_RECIPIENTS_MAX. */
int notice_resolve(struct conn *c, int64_t issuer, const struct notice_targets *t, const char *day,
		   struct rset_view *out);
int notice_org_read(struct conn *c, int64_t id, struct notice_org *o);
int notice_get_conn(struct conn *c, int64_t id, struct notice *out);
int notice_counts_conn(struct conn *c, int64_t id, struct notice_counts *out);
/* Splits a "key:id" cursor. */
bool notice_cursor(const char *after, char *key, size_t cap, int64_t *id);

#endif
