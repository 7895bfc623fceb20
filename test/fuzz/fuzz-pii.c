/* fuzz-pii.c - libFuzzer target for the sealed-value parser and the masks (core/pii.h):
 * any text given to pii_open is refused with a code or opens (only what pii_seal made);
 * what opens seals and opens again to the same bytes; masks of valid UTF-8 keep the
 * number of code points and never grow. */
#include "base/err.h"
#include "base/utf8.h"
#include "core/pii.h"

#include <sodium.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct app a;
	static int ready;
	if (!ready) {
		if (sodium_init() < 0)
			abort();
		memset(a.key, 7, sizeof(a.key));
		ready = 1;
	}
	if (size < 1 || size > 2 * PII_SEALED_MAX)
		return 0;
	const char *in = (const char *)data + 1;
	size_t n = size - 1;
	const struct pii_ring ring = {.current = 3, .retired_below = 1};
	enum pii_purpose p = (data[0] & 1) ? PII_PERSON_MOBILE : PII_PERSON_ID_NUMBER;

	char out[PII_PLAIN_MAX + 1], sealed[PII_SEALED_MAX], again[PII_PLAIN_MAX + 1];
	size_t len = 0;
	int rc = pii_open(&a, &ring, p, in, n, out, sizeof(out), &len);
	if (rc != 0 && rc != ERR_INVALID && rc != ERR_KEYVERSION && rc != ERR_FORGED)
		abort();
	if (rc != 0 && (out[0] || len))
		abort();

	/* the input as a plaintext: seal, open, same bytes */
	if (n <= PII_PLAIN_MAX && utf8_valid(in, n, NULL)) {
		if (pii_seal(&a, 1 + data[0] % 3, p, in, n, sealed, sizeof(sealed)) ||
		    pii_open(&a, &ring, p, sealed, strlen(sealed), again, sizeof(again), &len) || len != n ||
		    memcmp(again, in, n) != 0)
			abort();
		char m[2 * PII_SEALED_MAX + 1];
		if (pii_mask(in, n, data[0] % 5, data[0] / 5 % 5, m, n + 1) || strlen(m) > n ||
		    utf8_count(m, strlen(m)) != utf8_count(in, n))
			abort();
	} else {
		char m[2 * PII_SEALED_MAX + 1];
		if (!utf8_valid(in, n, NULL) && pii_mask(in, n, 3, 4, m, sizeof(m)) != ERR_INVALID)
			abort();
	}
	return 0;
}
