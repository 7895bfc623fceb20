/* fuzz-personfield.c - libFuzzer target for the person-field normalisers (core/personfield.c)
 * and the personal-name rule (core/names.c, NAME_PERSON): every normaliser runs on the input.
 * A crash, an overread, an output that is not the ASCII (or UTF-8) form promised, a refusal
 * that is not exactly one field error, a message holding a 7-digit run (personal data) or an
 * output that changes when normalised again is a bug. */
#include "base/timeutil.h"
#include "base/utf8.h"
#include "core/codelist.h"
#include "core/names.h"
#include "core/personfield.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TODAY "2026-12-02"

static void check_refusal(int rc, const struct errlist *e)
{
	if (rc == 0 && e->n == 0)
		return;
	if (rc != ERR_UNPROCESSABLE || e->n != 1 || !codeset_has(&codelist_error, e->e[0].code))
		abort();
	int run = 0;
	for (const char *p = e->e[0].message; *p; p++)
		if ((run = (*p >= '0' && *p <= '9') ? run + 1 : 0) >= 7)
			abort();
}

/* every byte of s is printable ASCII without spaces */
static void ascii(const char *s)
{
	for (; *s; s++)
		if (*s <= ' ' || *s > '~')
			abort();
}

typedef int (*normfn)(const char *, size_t, char *, size_t, const char *, struct errlist *);

static void one(normfn f, const char *in, size_t n, size_t cap)
{
	char out[PERSON_EMAIL_MAX + 1], again[PERSON_EMAIL_MAX + 1];
	struct errlist e;
	errlist_init(&e);
	int rc = f(in, n, out, cap, "f", &e);
	check_refusal(rc, &e);
	if (rc) {
		if (out[0])
			abort();
		return;
	}
	ascii(out);
	errlist_init(&e);
	if (f(out, strlen(out), again, cap, "f", &e) || strcmp(out, again))
		abort();
}

static void ids(const char *in, size_t n)
{
	for (size_t i = 0; i < codelist_id_type.n; i++) {
		const char *type = codelist_id_type.items[i].code;
		struct person_id id, id2;
		struct errlist e;
		errlist_init(&e);
		int rc = person_id_normalize(type, in, n, TODAY, &id, "id_number", &e);
		check_refusal(rc, &e);
		if (rc) {
			if (id.number[0] || id.birth[0] || id.gender[0])
				abort();
			continue;
		}
		ascii(id.number);
		if (id.birth[0] && (!date_valid(id.birth) || strcmp(id.birth, TODAY) > 0))
			abort();
		if (id.gender[0] && strcmp(id.gender, "1") && strcmp(id.gender, "2"))
			abort();
		errlist_init(&e);
		if (person_id_normalize(type, id.number, strlen(id.number), TODAY, &id2, "id_number", &e) ||
		    memcmp(&id, &id2, sizeof(id)))
			abort();
		/* what the number says never contradicts it */
		if (person_id_crosscheck(&id, id.gender, id.birth, "id_number", "gender", "birth_date", &e))
			abort();
	}
}

static void dates(const char *in, size_t n)
{
	for (unsigned flags = 0; flags <= PDATE_NUMERIC_CELL; flags++) {
		char out[PERSON_DATE_LEN + 1], again[PERSON_DATE_LEN + 1];
		struct errlist e;
		errlist_init(&e);
		int rc = person_date_normalize(in, n, flags, out, sizeof(out), "date", &e);
		check_refusal(rc, &e);
		if (rc)
			continue;
		if (strlen(out) != PERSON_DATE_LEN || !date_valid(out))
			abort();
		errlist_init(&e);
		if (person_date_normalize(out, strlen(out), 0, again, sizeof(again), "date", &e) ||
		    strcmp(out, again))
			abort();
	}
}

static void codes(const char *in, size_t n)
{
	size_t nl;
	const struct codeset *const *all = codelist_all(&nl);
	for (size_t i = 0; i < nl; i++) {
		const char *code = NULL, *again = NULL;
		struct errlist e;
		errlist_init(&e);
		int rc = person_code(all[i], in, n, true, &code, "f", &e);
		check_refusal(rc, &e);
		if (rc || !code)
			continue;
		if (!codeset_has(all[i], code) ||
		    person_code(all[i], code, strlen(code), false, &again, "f", &e) || strcmp(code, again))
			abort();
	}
}

static void names(const char *in, size_t n)
{
	char out[64 * 4 + 1], again[64 * 4 + 1];
	struct errlist e;
	errlist_init(&e);
	if (name_normalize(in, n, NAME_PERSON, 1, 64, out, sizeof(out), "name", &e))
		return;
	if (!utf8_valid(out, strlen(out), NULL) || utf8_count(out, strlen(out)) > 64)
		abort();
	errlist_init(&e);
	if (name_normalize(out, strlen(out), NAME_PERSON, 1, 64, again, sizeof(again), "name", &e) ||
	    strcmp(out, again))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of exactly size bytes: ASan sees any read past the end */
	char *in = malloc(size ? size : 1);
	if (!in)
		return 0;
	memcpy(in, data, size);
	ids(in, size);
	one(person_mobile_normalize, in, size, PERSON_MOBILE_LEN + 1);
	one(person_landline_normalize, in, size, PERSON_PHONE_MAX + 1);
	one(person_email_normalize, in, size, PERSON_EMAIL_MAX + 1);
	one(person_uscc_normalize, in, size, PERSON_USCC_LEN + 1);
	dates(in, size);
	codes(in, size);
	names(in, size);
	free(in);
	return 0;
}
