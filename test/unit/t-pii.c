/* t-pii.c - personal data at rest (core/pii.h): seal/open round trips (non-BMP text, the
 * 256-byte limit), tampered, moved, foreign-key and unknown-version values refused with
 * their codes, blind indexes, masks, and the rekey on a throwaway table: a few thousand
 * rows with a writer sealing under the old version between batches, a run stopped after
 * its first batch and resumed, a value that cannot be opened, retiring old versions.
 * On SQLite always; on PostgreSQL too when KEXIE_TEST_PG_URL names an empty database
 * (scripts/pg-throwaway start DIR prints one). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base/err.h"
#include "core/pii.h"
#include "store/migrate.h"
#include "store/store.h"
#include "testdb.h"

static struct app app, other;
static const struct pii_ring ring1 = {.current = 1, .retired_below = 1};

/* ---- seal and open ---- */

static void roundtrip(const char *plain, enum pii_purpose p)
{
	char sealed[PII_SEALED_MAX], back[PII_PLAIN_MAX + 1];
	size_t len = 99;
	assert_int_equal(pii_seal(&app, 1, p, plain, strlen(plain), sealed, sizeof(sealed)), 0);
	assert_true(strncmp(sealed, "1$", 2) == 0);
	assert_null(strstr(sealed, "=")); /* no padding */
	assert_int_equal(pii_open(&app, &ring1, p, sealed, strlen(sealed), back, sizeof(back), &len), 0);
	assert_string_equal(back, plain);
	assert_int_equal(len, strlen(plain));
	if (*plain)
		assert_null(strstr(sealed, plain));
}

static void t_roundtrip(void **st)
{
	(void)st;
	roundtrip("110105199001011234", PII_PERSON_ID_NUMBER);
	roundtrip("13812341234", PII_PERSON_MOBILE);
	roundtrip("𠮷野家 张三 Ω", PII_PERSON_ID_NUMBER);
	roundtrip("", PII_PERSON_MOBILE);

	/* 64 x U+20BB7 = 256 bytes: the longest value fits PII_SEALED_MAX */
	char big[PII_PLAIN_MAX + 8] = "";
	for (int i = 0; i < 64; i++)
		memcpy(big + 4 * i, "𠮷", 5);
	assert_int_equal(strlen(big), PII_PLAIN_MAX);
	roundtrip(big, PII_PERSON_ID_NUMBER);
	char sealed[PII_SEALED_MAX], exact[PII_SEALED_MAX];
	assert_int_equal(pii_seal(&app, PII_VERSION_MAX, PII_PERSON_ID_NUMBER, big, strlen(big), sealed,
				  sizeof(sealed)),
			 0);
	assert_int_equal(strlen(sealed), PII_SEALED_MAX - 1); /* the bound is exact */

	/* the same value twice: different text (random nonce) */
	assert_int_equal(pii_seal(&app, 1, PII_PERSON_MOBILE, "13812341234", 11, sealed, sizeof(sealed)), 0);
	assert_int_equal(pii_seal(&app, 1, PII_PERSON_MOBILE, "13812341234", 11, exact, sizeof(exact)), 0);
	assert_string_not_equal(sealed, exact);

	/* refused inputs leave "" */
	memcpy(big + PII_PLAIN_MAX, "x", 2);
	assert_int_equal(pii_seal(&app, 1, PII_PERSON_ID_NUMBER, big, strlen(big), sealed, sizeof(sealed)),
			 ERR_TOOBIG);
	assert_string_equal(sealed, "");
	assert_int_equal(pii_seal(&app, 1, PII_PERSON_ID_NUMBER, "\xff\xfe", 2, sealed, sizeof(sealed)),
			 ERR_INVALID);
	assert_int_equal(pii_seal(&app, 0, PII_PERSON_ID_NUMBER, "1", 1, sealed, sizeof(sealed)),
			 ERR_INVALID);
	assert_int_equal(pii_seal(&app, 1, (enum pii_purpose)77, "1", 1, sealed, sizeof(sealed)),
			 ERR_INVALID);
	assert_int_equal(pii_seal(&app, 1, PII_PERSON_MOBILE, "1", 1, sealed, 20), ERR_TOOBIG);
	/* a small output buffer for opening */
	assert_int_equal(pii_seal(&app, 1, PII_PERSON_MOBILE, "13812341234", 11, sealed, sizeof(sealed)), 0);
	char tiny[11] = "junk";
	assert_int_equal(
		pii_open(&app, &ring1, PII_PERSON_MOBILE, sealed, strlen(sealed), tiny, sizeof(tiny), NULL),
		ERR_TOOBIG);
	assert_string_equal(tiny, "");
	uint32_t v = 9;
	assert_int_equal(pii_version_of(sealed, strlen(sealed), &v), 0);
	assert_int_equal(v, 1);
}

static int open1(const struct pii_ring *r, enum pii_purpose p, const char *sealed, char *out, size_t cap)
{
	size_t len = 7;
	int rc = pii_open(&app, r, p, sealed, strlen(sealed), out, cap, &len);
	if (rc) {
		assert_string_equal(out, "");
		assert_int_equal(len, 0);
	}
	return rc;
}

static void t_tamper(void **st)
{
	(void)st;
	const char *plain = "110105199001011234";
	char sealed[PII_SEALED_MAX], t[PII_SEALED_MAX], out[PII_PLAIN_MAX + 1];
	assert_int_equal(
		pii_seal(&app, 1, PII_PERSON_ID_NUMBER, plain, strlen(plain), sealed, sizeof(sealed)), 0);
	size_t n = strlen(sealed);
	/* every character of the payload changed: never opens, never crashes */
	for (size_t i = 2; i < n; i++) {
		snprintf(t, sizeof(t), "%s", sealed);
		t[i] = t[i] == 'A' ? 'B' : 'A';
		int rc = open1(&ring1, PII_PERSON_ID_NUMBER, t, out, sizeof(out));
		assert_true(rc == ERR_FORGED || rc == ERR_INVALID); /* INVALID: non-canonical last char */
	}
	snprintf(t, sizeof(t), "%s", sealed);
	t[10] = t[10] == 'A' ? 'B' : 'A';
	assert_int_equal(open1(&ring1, PII_PERSON_ID_NUMBER, t, out, sizeof(out)), ERR_FORGED);
	/* a byte flipped in the decoded ciphertext (the last 3 payload characters carry it) */
	unsigned char raw[PII_SEALED_MAX];
	size_t raw_len;
	assert_int_equal(sodium_base642bin(raw, sizeof(raw), sealed + 2, n - 2, NULL, &raw_len, NULL,
					   sodium_base64_VARIANT_URLSAFE_NO_PADDING),
			 0);
	for (size_t i = 0; i < raw_len; i += 7) {
		raw[i] ^= 0x01;
		memcpy(t, "1$", 3);
		sodium_bin2base64(t + 2, sizeof(t) - 2, raw, raw_len,
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		assert_int_equal(open1(&ring1, PII_PERSON_ID_NUMBER, t, out, sizeof(out)), ERR_FORGED);
		raw[i] ^= 0x01;
	}
	/* cut short */
	snprintf(t, sizeof(t), "%s", sealed);
	t[n - 5] = '\0';
	assert_true(open1(&ring1, PII_PERSON_ID_NUMBER, t, out, sizeof(out)) < 0);
	/* another version prefix on the same payload: another key */
	const struct pii_ring ring2 = {.current = 2, .retired_below = 1};
	snprintf(t, sizeof(t), "%s", sealed);
	t[0] = '2';
	assert_int_equal(open1(&ring2, PII_PERSON_ID_NUMBER, t, out, sizeof(out)), ERR_FORGED);
	/* not the format at all */
	const char *junk[] = {"",
			      "1",
			      "1$",
			      "$abc",
			      "01$AAAA",
			      "x$AAAA",
			      "1$!!!!",
			      "1$AAAA",
			      "99999999999$AAAA",
			      "4294967295$AAAA",
			      "1$ AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		assert_int_equal(open1(&ring1, PII_PERSON_ID_NUMBER, junk[i], out, sizeof(out)), ERR_INVALID);
	/* longer than any sealed value */
	char huge[2 * PII_SEALED_MAX];
	memset(huge, 'A', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	huge[1] = '$';
	assert_int_equal(open1(&ring1, PII_PERSON_ID_NUMBER, huge, out, sizeof(out)), ERR_INVALID);
}

static void t_purpose_version_key(void **st)
{
	(void)st;
	char sealed[PII_SEALED_MAX], out[PII_PLAIN_MAX + 1];
	/* swapping columns: an ID number read as a mobile */
	assert_int_equal(pii_seal(&app, 1, PII_PERSON_ID_NUMBER, "13812341234", 11, sealed, sizeof(sealed)),
			 0);
	assert_int_equal(open1(&ring1, PII_PERSON_MOBILE, sealed, out, sizeof(out)), ERR_FORGED);
	assert_int_equal(open1(&ring1, (enum pii_purpose)77, sealed, out, sizeof(out)), ERR_INVALID);
	/* another server key */
	size_t len;
	assert_int_equal(pii_open(&other, &ring1, PII_PERSON_ID_NUMBER, sealed, strlen(sealed), out,
				  sizeof(out), &len),
			 ERR_FORGED);
	assert_string_equal(out, "");
	/* versions: above current is unknown, below retired_below is retired */
	assert_int_equal(pii_seal(&app, 5, PII_PERSON_MOBILE, "13812341234", 11, sealed, sizeof(sealed)), 0);
	const struct pii_ring r4 = {.current = 4, .retired_below = 1},
			      r5 = {.current = 5, .retired_below = 1},
			      r6 = {.current = 6, .retired_below = 6},
			      r6ok = {.current = 6, .retired_below = 5};
	assert_int_equal(open1(&r4, PII_PERSON_MOBILE, sealed, out, sizeof(out)), ERR_KEYVERSION);
	assert_int_equal(open1(&r6, PII_PERSON_MOBILE, sealed, out, sizeof(out)), ERR_KEYVERSION);
	assert_int_equal(open1(&r5, PII_PERSON_MOBILE, sealed, out, sizeof(out)), 0);
	assert_int_equal(open1(&r6ok, PII_PERSON_MOBILE, sealed, out, sizeof(out)), 0);
	assert_string_equal(out, "13812341234");
}

static void t_blind(void **st)
{
	(void)st;
	char a1[PII_BLIND_HEX], a2[PII_BLIND_HEX], b[PII_BLIND_HEX], c[PII_BLIND_HEX], d[PII_BLIND_HEX];
	assert_int_equal(pii_blind(&app, PII_PERSON_MOBILE, "13812341234", 11, a1), 0);
	assert_int_equal(pii_blind(&app, PII_PERSON_MOBILE, "13812341234", 11, a2), 0);
	assert_string_equal(a1, a2); /* deterministic */
	assert_int_equal(strlen(a1), 64);
	assert_int_equal(strspn(a1, "0123456789abcdef"), 64);
	assert_int_equal(pii_blind(&app, PII_PERSON_ID_NUMBER, "13812341234", 11, b), 0);
	assert_string_not_equal(a1, b); /* by purpose */
	assert_int_equal(pii_blind(&other, PII_PERSON_MOBILE, "13812341234", 11, c), 0);
	assert_string_not_equal(a1, c); /* by key */
	assert_int_equal(pii_blind(&app, PII_PERSON_MOBILE, "13812341235", 11, d), 0);
	assert_string_not_equal(a1, d);
	assert_int_equal(pii_blind(&app, (enum pii_purpose)77, "1", 1, d), ERR_INVALID);
	assert_string_equal(d, "");
}

/* ---- masks ---- */

static void t_mask(void **st)
{
	(void)st;
	/* clang-format off */
	static const struct { const char *in; size_t head, tail; const char *want; } cases[] = {
		{"110105199001011234", 3, 4, "110***********1234"},
		{"11010519900101123X", 3, 4, "110***********123X"},
		{"13812341234",        3, 4, "138****1234"},
		{"12345678",           3, 4, "123*5678"},
		{"1234567",            3, 4, "123****"},   /* head + tail: no tail, < half shown */
		{"123",                3, 4, "1**"},
		{"12",                 3, 4, "**"},
		{"1",                  3, 4, "*"},
		{"",                   3, 4, ""},
		{"张三丰",             1, 0, "张**"},
		{"张三",               1, 0, "张*"},
		{"张",                 1, 0, "*"},
		{"欧阳娜娜",           2, 0, "欧阳**"},
		{"张三",               1, 1, "**"},
		{"一二三四五六七八",   3, 4, "一二三*五六七八"},
		{"𠮷野家",             1, 1, "𠮷*家"},
		{"𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷",   3, 4, "𠮷𠮷𠮷*𠮷𠮷𠮷𠮷"},
		{"𠮷𠮷𠮷𠮷𠮷",         3, 4, "𠮷𠮷***"},
		{"a𠮷b",               0, 0, "***"},
		{"abc",  (size_t)-1, (size_t)-1, "a**"},  /* no overflow in head + tail */
	};
	/* clang-format on */
	char out[128];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(pii_mask(cases[i].in, strlen(cases[i].in), cases[i].head, cases[i].tail, out,
					  sizeof(out)),
				 0);
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("case %zu: %s -> %s, want %s", i, cases[i].in, out, cases[i].want);
		/* out never needs more than the input's bytes + 1 */
		assert_int_equal(pii_mask(cases[i].in, strlen(cases[i].in), cases[i].head, cases[i].tail, out,
					  strlen(cases[i].in) + 1),
				 0);
	}
	assert_int_equal(pii_mask_id("110105199001011234", 18, out, sizeof(out)), 0);
	assert_string_equal(out, "110***********1234");
	assert_int_equal(pii_mask_mobile("13812341234", 11, out, sizeof(out)), 0);
	assert_string_equal(out, "138****1234");
	assert_int_equal(pii_mask_mobile("138\xff"
					 "1234",
					 8, out, sizeof(out)),
			 ERR_INVALID);
	assert_string_equal(out, "");
	assert_int_equal(pii_mask_mobile("\xe5\xbc", 2, out, sizeof(out)), ERR_INVALID); /* cut character */
	assert_int_equal(pii_mask_mobile("13812341234", 11, out, 11), ERR_TOOBIG);
	assert_string_equal(out, "");
}

/* ---- the key version and the rekey, on a database ---- */

static struct store *db;
static char dir[] = "/tmp/kexie-t-pii-XXXXXX";
static bool db_is_tmp;

static const struct pii_column cols[] = {
	{"t_pii", "id", "id_number", PII_PERSON_ID_NUMBER},
	{"t_pii", "id", "mobile", PII_PERSON_MOBILE},
};
#define NROWS 3000

static void sql(const char *s)
{
	struct conn *c = NULL;
	assert_int_equal(store_acquire(db, STORE_WRITE, &c), 0);
	int rc = conn_exec(c, s);
	store_release(c);
	assert_int_equal(rc, 0);
}

static struct pii_ring ring_now(void)
{
	struct conn *c = NULL;
	struct pii_ring r;
	assert_int_equal(store_acquire(db, STORE_READ, &c), 0);
	assert_int_equal(pii_ring_read(c, &r), 0);
	store_release(c);
	return r;
}

/* The values of row id: a few hold non-BMP text; every 10th has no mobile. */
static void expected(int64_t id, char idn[64], char mob[64])
{
	int64_t k = id < 0 ? -id : id;
	if (k % 100 == 7)
		snprintf(idn, 64, "𠮷野家%lld", (long long)k);
	else
		snprintf(idn, 64, "110105%012lld", (long long)k);
	if (k % 10 == 3)
		mob[0] = '\0';
	else
		snprintf(mob, 64, "138%08lld", (long long)k);
}

struct ins {
	int64_t first, count;
	uint32_t version; /* 0: pii_current, as a server writes */
};

static int ins_fn(struct conn *c, void *arg)
{
	struct ins *in = arg;
	uint32_t v = in->version;
	if (!v && pii_current(c, &v))
		return ERR_DB;
	for (int64_t id = in->first; id < in->first + in->count; id++) {
		char idn[64], mob[64], s1[PII_SEALED_MAX], s2[PII_SEALED_MAX], bidx[PII_BLIND_HEX];
		expected(id, idn, mob);
		if (pii_seal(&app, v, PII_PERSON_ID_NUMBER, idn, strlen(idn), s1, sizeof(s1)) ||
		    pii_seal(&app, v, PII_PERSON_MOBILE, mob, strlen(mob), s2, sizeof(s2)) ||
		    pii_blind(&app, PII_PERSON_ID_NUMBER, idn, strlen(idn), bidx))
			return ERR_INTERNAL;
		int rc = conn_run(
			c,
			"INSERT INTO t_pii (id, id_number, id_number_bidx, mobile) VALUES ($1, $2, $3, $4)",
			"ittt", id, s1, bidx, *mob ? s2 : NULL);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void insert(int64_t first, int64_t count, uint32_t version)
{
	struct ins in = {first, count, version};
	assert_int_equal(store_tx_within(db, 10000, ins_fn, &in), 0);
}

struct check {
	uint32_t version;
	struct pii_ring ring;
	int64_t rows;
};

static int check_row(struct stmt *st, void *arg)
{
	struct check *k = arg;
	int64_t id = stmt_int64(st, 0);
	char idn[64], mob[64], out[PII_PLAIN_MAX + 1], bidx[PII_BLIND_HEX];
	expected(id, idn, mob);
	size_t len;
	const char *v = stmt_text(st, 1, &len);
	uint32_t ver = 0;
	assert_int_equal(pii_version_of(v, len, &ver), 0);
	assert_int_equal(ver, k->version);
	assert_int_equal(pii_open(&app, &k->ring, PII_PERSON_ID_NUMBER, v, len, out, sizeof(out), NULL), 0);
	assert_string_equal(out, idn);
	/* the blind index is untouched by a rekey and still matches the value */
	assert_int_equal(pii_blind(&app, PII_PERSON_ID_NUMBER, out, strlen(out), bidx), 0);
	assert_string_equal(stmt_text(st, 2, NULL), bidx);
	if (*mob) {
		v = stmt_text(st, 3, &len);
		assert_int_equal(pii_version_of(v, len, &ver), 0);
		assert_int_equal(ver, k->version);
		assert_int_equal(pii_open(&app, &k->ring, PII_PERSON_MOBILE, v, len, out, sizeof(out), NULL),
				 0);
		assert_string_equal(out, mob);
	} else {
		assert_true(stmt_isnull(st, 3));
	}
	k->rows++;
	return 0;
}

/* Every row under `version` and opening to its original values; returns the row count. */
static int64_t check_all(uint32_t version)
{
	struct check k = {.version = version, .ring = ring_now()};
	struct conn *c = NULL;
	assert_int_equal(store_acquire(db, STORE_READ, &c), 0);
	int rc = conn_each(c, "SELECT id, id_number, id_number_bidx, mobile FROM t_pii ORDER BY id",
			   check_row, &k, "");
	store_release(c);
	assert_int_equal(rc, 0);
	return k.rows;
}

/* Sealed values that insert(first, count) writes (rows without a mobile have one). */
static int64_t nsealed(int64_t first, int64_t count)
{
	int64_t n = 0;
	for (int64_t id = first; id < first + count; id++) {
		char idn[64], mob[64];
		expected(id, idn, mob);
		n += *mob ? 2 : 1;
	}
	return n;
}

static int64_t count_sealed(void)
{
	/* sealed values in both columns */
	struct conn *c = NULL;
	int64_t n = 0;
	assert_int_equal(store_acquire(db, STORE_READ, &c), 0);
	assert_int_equal(conn_row(c, "SELECT count(id_number) + count(mobile) FROM t_pii", "", "i", &n), 0);
	store_release(c);
	return n;
}

static int db_setup(void **st)
{
	(void)st;
	const char *pg = getenv("KEXIE_TEST_PG_URL");
	if (!pg || !*pg) {
		db_is_tmp = true;
		return testdb_open(dir, &db);
	}
	char err[256];
	struct store_opts o = {.url = pg, .pool_size = 2, .busy_timeout_ms = 2000};
	int applied;
	if (store_open(&o, &db, err, sizeof(err)) || migrate_apply(db, &applied, err, sizeof(err))) {
		fprintf(stderr, "t-pii: %s\n", err);
		return -1;
	}
	return 0;
}

static int db_teardown(void **st)
{
	(void)st;
	if (db_is_tmp)
		return testdb_close(db, dir);
	store_close(db);
	return 0;
}

static void t_ring(void **st)
{
	(void)st;
	struct pii_ring r = ring_now();
	assert_int_equal(r.current, 1);
	assert_int_equal(r.retired_below, 1);
	assert_false(r.rekeying);
	sql("DROP TABLE IF EXISTS t_pii");
	sql("CREATE TABLE t_pii (id BIGINT PRIMARY KEY, id_number TEXT, id_number_bidx TEXT, mobile TEXT)");
	insert(1, NROWS, 0); /* pii_current: version 1 */
	assert_int_equal(check_all(1), NROWS);
	/* a bad descriptor changes nothing */
	const struct pii_column bad[] = {{"t_pii; DROP TABLE x", "id", "mobile", PII_PERSON_MOBILE}};
	const struct pii_column badp[] = {{"t_pii", "id", "mobile", (enum pii_purpose)77}};
	struct pii_rekey_report rep;
	assert_int_equal(pii_rekey(db, &app, bad, 1, NULL, &rep), ERR_INVALID);
	assert_int_equal(pii_rekey(db, &app, badp, 1, NULL, &rep), ERR_INVALID);
	assert_int_equal(ring_now().current, 1);
}

/* The concurrent writer: between batches, an old server inserts rows sealed under the old
 * version (some above the cursor, some below every id), and a new one rows under the new
 * version, which the rekey must leave alone. */
static int writer_calls;
static int64_t written_old, written_rows; /* sealed values and rows under the old version */

static int writer(const struct pii_rekey_report *so_far, void *arg)
{
	(void)arg;
	writer_calls++;
	if (writer_calls <= 3) {
		insert(100000 + writer_calls * 100, 20, so_far->to - 1);
		insert(-1000 - writer_calls * 100, 20, so_far->to - 1);
		written_old += nsealed(100000 + writer_calls * 100, 20) +
			       nsealed(-1000 - writer_calls * 100, 20);
		written_rows += 40;
		insert(200000 + writer_calls * 100, 5, 0); /* pii_current: the new version */
	}
	return 0;
}

static void t_rekey_concurrent_writer(void **st)
{
	(void)st;
	int64_t before = count_sealed();
	written_old = 0;
	struct pii_rekey_report rep;
	struct pii_rekey_opts o = {.batch = 250, .progress = writer};
	assert_int_equal(pii_rekey(db, &app, cols, 2, &o, &rep), 0);
	assert_true(rep.done);
	assert_false(rep.resumed);
	assert_int_equal(rep.from, 1);
	assert_int_equal(rep.to, 2);
	assert_int_equal(rep.failed, 0);
	assert_true(rep.passes >= 2); /* the rows below the cursor needed a second round */
	/* every old value once: the table's and the old writer's; the new writer's skipped */
	assert_int_equal(rep.rows, before + written_old);
	struct pii_ring r = ring_now();
	assert_int_equal(r.current, 2);
	assert_false(r.rekeying);
	assert_int_equal(r.retired_below, 1);
	assert_int_equal(check_all(2), NROWS + written_rows + 15);
}

static int stop_forever(const struct pii_rekey_report *so_far, void *arg)
{
	(void)so_far;
	(void)arg;
	return 0;
}

static void t_rekey_restart(void **st)
{
	(void)st;
	int64_t total = count_sealed();
	/* the first run stops after its first batch (a kill would leave the same state:
	   every batch committed on its own, the rekey marked open) */
	struct pii_rekey_report rep;
	struct pii_rekey_opts o = {.batch = 100, .limit = 1, .progress = stop_forever};
	assert_int_equal(pii_rekey(db, &app, cols, 2, &o, &rep), 0);
	assert_false(rep.done);
	assert_int_equal(rep.rows, 100);
	assert_int_equal(rep.to, 3);
	struct pii_ring r = ring_now();
	assert_int_equal(r.current, 3);
	assert_true(r.rekeying);
	/* a server writes meanwhile, under version 3 */
	insert(300000, 10, 0);

	/* run again: resumed, not bumped a second time; retire the old versions at the end */
	struct pii_rekey_opts o2 = {.batch = 333, .retire = true};
	assert_int_equal(pii_rekey(db, &app, cols, 2, &o2, &rep), 0);
	assert_true(rep.done);
	assert_true(rep.resumed);
	assert_int_equal(rep.to, 3);
	assert_int_equal(rep.rows, total - 100); /* the rest of the values under 2, once */
	r = ring_now();
	assert_int_equal(r.current, 3);
	assert_int_equal(r.retired_below, 3);
	assert_false(r.rekeying);
	check_all(3);
	/* a value under version 2 is refused from now on */
	char sealed[PII_SEALED_MAX], out[PII_PLAIN_MAX + 1];
	assert_int_equal(pii_seal(&app, 2, PII_PERSON_MOBILE, "13812341234", 11, sealed, sizeof(sealed)), 0);
	assert_int_equal(open1(&r, PII_PERSON_MOBILE, sealed, out, sizeof(out)), ERR_KEYVERSION);
}

/* A live server: a thread inserting rows one transaction at a time, each sealed under
 * pii_current read in its own transaction, all through the rekey. When the rekey says done
 * no value under an older version is left, whatever the thread wrote when. */
static atomic_bool live_stop;
static atomic_long live_rows, live_busy;

static void *live_writer(void *arg)
{
	(void)arg;
	for (int64_t id = 400000; !atomic_load(&live_stop) && id < 460000; id++) {
		struct ins in = {id, 1, 0};
		int rc = store_tx(db, ins_fn, &in);
		if (rc == ERR_BUSY)
			atomic_fetch_add(&live_busy, 1);
		else if (rc == 0)
			atomic_fetch_add(&live_rows, 1);
		else
			break;
	}
	return NULL;
}

static void wait_rows(long n)
{
	for (int i = 0; i < 20000 && atomic_load(&live_rows) < n; i++)
		usleep(500);
	assert_true(atomic_load(&live_rows) >= n);
}

static void t_rekey_live_writer(void **st)
{
	(void)st;
	pthread_t th;
	atomic_store(&live_stop, false);
	assert_int_equal(pthread_create(&th, NULL, live_writer, NULL), 0);
	wait_rows(20); /* it writes under the old version first */
	struct pii_rekey_report rep;
	struct pii_rekey_opts o = {.batch = 200};
	int rc = pii_rekey(db, &app, cols, 2, &o, &rep);
	int64_t during = atomic_load(&live_rows);
	/* and goes on writing after the rekey, under the new version */
	wait_rows(during + 20);
	atomic_store(&live_stop, true);
	pthread_join(th, NULL);
	assert_int_equal(rc, 0);
	assert_true(rep.done);
	assert_int_equal(rep.to, 5);
	int64_t rows = check_all(5);
	assert_true(rows > NROWS);
	print_message("live writer: %ld rows (%ld busy), rekey %lld values in %d rounds\n",
		      atomic_load(&live_rows), atomic_load(&live_busy), (long long)rep.rows, rep.passes);
}

static void t_rekey_unopenable(void **st)
{
	(void)st;
	/* a row whose mobile was sealed under another server key */
	char sealed[PII_SEALED_MAX];
	assert_int_equal(pii_seal(&other, 3, PII_PERSON_MOBILE, "13900000000", 11, sealed, sizeof(sealed)),
			 0);
	struct conn *c = NULL;
	assert_int_equal(store_acquire(db, STORE_WRITE, &c), 0);
	assert_int_equal(conn_run(c, "UPDATE t_pii SET mobile = $1 WHERE id = 1", "t", sealed), 1);
	store_release(c);
	struct pii_rekey_report rep;
	assert_int_equal(pii_rekey(db, &app, cols, 2, NULL, &rep), ERR_FORGED);
	assert_false(rep.done);
	assert_int_equal(rep.failed, 1);
	struct pii_ring r = ring_now();
	assert_int_equal(r.current, 4);
	assert_true(r.rekeying); /* stays open until the row is dealt with */
	assert_int_equal(r.retired_below, 3);

	/* the row is put right (here: sealed again from the paper form); the next run finishes */
	assert_int_equal(pii_seal(&app, 4, PII_PERSON_MOBILE, "13800000001", 11, sealed, sizeof(sealed)), 0);
	assert_int_equal(store_acquire(db, STORE_WRITE, &c), 0);
	assert_int_equal(conn_run(c, "UPDATE t_pii SET mobile = $1 WHERE id = 1", "t", sealed), 1);
	store_release(c);
	assert_int_equal(pii_rekey(db, &app, cols, 2, NULL, &rep), 0);
	assert_true(rep.done);
	assert_true(rep.resumed);
	assert_int_equal(rep.rows, 0); /* the failed run re-encrypted everything else */
	assert_int_equal(rep.passes, 1);
	assert_false(ring_now().rekeying);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	randombytes_buf(app.key, sizeof(app.key));
	randombytes_buf(other.key, sizeof(other.key));
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(t_roundtrip),
		cmocka_unit_test(t_tamper),
		cmocka_unit_test(t_purpose_version_key),
		cmocka_unit_test(t_blind),
		cmocka_unit_test(t_mask),
	};
	const struct CMUnitTest dbt[] = {
		cmocka_unit_test(t_ring),
		cmocka_unit_test(t_rekey_concurrent_writer),
		cmocka_unit_test(t_rekey_restart),
		cmocka_unit_test(t_rekey_unopenable),
		cmocka_unit_test(t_rekey_live_writer),
	};
	int rc = cmocka_run_group_tests_name("pii", pure, NULL, NULL);
	rc |= cmocka_run_group_tests_name("pii-db", dbt, db_setup, db_teardown);
	return rc;
}
