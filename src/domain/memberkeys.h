/*
 * memberkeys.h - the register's personal data under a new key, and the nightly chores of
 * the register: `kexie member rekey` and `kexie member lapse`.
 */
#ifndef KEXIE_DOMAIN_MEMBERKEYS_H
#define KEXIE_DOMAIN_MEMBERKEYS_H

#include "core/app.h"
#include "core/audit.h"
#include "core/pii.h"

/* Every column of the register that holds a sealed value: the complete list pii_rekey needs
 * to retire older key versions (a column left out would become unreadable). A module that
 * seals a new column adds it here. */
extern const struct pii_column member_sealed_columns[];
extern const size_t member_sealed_columns_count;

/* Re-encrypts every sealed value of the register under a new key version (core/pii.h
 * pii_rekey: short batches while servers run; a stopped run is resumed by the next), then
 * records pii.rekey in the audit trail with the versions and counts. retire: refuse the
 * older versions afterwards. progress as in pii_rekey_opts (may be NULL). Returns pii_rekey's
 * code; *rep is filled as far as the run got. */
int member_rekey(struct app *a, const struct audit_entry *who, bool retire,
		 int (*progress)(const struct pii_rekey_report *so_far, void *arg), void *arg,
		 struct pii_rekey_report *rep);

#endif
