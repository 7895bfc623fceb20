/*
 * nameindex.h - the Chinese name index: find the objects of one kind (organizations, and
 * later the member register's 20 million people) whose name contains a part of one or more
 * characters, whose name's pinyin matches what was typed, or whose identifier starts with
 * a prefix, without reading every name. docs/nameindex.md describes the design and the
 * measurements; in short:
 *
 *  - name_gram(kind, gram, obj_id): for every character position of the normalised name
 *    (ASCII letters lowercased, nothing else changed) the two characters starting there
 *    (one at the last position). A part of two or more characters is found through its
 *    rarest bigram, a single character through the grams that start with it. (FTS5's
 *    trigram tokenizer cannot find two-character words: most given names are two.)
 *  - name_vocab(kind, gram, py, ini, n): one row per distinct gram with its pinyin (the
 *    toneless syllables of its Han characters, concatenated: 科协 -> "kexie"), their
 *    initials ("kx") and how many objects hold it. Pinyin queries go through the
 *    vocabulary to the grams, and `n` lets a caller choose between the index and a scan.
 *  - name_text(kind, obj_id, name, key, py, ini): what is indexed for each object, with
 *    the pinyin of each run of Han characters ("baoyixian kexie") and its initials
 *    ("byx kx"), for the final check of pinyin matches.
 *  - name_key(kind, key, obj_id): an identifier (an org code) lowercased, for prefix search.
 *
 * What matches. A query q matches a name when the name contains q (the caller checks with
 * its database's LIKE, so the index is only ever a superset of that), and, when q is two or
 * more ASCII letters, when
 *  - q is the start of the name's pinyin from the start of some Han character's syllable
 *    onwards within a run of Han characters (kexie, kexi, kex and kexiehui all match
 *    科协会; exie does not), or
 *  - q is the initials of consecutive Han characters (kx, kxx for 科协, 科学协会 -> kxxh).
 * Case is ignored; u-diaeresis is typed v (女 nv, 绿 lv); each character has the one reading
 * ICU's Han-Latin gives it (长沙 is zhangsha: polyphones are not guessed). Pinyin is
 * computed from a table generated from ICU (scripts/gen-pinyin-table, nameindex_py.c), so
 * writes never open a transliterator.
 *
 * Writes go inside the caller's transaction on its write connection; a failure leaves
 * partial statements for the caller's rollback.
 */
#ifndef KEXIE_CORE_NAMEINDEX_H
#define KEXIE_CORE_NAMEINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conn;
struct stmt;

/* The kinds of objects indexed; numbers are stored, never reuse one. */
enum nameindex_kind { NX_ORG = 1, NX_MEMBER = 2 };

/* The toneless pinyin of Han character cp ("ke", "lv"), or NULL when it has none. */
const char *nameindex_pinyin(uint32_t cp);
/* The same for the first character of a person's name: a surname's own reading where it
 * differs (单 shan, 曾 zeng, 区 ou, 仇 qiu, 解 xie ...), else nameindex_pinyin. The pinyin
 * of NX_MEMBER names in name_text, and nameindex_pinyin_match for that kind, read a name's
 * first character with it; the vocabulary (shared by every name holding a gram) keeps the
 * common reading, so member search checks name_text, not the vocabulary. */
const char *nameindex_surname_pinyin(uint32_t cp);

/* ---- writes ---- */

/* Makes the index hold `name` and identifier `key` (NULL for none) for (kind, id): the
 * grams, vocabulary counts, pinyin and key of a previous name are replaced. Nothing is
 * written when both are what is indexed already. 0 or a store error. */
int nameindex_set(struct conn *c, int kind, int64_t id, const char *name, const char *key);

/* Removes (kind, id) from the index. 0 (also when it was not there) or a store error. */
int nameindex_unset(struct conn *c, int kind, int64_t id);

/* Indexes n objects of a kind that are not in the index yet (a bulk load's new rows), set-
 * based: multi-row inserts per page of 1,000, the vocabulary counts summed per page. names[i]
 * and keys[i] (NULL for none) belong to the caller. An object already indexed must go
 * through nameindex_set instead (its old grams would stay). 0 or a store error. */
int nameindex_add(struct conn *c, int kind, int n, const int64_t *ids, char *const *names, char *const *keys);

/* Indexes every object of a kind again from scratch: `source` is SQL returning
 * (id, name, key) for the objects with id > $1 in id order, at most $2 rows (it is run
 * page by page). Marks the kind as built (nameindex_state). 0 or a store error. */
int nameindex_rebuild(struct conn *c, int kind, const char *source);

/* ---- queries ---- */

#define NX_QUERY_MAX  50 /* code points of q considered */
#define NX_PINYIN_MAX 64 /* letters of a pinyin query */
#define NX_BIGRAMS    8  /* bigrams of q looked up to find the rarest */

/* A query, parsed once: every string here is ready to bind. */
struct nameindex_q {
	char norm[NX_QUERY_MAX * 4 + 1]; /* q normalised as names are */
	int ncp;                         /* its code points */
	char bigram[NX_BIGRAMS][9];      /* its first bigrams ("" unused) */
	char first[5], first_next[5];    /* one-character q: [first, first_next) */
	bool pinyin;                     /* q is 2..NX_PINYIN_MAX ASCII letters */
	char letters[NX_PINYIN_MAX + 1]; /* q lowercased, when pinyin */
	char letters_next[NX_PINYIN_MAX + 1];
	char like_letters[NX_PINYIN_MAX + 3]; /* "%letters%" */
	char ini2[3];                         /* letters[0..2) */
	bool keyable;                         /* q may be the start of a key */
	char key[NX_QUERY_MAX + 1], key_next[NX_QUERY_MAX + 1];
	char driver[9]; /* set by nameindex_estimate: the rarest bigram */
};

/* Parses q (valid UTF-8; at most NX_QUERY_MAX code points are used). ERR_INVALID for an
 * empty or invalid q. `keys` says whether identifiers are searched too. */
int nameindex_parse(const char *q, bool keys, struct nameindex_q *out);

/* How many objects of the kind the index would offer as candidates for q (an upper
 * bound: the sum over the grams used, plus keys and names whose pinyin or initials start
 * with q, up to 10,001 each), and whether the index is
 * built at all (*built false: the caller must scan). One statement. */
int nameindex_estimate(struct conn *c, int kind, struct nameindex_q *q, int64_t *candidates, bool *built);

/*
 * The candidate set as SQL, for the caller's statement: `SELECT obj_id AS id FROM ...`
 * (several UNIONed parts: the grams, the vocabulary's pinyin, the keys, and name_text's
 * own pinyin and initials from the start of the name, which read a member's surname as a
 * surname) whose parameters are numbered from base + 1; bind them with
 * nameindex_bind_candidates (the kind is a parameter too). Writes the text into out (cap
 * bytes; 2 KiB is enough). nameindex_estimate must have run first (it picks the rarest
 * gram). Returns the number of parameters used (20), or -1 when out is too small.
 */
int nameindex_candidates_sql(int base, char *out, size_t cap);
int nameindex_bind_candidates(struct stmt *st, int base, int kind, const struct nameindex_q *q);

/* The exact pinyin test for one name of a kind (true when q.pinyin and the name matches as
 * described above). Callers use `name_text.py LIKE q.like_letters` in SQL first: it is
 * necessary, this decides. */
bool nameindex_pinyin_match(int kind, const char *name, const struct nameindex_q *q);

#endif
