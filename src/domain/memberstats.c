/*
 * memberstats.c - the register's figures for a subtree (see memberstats.h): people
 * by gender, age band, title level, education, political status; current memberships by
 * category and status; joins and departures per month; coverage of the subtree's orgs; dues
 * collected per month (memberstats.h).
 *
 * Each figure is one aggregate statement over the subtree's orgs today (org_closure), the
 * same text on both databases; the people counted are those the register's list shows
 * under the org (kept there, or a current member of an org there), anonymised people
 * included: erasing someone must not change a count.
 */
#include "domain/memberstats.h"
#include "domain/member_int.h"
#include "core/codelist.h"
#include "store/store.h"
#include "base/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUB(col)                                                                                     \
	col " IN (SELECT oc.org_id FROM org_closure oc WHERE oc.anc_id = $1 AND oc.valid_from <= $2" \
	    " AND (oc.valid_to IS NULL OR oc.valid_to > $2))"
#define PEOPLE                                                                                        \
	" FROM person p WHERE (" SUB(                                                                 \
		"p.org_id") " OR EXISTS (SELECT 1 FROM membership m"                                  \
			    " WHERE m.person_id = p.id AND m.status IN ('applied','active','lapsed')" \
			    " AND " SUB("m.org_id") "))"

struct stats_job {
	int64_t under;
	char today[11], from_month[8], age[5][11];
	struct member_stats *out;
	struct member_tally *t; /* the tally being filled */
};

static int tally_row(struct stmt *st, void *arg)
{
	struct stats_job *j = arg;
	struct member_tally *t = j->t;
	if (t->n >= MEMBER_TALLY_MAX)
		return 1;
	str_copy(t->item[t->n].key, sizeof(t->item[0].key), stmt_text(st, 0, NULL));
	t->item[t->n].count = stmt_int64(st, 1);
	t->item[t->n].amount = stmt_ncols(st) > 2 ? stmt_int64(st, 2) : 0;
	t->n++;
	return 0;
}

/* Runs one grouping statement into t: rows of (key, count[, amount]). */
static int tally(struct conn *c, struct stats_job *j, struct member_tally *t, const char *sql)
{
	j->t = t;
	t->n = 0;
	return conn_each(c, sql, tally_row, j, "it tttttt", j->under, j->today, j->from_month, j->age[0],
			 j->age[1], j->age[2], j->age[3], j->age[4]);
}

/* Every statement takes the same parameters, used or not: $1 under, $2 today, $3 the first
 * month of the growth window, $4..$8 the birth dates that start the age bands 35, 45, 55,
 * 65 and the oldest plausible. Each references all of them (PostgreSQL must type every
 * parameter), most in a condition that is always true. */
#define ALWAYS " AND $3 <> '#' AND $4 <> '#' AND $5 <> '#' AND $6 <> '#' AND $7 <> '#' AND $8 <> '#'"

static const char *const people_by[] = {
	"SELECT p.gender, count(*)" PEOPLE ALWAYS " GROUP BY p.gender ORDER BY 1",
	"SELECT p.title_level, count(*)" PEOPLE ALWAYS " GROUP BY p.title_level ORDER BY 1",
	"SELECT p.education, count(*)" PEOPLE ALWAYS " GROUP BY p.education ORDER BY 1",
	"SELECT p.political_status, count(*)" PEOPLE ALWAYS " GROUP BY p.political_status ORDER BY 1",
	/* age bands: under 35, 35-44, 45-54, 55-64, 65 and over, unknown */
	"SELECT CASE WHEN p.birth_date IS NULL OR p.birth_date < $8 THEN 'unknown'"
	" WHEN p.birth_date > $4 THEN 'under_35' WHEN p.birth_date > $5 THEN '35_44'"
	" WHEN p.birth_date > $6 THEN '45_54' WHEN p.birth_date > $7 THEN '55_64' ELSE '65_over' END, count(*)" PEOPLE
	" AND $3 <> '#' GROUP BY 1 ORDER BY 1",
};

static int stats_read(struct conn *c, void *arg)
{
	struct stats_job *j = arg;
	struct member_stats *o = j->out;
	struct member_tally *dims[] = {&o->by_gender, &o->by_title_level, &o->by_education, &o->by_political,
				       &o->by_age};
	int rc = 0;
	for (size_t i = 0; !rc && i < sizeof(dims) / sizeof(dims[0]); i++)
		rc = tally(c, j, dims[i], people_by[i]);
	if (!rc) {
		struct member_tally total;
		rc = tally(c, j, &total,
			   "SELECT 'people', count(*)" PEOPLE ALWAYS " AND p.anonymized_at IS NULL");
		o->people = total.n ? total.item[0].count : 0;
	}
	if (!rc)
		rc = tally(
			c, j, &o->by_category,
			"SELECT m.category, count(*) FROM membership m WHERE m.status IN ('active','lapsed')"
			" AND " SUB("m.org_id") ALWAYS " GROUP BY m.category ORDER BY 1");
	if (!rc)
		rc = tally(c, j, &o->by_status,
			   "SELECT m.status, count(*) FROM membership m WHERE " SUB("m.org_id") ALWAYS
			   " GROUP BY m.status ORDER BY 1");
	/* growth: joined and left per month of the last twelve (key YYYY-MM, count joined,
	 * amount left) */
	if (!rc)
		rc = tally(
			c, j, &o->growth,
			"SELECT mon, sum(j), sum(l) FROM (SELECT substr(m.joined_on, 1, 7) AS mon, 1 AS j, 0 AS l"
			" FROM membership m WHERE m.joined_on >= $3 AND " SUB(
				"m.org_id") " UNION ALL"
					    " SELECT substr(m.left_on, 1, 7), 0, 1 FROM membership m WHERE m.left_on >= $3"
					    " AND " SUB(
						    "m.org_id") ") g WHERE $4 <> '#' AND $5 <> '#' AND $6 <> '#' AND $7 <> '#'"
								" AND $8 <> '#' GROUP BY mon ORDER BY mon");
	if (!rc)
		rc = tally(c, j, &o->dues,
			   "SELECT substr(d.paid_on, 1, 7), count(*), sum(d.amount_cents) FROM dues_payment d"
			   " JOIN membership m ON m.id = d.membership_id WHERE d.paid_on >= $3 AND " SUB(
				   "m.org_id") ALWAYS " GROUP BY 1 ORDER BY 1");
	/* coverage: open orgs of the subtree, and those covered: with an active membership, or
	 * themselves a group member (a member unit with the org's credit code holding an active
	 * membership anywhere) */
	if (!rc) {
		struct member_tally cov;
		rc = tally(
			c, j, &cov,
			"SELECT 'orgs', count(*), sum(CASE WHEN EXISTS (SELECT 1 FROM membership m"
			" WHERE m.org_id = o.id AND m.status = 'active') OR EXISTS (SELECT 1 FROM member_unit u"
			" JOIN membership m ON m.unit_id = u.id WHERE u.credit_code = o.credit_code"
			" AND m.status = 'active') THEN 1 ELSE 0 END)"
			" FROM org o WHERE o.closed_on IS NULL AND " SUB("o.id") ALWAYS);
		o->orgs = cov.n ? cov.item[0].count : 0;
		o->orgs_covered = cov.n ? cov.item[0].amount : 0;
	}
	return rc;
}

int member_stats(struct app *a, int64_t under, struct member_stats *out)
{
	memset(out, 0, sizeof(*out));
	struct stats_job *j = calloc(1, sizeof(*j));
	if (!j)
		return ERR_NOMEM;
	j->under = under;
	j->out = out;
	date_today(j->today, sizeof(j->today));
	char first[11];
	date_add(j->today, -11, 0, first);
	snprintf(j->from_month, sizeof(j->from_month), "%.7s", first);
	static const int years[] = {35, 45, 55, 65, 120};
	for (int i = 0; i < 5; i++)
		date_add(j->today, -12 * years[i], 0, j->age[i]);
	int rc = store_read(a->store, stats_read, j);
	free(j);
	return rc;
}
