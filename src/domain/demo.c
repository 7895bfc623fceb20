/*
 * demo.c - demonstration and benchmark data: the invented demo tree (kexie seed --demo) and
 * generated national-scale trees (kexie seed --orgs N) for bench/tree.
 */
#include "domain/demo.h"
#include "core/org.h"
#include "core/audit.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- demo ---- */

struct demo_org {
	const char *code, *name, *level, *type, *parent, *region;
};

int org_seed_demo(struct app *a, const struct audit_entry *who, int *created)
{
	/* invented names: 东川省, 西岭省, 南湖省 and their cities do not exist */
	static const struct demo_org base[] = {
		{"CAST", "中国科学技术协会", "national", "association", NULL, NULL},
		{"DC", "东川省科学技术协会", "provincial", "association", "CAST", "110000"},
		{"XL", "西岭省科学技术协会", "provincial", "association", "CAST", "310000"},
		{"NH", "南湖省科学技术协会", "provincial", "association", "CAST", "440000"},
		{"S-MECH", "中国示范力学学会", "national", "society", NULL, NULL},
		{"S-AGRI", "中国农业技术推广学会", "national", "society", NULL, NULL},
		{"S-MED", "中国基层医学学会", "national", "society", NULL, NULL},
		{"S-INFO", "中国信息工程学会", "national", "society", NULL, NULL},
		{"S-ENV", "中国生态环境学会", "national", "society", NULL, NULL},
	};
	static const char *const provinces[] = {"DC", "XL", "NH"};
	static const char *const pnames[] = {"东川", "西岭", "南湖"};
	static const char *const cities[] = {"临江", "青石"};
	static const char *const counties[] = {"安平", "河口"};
	static const struct {
		const char *suffix, *name, *type;
	} units[] = {
		{"ENT", "%s县精工机械有限公司科协", "enterprise"},
		{"UNI", "%s学院科协", "university"},
		{"PARK", "%s高新技术产业园区科协", "park"},
		{"INST", "%s农业科学研究所科协", "institute"},
		{"HOSP", "%s县人民医院科协", "hospital"},
		{"VIL", "%s镇桃园村农技协", "village"},
		{"COM", "%s街道社区科普协会", "community"},
	};
	struct org probe;
	*created = 0;
	if (org_get_by_code(a, "CAST", NULL, &probe) == 0)
		return 0;
	const char *opened = "2015-01-01";
	int rc = 0;
	int64_t id = 0;
	struct errlist errs;
#define MAKE(CODE, NAME, LEVEL, TYPE, PARENT, REGION)                                     	do {                                                                                  		struct org_input in = {.code = (CODE), .name = (NAME), .level = (LEVEL),      				       .type = (TYPE), .parent_code = (PARENT),               				       .region_code = (REGION), .opened_on = opened};         		errlist_init(&errs);                                                          		rc = org_create(a, who, &in, &errs, &id);                                     		if (rc)                                                                       			return rc;                                                            		(*created)++;                                                                 	} while (0)
	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		MAKE(base[i].code, base[i].name, base[i].level, base[i].type, base[i].parent,
		     base[i].region);
	/* national societies are roots of their own, guided by the national association */
	struct org cast;
	rc = org_get_by_code(a, "CAST", NULL, &cast);
	for (size_t i = 0; !rc && i < sizeof(base) / sizeof(base[0]); i++) {
		struct org s;
		if (strcmp(base[i].type, "society") || org_get_by_code(a, base[i].code, NULL, &s))
			continue;
		errlist_init(&errs);
		rc = org_link_add(a, who, s.id, cast.id, opened, &errs);
	}
	if (rc)
		return rc;
	for (int p = 0; p < 3; p++) {
		char code[160], name[200], soc[40];
		/* a provincial society guided by a national society */
		snprintf(soc, sizeof(soc), "%s-S-MECH", provinces[p]);
		snprintf(name, sizeof(name), "%s省力学学会", pnames[p]);
		MAKE(soc, name, "provincial", "society", provinces[p], NULL);
		struct org g;
		if (org_get_by_code(a, "S-MECH", NULL, &g) == 0) {
			errlist_init(&errs);
			rc = org_link_add(a, who, id, g.id, opened, &errs);
			if (rc)
				return rc;
		}
		for (int ci = 0; ci < 2; ci++) {
			char city[64];
			snprintf(city, sizeof(city), "%s-C%d", provinces[p], ci + 1);
			snprintf(name, sizeof(name), "%s市科学技术协会", cities[ci]);
			MAKE(city, name, "city", "association", provinces[p], NULL);
			for (int k = 0; k < 2; k++) {
				char county[96], town[128];
				snprintf(county, sizeof(county), "%s-K%d", city, k + 1);
				snprintf(name, sizeof(name), "%s县科学技术协会", counties[k]);
				MAKE(county, name, "county", "association", city, NULL);
				snprintf(town, sizeof(town), "%s-T1", county);
				snprintf(name, sizeof(name), "%s镇科普协会", counties[k]);
				MAKE(town, name, "township", "association", county, NULL);
				/* grassroots units spread over the counties so every type appears */
				size_t u = (size_t)(p * 4 + ci * 2 + k) % (sizeof(units) / sizeof(units[0]));
				for (size_t m = 0; m < 2; m++) {
					size_t t = (u + m) % (sizeof(units) / sizeof(units[0]));
					snprintf(code, sizeof(code), "%s-%s", county, units[t].suffix);
					snprintf(name, sizeof(name), units[t].name, counties[k]);
					MAKE(code, name, "grassroots", units[t].type, m ? town : county, NULL);
				}
			}
		}
	}
#undef MAKE
	return 0;
}

/* ---- benchmark data ---- */

struct gen_org_job {
	const struct audit_entry *who;
	int n, created;
	int64_t root;
};

static int gen_insert(struct conn *c, const char *code, const char *level, const char *type,
		      int64_t parent, int64_t *id)
{
	struct stmt *st = NULL;
	int rc = conn_prepare(c, "INSERT INTO org (code, name, level, type, opened_on)"
				 " VALUES ($1, $1, $2, $3, '2015-01-01') RETURNING id", &st);
	if (rc)
		return rc;
	stmt_bind_text(st, 1, code, strlen(code));
	stmt_bind_text(st, 2, level, strlen(level));
	stmt_bind_text(st, 3, type, strlen(type));
	rc = stmt_step(st);
	if (rc == STORE_ROW)
		*id = stmt_int64(st, 0);
	stmt_done(st);
	if (rc != STORE_ROW)
		return rc < 0 ? rc : ERR_DB;
	rc = conn_prepare(c, "INSERT INTO org_parent (org_id, parent_id, valid_from) VALUES ($1, $2, '2015-01-01')", &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, *id);
	stmt_bind_int64(st, 2, parent);
	rc = stmt_step(st);
	stmt_done(st);
	return rc < 0 ? rc : 0;
}

static int gen_org_tx(struct conn *c, void *arg)
{
	struct gen_org_job *j = arg;
	/* fan-out per level: 31 provinces x 12 cities x 9 counties x 6 townships x k grassroots */
	static const int fan[] = {31, 12, 9, 6};
	static const char *const levels[] = {"provincial", "city", "county", "township", "grassroots"};
	int64_t ids[5] = {0};
	int idx[5] = {0};
	char code[96];
	int rc = 0;
	const int towns = 31 * 12 * 9 * 6, above = 31 + 31 * 12 + 31 * 12 * 9 + towns;
	int per_town = (j->n - above + towns - 1) / towns; /* round up; the loops stop at n */
	if (per_town < 1)
		per_town = 1;
	for (idx[0] = 0; !rc && idx[0] < fan[0] && j->created < j->n; idx[0]++) {
		snprintf(code, sizeof(code), "G%d", idx[0]);
		rc = gen_insert(c, code, levels[0], "association", j->root, &ids[0]);
		j->created += !rc;
		for (idx[1] = 0; !rc && idx[1] < fan[1] && j->created < j->n; idx[1]++) {
			snprintf(code, sizeof(code), "G%d.%d", idx[0], idx[1]);
			rc = gen_insert(c, code, levels[1], "association", ids[0], &ids[1]);
			j->created += !rc;
			for (idx[2] = 0; !rc && idx[2] < fan[2] && j->created < j->n; idx[2]++) {
				snprintf(code, sizeof(code), "G%d.%d.%d", idx[0], idx[1], idx[2]);
				rc = gen_insert(c, code, levels[2], "association", ids[1], &ids[2]);
				j->created += !rc;
				for (idx[3] = 0; !rc && idx[3] < fan[3] && j->created < j->n; idx[3]++) {
					snprintf(code, sizeof(code), "G%d.%d.%d.%d", idx[0], idx[1], idx[2], idx[3]);
					rc = gen_insert(c, code, levels[3], "association", ids[2], &ids[3]);
					j->created += !rc;
					for (int g = 0; !rc && g < per_town && j->created < j->n; g++) {
						snprintf(code, sizeof(code), "G%d.%d.%d.%d.%d", idx[0], idx[1], idx[2], idx[3], g);
						rc = gen_insert(c, code, levels[4], "enterprise", ids[3], &ids[4]);
						j->created += !rc;
					}
				}
			}
		}
	}
	if (rc)
		return rc;
	char detail[64];
	snprintf(detail, sizeof(detail), "{\"generated\":%d}", j->created);
	char oid[24];
	snprintf(oid, sizeof(oid), "%" PRId64, j->root);
	struct audit_entry e = *j->who;
	e.action = "org.generate";
	e.object_type = "org";
	e.object_id = oid;
	e.org_id = j->root;
	e.detail = detail;
	return audit_append(c, &e);
}

int org_generate(struct app *a, const struct audit_entry *who, int n, int *created)
{
	struct org root;
	*created = 0;
	int rc = org_get_by_code(a, "CAST", NULL, &root);
	if (rc)
		return rc;
	struct gen_org_job j = {.who = who, .n = n, .root = root.id};
	rc = store_tx(a->store, gen_org_tx, &j);
	if (!rc)
		*created = j.created;
	return rc ? rc : org_tally_rebuild(a); /* one pass instead of a walk per row */
}
