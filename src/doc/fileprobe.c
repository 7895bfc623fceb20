/*
 * fileprobe.c - what an uploaded file is, from its bytes (see fileprobe.h): libmagic first,
 * then libzip for Office Open XML packages and a header parse for images, then libgd for
 * thumbnails of the images that passed.
 */
#include "doc/fileprobe.h"
#include "base/err.h"

#include <gd.h>
#include <magic.h>
#include <zip.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define HEAD_BYTES 65536 /* what the image header parse reads */
#define CTYPES_MAX 65536 /* [Content_Types].xml is inflated up to this many bytes */

static const struct {
	enum file_type t;
	const char *name, *mime, *ext;
} types[] = {
	{FILE_PDF, "pdf", "application/pdf", "pdf"},
	{FILE_DOCX, "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	 "docx"},
	{FILE_XLSX, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
	{FILE_JPEG, "jpeg", "image/jpeg", "jpg"},
	{FILE_PNG, "png", "image/png", "png"},
	{FILE_WEBP, "webp", "image/webp", "webp"},
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

const char *file_type_name(enum file_type t)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (types[i].t == t)
			return types[i].name;
	return "";
}

const char *file_type_mime(enum file_type t)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (types[i].t == t)
			return types[i].mime;
	return "application/octet-stream";
}

const char *file_type_ext(enum file_type t)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (types[i].t == t)
			return types[i].ext;
	return "";
}

enum file_type file_type_parse(const char *name)
{
	for (size_t i = 0; name && i < NTYPES; i++)
		if (!strcmp(types[i].name, name))
			return types[i].t;
	return FILE_NONE;
}

bool file_type_image(enum file_type t)
{
	return t == FILE_JPEG || t == FILE_PNG || t == FILE_WEBP;
}

static int refuse(struct fileprobe *out, const char *code, const char *why)
{
	out->type = FILE_NONE;
	out->code = code;
	snprintf(out->why, sizeof(out->why), "%s", why);
	return 1;
}

/* ---- image headers ---- */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le24(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

static int png_size(const unsigned char *h, size_t n, int *w, int *ht)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	if (n < 24 || memcmp(h, sig, 8) || memcmp(h + 12, "IHDR", 4))
		return -1;
	uint32_t x = be32(h + 16), y = be32(h + 20);
	if (!x || !y || x > 0x7fffffff || y > 0x7fffffff)
		return -1;
	*w = (int)x;
	*ht = (int)y;
	return 0;
}

/* Walks the markers up to the first start-of-frame (SOF0..SOF15 but DHT, JPG, DAC). */
static int jpeg_size(const unsigned char *h, size_t n, int *w, int *ht)
{
	if (n < 4 || h[0] != 0xff || h[1] != 0xd8)
		return -1;
	size_t i = 2;
	while (i + 4 <= n) {
		if (h[i] != 0xff)
			return -1;
		unsigned char m = h[i + 1];
		if (m == 0xff) { /* fill byte */
			i++;
			continue;
		}
		if (m == 0xd8 || m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {
			i += 2;
			continue;
		}
		size_t len = (size_t)h[i + 2] << 8 | h[i + 3];
		if (len < 2)
			return -1;
		if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) {
			if (i + 9 > n || len < 7)
				return -1;
			int y = h[i + 5] << 8 | h[i + 6], x = h[i + 7] << 8 | h[i + 8];
			if (!x || !y)
				return -1;
			*w = x;
			*ht = y;
			return 0;
		}
		if (m == 0xd9 || m == 0xda)
			return -1; /* end of image or scan data before any frame header */
		i += 2 + len;
	}
	return -1;
}

static int webp_size(const unsigned char *h, size_t n, int *w, int *ht)
{
	if (n < 30 || memcmp(h, "RIFF", 4) || memcmp(h + 8, "WEBP", 4))
		return -1;
	const unsigned char *c = h + 12;
	if (!memcmp(c, "VP8 ", 4)) {
		/* frame tag (3), start code 9d 01 2a, then 14-bit width and height */
		if (c[11] != 0x9d || c[12] != 0x01 || c[13] != 0x2a)
			return -1;
		*w = (c[14] | c[15] << 8) & 0x3fff;
		*ht = (c[16] | c[17] << 8) & 0x3fff;
	} else if (!memcmp(c, "VP8L", 4)) {
		if (c[8] != 0x2f)
			return -1;
		uint32_t b = (uint32_t)c[9] | (uint32_t)c[10] << 8 | (uint32_t)c[11] << 16 |
			     (uint32_t)c[12] << 24;
		*w = (int)(b & 0x3fff) + 1;
		*ht = (int)((b >> 14) & 0x3fff) + 1;
	} else if (!memcmp(c, "VP8X", 4)) {
		*w = (int)le24(c + 12) + 1;
		*ht = (int)le24(c + 15) + 1;
	} else {
		return -1;
	}
	return *w > 0 && *ht > 0 ? 0 : -1;
}

int fileprobe_image_size(enum file_type t, const unsigned char *head, size_t n, int *w, int *h)
{
	*w = *h = 0;
	switch (t) {
	case FILE_PNG: return png_size(head, n, w, h);
	case FILE_JPEG: return jpeg_size(head, n, w, h);
	case FILE_WEBP: return webp_size(head, n, w, h);
	default: return -1;
	}
}

/* ---- Office Open XML ---- */

/* Reads the entry name of z into buf (NUL-terminated, at most cap - 1 bytes inflated).
 * Returns the bytes read, or -1. */
static zip_int64_t read_entry(zip_t *z, const char *name, char *buf, size_t cap)
{
	zip_file_t *f = zip_fopen(z, name, 0);
	if (!f)
		return -1;
	zip_int64_t got = 0, k;
	while ((size_t)got < cap - 1 && (k = zip_fread(f, buf + got, cap - 1 - (size_t)got)) > 0)
		got += k;
	zip_fclose(f);
	buf[got] = '\0';
	return got;
}

/* The entries: how many, their declared sizes and ratios, names that stay inside the
 * package, no macros. 0, or 1 refused. */
static int ooxml_entries(zip_t *z, struct fileprobe *out)
{
	zip_int64_t n = zip_get_num_entries(z, 0);
	if (n <= 0)
		return refuse(out, "not_ooxml", "the ZIP archive is empty");
	if (n > FILEPROBE_ZIP_FILES)
		return refuse(out, "zip_bomb", "the archive holds too many entries");
	int64_t total = 0;
	for (zip_int64_t i = 0; i < n; i++) {
		zip_stat_t st;
		if (zip_stat_index(z, (zip_uint64_t)i, 0, &st) || !(st.valid & ZIP_STAT_NAME))
			return refuse(out, "not_ooxml", "an entry of the archive cannot be read");
		const char *nm = st.name;
		if (nm[0] == '/' || nm[0] == '\\' || strstr(nm, "..") || strchr(nm, '\\') || strchr(nm, ':'))
			return refuse(out, "not_ooxml", "an entry's name points outside the package");
		if (strcasestr(nm, "vbaProject") || strcasestr(nm, "vbaData") || strcasestr(nm, "activeX"))
			return refuse(out, "not_ooxml", "the document holds macros or embedded programs");
		uint64_t size = st.valid & ZIP_STAT_SIZE ? st.size : 0;
		uint64_t comp = st.valid & ZIP_STAT_COMP_SIZE ? st.comp_size : 0;
		if (size > (uint64_t)FILEPROBE_ZIP_TOTAL)
			return refuse(out, "zip_bomb", "an entry inflates to more than the limit");
		total += (int64_t)size;
		if (total > FILEPROBE_ZIP_TOTAL)
			return refuse(out, "zip_bomb", "the archive inflates to more than the limit");
		if (size > 1024 * 1024 && size / (comp ? comp : 1) > FILEPROBE_ZIP_RATIO)
			return refuse(out, "zip_bomb", "an entry is compressed beyond any real document");
	}
	return 0;
}

int fileprobe_ooxml(const char *path, enum file_type *t, struct fileprobe *out)
{
	*t = FILE_NONE;
	int zerr = 0;
	zip_t *z = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
	if (!z)
		return refuse(out, "not_ooxml", "the ZIP archive is damaged");
	int rc = ooxml_entries(z, out);
	char *ct = NULL;
	if (rc)
		goto done;
	ct = malloc(CTYPES_MAX);
	if (!ct) {
		rc = ERR_NOMEM;
		goto done;
	}
	if (read_entry(z, "[Content_Types].xml", ct, CTYPES_MAX) <= 0) {
		rc = refuse(out, "not_ooxml",
			    "the archive is no Office document ([Content_Types].xml missing)");
		goto done;
	}
	if (strcasestr(ct, "macroEnabled")) {
		rc = refuse(out, "not_ooxml", "macro-enabled documents are not accepted");
		goto done;
	}
	static const struct {
		enum file_type t;
		const char *ctype, *part;
	} mains[] = {
		{FILE_DOCX,
		 "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
		 "word/document.xml"},
		{FILE_XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
		 "xl/workbook.xml"},
	};
	for (size_t i = 0; i < sizeof(mains) / sizeof(mains[0]); i++)
		if (strstr(ct, mains[i].ctype) && zip_name_locate(z, mains[i].part, 0) >= 0) {
			*t = mains[i].t;
			break;
		}
	rc = *t ? 0
		: refuse(out, "not_ooxml",
			 "the archive is neither a Word (DOCX) nor an Excel (XLSX) document");
done:
	free(ct);
	zip_discard(z);
	return rc;
}

/* ---- the probe ---- */

static bool mime_is(const char *m, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(m, *list))
			return true;
	return false;
}

/* libmagic's name for the content, into out->mime. 0, ERR_INTERNAL, ERR_IO. */
static int magic_type(const char *path, struct fileprobe *out)
{
	magic_t m = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
	if (!m)
		return ERR_NOMEM;
	int rc = 0;
	if (magic_load(m, NULL)) {
		rc = ERR_INTERNAL;
		goto done;
	}
	const char *t = magic_file(m, path);
	if (!t) {
		rc = ERR_IO;
		goto done;
	}
	snprintf(out->mime, sizeof(out->mime), "%s", t);
done:
	magic_close(m);
	return rc;
}

/* An image of type t: its header parses and declares at most max_pixels. */
static int probe_image(const char *path, enum file_type t, int64_t max_pixels, struct fileprobe *out)
{
	unsigned char *head = malloc(HEAD_BYTES);
	if (!head)
		return ERR_NOMEM;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, head, HEAD_BYTES) : -1;
	if (fd >= 0)
		close(fd);
	int rc;
	if (n < 0)
		rc = ERR_IO;
	else if (fileprobe_image_size(t, head, (size_t)n, &out->width, &out->height))
		rc = refuse(out, "image_unreadable", "the image's header cannot be read");
	else if ((int64_t)out->width * out->height > max_pixels)
		rc = refuse(out, "image_too_large", "the image has more pixels than allowed");
	else
		rc = 0;
	free(head);
	if (!rc)
		out->type = t;
	return rc;
}

int fileprobe_run(const char *path, int64_t size, int64_t max_bytes, int64_t max_pixels,
		  struct fileprobe *out)
{
	memset(out, 0, sizeof(*out));
	if (size <= 0)
		return refuse(out, "file_empty", "the file is empty");
	if (size > max_bytes)
		return refuse(out, "file_too_large", "the file is larger than allowed");
	int rc = magic_type(path, out);
	if (rc)
		return rc;
	static const char *const svg[] = {"image/svg+xml", "image/svg", NULL};
	static const char *const html[] = {"text/html", "application/xhtml+xml", "text/xml",
					   "application/xml", NULL};
	static const char *const exe[] = {"application/x-executable",
					  "application/x-pie-executable",
					  "application/x-sharedlib",
					  "application/x-dosexec",
					  "application/x-mach-binary",
					  "application/x-object",
					  "application/x-msdownload",
					  "application/x-elf",
					  "text/x-shellscript",
					  "application/x-shellscript",
					  "application/java-archive",
					  "application/x-msi",
					  "application/vnd.microsoft.portable-executable",
					  NULL};
	static const char *const zips[] = {
		"application/zip", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", NULL};
	const char *m = out->mime;
	if (mime_is(m, svg))
		return refuse(out, "type_svg", "SVG images are not accepted (they can carry scripts)");
	if (mime_is(m, html))
		return refuse(out, "type_html", "web pages and XML are not accepted");
	if (mime_is(m, exe) || !strncmp(m, "application/x-mach-binary", 25))
		return refuse(out, "type_executable", "programs are not accepted");
	if (!strcmp(m, "application/pdf")) {
		out->type = FILE_PDF;
		return 0;
	}
	if (!strcmp(m, "image/jpeg"))
		return probe_image(path, FILE_JPEG, max_pixels, out);
	if (!strcmp(m, "image/png"))
		return probe_image(path, FILE_PNG, max_pixels, out);
	if (!strcmp(m, "image/webp"))
		return probe_image(path, FILE_WEBP, max_pixels, out);
	if (mime_is(m, zips)) {
		enum file_type t;
		rc = fileprobe_ooxml(path, &t, out);
		if (!rc)
			out->type = t;
		return rc;
	}
	return refuse(out, "type_not_allowed",
		      "only PDF, Word (DOCX), Excel (XLSX), JPEG, PNG and WebP files are accepted");
}

/* ---- thumbnails ---- */

int fileprobe_thumbnail(const char *path, enum file_type t, const char *out_path)
{
	FILE *in = fopen(path, "rb");
	if (!in)
		return ERR_IO;
	gdImagePtr im = t == FILE_PNG    ? gdImageCreateFromPng(in)
			: t == FILE_JPEG ? gdImageCreateFromJpeg(in)
			: t == FILE_WEBP ? gdImageCreateFromWebp(in)
					 : NULL;
	fclose(in);
	if (!im)
		return -1;
	int w = gdImageSX(im), h = gdImageSY(im);
	int tw = w, th = h;
	if (w > FILEPROBE_THUMB_MAX || h > FILEPROBE_THUMB_MAX) {
		if (w >= h) {
			tw = FILEPROBE_THUMB_MAX;
			th = (int)((int64_t)h * FILEPROBE_THUMB_MAX / w);
		} else {
			th = FILEPROBE_THUMB_MAX;
			tw = (int)((int64_t)w * FILEPROBE_THUMB_MAX / h);
		}
	}
	tw = tw > 0 ? tw : 1;
	th = th > 0 ? th : 1;
	int rc = -1;
	gdImagePtr sm = gdImageCreateTrueColor(tw, th);
	if (!sm)
		goto done;
	if (t == FILE_PNG) {
		gdImageAlphaBlending(sm, 0);
		gdImageSaveAlpha(sm, 1);
	}
	gdImageCopyResampled(sm, im, 0, 0, 0, 0, tw, th, w, h);
	int n = 0;
	void *bytes = t == FILE_PNG ? gdImagePngPtr(sm, &n) : gdImageJpegPtr(sm, &n, 80);
	if (!bytes)
		goto done;
	FILE *o = fopen(out_path, "wb");
	bool ok = o && fwrite(bytes, 1, (size_t)n, o) == (size_t)n;
	ok = o && fflush(o) == 0 && fsync(fileno(o)) == 0 && ok;
	if (o)
		ok = fclose(o) == 0 && ok;
	gdFree(bytes);
	rc = ok ? 0 : ERR_IO;
	if (!ok)
		unlink(out_path);
done:
	if (sm)
		gdImageDestroy(sm);
	gdImageDestroy(im);
	return rc;
}
