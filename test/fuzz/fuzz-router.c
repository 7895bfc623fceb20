/* fuzz-router.c - libFuzzer target for path matching against the real route table. */
#include "api/api.h"
#include "http/internal.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct router *rt;
	if (!rt && router_new(api_routes, api_routes_count, &rt))
		abort();
	if (size < 1 || size > URL_MAX + 100)
		return 0;
	char *path = malloc(size + 1);
	memcpy(path, data + 1, size - 1);
	path[size - 1] = '\0';
	unsigned method = 1u << (data[0] % 7);
	struct req *r = calloc(1, sizeof(*r));
	unsigned allow = 0;
	int idx = router_match(rt, r, path, method, &allow);
	if (idx >= 0 && (size_t)idx >= api_routes_count)
		abort();
	for (int i = 0; i < r->nparams; i++)
		free(r->params[i].str);
	free(r);
	free(path);
	return 0;
}
