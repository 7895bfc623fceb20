/* t-file.c - stored files (core/file.c, doc/fileprobe.c) on real files made here: type
 * detection from the bytes (PNG, JPEG, WebP drawn with libgd; a PDF; DOCX and XLSX zipped
 * with libzip), the hostile ones (SVG, HTML renamed, an ELF, a zip bomb, a macro document,
 * a decompression bomb), image headers, name sanitising, and on a real SQLite database the
 * store (one blob for the same bytes, the quota), references counted, who may read, the
 * sweep removing orphans and their blobs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gd.h>
#include <zip.h>

#include "core/file.h"
#include "core/rbac.h"
#include "store/store.h"
#include "testdb.h"

static char dir[] = "/tmp/kexie-t-file-XXXXXX";
static struct app app;
static int64_t uploader = 0, org_a = 501, org_b = 502;

static void exec_sql(const char *sql)
{
	struct conn *c = NULL;
	assert_int_equal(store_acquire(app.store, STORE_WRITE, &c), 0);
	assert_int_equal(conn_exec(c, sql), 0);
	store_release(c);
}

static int64_t count_of(const char *sql)
{
	struct conn *c = NULL;
	int64_t n = -1;
	if (store_acquire(app.store, STORE_READ, &c))
		return -1;
	if (conn_row(c, sql, "", "i", &n))
		n = -1;
	store_release(c);
	return n;
}

/* The owner kind these tests register: owner ids below 100 are visible to everyone, the
 * others to nobody. */
static int test_may_see(struct app *a, const struct caller *c, int64_t id)
{
	(void)a;
	(void)c;
	return id < 100 ? 0 : ERR_NOTFOUND;
}
static const struct file_owner_kind test_kind = {.name = "test", .may_see = test_may_see};
static const struct file_owner_kind *const owners[] = {&test_kind};

static int setup(void **st)
{
	(void)st;
	if (testdb_open(dir, &app.store))
		return -1;
	for (int i = 0; i < 32; i++)
		app.key[i] = (unsigned char)(i * 5 + 3);
	app.data_dir = dir;
	app.files = (struct file_policy){.max_bytes = 1 << 20,
					 .quota_bytes = 40000,
					 .max_pixels = 4000000,
					 .orphan_grace_s = 3600,
					 .owners = owners,
					 .nowners = 1};
	store_set_owner(app.store, &app);
	if (file_dirs(&app))
		return -1;
	struct conn *c = NULL;
	if (store_acquire(app.store, STORE_WRITE, &c))
		return -1;
	int rc = conn_exec(c, "INSERT INTO org (id, code, name, level, type, opened_on) VALUES"
			      " (501, 'T-A', 'A', 'national', 'association', '2020-01-01'),"
			      " (502, 'T-B', 'B', 'national', 'association', '2020-01-01')");
	if (!rc)
		rc = conn_row(
			c,
			"INSERT INTO app_user (login, display_name, password_hash, password_changed_at, created_at)"
			" VALUES ('t.file', 't', 'x', 0, 0) RETURNING id",
			"", "i", &uploader);
	store_release(c);
	return rc;
}

static int teardown(void **st)
{
	(void)st;
	return testdb_close(app.store, dir);
}

/* ---- files made here ---- */

static void write_bytes(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static void tmp_path(const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/files/tmp/%s", dir, name);
}

static int64_t size_of(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (int64_t)st.st_size;
}

static void make_image(const char *path, enum file_type t, int w, int h)
{
	gdImagePtr im = gdImageCreateTrueColor(w, h);
	gdImageFilledRectangle(im, 0, 0, w - 1, h - 1, gdTrueColor(10, 120, 200));
	int n = 0;
	void *b = t == FILE_PNG    ? gdImagePngPtr(im, &n)
		  : t == FILE_JPEG ? gdImageJpegPtr(im, &n, 80)
				   : gdImageWebpPtr(im, &n);
	assert_non_null(b);
	write_bytes(path, b, (size_t)n);
	gdFree(b);
	gdImageDestroy(im);
}

static const char pdf_text[] = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
			       "2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/* A ZIP of (name, bytes) pairs, the bytes NUL-terminated strings or `zeros` megabytes of 0. */
struct part {
	const char *name, *text;
	int zeros_mb;
};
static void make_zip(const char *path, const struct part *parts, int n)
{
	int err = 0;
	unlink(path);
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
	assert_non_null(z);
	for (int i = 0; i < n; i++) {
		size_t len = parts[i].zeros_mb ? (size_t)parts[i].zeros_mb << 20 : strlen(parts[i].text);
		void *data = parts[i].zeros_mb ? calloc(1, len) : (void *)parts[i].text;
		zip_source_t *s = zip_source_buffer(z, data, len, parts[i].zeros_mb ? 1 : 0);
		assert_non_null(s);
		assert_true(zip_file_add(z, parts[i].name, s, ZIP_FL_ENC_UTF_8) >= 0);
	}
	assert_int_equal(zip_close(z), 0);
}

#define CT_HEAD                                                                            \
	"<?xml version=\"1.0\"?><Types "                                                   \
	"xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default " \
	"Extension=\"xml\" ContentType=\"application/xml\"/>"
static const char docx_types[] = CT_HEAD
	"<Override PartName=\"/word/document.xml\" "
	"ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>";
static const char xlsx_types[] = CT_HEAD
	"<Override PartName=\"/xl/workbook.xml\" "
	"ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/></Types>";
static const char docm_types[] = CT_HEAD
	"<Override PartName=\"/word/document.xml\" "
	"ContentType=\"application/vnd.ms-word.document.macroEnabled.main+xml\"/></Types>";

static const char *probe(const char *path, struct fileprobe *pr)
{
	int rc = fileprobe_run(path, size_of(path), app.files.max_bytes, app.files.max_pixels, pr);
	assert_true(rc == 0 || rc == 1);
	return rc ? pr->code : file_type_name(pr->type);
}

/* ---- detection ---- */

static void t_detects_by_content(void **st)
{
	(void)st;
	char p[512];
	struct fileprobe pr;
	/* each image under a name that lies about it: the name plays no part */
	tmp_path("a.pdf", p, sizeof(p));
	make_image(p, FILE_PNG, 300, 100);
	assert_string_equal(probe(p, &pr), "png");
	assert_int_equal(pr.width, 300);
	assert_int_equal(pr.height, 100);
	make_image(p, FILE_JPEG, 64, 480);
	assert_string_equal(probe(p, &pr), "jpeg");
	assert_int_equal(pr.width, 64);
	assert_int_equal(pr.height, 480);
	make_image(p, FILE_WEBP, 33, 17);
	assert_string_equal(probe(p, &pr), "webp");
	assert_int_equal(pr.width, 33);
	assert_int_equal(pr.height, 17);
	tmp_path("x.jpg", p, sizeof(p));
	write_bytes(p, pdf_text, strlen(pdf_text));
	assert_string_equal(probe(p, &pr), "pdf");
	struct part docx[] = {{"[Content_Types].xml", docx_types, 0},
			      {"word/document.xml", "<w:document/>", 0}};
	make_zip(p, docx, 2);
	assert_string_equal(probe(p, &pr), "docx");
	struct part xlsx[] = {{"[Content_Types].xml", xlsx_types, 0}, {"xl/workbook.xml", "<workbook/>", 0}};
	make_zip(p, xlsx, 2);
	assert_string_equal(probe(p, &pr), "xlsx");
}

static void t_refuses_hostile(void **st)
{
	(void)st;
	char p[512];
	struct fileprobe pr;
	tmp_path("evil.png", p, sizeof(p));
	const char *svg =
		"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(2)</script></svg>";
	write_bytes(p, svg, strlen(svg));
	assert_string_equal(probe(p, &pr), "type_svg");
	const char *html = "<!DOCTYPE html><html><script>fetch('/api/v1/session')</script></html>";
	write_bytes(p, html, strlen(html));
	assert_string_equal(probe(p, &pr), "type_html");
	FILE *elf = fopen("/bin/true", "rb");
	assert_non_null(elf);
	static char exe[65536];
	size_t n = fread(exe, 1, sizeof(exe), elf);
	fclose(elf);
	write_bytes(p, exe, n);
	assert_string_equal(probe(p, &pr), "type_executable");
	write_bytes(p, "plain words\n", 12);
	assert_string_equal(probe(p, &pr), "type_not_allowed");
	write_bytes(p, "", 0);
	assert_string_equal(probe(p, &pr), "file_empty");
	assert_int_equal(fileprobe_run(p, (1 << 20) + 1, 1 << 20, 100, &pr), 1);
	assert_string_equal(pr.code, "file_too_large");
	/* zip bombs: a ratio no document has; too many entries */
	struct part bomb[] = {{"[Content_Types].xml", docx_types, 0},
			      {"word/document.xml", "<w:document/>", 0},
			      {"word/media/zero.xml", NULL, 30}};
	make_zip(p, bomb, 3);
	assert_string_equal(probe(p, &pr), "zip_bomb");
	static struct part many[FILEPROBE_ZIP_FILES + 2];
	static char names[FILEPROBE_ZIP_FILES + 2][24];
	many[0] = (struct part){"[Content_Types].xml", docx_types, 0};
	for (int i = 1; i < FILEPROBE_ZIP_FILES + 2; i++) {
		snprintf(names[i], sizeof(names[i]), "word/p%d.xml", i);
		many[i] = (struct part){names[i], "<p/>", 0};
	}
	make_zip(p, many, FILEPROBE_ZIP_FILES + 2);
	assert_string_equal(probe(p, &pr), "zip_bomb");
	/* ZIPs that are no Office document, or a macro one, or escape the package */
	struct part plain[] = {{"readme.txt", "hello", 0}};
	make_zip(p, plain, 1);
	assert_string_equal(probe(p, &pr), "not_ooxml");
	struct part docm[] = {{"[Content_Types].xml", docm_types, 0},
			      {"word/document.xml", "<w:document/>", 0}};
	make_zip(p, docm, 2);
	assert_string_equal(probe(p, &pr), "not_ooxml");
	struct part vba[] = {{"[Content_Types].xml", docx_types, 0},
			     {"word/document.xml", "<w:document/>", 0},
			     {"word/vbaProject.bin", "x", 0}};
	make_zip(p, vba, 3);
	assert_string_equal(probe(p, &pr), "not_ooxml");
	struct part slip[] = {{"[Content_Types].xml", docx_types, 0},
			      {"word/document.xml", "<w:document/>", 0},
			      {"../../etc/cron.d/x", "x", 0}};
	make_zip(p, slip, 3);
	assert_string_equal(probe(p, &pr), "not_ooxml");
	/* a decompression bomb: 3000 x 3000 claimed, over max_pixels (4 M): refused from the header */
	make_image(p, FILE_PNG, 2, 2);
	FILE *f = fopen(p, "r+b");
	unsigned char wh[8] = {0, 0, 0x0b, 0xb8, 0, 0, 0x0b, 0xb8};
	fseek(f, 16, SEEK_SET);
	fwrite(wh, 1, 8, f);
	fclose(f);
	assert_string_equal(probe(p, &pr), "image_too_large");
}

static void t_image_headers(void **st)
{
	(void)st;
	int w, h;
	/* truncated headers parse to nothing, never read past n */
	const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
				     0,    0,   0,   13,  'I',  'H',  'D',  'R'};
	assert_int_equal(fileprobe_image_size(FILE_PNG, png, sizeof(png), &w, &h), -1);
	const unsigned char jpg[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10};
	assert_int_equal(fileprobe_image_size(FILE_JPEG, jpg, sizeof(jpg), &w, &h), -1);
	/* a JPEG frame header after an APP segment: height then width */
	const unsigned char sof[] = {0xff, 0xd8, 0xff, 0xe1, 0x00, 0x04, 0x00, 0x00, 0xff,
				     0xc2, 0x00, 0x11, 0x08, 0x01, 0x40, 0x02, 0x80};
	assert_int_equal(fileprobe_image_size(FILE_JPEG, sof, sizeof(sof), &w, &h), 0);
	assert_int_equal(w, 640);
	assert_int_equal(h, 320);
	/* VP8X: 24-bit sizes minus one */
	unsigned char vp8x[30] = {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'X'};
	vp8x[24] = 0xff;
	vp8x[25] = 0xff;
	vp8x[26] = 0x00; /* width 65536 */
	vp8x[27] = 0x09; /* height 10 */
	assert_int_equal(fileprobe_image_size(FILE_WEBP, vp8x, sizeof(vp8x), &w, &h), 0);
	assert_int_equal(w, 65536);
	assert_int_equal(h, 10);
}

static void t_names(void **st)
{
	(void)st;
	static const struct {
		const char *in;
		enum file_type t;
		const char *out;
	} cases[] = {
		{"../../etc/passwd", FILE_PDF, "passwd.pdf"},
		{"C:\\Users\\x\\报告.docx", FILE_DOCX, "报告.docx"},
		{"photo.JPEG", FILE_JPEG, "photo.JPEG"},
		{"photo.jpg.exe", FILE_JPEG, "photo.jpg.exe.jpg"},
		{"a\x01\x1f\x7f"
		 "b.png",
		 FILE_PNG, "ab.png"},
		{"evil\xe2\x80\xaegnp.pdf", FILE_PDF, "evilgnp.pdf"}, /* U+202E right-to-left override */
		{"bad\xff\xfe.pdf", FILE_PDF, "bad.pdf"},             /* invalid UTF-8 dropped */
		{"nul.txt", FILE_PDF, "_nul.txt.pdf"},
		{"COM1.pdf", FILE_PDF, "_COM1.pdf"},
		{"  ..hidden.pdf. ", FILE_PDF, "hidden.pdf"},
		{"a:b|c?.pdf", FILE_PDF, "a_b_c_.pdf"},
		{"", FILE_PNG, "file.png"},
		{"/", FILE_PNG, "file.png"},
		{"名字", FILE_NONE, "名字"},
	};
	char out[FILE_NAME_MAX + 8];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		file_sanitize_name(cases[i].in, strlen(cases[i].in), cases[i].t, out, sizeof(out));
		assert_string_equal(out, cases[i].out);
	}
	/* (ptr, len): bytes past len are not read; a long name keeps its extension, cut whole */
	file_sanitize_name("ab.pdfXYZ", 6, FILE_PDF, out, sizeof(out));
	assert_string_equal(out, "ab.pdf");
	char longname[1200];
	size_t ln = 0;
	for (int i = 0; i < 300; i++, ln += 3)
		memcpy(longname + ln, "测", 3);
	memcpy(longname + ln, ".xlsx", 6);
	file_sanitize_name(longname, strlen(longname), FILE_XLSX, out, sizeof(out));
	assert_true(strlen(out) <= FILE_NAME_MAX);
	assert_string_equal(out + strlen(out) - 5, ".xlsx");
	assert_int_equal((strlen(out) - 5) % 3, 0); /* whole characters only */
}

/* ---- the store ---- */

static int64_t store_one(const char *name, const char *path, int64_t org, int expect_rc, const char *code)
{
	struct audit_entry who = {.user_id = uploader, .via = "cli", .role = "staff"};
	struct file_upload u = {.path = path,
				.size = size_of(path),
				.name = name,
				.name_len = strlen(name),
				.org_id = org,
				.who = &who};
	struct errlist errs = {0};
	struct file_info f;
	int rc = file_store(&app, &u, &errs, &f);
	assert_int_equal(rc, expect_rc);
	if (code) {
		assert_int_equal(errs.n, 1);
		assert_string_equal(errs.e[0].code, code);
	}
	return rc ? 0 : f.id;
}

static void t_store_dedup_quota_refs_sweep(void **st)
{
	(void)st;
	char p[512], q[512], blob[1024], thumb[1024];
	tmp_path("up1", p, sizeof(p));
	make_image(p, FILE_PNG, 600, 300);
	int64_t a = store_one("../a.png", p, org_a, 0, NULL);
	int64_t b = store_one("b.png", p, org_a, 0, NULL); /* same bytes: a second row, one blob */
	struct file_info fa, fb;
	assert_int_equal(file_get(&app, a, &fa), 0);
	assert_int_equal(file_get(&app, b, &fb), 0);
	assert_string_equal(fa.name, "a.png");
	assert_string_equal(fa.hash, fb.hash);
	assert_true(fa.thumb);
	assert_int_equal(count_of("SELECT count(*) FROM file_blob"), 1);
	assert_int_equal(file_blob_path(&app, fa.hash, false, blob, sizeof(blob)), 0);
	assert_int_equal(file_blob_path(&app, fa.hash, true, thumb, sizeof(thumb)), 0);
	assert_int_equal(size_of(blob), fa.size);
	/* the thumbnail: a PNG scaled to 256 x 128 */
	gdImagePtr t = NULL;
	FILE *tf = fopen(thumb, "rb");
	assert_non_null(tf);
	t = gdImageCreateFromPng(tf);
	fclose(tf);
	assert_non_null(t);
	assert_int_equal(gdImageSX(t), 256);
	assert_int_equal(gdImageSY(t), 128);
	gdImageDestroy(t);
	/* charged once per org; the quota (40,000 bytes) refuses what does not fit */
	int64_t used = 0;
	assert_int_equal(file_usage(&app, org_a, &used), 0);
	assert_int_equal(used, fa.size);
	tmp_path("up2", q, sizeof(q));
	static char big[30000];
	memcpy(big, pdf_text, strlen(pdf_text));
	memset(big + strlen(pdf_text), '%', sizeof(big) - strlen(pdf_text));
	write_bytes(q, big, sizeof(big));
	int64_t c = store_one("c.pdf", q, org_a, 0, NULL);
	big[sizeof(big) - 1] = '\n';
	write_bytes(q, big, sizeof(big));
	store_one("d.pdf", q, org_a, ERR_UNPROCESSABLE, "quota_exceeded");
	store_one("d.pdf", q, org_b, 0, NULL); /* another org's quota */
	assert_int_equal(count_of("SELECT count(*) FROM stored_file"), 4);

	/* who may read: the uploader while unattached; then the owner kind decides */
	struct caller me = {.user_id = uploader}, other = {.user_id = uploader + 1};
	assert_int_equal(file_may_see(&app, &me, a), 0);
	assert_int_equal(file_may_see(&app, &other, a), ERR_NOTFOUND);
	struct conn *cn = NULL;
	assert_int_equal(store_acquire(app.store, STORE_WRITE, &cn), 0);
	assert_int_equal(file_attach(cn, a, "test", 500), 0); /* an owner nobody sees */
	assert_int_equal(file_may_see(&app, &me, a), ERR_NOTFOUND);
	assert_int_equal(file_attach(cn, a, "test", 7), 0);
	assert_int_equal(file_attach(cn, a, "test", 7), 0); /* twice: one reference */
	assert_int_equal(file_attach(cn, a, "unregistered", 1), 0);
	assert_int_equal(file_attach(cn, 999999, "test", 7), ERR_NOTFOUND);
	assert_int_equal(file_attach(cn, a, "", 7), ERR_INVALID);
	assert_int_equal(file_may_see(&app, &other, a), 0);
	assert_int_equal(
		count_of("SELECT refs FROM stored_file WHERE id = (SELECT min(id) FROM stored_file)"), 3);
	assert_int_equal(file_detach(cn, a, "test", 7), 0);
	assert_int_equal(file_detach(cn, a, "test", 7), ERR_NOTFOUND);
	assert_int_equal(file_may_see(&app, &other, a), ERR_NOTFOUND);
	assert_int_equal(file_detach(cn, a, "test", 500), 0);
	assert_int_equal(file_detach(cn, a, "unregistered", 1), 0);
	assert_int_equal(file_attach(cn, c, "test", 8), 0);
	store_release(cn);

	/* the sweep: nothing within the grace period; after it every unattached row, the blob
	 * with its last row, the bytes uncharged; an attached file stays */
	int removed = -1;
	assert_int_equal(file_sweep(&app, time(NULL), &removed), 0);
	assert_int_equal(removed, 0);
	assert_int_equal(file_sweep(&app, time(NULL) + 3601, &removed), 0);
	assert_int_equal(removed, 3);
	assert_int_equal(count_of("SELECT count(*) FROM stored_file"), 1);
	assert_int_equal(count_of("SELECT count(*) FROM file_blob"), 1);
	assert_int_equal(access(blob, F_OK), -1);
	assert_int_equal(access(thumb, F_OK), -1);
	assert_int_equal(file_usage(&app, org_a, &used), 0);
	assert_int_equal(used, 30000);
	assert_int_equal(file_usage(&app, org_b, &used), 0);
	assert_int_equal(used, 0);
	assert_int_equal(count_of("SELECT count(*) FROM audit_log WHERE action = 'file.sweep'"), 1);
	/* the same bytes uploaded again after the sweep: a fresh blob */
	int64_t e = store_one("again.png", p, org_a, 0, NULL);
	assert_true(e > 0);
	assert_int_equal(access(blob, F_OK), 0);
	/* thrown away by its uploader: at once, blob and all */
	struct audit_entry who = {.user_id = uploader, .via = "cli"},
			   stranger = {.user_id = uploader + 1, .via = "cli"};
	assert_int_equal(file_discard(&app, e, &stranger), ERR_NOTFOUND);
	assert_int_equal(file_discard(&app, c, &who), ERR_CONFLICT);
	assert_int_equal(file_discard(&app, e, &who), 0);
	assert_int_equal(access(blob, F_OK), -1);
	exec_sql("SELECT 1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_detects_by_content),
		cmocka_unit_test(t_refuses_hostile),
		cmocka_unit_test(t_image_headers),
		cmocka_unit_test(t_names),
		cmocka_unit_test(t_store_dedup_quota_refs_sweep),
	};
	return cmocka_run_group_tests_name("file", tests, setup, teardown);
}
