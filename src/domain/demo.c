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

/* Creates one org of the demo tree, opened on `opened`: 0 with its id in *id and *created
 * counted, or org_create's error (nothing written). */
static int make_org(struct app *a, const struct audit_entry *who, const struct demo_org *o,
		    const char *opened, int64_t *id, int *created)
{
	struct errlist errs;
	errlist_init(&errs);
	struct org_input in = {.code = o->code,
			       .name = o->name,
			       .level = o->level,
			       .type = o->type,
			       .parent_code = o->parent,
			       .region_code = o->region,
			       .opened_on = opened};
	int rc = org_create(a, who, &in, &errs, id);
	if (!rc)
		(*created)++;
	return rc;
}

/* Long because most of it is the demo tree itself, written out as data: the loops below
 * only stamp that data into provinces, cities and counties. */
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
	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		if ((rc = make_org(a, who, &base[i], opened, &id, created)))
			return rc;
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
		if ((rc = make_org(a, who,
				   &(struct demo_org){soc, name, "provincial", "society", provinces[p], NULL},
				   opened, &id, created)))
			return rc;
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
			if ((rc = make_org(a, who,
					   &(struct demo_org){city, name, "city", "association", provinces[p],
							      NULL},
					   opened, &id, created)))
				return rc;
			for (int k = 0; k < 2; k++) {
				char county[96], town[128];
				snprintf(county, sizeof(county), "%s-K%d", city, k + 1);
				snprintf(name, sizeof(name), "%s县科学技术协会", counties[k]);
				if ((rc = make_org(a, who,
						   &(struct demo_org){county, name, "county", "association",
								      city, NULL},
						   opened, &id, created)))
					return rc;
				snprintf(town, sizeof(town), "%s-T1", county);
				snprintf(name, sizeof(name), "%s镇科普协会", counties[k]);
				if ((rc = make_org(a, who,
						   &(struct demo_org){town, name, "township", "association",
								      county, NULL},
						   opened, &id, created)))
					return rc;
				/* grassroots units spread over the counties so every type appears */
				size_t u = (size_t)(p * 4 + ci * 2 + k) % (sizeof(units) / sizeof(units[0]));
				for (size_t m = 0; m < 2; m++) {
					size_t t = (u + m) % (sizeof(units) / sizeof(units[0]));
					snprintf(code, sizeof(code), "%s-%s", county, units[t].suffix);
					snprintf(name, sizeof(name), units[t].name, counties[k]);
					if ((rc = make_org(a, who,
							   &(struct demo_org){code, name, "grassroots",
									      units[t].type,
									      m ? town : county, NULL},
							   opened, &id, created)))
						return rc;
				}
			}
		}
	}
	return 0;
}

/* ---- benchmark data ---- */

/*
 * A national tree for benchmarks and tests at scale: 31 provinces, 12 cities each, 9
 * counties each, 6 townships each, then grassroots units of every type spread over the
 * townships up to n orgs. Codes P24, P24-C7, P24-C7-K3, P24-C7-K3-T2, P24-C7-K3-T2-G5;
 * names are invented from two-character place names (宝宜县科学技术协会, 宝宜镇丰源村农技协,
 * 青石精工有限公司科协...). The history is real enough for dated counts and as-of searches:
 * grassroots units opened on days spread over 2000-2025, about one in 40 closed later, about
 * one in 100 moved to the next township on a later day. Everything is inserted directly and
 * the tree's index rebuilt once at the end (org_index_rebuild_conn) in the same transaction.
 */

static uint64_t mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

/* Day number (days since 1970-01-01) as YYYY-MM-DD (H. Hinnant's civil_from_days). */
static void day_text(int64_t z, char out[11])
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
	char t[32];
	snprintf(t, sizeof(t), "%04d-%02d-%02d", (int)(y + (m <= 2)), (int)m, (int)d);
	str_copy(out, 11, t);
}

#define DAY_2000 10957 /* 2000-01-01 */

/* A two-character place name chosen by seed. */
static void place(uint64_t seed, char out[16])
{
	static const char *const first[] = {"宝", "安", "临", "青", "东", "西", "南", "北",
					    "永", "长", "清", "新", "丰", "泰", "福", "金",
					    "明", "华", "兴", "德", "昌", "平", "龙", "云"};
	static const char *const second[] = {"宜", "平", "江", "石", "川", "岭", "湖", "山",
					     "乐", "河", "源", "阳", "城", "宁", "和", "顺",
					     "海", "林", "口", "水", "溪", "桥", "峰", "原"};
	uint64_t h = mix(seed);
	snprintf(out, 16, "%s%s", first[h % 24], second[(h >> 8) % 24]);
}

/* One generated org, before it is written. */
struct gen_row { /* code: room for five ints, so -Wformat-truncation has nothing to say */
	char code[72], name[100], opened[11], closed[11], moved_on[11];
	const char *level, *type;
	int parent, moved_to; /* indexes into the rows (-1: the root / not moved) */
	int64_t id;
};

struct gen_org_job {
	const struct audit_entry *who;
	int n, created;
	int64_t root;
	struct gen_row *rows;
};

#define GEN_BATCH 10 /* rows per INSERT: 6 parameters each */

static const char gen_org_sql[] =
	"INSERT INTO org (code, name, level, type, opened_on, closed_on) VALUES"
	" ($1, $2, $3, $4, $5, $6), ($7, $8, $9, $10, $11, $12), ($13, $14, $15, $16, $17, $18),"
	" ($19, $20, $21, $22, $23, $24), ($25, $26, $27, $28, $29, $30), ($31, $32, $33, $34, $35, $36),"
	" ($37, $38, $39, $40, $41, $42), ($43, $44, $45, $46, $47, $48), ($49, $50, $51, $52, $53, $54),"
	" ($55, $56, $57, $58, $59, $60) RETURNING id, code";

static const char gen_parent_sql[] =
	"INSERT INTO org_parent (org_id, parent_id, valid_from, valid_to) SELECT CAST(column1 AS BIGINT),"
	" CAST(column2 AS BIGINT), column3, column4 FROM (VALUES ($1, $2, $3, $4), ($5, $6, $7, $8),"
	" ($9, $10, $11, $12), ($13, $14, $15, $16), ($17, $18, $19, $20), ($21, $22, $23, $24),"
	" ($25, $26, $27, $28), ($29, $30, $31, $32), ($33, $34, $35, $36), ($37, $38, $39, $40),"
	" ($41, $42, $43, $44), ($45, $46, $47, $48), ($49, $50, $51, $52), ($53, $54, $55, $56),"
	" ($57, $58, $59, $60)) v WHERE column1 IS NOT NULL";
#define PARENT_BATCH 15 /* placements per INSERT: 4 parameters each */

static void bind_str(struct stmt *st, int idx, const char *v)
{
	if (v && *v)
		stmt_bind_text(st, idx, v, strlen(v));
	else
		stmt_bind_null(st, idx);
}

/* Writes rows[from..to) (GEN_BATCH of them, or one) and reads their ids back by code (the
 * order of RETURNING rows is not defined). */
static int gen_write_orgs(struct conn *c, struct gen_row *rows, int from, int to)
{
	struct stmt *st = NULL;
	int rc;
	if (to - from == GEN_BATCH) {
		rc = conn_prepare(c, gen_org_sql, &st);
		if (rc)
			return rc;
		for (int k = 0; k < GEN_BATCH; k++) {
			const struct gen_row *g = &rows[from + k];
			int p = 1 + 6 * k;
			bind_str(st, p, g->code);
			bind_str(st, p + 1, g->name);
			bind_str(st, p + 2, g->level);
			bind_str(st, p + 3, g->type);
			bind_str(st, p + 4, g->opened);
			bind_str(st, p + 5, g->closed);
		}
	} else {
		if (to - from != 1)
			return ERR_INTERNAL;
		rc = conn_prepare(c,
				  "INSERT INTO org (code, name, level, type, opened_on, closed_on)"
				  " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, code",
				  &st);
		if (rc)
			return rc;
		const struct gen_row *g = &rows[from];
		bind_str(st, 1, g->code);
		bind_str(st, 2, g->name);
		bind_str(st, 3, g->level);
		bind_str(st, 4, g->type);
		bind_str(st, 5, g->opened);
		bind_str(st, 6, g->closed);
	}
	int got = 0;
	while ((rc = stmt_step(st)) == STORE_ROW) {
		const char *code = stmt_text(st, 1, NULL);
		for (int k = from; k < to; k++)
			if (!strcmp(rows[k].code, code)) {
				rows[k].id = stmt_int64(st, 0);
				got++;
			}
	}
	stmt_done(st);
	return rc < 0 ? rc : got == to - from ? 0 : ERR_DB;
}

/* One placement period: (org, parent, from, to). */
struct gen_place {
	int64_t org, parent;
	const char *from, *to;
};

static int gen_write_places(struct conn *c, const struct gen_place *pl, int n)
{
	for (int at = 0; at < n; at += PARENT_BATCH) {
		struct stmt *st = NULL;
		int rc = conn_prepare(c, gen_parent_sql, &st);
		if (rc)
			return rc;
		for (int k = 0; k < PARENT_BATCH; k++) {
			int p = 1 + 4 * k;
			if (at + k < n) {
				stmt_bind_int64(st, p, pl[at + k].org);
				stmt_bind_int64(st, p + 1, pl[at + k].parent);
				bind_str(st, p + 2, pl[at + k].from);
				bind_str(st, p + 3, pl[at + k].to);
			} else {
				for (int j = 0; j < 4; j++)
					stmt_bind_null(st, p + j);
			}
		}
		rc = stmt_step(st);
		stmt_done(st);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* A grassroots unit's name and type for its township place name tp. */
static void unit_of(uint64_t h, const char *county, const char *tp, char name[100], const char **type)
{
	char a[16];
	place(h >> 3, a);
	switch (h % 10) {
	case 0:
	case 1:
	case 2:
		*type = "enterprise";
		snprintf(name, 100, "%s%s有限公司科协", tp, a);
		break;
	case 3:
		*type = "university";
		snprintf(name, 100, "%s%s学院科学技术协会", county, a);
		break;
	case 4:
		*type = "park";
		snprintf(name, 100, "%s%s产业园科协", county, a);
		break;
	case 5:
		*type = "institute";
		snprintf(name, 100, "%s%s农业科学研究所科协", county, a);
		break;
	case 6:
		*type = "hospital";
		snprintf(name, 100, "%s县%s人民医院科协", county, a);
		break;
	case 7:
	case 8:
		*type = "village";
		snprintf(name, 100, "%s镇%s村农技协", tp, a);
		break;
	default:
		*type = "community";
		snprintf(name, 100, "%s镇%s社区科普协会", tp, a);
		break;
	}
}

/* The level k steps below the national one (1 = provincial ... 5 = grassroots). */
static const char *level_below(int k)
{
	return codelist_org_level.items[k].code;
}

/* Lays the tree out in rows (parents before children). Returns the number of rows. */
static int gen_layout(struct gen_row *rows, int n)
{
	static const int fan[] = {31, 12, 9, 6};
	const int towns = 31 * 12 * 9 * 6, above = 31 + 31 * 12 + 31 * 12 * 9 + towns;
	int per_town = (n - above + towns - 1) / towns; /* round up; the loops stop at n */
	if (per_town < 1)
		per_town = 1;
	char pl[4][16];
	int at[4] = {0}, m = 0, prev_town = -1;
	uint64_t seq = 0;
#define ROW(LEVEL, TYPE, PARENT)                                                                     \
	(rows[m].level = level_below(1 + (LEVEL)), rows[m].type = (TYPE), rows[m].parent = (PARENT), \
	 rows[m].moved_to = -1, seq++, &rows[m])
	int p[4];
	for (p[0] = 0; p[0] < fan[0] && m < n; p[0]++) {
		struct gen_row *g = ROW(0, "association", -1);
		snprintf(g->code, sizeof(g->code), "P%d", p[0]);
		place(seq, pl[0]);
		snprintf(g->name, sizeof(g->name), "%s省科学技术协会", pl[0]);
		str_copy(g->opened, sizeof(g->opened), "1958-09-25");
		at[0] = m++;
		for (p[1] = 0; p[1] < fan[1] && m < n; p[1]++) {
			g = ROW(1, "association", at[0]);
			snprintf(g->code, sizeof(g->code), "P%d-C%d", p[0], p[1]);
			place(seq, pl[1]);
			snprintf(g->name, sizeof(g->name), "%s市科学技术协会", pl[1]);
			day_text(-3000 + (int64_t)(mix(seq) % 4000), g->opened);
			at[1] = m++;
			for (p[2] = 0; p[2] < fan[2] && m < n; p[2]++) {
				g = ROW(2, "association", at[1]);
				snprintf(g->code, sizeof(g->code), "P%d-C%d-K%d", p[0], p[1], p[2]);
				place(seq, pl[2]);
				snprintf(g->name, sizeof(g->name), "%s县科学技术协会", pl[2]);
				day_text(2000 + (int64_t)(mix(seq) % 6000), g->opened);
				at[2] = m++;
				for (p[3] = 0; p[3] < fan[3] && m < n; p[3]++) {
					g = ROW(3, "association", at[2]);
					snprintf(g->code, sizeof(g->code), "P%d-C%d-K%d-T%d", p[0], p[1],
						 p[2], p[3]);
					place(seq, pl[3]);
					snprintf(g->name, sizeof(g->name), "%s镇科普协会", pl[3]);
					day_text(8500 + (int64_t)(mix(seq) % 2400), g->opened);
					at[3] = m++;
					for (int u = 0; u < per_town && m < n; u++) {
						uint64_t h = mix(seq * 7919 + 17);
						const char *type = "other";
						g = ROW(4, "other", at[3]);
						snprintf(g->code, sizeof(g->code), "P%d-C%d-K%d-T%d-G%d",
							 p[0], p[1], p[2], p[3], u);
						unit_of(h, pl[2], pl[3], g->name, &type);
						g->type = type;
						int64_t day = DAY_2000 +
							      (int64_t)((h >> 20) % 9490); /* 2000 .. 2025 */
						day_text(day, g->opened);
						bool shut = (h >> 40) % 40 == 0;
						if (shut)
							day_text(day + 30 + (int64_t)((h >> 12) % 2000),
								 g->closed);
						/* one in 100 moved from its township to the previous one */
						if (prev_town >= 0 && !shut && (h >> 50) % 100 == 0) {
							g->moved_to = prev_town;
							day_text(day + 1 + (int64_t)((h >> 5) % 700),
								 g->moved_on);
						}
						m++;
					}
					prev_town = at[3];
				}
			}
		}
	}
#undef ROW
	return m;
}

static int gen_org_tx(struct conn *c, void *arg)
{
	struct gen_org_job *j = arg;
	struct gen_row *rows = j->rows;
	int m = gen_layout(rows, j->n), rc = 0;
	for (int at = 0; !rc && at < m;) {
		int len = m - at >= GEN_BATCH ? GEN_BATCH : 1;
		rc = gen_write_orgs(c, rows, at, at + len);
		at += len;
	}
	/* placements: one period each, two for the moved */
	struct gen_place *pl = rc ? NULL : malloc(sizeof(*pl) * (size_t)m * 2);
	if (!rc && !pl)
		rc = ERR_NOMEM;
	int np = 0;
	for (int i = 0; !rc && i < m; i++) {
		const struct gen_row *g = &rows[i];
		int64_t parent = g->parent < 0 ? j->root : rows[g->parent].id;
		pl[np++] = (struct gen_place){g->id, parent, g->opened,
					      g->moved_to >= 0 ? g->moved_on : NULL};
		if (g->moved_to >= 0)
			pl[np++] = (struct gen_place){g->id, rows[g->moved_to].id, g->moved_on, NULL};
	}
	if (!rc)
		rc = gen_write_places(c, pl, np);
	free(pl);
	j->created = rc ? 0 : m;
	if (!rc)
		rc = org_index_rebuild_conn(c);
	if (rc)
		return rc;
	struct audit_diff detail;
	audit_diff_init(&detail);
	audit_diff_int(&detail, "generated", j->created);
	char oid[24];
	snprintf(oid, sizeof(oid), "%" PRId64, j->root);
	struct audit_entry e = *j->who;
	e.action = "org.generate";
	e.object_type = "org";
	e.object_id = oid;
	e.org_id = j->root;
	e.detail = audit_diff_text(&detail);
	return audit_append(c, &e);
}

int org_generate(struct app *a, const struct audit_entry *who, int n, int *created)
{
	struct org root;
	*created = 0;
	int rc = org_get_by_code(a, "CAST", NULL, &root);
	if (rc)
		return rc;
	struct gen_org_job j = {
		.who = who, .n = n, .root = root.id, .rows = calloc((size_t)n, sizeof(struct gen_row))};
	if (!j.rows)
		return ERR_NOMEM;
	rc = store_tx(a->store, gen_org_tx, &j);
	if (!rc)
		*created = j.created;
	free(j.rows);
	return rc;
}
