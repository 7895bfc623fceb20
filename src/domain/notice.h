/*
 * notice.h - notices down the tree (通知): compose, approve, send, recall; the recipients'
 * inbox (read, acknowledge 签收, forward 转发); the sender's receipt figures rolled up over
 * forwards. docs/notices.md describes the flow and the decisions.
 *
 * A notice is issued by an org. Its document number (发文字号, "X科协发〔2026〕12号": the
 * org's prefix, the year in 〔〕, a sequence, 号) is allocated when it is sent, per org and
 * year, from a sequence that only grows, so a recalled notice's number is never given
 * again. Its targets are chosen orgs and rules (the open orgs below an org of the issuer's
 * subtree, optionally of one level and/or type; the open orgs guided by the issuer or an org
 * below it), resolved when sent, in the transaction that allocates the number and writes
 * the audit record, into a fixed recipient list of the orgs open that day (the issuing org
 * itself never). Guided-by rules are the one way a notice reaches an org outside the
 * issuer's subtree; such a recipient sees it in its inbox like any other.
 *
 * States: draft -> (pending -> approved, when the issuing org's notice config asks for
 * approval; an approver of the issuing org decides; a rejection returns it to draft with a
 * reason) -> sent -> recalled (recipients see it withdrawn; nothing is deleted).
 *
 * Integration points left for the mechanisms of issue 13 built elsewhere:
 *  - forms: `form_id` is stored and shape-checked only (an id >= 1); the forms module
 *    validates that the form exists and is usable (INTEGRATION(forms) in notice.c).
 *  - attachments: none yet; the stored-files module adds a notice_attachment table and the
 *    routes (INTEGRATION(files) in notice.c).
 *  - notifications: notice_send and notice_recall say where in-app notifications and the
 *    outbound hook are to be raised, after the commit (INTEGRATION(notifications)).
 */
#ifndef KEXIE_DOMAIN_NOTICE_H
#define KEXIE_DOMAIN_NOTICE_H

#include "core/app.h"
#include "core/audit.h"
#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NOTICE_TARGET_ORGS    500   /* chosen orgs per notice */
#define NOTICE_TARGET_RULES   20    /* rules per notice */
#define NOTICE_RECIPIENTS_MAX 50000 /* a notice reaches at most this many orgs */
#define NOTICE_BODY_MAX       20000 /* code points of Markdown */
#define NOTICE_PREFIX_DEFAULT "发"  /* prefix of an org without a config: its short name + 发 */

/* ---- pure helpers (unit-tested) ---- */

/* The document number: prefix + "〔" + year + "〕" + seq + "号" into out. Returns false
 * when it does not fit. */
bool notice_number_format(const char *prefix, const char *year, int64_t seq, char *out, size_t cap);

/* Renders Markdown to the HTML stored and shown (doc/markdown.h): *html malloc'd, the
 * caller frees. 0, ERR_TOOBIG, ERR_NOMEM. */
int notice_render(const char *markdown, char **html);

/* ---- per-org configuration ---- */

struct notice_config {
	int64_t org_id;
	char prefix[129];
	bool approval_required;
	int64_t version; /* 0: not set yet (defaults shown) */
};
/* The org's config, or its defaults (prefix: the org's short name, else name, + 发). */
int notice_config_get(struct app *a, int64_t org_id, struct notice_config *out);
/* Sets it (prefix 1..32 code points, no 〔〕 or 号 at the end is fine). If-Match: version 0 =
 * not checked; a stale one ERR_PRECOND. Audited as notice.config. */
int notice_config_set(struct app *a, const struct audit_entry *who, int64_t org_id, const char *prefix,
		      bool approval_required, int64_t version, struct errlist *errs,
		      struct notice_config *out);

/* ---- targets ---- */

enum notice_target_kind { NT_ORG = 1, NT_SUBTREE, NT_GUIDED };
struct notice_target {
	enum notice_target_kind kind;
	int64_t org_id;
	char level[16], type[33]; /* "" = any */
};
struct notice_targets {
	struct notice_target t[NOTICE_TARGET_ORGS + NOTICE_TARGET_RULES];
	int n;
};

/* One org a notice goes to (previews and receipt tables). */
struct notice_org {
	int64_t id;
	char code[33], name[801], level[16], type[33];
};

/* Resolves targets of the issuing org for today without writing: the count of distinct
 * recipients and the first `limit` of them in code order through fn. Field errors
 * (ERR_UNPROCESSABLE) name `targets[i]` for an org outside the issuer's subtree or a level
 * or type that is no code; ERR_TOOBIG (`too_many_recipients`) past NOTICE_RECIPIENTS_MAX. */
int notice_preview(struct app *a, int64_t issuer, const struct notice_targets *t, int limit,
		   int (*fn)(const struct notice_org *o, void *arg), void *arg, int64_t *count,
		   struct errlist *errs);

/* ---- notices ---- */

struct notice_input {
	int64_t org_id;    /* create only */
	int64_t parent_id; /* create only: the notice forwarded (0: none) */
	const char *title; /* NULL = unchanged (update) */
	const char *body;  /* Markdown */
	const char *contact_name, *contact_phone;
	const char *deadline_date, *deadline_time; /* "" clears (update) */
	int receipt_required;                      /* -1 unchanged, 0, 1 */
	int64_t form_id;                           /* -1 unchanged, 0 none */
	const struct notice_targets *targets;      /* NULL = unchanged */
};

struct notice_counts {
	int64_t total, unread, read, acknowledged;
};

struct notice {
	int64_t id, org_id, parent_id, root_id;
	char org_name[801], state[12], number[160], title[801];
	char *body, *body_html; /* malloc'd; notice_clear frees */
	char contact_name[241], contact_phone[121];
	char deadline_date[11], deadline_time[6];
	int64_t deadline_at; /* unix ms, 0 = none */
	bool receipt_required;
	int64_t form_id;
	int64_t recipient_count;
	char reject_reason[801], recall_reason[801];
	int64_t created_by, created_at, updated_at, approved_at, sent_at, recalled_at;
	int64_t version;
	struct notice_targets *targets; /* malloc'd by notice_get; NULL in lists */
	/* the forwarded notice, when parent_id */
	char parent_number[160], parent_title[801], parent_org_name[801];
};
void notice_clear(struct notice *n);

/* The issuing org of a notice (the scope rule of the sender's side). ERR_NOTFOUND. */
int notice_org_of(struct app *a, int64_t id, int64_t *org_id);

/* Creates a draft. Title required; targets checked as in notice_preview (at least one at
 * send). A forward (parent_id) must be of a notice the org received, sent (not recalled):
 * ERR_NOTFOUND otherwise. Audited as notice.create (notice.forward for a forward). */
int notice_create(struct app *a, const struct audit_entry *who, const struct notice_input *in,
		  struct errlist *errs, int64_t *id);
/* Changes a draft (ERR_CONFLICT `not_draft` otherwise); version required (If-Match). */
int notice_update(struct app *a, const struct audit_entry *who, int64_t id, int64_t version,
		  const struct notice_input *in, struct errlist *errs);
/* One notice with its targets (loaded: n->targets). */
int notice_get(struct app *a, int64_t id, struct notice *out);

/* Notices issued by org, newest first; state NULL = any; keyset by id (< before, 0 = from
 * the newest). fn receives each with its rolled-up receipt counts. *next the last id of a
 * full page. */
int notice_list(struct app *a, int64_t org_id, const char *state, int64_t before, int limit,
		int (*fn)(const struct notice *n, const struct notice_counts *c, void *arg), void *arg,
		int64_t *next);

/* State changes; each audited, each ERR_CONFLICT (field `state`, code `wrong_state`) from a
 * state it does not start from. submit: draft -> pending; approve: pending -> approved;
 * reject (reason 2..200): pending -> draft; recall (reason 2..200): sent -> recalled. */
int notice_submit(struct app *a, const struct audit_entry *who, int64_t id, struct errlist *errs);
int notice_approve(struct app *a, const struct audit_entry *who, int64_t id, struct errlist *errs);
int notice_reject(struct app *a, const struct audit_entry *who, int64_t id, const char *reason,
		  struct errlist *errs);
int notice_recall(struct app *a, const struct audit_entry *who, int64_t id, const char *reason,
		  struct errlist *errs);

/* Sends: from draft when the org needs no approval (ERR_CONFLICT `approval_required`
 * otherwise), or from approved. In one transaction: the number, the recipients (at least
 * one: `no_recipients`), the notice's state and the audit record. */
int notice_send(struct app *a, const struct audit_entry *who, int64_t id, struct errlist *errs);

/* ---- receipts (the sender's side) ---- */

/* Figures of a notice and every forward of it that is sent, per distinct org (its best
 * state: acknowledged > read > unread): all of them; per child of `under` (an org of the
 * issuer's subtree, 0 = the issuer) the recipients in that child's subtree; `self` the
 * recipient `under` itself; `outside` the recipients outside the issuer's subtree (only for
 * under = the issuer). Field error `under` outside the issuer's subtree. */
struct notice_branch {
	struct notice_org org;
	struct notice_counts c;
};
struct notice_receipts {
	struct notice_counts all, within, self, outside;
	int64_t under;
};
int notice_receipts(struct app *a, int64_t id, int64_t under, struct notice_receipts *out,
		    int (*fn)(const struct notice_branch *b, void *arg), void *arg, struct errlist *errs);

/* One recipient row of the receipt table: a recipient of the notice or of a forward of it. */
struct notice_receipt_row {
	struct notice_org org;
	int64_t via_id; /* the notice it came through (the notice itself or a forward) */
	char via_number[160], state[16], read_by[401], ack_by[401];
	int64_t read_at, ack_at, forwarded_id;
};
/* Rows in code order, keyset by after ("code:notice_id" of the last row, NULL = first);
 * state NULL = any; under 0 = all. *next the cursor of a full page's last row. */
int notice_recipients(struct app *a, int64_t id, int64_t under, const char *state, const char *after,
		      int limit, int (*fn)(const struct notice_receipt_row *r, void *arg), void *arg,
		      char next[64], struct errlist *errs);

/* ---- the inbox (the recipient's side) ---- */

struct notice_inbox_item {
	int64_t notice_id, org_id; /* org_id: the issuing org */
	char org_name[801], number[160], title[801], state[16];
	bool withdrawn, receipt_required;
	int64_t sent_at, deadline_at, read_at, ack_at, forwarded_id, parent_id;
	char read_by[401], ack_by[401];
};
/* The notices org received, newest sent first; state NULL = any (unread, read,
 * acknowledged); keyset by after ("sent_at:notice_id", NULL = first). */
int notice_inbox(struct app *a, int64_t org_id, const char *state, const char *after, int limit,
		 int (*fn)(const struct notice_inbox_item *it, void *arg), void *arg, char next[64],
		 struct errlist *errs);
/* One item of org's inbox (ERR_NOTFOUND when org did not receive notice_id). */
int notice_inbox_get(struct app *a, int64_t org_id, int64_t notice_id, struct notice_inbox_item *out);
/* The first read (kept; later reads change nothing, and say so through *changed), and the
 * acknowledgement (ERR_CONFLICT `withdrawn` for a recalled notice; once only: a second
 * keeps the first's who and when). Audited when they change something. */
int notice_mark_read(struct app *a, const struct audit_entry *who, int64_t org_id, int64_t notice_id,
		     bool *changed);
int notice_acknowledge(struct app *a, const struct audit_entry *who, int64_t org_id, int64_t notice_id,
		       struct errlist *errs, bool *changed);

#endif
