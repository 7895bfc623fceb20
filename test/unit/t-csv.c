/* t-csv.c - CSV cells: RFC 4180 quoting and spreadsheet-formula neutralisation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "doc/csv.h"
#include "base/err.h"

static const struct {
	const char *in, *out;
} cells[] = {
	{"plain", "plain"},
	{"张三", "张三"},
	{"a,b", "\"a,b\""},
	{"say \"hi\"", "\"say \"\"hi\"\"\""},
	{"two\r\nlines", "\"two\r\nlines\""},
	{"=1+1", "\"'=1+1\""},
	{"+86 138", "\"'+86 138\""},
	{"-2", "\"'-2\""},
	{"@SUM(A1)", "\"'@SUM(A1)\""},
	{"\tx", "\"'\tx\""},
	{"=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""},
	{"", ""},
};

static void t_cells(void **st)
{
	(void)st;
	for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
		struct buf b;
		buf_init(&b, 1024);
		assert_int_equal(csv_cell(&b, cells[i].in, 1), 0);
		if (strcmp(b.ptr, cells[i].out))
			fail_msg("cell %zu: got [%s] want [%s]", i, b.ptr, cells[i].out);
		buf_release(&b);
	}
}

static void t_row(void **st)
{
	(void)st;
	struct buf b;
	buf_init(&b, 1024);
	assert_int_equal(csv_cell(&b, "a", 1), 0);
	assert_int_equal(csv_cell(&b, "b,c", 0), 0);
	assert_int_equal(csv_end_row(&b), 0);
	assert_string_equal(b.ptr, "a,\"b,c\"\r\n");
	buf_release(&b);
	buf_init(&b, 4);
	assert_int_equal(csv_cell(&b, "toolong", 1), ERR_TOOBIG);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_cells),
		cmocka_unit_test(t_row),
	};
	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
