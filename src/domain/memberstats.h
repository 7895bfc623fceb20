/*
 * memberstats.h - the member register's figures for a subtree (memberstats.c): what
 * leaders are judged on (member growth, coverage of the organizations) and the make-up of
 * the register. Counted today, over the subtree's orgs as the tree stands today.
 */
#ifndef KEXIE_DOMAIN_MEMBERSTATS_H
#define KEXIE_DOMAIN_MEMBERSTATS_H

#include "core/app.h"

#include <stdint.h>

#define MEMBER_TALLY_MAX 80 /* keys of one figure: the disciplines list is the longest (62) */

/* One figure: counts per key (a code, an age band, a month), and for growth and dues a
 * second number (departures; the amount in fen). Keys in ascending order; "" = not given. */
struct member_tally {
	struct {
		char key[33];
		int64_t count, amount;
	} item[MEMBER_TALLY_MAX];
	int n;
};

struct member_stats {
	int64_t people; /* in the register under the org (anonymised people not counted) */
	struct member_tally by_gender, by_title_level, by_education, by_political;
	struct member_tally by_age;      /* under_35, 35_44, 45_54, 55_64, 65_over, unknown */
	struct member_tally by_category; /* active and lapsed memberships */
	struct member_tally by_status;   /* every membership */
	struct member_tally growth; /* YYYY-MM of the last twelve months: joined (count), left (amount) */
	struct member_tally dues;   /* YYYY-MM of the last twelve months: payments, fen */
	int64_t orgs, orgs_covered; /* open orgs of the subtree; those with an active membership */
};

/* Fills *out for the subtree of under. 0 or a store error (out zeroed first). The people
 * counted by gender, age and so on include anonymised people (erasing someone keeps the
 * counts); `people` does not. */
int member_stats(struct app *a, int64_t under, struct member_stats *out);

#endif
