/* t-qr.c - QR codes as PNG: read back with zbarimg (zbar-tools, installed by
 * scripts/install-deps), sizes by module count, and the refusals (empty, too long, bounds). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "doc/document.h"
#include "doc/qr.h"
#include "doc/writer.h"

/* What zbarimg reads from the PNG (--raw: the payload only, one line). */
static void decode(const char *png, size_t len, char *out, size_t cap)
{
	char path[] = "/tmp/t-qr-XXXXXX.png";
	int fd = mkstemps(path, 4);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(doc_file_write(path, png, len), 0);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "zbarimg --quiet --raw %s 2>/dev/null", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, cap - 1, p);
	out[n] = 0;
	if (n && out[n - 1] == '\n')
		out[n - 1] = 0;
	int st = pclose(p);
	unlink(path);
	if (st)
		fail_msg("zbarimg found no code (exit %d)", st);
}

static const struct {
	const char *text;
	int module_px;
} codes[] = {
	{"https://kexie.example.org/v/KX-2026-000123?c=7F3A9Q", 4},
	{"https://kexie.example.org/checkin?t=eyJhIjoxMjM0NTYsInQiOjE3ODAwMDAwMDB9.c2lnbmF0dXJlLXNpZ25hdHVyZQ",
	 3},
	{"A", 8},
};

static void t_read_back(void **st)
{
	(void)st;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		char *png;
		size_t len;
		assert_int_equal(qr_png(codes[i].text, codes[i].module_px, 0, &png, &len), 0);
		enum document_image_kind k;
		int w, h, side = qr_modules(codes[i].text);
		assert_int_equal(document_image_probe(png, len, &k, &w, &h), 0);
		assert_int_equal(k, DOC_IMAGE_PNG);
		assert_int_equal(w, (side + 8) * codes[i].module_px); /* the 4-module quiet zone each side */
		char got[512];
		decode(png, len, got, sizeof(got));
		assert_string_equal(got, codes[i].text);
		free(png);
	}
	assert_int_equal(qr_modules("A"), 21); /* version 1 */
}

static void t_refusals(void **st)
{
	(void)st;
	char *png;
	size_t len;
	assert_int_equal(qr_png("", 4, 0, &png, &len), ERR_INVALID);
	assert_int_equal(qr_png(NULL, 4, 0, &png, &len), ERR_INVALID);
	assert_int_equal(qr_png("x", 0, 0, &png, &len), ERR_INVALID);
	assert_int_equal(qr_png("x", 65, 0, &png, &len), ERR_INVALID);
	char *big = malloc(3001);
	memset(big, 'x', 3000);
	big[3000] = 0;
	assert_int_equal(qr_png(big, 1, 0, &png, &len), ERR_TOOBIG); /* past version 40 at level M */
	assert_int_equal(qr_modules(big), ERR_TOOBIG);
	free(big);
	assert_int_equal(qr_png("https://example.org/", 8, 100, &png, &len), ERR_TOOBIG); /* PNG past max */
	assert_null(png);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_read_back),
		cmocka_unit_test(t_refusals),
	};
	return cmocka_run_group_tests_name("qr", tests, NULL, NULL);
}
