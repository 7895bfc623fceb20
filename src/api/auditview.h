/*
 * auditview.h - audit records as people read them, for the audit CSV and the workbench's
 * recent changes: the caller's language (Accept-Language), codes as words from the code
 * lists, times in Beijing time, and one line of changes ("名称：旧 → 新；上级组织：A → B")
 * with organizations named instead of numbered.
 */
#ifndef KEXIE_API_AUDITVIEW_H
#define KEXIE_API_AUDITVIEW_H

#include "api/api.h"
#include "base/buf.h"

#include <stdbool.h>
#include <stdint.h>

/* True when the caller's Accept-Language prefers English over Chinese (q-values honoured);
 * Chinese (zh-CN) otherwise, also when the header is absent. */
bool api_lang_en(struct req *r);

/* Names of organizations looked up while writing a view, remembered for the next rows
 * (an export names the same few orgs again and again). Zero-initialise with the app. */
#define AUDITVIEW_CACHE 32
struct auditview {
	struct app *app;
	bool en;
	struct {
		int64_t id;
		char code[33];
		char name[801];
	} org[AUDITVIEW_CACHE];
	int norg, next;
};

/* The current name of org id ("" when none); cached. The text lives in v. */
const char *auditview_org_name(struct auditview *v, int64_t id);
/* The current name of the org with that code (the code itself when none); cached. */
const char *auditview_org_by_code(struct auditview *v, const char *code);

/* Appends the readable line for an audit diff (JSON text, see core/audit.h) to out: each
 * field's label in v's language, old → new with codes as words and org ids as names,
 * values never shown as "changed". "" for an empty or unreadable diff. 0 or ERR_TOOBIG /
 * ERR_NOMEM from the buffer. */
int auditview_changes(struct auditview *v, const char *detail, struct buf *out);

/* Writes the diff as the JSON object member `key` of w (NULL inside an array): as
 * recorded, with organization ids as numbers ("parent_id": [12, 16]); an empty object for
 * an empty or unreadable diff. Errors stick in w (jsonw.h). */
struct jsonw;
void auditview_changes_write(struct jsonw *w, const char *key, const char *detail);

/* The "via" of a record in words ("会话 12", "命令行", "token 3"). Writes into out. */
const char *auditview_via(const struct auditview *v, const char *via, char *out, size_t cap);

#endif
