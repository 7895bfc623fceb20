/* fuzz-json.c - libFuzzer target for the JSON request path: the prescan (UTF-8, U+0000,
 * surrogates, depth, field naming) and then jansson as the dispatcher calls it. Any crash,
 * overread or a prescan "ok" for bytes that hold invalid UTF-8 is a bug. */
#include "http/internal.h"
#include "base/utf8.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errlist errs;
	char msg[256];
	errlist_init(&errs);
	int rc = json_prescan((const char *)data, size, 64, &errs, msg, sizeof(msg));
	if (rc == 0) {
		json_error_t je;
		json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
		/* whatever jansson accepts after a clean prescan must be valid UTF-8 */
		if (j && !utf8_valid((const char *)data, size, NULL) && memchr(data, 0, size) == NULL)
			abort();
		json_decref(j);
	} else if (errs.n < 1) {
		abort(); /* a refusal always names what was wrong */
	}
	return 0;
}
