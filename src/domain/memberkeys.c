/*
 * memberkeys.c - the register's sealed columns and their rekey (see memberkeys.h).
 */
#include "domain/memberkeys.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>

const struct pii_column member_sealed_columns[] = {
	{"person", "id", "id_enc", PII_PERSON_ID_NUMBER},
	{"person", "id", "mobile_enc", PII_PERSON_MOBILE},
	{"member_application", "id", "id_enc", PII_PERSON_ID_NUMBER},
	{"member_application", "id", "mobile_enc", PII_PERSON_MOBILE},
};
const size_t member_sealed_columns_count = sizeof(member_sealed_columns) / sizeof(member_sealed_columns[0]);

struct audit_job {
	const struct audit_entry *who;
	const struct pii_rekey_report *rep;
	bool retire;
};

static int audit_tx(struct conn *c, void *arg)
{
	struct audit_job *j = arg;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_int(&d, "from_version", j->rep->from);
	audit_diff_int(&d, "to_version", j->rep->to);
	audit_diff_int(&d, "rows", j->rep->rows);
	audit_diff_bool(&d, "done", j->rep->done);
	audit_diff_bool(&d, "retired", j->retire && j->rep->done);
	struct audit_entry e = *j->who;
	e.action = "pii.rekey";
	e.object_type = "pii_key";
	e.object_id = "1";
	e.detail = audit_diff_text(&d);
	return audit_append(c, &e);
}

int member_rekey(struct app *a, const struct audit_entry *who, bool retire,
		 int (*progress)(const struct pii_rekey_report *so_far, void *arg), void *arg,
		 struct pii_rekey_report *rep)
{
	struct pii_rekey_opts o = {.retire = retire, .progress = progress, .arg = arg};
	int rc = pii_rekey(a->store, a, member_sealed_columns, member_sealed_columns_count, &o, rep);
	/* recorded whether it finished or not: what ran is in the report */
	struct audit_job j = {who, rep, retire};
	int arc = store_tx(a->store, audit_tx, &j);
	return rc ? rc : arc;
}
