/*
 * nameindex.c - the Chinese name index (see nameindex.h and docs/nameindex.md): grams and
 * pinyin of a name, their upkeep in name_gram / name_vocab / name_text / name_key, and the
 * pieces a search statement is built from. The same SQL runs on SQLite and PostgreSQL
 * (0015_nameindex: text the index ranges over is COLLATE "C" on PostgreSQL, so ranges are
 * byte ranges on both).
 */
#include "core/nameindex.h"
#include "base/err.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Names are indexed by their first NX_NAME_CP code points (org names have at most 200). */
#define NX_NAME_CP 256
#define NX_PY_MAX  (NX_NAME_CP * 7 + 1)

/* ---- characters ---- */

/* Decodes the code point at *p and advances (valid UTF-8 assumed: callers validate
 * names and queries; a stray byte is taken as itself, which keeps the loop finite). */
static uint32_t cp_next(const char **p)
{
	const unsigned char *s = (const unsigned char *)*p;
	uint32_t c = s[0];
	int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	if (n > 1) {
		c &= (uint32_t)(0x3F >> (n - 1));
		for (int i = 1; i < n; i++) {
			if ((s[i] & 0xC0) != 0x80) {
				n = 1;
				c = s[0];
				break;
			}
			c = (c << 6) | (s[i] & 0x3F);
		}
	}
	*p += n;
	return c;
}

/* Writes cp as UTF-8 into out (room for 4), returns the bytes written. */
static size_t cp_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* The normalisation names and queries share: one code point at a time (so a name that
 * contains q also contains it after normalising), ASCII letters lowercased. */
static uint32_t cp_norm(uint32_t cp)
{
	return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
}

/* ---- analysing a name ---- */

struct analysis {
	int n;                   /* code points used */
	uint32_t cp[NX_NAME_CP]; /* normalised */
	const char *syl[NX_NAME_CP];
	int ngrams; /* distinct grams */
	char gram[NX_NAME_CP][9];
	char gpy[NX_NAME_CP][13]; /* pinyin of the gram's Han prefix within its run */
	char gini[NX_NAME_CP][3];
	char py[NX_PY_MAX], ini[NX_NAME_CP + 1]; /* runs joined by ' ' */
};

/* Single-character surnames read differently from the character's common reading: 单 is
 * shan as a surname, dan elsewhere. The first character of a person's name (NX_MEMBER)
 * is read this way. */
static const struct {
	uint32_t cp;
	const char *py;
} surname_py[] = {
	{0x5355, "shan"},  /* 单 */ {0x66FE, "zeng"},  /* 曾 */ {0x533A, "ou"},    /* 区 */
	{0x4EC7, "qiu"},   /* 仇 */ {0x89E3, "xie"},   /* 解 */ {0x67E5, "zha"},   /* 查 */
	{0x6734, "piao"},  /* 朴 */ {0x4E50, "yue"},   /* 乐 */ {0x76D6, "ge"},    /* 盖 */
	{0x7F2A, "miao"},  /* 缪 */ {0x7FDF, "zhai"},  /* 翟 */ {0x8983, "qin"},   /* 覃 */
	{0x79D8, "bi"},    /* 秘 */ {0x7E41, "po"},    /* 繁 */ {0x5458, "yun"},   /* 员 */
	{0x79CD, "chong"}, /* 种 */ {0x53EC, "shao"},  /* 召 */ {0x6298, "she"},   /* 折 */
	{0x5C09, "yu"},    /* 尉 */ {0x796D, "zhai"},  /* 祭 */ {0x5B93, "fu"},    /* 宓 */
	{0x53E5, "gou"},   /* 句 */ {0x8C0C, "chen"},  /* 谌 */ {0x91CD, "chong"}, /* 重 */
	{0x8584, "bo"},    /* 薄 */ {0x67CF, "bai"},   /* 柏 */ {0x9697, "wei"},   /* 隗 */
	{0x6C88, "shen"},  /* 沈 */ {0x957F, "chang"}, /* 长 */ {0x7EAA, "ji"},    /* 纪 */
};

const char *nameindex_surname_pinyin(uint32_t cp)
{
	for (size_t i = 0; i < sizeof(surname_py) / sizeof(surname_py[0]); i++)
		if (surname_py[i].cp == cp)
			return surname_py[i].py;
	return nameindex_pinyin(cp);
}

static void analyse(int kind, const char *name, struct analysis *a)
{
	const char *p = name;
	a->n = 0;
	while (*p && a->n < NX_NAME_CP) {
		uint32_t c = cp_norm(cp_next(&p));
		a->cp[a->n] = c;
		a->syl[a->n] = kind == NX_MEMBER && a->n == 0 ? nameindex_surname_pinyin(c)
							      : nameindex_pinyin(c);
		a->n++;
	}
	size_t pl = 0, il = 0;
	for (int i = 0; i < a->n; i++) {
		if (!a->syl[i])
			continue;
		if (i > 0 && !a->syl[i - 1] && pl > 0) { /* a new run of Han characters */
			a->py[pl++] = ' ';
			a->ini[il++] = ' ';
		}
		size_t sl = strlen(a->syl[i]);
		memcpy(a->py + pl, a->syl[i], sl);
		pl += sl;
		a->ini[il++] = a->syl[i][0];
	}
	a->py[pl] = '\0';
	a->ini[il] = '\0';
	a->ngrams = 0;
	for (int i = 0; i < a->n; i++) {
		char g[9];
		size_t gl = cp_put(a->cp[i], g);
		if (i + 1 < a->n)
			gl += cp_put(a->cp[i + 1], g + gl);
		g[gl] = '\0';
		bool seen = false;
		for (int k = 0; k < a->ngrams && !seen; k++)
			seen = !strcmp(a->gram[k], g);
		if (seen)
			continue;
		int k = a->ngrams++;
		memcpy(a->gram[k], g, gl + 1);
		a->gpy[k][0] = a->gini[k][0] = '\0';
		/* the vocabulary is shared by every name holding the gram: it keeps the common
		 * reading, also for a surname's first gram (name_text has the surname's) */
		const char *gs = i == 0 ? nameindex_pinyin(a->cp[0]) : a->syl[i];
		if (gs) {
			snprintf(a->gpy[k], sizeof(a->gpy[k]), "%s%s", gs,
				 i + 1 < a->n && a->syl[i + 1] ? a->syl[i + 1] : "");
			a->gini[k][0] = gs[0];
			a->gini[k][1] = i + 1 < a->n && a->syl[i + 1] ? a->syl[i + 1][0] : '\0';
			a->gini[k][2] = '\0';
		}
	}
}

/* ---- writes ---- */

#define GRAM_PAIRS 31 /* (gram, id) pairs per insert: 62 parameters + the kind */
#define VOCAB_ROWS 15 /* (gram, py, ini, delta) rows per vocabulary upsert: 60 parameters + the kind */
#define GRAM_DEL   16

static const char sql_gram_insert[] =
	"INSERT INTO name_gram (kind, gram, obj_id) SELECT CAST($1 AS INTEGER), column1, CAST(column2 AS BIGINT)"
	" FROM (VALUES ($2, $3), ($4, $5), ($6, $7), ($8, $9), ($10, $11), ($12, $13), ($14, $15), ($16, $17),"
	" ($18, $19), ($20, $21), ($22, $23), ($24, $25), ($26, $27), ($28, $29), ($30, $31), ($32, $33),"
	" ($34, $35), ($36, $37), ($38, $39), ($40, $41), ($42, $43), ($44, $45), ($46, $47), ($48, $49),"
	" ($50, $51), ($52, $53), ($54, $55), ($56, $57), ($58, $59), ($60, $61), ($62, $63)) v"
	" WHERE column1 IS NOT NULL ON CONFLICT DO NOTHING";

static const char sql_gram_delete[] =
	"DELETE FROM name_gram WHERE kind = $1 AND obj_id = $2 AND gram IN ($3, $4, $5, $6, $7, $8, $9, $10,"
	" $11, $12, $13, $14, $15, $16, $17, $18)";

static const char sql_vocab_add[] =
	"INSERT INTO name_vocab (kind, gram, py, ini, n) SELECT CAST($1 AS INTEGER), column1, column2, column3,"
	" CAST(column4 AS BIGINT) FROM (VALUES ($2, $3, $4, $5), ($6, $7, $8, $9), ($10, $11, $12, $13),"
	" ($14, $15, $16, $17), ($18, $19, $20, $21), ($22, $23, $24, $25), ($26, $27, $28, $29),"
	" ($30, $31, $32, $33), ($34, $35, $36, $37), ($38, $39, $40, $41), ($42, $43, $44, $45),"
	" ($46, $47, $48, $49), ($50, $51, $52, $53), ($54, $55, $56, $57), ($58, $59, $60, $61)) v"
	" WHERE column1 IS NOT NULL ON CONFLICT (kind, gram) DO UPDATE SET n = name_vocab.n + excluded.n";

/* A gram with the change to its vocabulary count. */
struct vocab_delta {
	char gram[9], py[13], ini[3];
	int64_t n;
};

static int vocab_apply(struct conn *c, int kind, const struct vocab_delta *d, int nd)
{
	for (int at = 0; at < nd; at += VOCAB_ROWS) {
		struct stmt *st = NULL;
		int rc = conn_prepare(c, sql_vocab_add, &st);
		if (rc)
			return rc;
		stmt_bind_int64(st, 1, kind);
		for (int k = 0; k < VOCAB_ROWS; k++) {
			int p = 2 + 4 * k;
			if (at + k < nd && d[at + k].n) {
				const struct vocab_delta *v = &d[at + k];
				stmt_bind_text(st, p, v->gram, strlen(v->gram));
				stmt_bind_text(st, p + 1, v->py, strlen(v->py));
				stmt_bind_text(st, p + 2, v->ini, strlen(v->ini));
				stmt_bind_int64(st, p + 3, v->n);
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

/* Inserts (gram, id) pairs: grams[k] of ids[k]. */
static int grams_insert(struct conn *c, int kind, const char (*grams)[9], const int64_t *ids, int n)
{
	for (int at = 0; at < n; at += GRAM_PAIRS) {
		struct stmt *st = NULL;
		int rc = conn_prepare(c, sql_gram_insert, &st);
		if (rc)
			return rc;
		stmt_bind_int64(st, 1, kind);
		for (int k = 0; k < GRAM_PAIRS; k++) {
			int p = 2 + 2 * k;
			if (at + k < n) {
				stmt_bind_text(st, p, grams[at + k], strlen(grams[at + k]));
				stmt_bind_int64(st, p + 1, ids[at + k]);
			} else {
				stmt_bind_null(st, p);
				stmt_bind_null(st, p + 1);
			}
		}
		rc = stmt_step(st);
		stmt_done(st);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int grams_delete(struct conn *c, int kind, int64_t id, const char (*grams)[9], int n)
{
	for (int at = 0; at < n; at += GRAM_DEL) {
		struct stmt *st = NULL;
		int rc = conn_prepare(c, sql_gram_delete, &st);
		if (rc)
			return rc;
		stmt_bind_int64(st, 1, kind);
		stmt_bind_int64(st, 2, id);
		for (int k = 0; k < GRAM_DEL; k++) {
			if (at + k < n)
				stmt_bind_text(st, 3 + k, grams[at + k], strlen(grams[at + k]));
			else
				stmt_bind_null(st, 3 + k);
		}
		rc = stmt_step(st);
		stmt_done(st);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static bool has_gram(const struct analysis *a, const char *g)
{
	for (int k = 0; k < a->ngrams; k++)
		if (!strcmp(a->gram[k], g))
			return true;
	return false;
}

/* The lowercased key (ASCII letters only: keys are identifiers). */
static void key_norm(const char *key, char *out, size_t cap)
{
	size_t n = 0;
	for (; *key && n + 1 < cap; key++)
		out[n++] = (char)(*key >= 'A' && *key <= 'Z' ? *key + 32 : *key);
	out[n] = '\0';
}

/* Replaces what the index holds for (kind, id): old (NULL when nothing) by nw (NULL to
 * remove). Keys are handled by the caller. */
static int regram(struct conn *c, int kind, int64_t id, const struct analysis *old, const struct analysis *nw)
{
	char(*gone)[9] = NULL, (*added)[9] = NULL;
	int64_t *ids = NULL;
	struct vocab_delta *d = NULL;
	int ngone = 0, nadded = 0, nd = 0;
	int rc = ERR_NOMEM;
	gone = malloc(sizeof(*gone) * NX_NAME_CP);
	added = malloc(sizeof(*added) * NX_NAME_CP);
	ids = malloc(sizeof(*ids) * NX_NAME_CP);
	d = malloc(sizeof(*d) * NX_NAME_CP * 2);
	if (!gone || !added || !ids || !d)
		goto done;
	for (int k = 0; old && k < old->ngrams; k++)
		if (!nw || !has_gram(nw, old->gram[k])) {
			memcpy(gone[ngone++], old->gram[k], 9);
			struct vocab_delta *v = &d[nd++];
			memcpy(v->gram, old->gram[k], 9);
			memcpy(v->py, old->gpy[k], sizeof(v->py));
			memcpy(v->ini, old->gini[k], sizeof(v->ini));
			v->n = -1;
		}
	for (int k = 0; nw && k < nw->ngrams; k++)
		if (!old || !has_gram(old, nw->gram[k])) {
			ids[nadded] = id;
			memcpy(added[nadded++], nw->gram[k], 9);
			struct vocab_delta *v = &d[nd++];
			memcpy(v->gram, nw->gram[k], 9);
			memcpy(v->py, nw->gpy[k], sizeof(v->py));
			memcpy(v->ini, nw->gini[k], sizeof(v->ini));
			v->n = 1;
		}
	rc = grams_delete(c, kind, id, (const char(*)[9])gone, ngone);
	if (!rc)
		rc = grams_insert(c, kind, (const char(*)[9])added, ids, nadded);
	if (!rc)
		rc = vocab_apply(c, kind, d, nd);
done:
	free(gone);
	free(added);
	free(ids);
	free(d);
	return rc;
}

int nameindex_set(struct conn *c, int kind, int64_t id, const char *name, const char *key)
{
	struct analysis *old = NULL, *nw = NULL;
	struct stmt *st = NULL;
	char oldkey[NX_QUERY_MAX * 4 + 1] = "", newkey[NX_QUERY_MAX * 4 + 1] = "";
	bool had = false, had_key = false;
	int rc = ERR_NOMEM;
	old = malloc(sizeof(*old));
	nw = malloc(sizeof(*nw));
	if (!old || !nw)
		goto done;
	rc = conn_prepare(c, "SELECT name, key FROM name_text WHERE kind = $1 AND obj_id = $2", &st);
	if (rc)
		goto done;
	stmt_bind_int64(st, 1, kind);
	stmt_bind_int64(st, 2, id);
	rc = stmt_step(st);
	if (rc == STORE_ROW) {
		had = true;
		had_key = !stmt_isnull(st, 1);
		analyse(kind, stmt_text(st, 0, NULL), old);
		str_copy(oldkey, sizeof(oldkey), stmt_text(st, 1, NULL));
		bool same_name = !strcmp(stmt_text(st, 0, NULL), name);
		stmt_done(st);
		st = NULL;
		if (same_name && had_key == (key != NULL) && (!key || !strcmp(oldkey, key))) {
			rc = 0; /* indexed already */
			goto done;
		}
	} else {
		stmt_done(st);
		st = NULL;
		if (rc < 0)
			goto done;
	}
	analyse(kind, name, nw);
	rc = regram(c, kind, id, had ? old : NULL, nw);
	if (rc)
		goto done;
	if (had_key != (key != NULL) || (key && strcmp(oldkey, key))) {
		if (had_key) {
			char k[sizeof(oldkey)];
			key_norm(oldkey, k, sizeof(k));
			rc = conn_run(c, "DELETE FROM name_key WHERE kind = $1 AND obj_id = $2 AND key = $3",
				      "dit", kind, id, k);
		}
		if (rc >= 0 && key) {
			key_norm(key, newkey, sizeof(newkey));
			rc = conn_run(
				c,
				"INSERT INTO name_key (kind, obj_id, key) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
				"dit", kind, id, newkey);
		}
		if (rc < 0)
			goto done;
	}
	rc = conn_prepare(
		c,
		"INSERT INTO name_text (kind, obj_id, name, key, py, ini) VALUES ($1, $2, $3, $4, $5, $6)"
		" ON CONFLICT (kind, obj_id) DO UPDATE SET name = excluded.name, key = excluded.key,"
		" py = excluded.py, ini = excluded.ini",
		&st);
	if (rc)
		goto done;
	stmt_bind_int64(st, 1, kind);
	stmt_bind_int64(st, 2, id);
	stmt_bind_text(st, 3, name, strlen(name));
	if (key)
		stmt_bind_text(st, 4, key, strlen(key));
	else
		stmt_bind_null(st, 4);
	stmt_bind_text(st, 5, nw->py, strlen(nw->py));
	stmt_bind_text(st, 6, nw->ini, strlen(nw->ini));
	rc = stmt_step(st);
	rc = rc < 0 ? rc : 0;
done:
	stmt_done(st);
	free(old);
	free(nw);
	return rc;
}

int nameindex_unset(struct conn *c, int kind, int64_t id)
{
	struct analysis *old = malloc(sizeof(*old));
	struct stmt *st = NULL;
	if (!old)
		return ERR_NOMEM;
	int rc = conn_prepare(c, "SELECT name FROM name_text WHERE kind = $1 AND obj_id = $2", &st);
	if (rc)
		goto done;
	stmt_bind_int64(st, 1, kind);
	stmt_bind_int64(st, 2, id);
	rc = stmt_step(st);
	bool had = rc == STORE_ROW;
	if (had)
		analyse(kind, stmt_text(st, 0, NULL), old);
	stmt_done(st);
	if (rc < 0 || !had) {
		rc = rc < 0 ? rc : 0;
		goto done;
	}
	rc = regram(c, kind, id, old, NULL);
	if (!rc)
		rc = conn_run(c, "DELETE FROM name_key WHERE kind = $1 AND obj_id = $2", "di", kind, id);
	if (rc >= 0)
		rc = conn_run(c, "DELETE FROM name_text WHERE kind = $1 AND obj_id = $2", "di", kind, id);
	rc = rc < 0 ? rc : 0;
done:
	free(old);
	return rc;
}

/* ---- rebuild ---- */

#define REBUILD_PAGE 1000

static int delta_cmp(const void *a, const void *b)
{
	return strcmp(((const struct vocab_delta *)a)->gram, ((const struct vocab_delta *)b)->gram);
}

/* One page of objects: their grams and texts written, vocabulary counts summed. */
struct page {
	int n;
	int64_t id[REBUILD_PAGE];
	char *name[REBUILD_PAGE], *key[REBUILD_PAGE];
};

static void page_clear(struct page *pg)
{
	for (int i = 0; i < pg->n; i++) {
		free(pg->name[i]);
		free(pg->key[i]);
	}
	pg->n = 0;
}

#define TEXT_ROWS 12 /* name_text rows per insert: 5 parameters each + the kind */
#define KEY_ROWS  31 /* name_key rows per insert: 2 parameters each + the kind */

static const char sql_text_insert[] =
	"INSERT INTO name_text (kind, obj_id, name, key, py, ini) SELECT CAST($1 AS INTEGER),"
	" CAST(column1 AS BIGINT), column2, column3, column4, column5 FROM (VALUES"
	" ($2, $3, $4, $5, $6), ($7, $8, $9, $10, $11), ($12, $13, $14, $15, $16), ($17, $18, $19, $20, $21),"
	" ($22, $23, $24, $25, $26), ($27, $28, $29, $30, $31), ($32, $33, $34, $35, $36),"
	" ($37, $38, $39, $40, $41), ($42, $43, $44, $45, $46), ($47, $48, $49, $50, $51),"
	" ($52, $53, $54, $55, $56), ($57, $58, $59, $60, $61)) v WHERE column1 IS NOT NULL";

static const char sql_key_insert[] =
	"INSERT INTO name_key (kind, obj_id, key) SELECT CAST($1 AS INTEGER), CAST(column1 AS BIGINT), column2"
	" FROM (VALUES ($2, $3), ($4, $5), ($6, $7), ($8, $9), ($10, $11), ($12, $13), ($14, $15), ($16, $17),"
	" ($18, $19), ($20, $21), ($22, $23), ($24, $25), ($26, $27), ($28, $29), ($30, $31), ($32, $33),"
	" ($34, $35), ($36, $37), ($38, $39), ($40, $41), ($42, $43), ($44, $45), ($46, $47), ($48, $49),"
	" ($50, $51), ($52, $53), ($54, $55), ($56, $57), ($58, $59), ($60, $61), ($62, $63)) v"
	" WHERE column1 IS NOT NULL ON CONFLICT DO NOTHING";

/* name_text and name_key rows of page objects [from, from + TEXT_ROWS): py/ini given. */
static int texts_insert(struct conn *c, int kind, const struct page *pg, int from, char (*py)[NX_PY_MAX],
			char (*ini)[NX_NAME_CP + 1])
{
	struct stmt *st = NULL;
	int rc = conn_prepare(c, sql_text_insert, &st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, kind);
	for (int k = 0; k < TEXT_ROWS; k++) {
		int i = from + k, p = 2 + 5 * k;
		if (i < pg->n) {
			stmt_bind_int64(st, p, pg->id[i]);
			stmt_bind_text(st, p + 1, pg->name[i], strlen(pg->name[i]));
			if (pg->key[i])
				stmt_bind_text(st, p + 2, pg->key[i], strlen(pg->key[i]));
			else
				stmt_bind_null(st, p + 2);
			stmt_bind_text(st, p + 3, py[k], strlen(py[k]));
			stmt_bind_text(st, p + 4, ini[k], strlen(ini[k]));
		} else {
			for (int j = 0; j < 5; j++)
				stmt_bind_null(st, p + j);
		}
	}
	rc = stmt_step(st);
	stmt_done(st);
	return rc < 0 ? rc : 0;
}

static int keys_insert(struct conn *c, int kind, const struct page *pg)
{
	for (int at = 0; at < pg->n; at += KEY_ROWS) {
		struct stmt *st = NULL;
		int rc = conn_prepare(c, sql_key_insert, &st);
		if (rc)
			return rc;
		stmt_bind_int64(st, 1, kind);
		for (int k = 0; k < KEY_ROWS; k++) {
			int i = at + k, p = 2 + 2 * k;
			if (i < pg->n && pg->key[i]) {
				char key[NX_QUERY_MAX * 4 + 1];
				key_norm(pg->key[i], key, sizeof(key));
				stmt_bind_int64(st, p, pg->id[i]);
				stmt_bind_text(st, p + 1, key, strlen(key));
			} else {
				stmt_bind_null(st, p);
				stmt_bind_null(st, p + 1);
			}
		}
		rc = stmt_step(st);
		stmt_done(st);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int page_write(struct conn *c, int kind, struct page *pg, struct analysis *a)
{
	size_t cap = (size_t)pg->n * NX_NAME_CP;
	char(*grams)[9] = malloc(sizeof(*grams) * cap);
	int64_t *ids = malloc(sizeof(*ids) * cap);
	struct vocab_delta *d = malloc(sizeof(*d) * cap);
	char(*py)[NX_PY_MAX] = malloc(sizeof(*py) * TEXT_ROWS);
	char(*ini)[NX_NAME_CP + 1] = malloc(sizeof(*ini) * TEXT_ROWS);
	int ng = 0, rc = ERR_NOMEM;
	if (!grams || !ids || !d || !py || !ini)
		goto done;
	rc = 0;
	for (int i = 0; !rc && i < pg->n; i++) {
		analyse(kind, pg->name[i], a);
		for (int k = 0; k < a->ngrams; k++) {
			memcpy(grams[ng], a->gram[k], 9);
			ids[ng] = pg->id[i];
			memcpy(d[ng].gram, a->gram[k], 9);
			memcpy(d[ng].py, a->gpy[k], sizeof(d[ng].py));
			memcpy(d[ng].ini, a->gini[k], sizeof(d[ng].ini));
			d[ng].n = 1;
			ng++;
		}
		memcpy(py[i % TEXT_ROWS], a->py, sizeof(a->py));
		memcpy(ini[i % TEXT_ROWS], a->ini, sizeof(a->ini));
		if (i % TEXT_ROWS == TEXT_ROWS - 1 || i == pg->n - 1)
			rc = texts_insert(c, kind, pg, i - i % TEXT_ROWS, py, ini);
	}
	if (!rc)
		rc = keys_insert(c, kind, pg);
	if (!rc)
		rc = grams_insert(c, kind, (const char(*)[9])grams, ids, ng);
	if (rc)
		goto done;
	/* one vocabulary row per distinct gram of the page, with its count */
	qsort(d, (size_t)ng, sizeof(*d), delta_cmp);
	int nd = 0;
	for (int i = 0; i < ng; i++) {
		if (nd > 0 && !strcmp(d[nd - 1].gram, d[i].gram))
			d[nd - 1].n++;
		else
			d[nd++] = d[i];
	}
	rc = vocab_apply(c, kind, d, nd);
done:
	free(grams);
	free(ids);
	free(d);
	free(py);
	free(ini);
	return rc;
}

int nameindex_add(struct conn *c, int kind, int n, const int64_t *ids, char *const *names, char *const *keys)
{
	struct page *pg = calloc(1, sizeof(*pg));
	struct analysis *a = malloc(sizeof(*a));
	int rc = pg && a ? 0 : ERR_NOMEM;
	for (int at = 0; !rc && at < n; at += REBUILD_PAGE) {
		for (int i = at; !rc && i < n && i - at < REBUILD_PAGE; i++) {
			int k = pg->n++;
			pg->id[k] = ids[i];
			pg->name[k] = strdup(names[i]);
			pg->key[k] = keys[i] ? strdup(keys[i]) : NULL;
			rc = !pg->name[k] || (keys[i] && !pg->key[k]) ? ERR_NOMEM : 0;
		}
		if (!rc)
			rc = page_write(c, kind, pg, a);
		page_clear(pg);
	}
	free(pg);
	free(a);
	return rc;
}

int nameindex_rebuild(struct conn *c, int kind, const char *source)
{
	static const char *const wipe[] = {
		"DELETE FROM name_gram WHERE kind = $1",
		"DELETE FROM name_vocab WHERE kind = $1",
		"DELETE FROM name_text WHERE kind = $1",
		"DELETE FROM name_key WHERE kind = $1",
	};
	struct page *pg = calloc(1, sizeof(*pg));
	struct analysis *a = malloc(sizeof(*a));
	int rc = pg && a ? 0 : ERR_NOMEM;
	for (size_t i = 0; !rc && i < sizeof(wipe) / sizeof(wipe[0]); i++)
		if ((rc = conn_run(c, wipe[i], "d", kind)) > 0)
			rc = 0;
	int64_t after = 0;
	while (!rc) {
		struct stmt *st = NULL;
		rc = conn_prepare(c, source, &st);
		if (rc)
			break;
		stmt_bind_int64(st, 1, after);
		stmt_bind_int64(st, 2, REBUILD_PAGE);
		while (!rc && (rc = stmt_step(st)) == STORE_ROW) {
			int i = pg->n;
			pg->id[i] = stmt_int64(st, 0);
			pg->name[i] = strdup(stmt_text(st, 1, NULL));
			pg->key[i] = stmt_isnull(st, 2) ? NULL : strdup(stmt_text(st, 2, NULL));
			pg->n++;
			rc = !pg->name[i] || (!stmt_isnull(st, 2) && !pg->key[i]) ? ERR_NOMEM : 0;
			after = pg->id[i];
			if (pg->n == REBUILD_PAGE)
				break;
		}
		stmt_done(st);
		if (rc < 0)
			break;
		int got = pg->n;
		rc = got ? page_write(c, kind, pg, a) : 0;
		page_clear(pg);
		if (got < REBUILD_PAGE)
			break;
	}
	if (!rc) {
		rc = conn_run(
			c,
			"INSERT INTO nameindex_state (kind, built) VALUES ($1, 1) ON CONFLICT (kind) DO UPDATE SET built = 1",
			"d", kind);
		rc = rc < 0 ? rc : 0;
	}
	if (pg)
		page_clear(pg);
	free(pg);
	free(a);
	return rc;
}

/* ---- queries ---- */

static bool is_key_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '.' || ch == '_' || ch == '-';
}

int nameindex_parse(const char *q, bool keys, struct nameindex_q *out)
{
	memset(out, 0, sizeof(*out));
	if (!q || !*q)
		return ERR_INVALID;
	const char *p = q;
	size_t nl = 0;
	uint32_t cps[NX_QUERY_MAX];
	while (*p && out->ncp < NX_QUERY_MAX) {
		uint32_t c = cp_norm(cp_next(&p));
		cps[out->ncp++] = c;
		nl += cp_put(c, out->norm + nl);
	}
	out->norm[nl] = '\0';
	for (int i = 0; i + 1 < out->ncp && i < NX_BIGRAMS; i++) {
		size_t gl = cp_put(cps[i], out->bigram[i]);
		gl += cp_put(cps[i + 1], out->bigram[i] + gl);
		out->bigram[i][gl] = '\0';
	}
	if (out->ncp == 1) {
		out->first[cp_put(cps[0], out->first)] = '\0';
		uint32_t nx = cps[0] + 1;
		if (nx >= 0xD800 && nx <= 0xDFFF)
			nx = 0xE000; /* the next code point that can be written */
		out->first_next[cp_put(nx, out->first_next)] = '\0';
	}
	size_t ql = strlen(q);
	bool letters = ql >= 2 && ql <= NX_PINYIN_MAX;
	for (size_t i = 0; letters && i < ql; i++)
		letters = (q[i] >= 'a' && q[i] <= 'z') || (q[i] >= 'A' && q[i] <= 'Z');
	if (letters) {
		out->pinyin = true;
		key_norm(q, out->letters, sizeof(out->letters));
		memcpy(out->letters_next, out->letters, ql + 1);
		out->letters_next[ql - 1]++; /* a..z: the next byte is still a letter or '{' */
		snprintf(out->like_letters, sizeof(out->like_letters), "%%%s%%", out->letters);
		memcpy(out->ini2, out->letters, 2);
	}
	bool keyable = keys && ql <= NX_QUERY_MAX;
	for (size_t i = 0; keyable && i < ql; i++)
		keyable = is_key_char((unsigned char)q[i]);
	if (keyable) {
		out->keyable = true;
		key_norm(q, out->key, sizeof(out->key));
		memcpy(out->key_next, out->key, ql + 1);
		out->key_next[ql - 1]++; /* the byte after a key character is printable ASCII */
	}
	return 0;
}

static void bind_opt(struct stmt *st, int idx, bool on, const char *v)
{
	if (on && v && *v)
		stmt_bind_text(st, idx, v, strlen(v));
	else
		stmt_bind_null(st, idx);
}

/* Binds the 11 proper prefixes of q's letters (2..12 letters) at from..from+10. */
static void bind_prefixes(struct stmt *st, int from, const struct nameindex_q *q)
{
	size_t ql = strlen(q->letters);
	for (int k = 0; k < 11; k++) {
		size_t len = (size_t)k + 2;
		if (q->pinyin && len < ql)
			stmt_bind_text(st, from + k, q->letters, len);
		else
			stmt_bind_null(st, from + k);
	}
}

int nameindex_estimate(struct conn *c, int kind, struct nameindex_q *q, int64_t *candidates, bool *built)
{
	struct stmt *st = NULL;
	*candidates = 0;
	*built = false;
	int rc = conn_prepare(
		c,
		"SELECT 0, gram, n FROM name_vocab WHERE kind = $1 AND gram IN ($2, $3, $4, $5, $6, $7, $8, $9)"
		" UNION ALL SELECT 1, '', COALESCE(sum(n), 0) FROM name_vocab WHERE kind = $1"
		" AND gram >= $10 AND gram < $11"
		" UNION ALL SELECT 2, '', COALESCE(sum(n), 0) FROM name_vocab WHERE kind = $1"
		" AND py >= $12 AND py < $13"
		" UNION ALL SELECT 2, '', COALESCE(sum(n), 0) FROM name_vocab WHERE kind = $1"
		" AND py IN ($14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)"
		" UNION ALL SELECT 2, '', COALESCE(sum(n), 0) FROM name_vocab WHERE kind = $1 AND ini = $25"
		" UNION ALL SELECT 3, '', count(*) FROM (SELECT 1 FROM name_key WHERE kind = $1"
		" AND key >= $26 AND key < $27 LIMIT 10001) k"
		" UNION ALL SELECT 3, '', count(*) FROM (SELECT 1 FROM name_text WHERE kind = $1"
		" AND py >= $12 AND py < $13 LIMIT 10001) t"
		" UNION ALL SELECT 3, '', count(*) FROM (SELECT 1 FROM name_text WHERE kind = $1"
		" AND ini >= $12 AND ini < $13 LIMIT 10001) t"
		" UNION ALL SELECT 4, '', built FROM nameindex_state WHERE kind = $1",
		&st);
	if (rc)
		return rc;
	stmt_bind_int64(st, 1, kind);
	for (int i = 0; i < NX_BIGRAMS; i++)
		bind_opt(st, 2 + i, true, q->bigram[i]);
	bind_opt(st, 10, q->ncp == 1, q->first);
	bind_opt(st, 11, q->ncp == 1, q->first_next);
	bind_opt(st, 12, q->pinyin, q->letters);
	bind_opt(st, 13, q->pinyin, q->letters_next);
	bind_prefixes(st, 14, q);
	bind_opt(st, 25, q->pinyin, q->ini2);
	bind_opt(st, 26, q->keyable, q->key);
	bind_opt(st, 27, q->keyable, q->key_next);
	int64_t best = -1, sum = 0;
	int nbig = 0, seen = 0;
	for (int i = 0; i < NX_BIGRAMS; i++)
		nbig += q->bigram[i][0] != '\0';
	q->driver[0] = '\0';
	while ((rc = stmt_step(st)) == STORE_ROW) {
		int64_t what = stmt_int64(st, 0), n = stmt_int64(st, 2);
		if (what == 0) {
			if (n > 0)
				seen++;
			if (n > 0 && (best < 0 || n < best)) {
				best = n;
				str_copy(q->driver, sizeof(q->driver), stmt_text(st, 1, NULL));
			}
		} else if (what == 4) {
			*built = n != 0;
		} else {
			sum += n;
		}
	}
	stmt_done(st);
	if (rc < 0)
		return rc;
	/* a bigram of q that no name holds: no name contains q */
	if (nbig && seen == nbig)
		sum += best;
	else
		q->driver[0] = '\0';
	*candidates = sum;
	return 0;
}

int nameindex_candidates_sql(int base, char *out, size_t cap)
{
	int b = base;
	/* one simple index lookup per branch; the vocabulary leads its joins (CROSS JOIN keeps
	 * SQLite from reading every posting to probe the vocabulary instead) */
#define VOCAB_JOIN \
	" UNION SELECT g.obj_id FROM name_vocab v CROSS JOIN name_gram g WHERE g.kind = v.kind AND g.gram = v.gram AND v.kind = $%d AND "
	int n = snprintf(
		out, cap,
		"SELECT obj_id AS id FROM name_gram WHERE kind = $%d AND gram = $%d"
		" UNION SELECT obj_id FROM name_gram WHERE kind = $%d AND gram >= $%d AND gram < $%d" VOCAB_JOIN
		"v.py >= $%d AND v.py < $%d" VOCAB_JOIN
		"v.py IN ($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)" VOCAB_JOIN "v.ini = $%d"
		" UNION SELECT obj_id FROM name_key WHERE kind = $%d AND key >= $%d AND key < $%d"
		/* pinyin from the start of the name: its own reading (a surname's) */
		" UNION SELECT obj_id FROM name_text WHERE kind = $%d AND py >= $%d AND py < $%d"
		" UNION SELECT obj_id FROM name_text WHERE kind = $%d AND ini >= $%d AND ini < $%d",
		b + 1, b + 2, b + 1, b + 3, b + 4, b + 1, b + 5, b + 6, b + 1, b + 7, b + 8, b + 9, b + 10,
		b + 11, b + 12, b + 13, b + 14, b + 15, b + 16, b + 17, b + 1, b + 18, b + 1, b + 19, b + 20,
		b + 1, b + 5, b + 6, b + 1, b + 5, b + 6);
#undef VOCAB_JOIN
	return n < 0 || (size_t)n >= cap ? -1 : 20;
}

int nameindex_bind_candidates(struct stmt *st, int base, int kind, const struct nameindex_q *q)
{
	stmt_bind_int64(st, base + 1, kind);
	bind_opt(st, base + 2, true, q->driver);
	bind_opt(st, base + 3, q->ncp == 1, q->first);
	bind_opt(st, base + 4, q->ncp == 1, q->first_next);
	bind_opt(st, base + 5, q->pinyin, q->letters);
	bind_opt(st, base + 6, q->pinyin, q->letters_next);
	bind_prefixes(st, base + 7, q);
	bind_opt(st, base + 18, q->pinyin, q->ini2);
	bind_opt(st, base + 19, q->keyable, q->key);
	bind_opt(st, base + 20, q->keyable, q->key_next);
	return 0;
}

/* Does q's letters start at syllable i of a (within its run)? */
static bool full_from(const struct analysis *a, int i, const char *l)
{
	for (int j = i; *l; j++) {
		if (j >= a->n || !a->syl[j])
			return false;
		size_t sl = strlen(a->syl[j]), ll = strlen(l);
		if (ll <= sl)
			return !strncmp(a->syl[j], l, ll);
		if (strncmp(a->syl[j], l, sl))
			return false;
		l += sl;
	}
	return true;
}

static bool initials_from(const struct analysis *a, int i, const char *l)
{
	for (int j = i; *l; j++, l++)
		if (j >= a->n || !a->syl[j] || a->syl[j][0] != *l)
			return false;
	return true;
}

bool nameindex_pinyin_match(int kind, const char *name, const struct nameindex_q *q)
{
	if (!q->pinyin)
		return false;
	struct analysis *a = malloc(sizeof(*a));
	if (!a)
		return false;
	analyse(kind, name, a);
	bool yes = false;
	for (int i = 0; i < a->n && !yes; i++)
		yes = a->syl[i] && (full_from(a, i, q->letters) || initials_from(a, i, q->letters));
	free(a);
	return yes;
}
