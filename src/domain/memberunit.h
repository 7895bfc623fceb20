/*
 * memberunit.h - group members (单位会员): companies, institutes, universities that join an
 * org as a unit, with a representative person, holding memberships like people do
 * (membership.unit_id; membership_create takes a unit_id). A unit is kept by one org, which
 * decides who sees it (the scope rule on that org). Its unified social credit code is
 * checked (GB 32100, core/personfield.h) and unique; an org of the tree with the same credit
 * code counts as covered while the unit holds an active membership (memberstats.h).
 */
#ifndef KEXIE_DOMAIN_MEMBERUNIT_H
#define KEXIE_DOMAIN_MEMBERUNIT_H

#include "core/app.h"
#include "core/audit.h"
#include "base/err.h"

#include <stdint.h>

struct member_unit {
	int64_t id, org_id, representative_id;
	char org_name[801], name[801], credit_code[19], contact[241], representative_name[401];
	int64_t version, created_at, updated_at;
};

/* What a caller gives; NULL = not given (an update keeps it), "" clears an optional field.
 * representative_id: > 0 a person, 0 not given, -1 clear. */
struct member_unit_input {
	int64_t org_id; /* create only */
	const char *name, *credit_code, *contact;
	int64_t representative_id;
};

/* Creates a unit: a name (an official name, core/names.h), an optional credit code (checked;
 * ERR_CONFLICT `taken` when another unit has it), a contact, a representative who must be
 * a person of the register (`not_found`). Audited as member_unit.create. */
int member_unit_create(struct app *a, const struct audit_entry *who, const struct member_unit_input *in,
		       struct errlist *errs, int64_t *id);
/* Changes what is given; version must be the one read (ERR_PRECONDITION). Audited. */
int member_unit_update(struct app *a, const struct audit_entry *who, int64_t id,
		       const struct member_unit_input *in, int64_t version, struct errlist *errs);
int member_unit_get(struct app *a, int64_t id, struct member_unit *out);
/* Units kept in the subtree of under today, by name, keyset by id after `after`. */
int member_unit_list(struct app *a, int64_t under, int64_t after, int limit,
		     int (*fn)(const struct member_unit *u, void *arg), void *arg, int64_t *next);

#endif
