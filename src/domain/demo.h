/*
 * demo.h - demonstration and benchmark data (a feature module over the core org tree).
 */
#ifndef KEXIE_DOMAIN_DEMO_H
#define KEXIE_DOMAIN_DEMO_H

#include "core/app.h"
#include "core/audit.h"

/* Demo tree: a national association, three provinces with cities, counties, townships and
 * grassroots units of every type, five national societies with guided-by links.
 * Idempotent: does nothing when the national association exists. One transaction, one
 * audit record. 0 with *created the orgs made (0 when the tree was there); a store error
 * (nothing written, *created 0). */
int org_seed_demo(struct app *a, const struct audit_entry *who, int *created);

/* Benchmark data: n generated orgs under CAST in a national shape (31 provinces, 12 cities
 * each, 9 counties each, 6 townships each, then grassroots units of every type), codes
 * P24-C7-K3-T2-G5, Chinese names, opening days over 2000-2025 with some closes and moves.
 * One transaction (the tree's index rebuilt in it), one audit record. Requires the demo
 * tree's CAST. *created counts new orgs.
 * ERR_NOTFOUND when there is no CAST (run the demo seed first); ERR_NOMEM or a store error
 * (nothing written). */
int org_generate(struct app *a, const struct audit_entry *who, int n, int *created);

#endif
