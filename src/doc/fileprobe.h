/*
 * fileprobe.h - what an uploaded file is, decided from its bytes alone, and thumbnails of
 * images. The format side of stored files (core/file.h keeps them).
 *
 * libmagic names the content; a ZIP is then opened with libzip and accepted only as a real
 * Office Open XML package (DOCX or XLSX: [Content_Types].xml naming the main part, the
 * main part present, no macros, no entry escaping the package, entry count and declared
 * sizes and ratios bounded, so a zip bomb is refused without inflating it); an image's
 * width and height are read from its header and checked against a pixel limit before any
 * decoder sees it (a decompression bomb never reaches libgd). Thumbnails are decoded and
 * scaled with libgd.
 */
#ifndef KEXIE_DOC_FILEPROBE_H
#define KEXIE_DOC_FILEPROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FILEPROBE_ZIP_FILES 2000                 /* entries of an OOXML package */
#define FILEPROBE_ZIP_TOTAL ((int64_t)512 << 20) /* declared uncompressed bytes in all */
#define FILEPROBE_ZIP_RATIO 200                  /* uncompressed : compressed of one entry */
#define FILEPROBE_THUMB_MAX 256                  /* a thumbnail's longer side, pixels */

enum file_type { FILE_NONE = 0, FILE_PDF, FILE_DOCX, FILE_XLSX, FILE_JPEG, FILE_PNG, FILE_WEBP };

/* "pdf", "docx" ... ("" for FILE_NONE); the media type a download is sent with; the usual
 * extension without the dot. */
const char *file_type_name(enum file_type t);
const char *file_type_mime(enum file_type t);
const char *file_type_ext(enum file_type t);
enum file_type file_type_parse(const char *name); /* FILE_NONE when unknown */
bool file_type_image(enum file_type t);

struct fileprobe {
	enum file_type type;
	int width, height; /* images */
	char mime[96];     /* what libmagic said */
	const char *code;  /* on refusal: file_empty, file_too_large, type_svg, type_html,
			      * type_executable, type_not_allowed, not_ooxml, zip_bomb,
			      * image_too_large, image_unreadable (a literal) */
	char why[160];     /* on refusal: a sentence for people */
};

/* Probes the complete file at path (size bytes). 0 with out->type set; 1 when the file is
 * refused (out->code, out->why); ERR_IO when it cannot be read, ERR_NOMEM, ERR_INTERNAL when
 * libmagic cannot load its database. max_bytes and max_pixels are the limits. */
int fileprobe_run(const char *path, int64_t size, int64_t max_bytes, int64_t max_pixels,
		  struct fileprobe *out);

/* Width and height an image header declares (PNG IHDR, JPEG SOFn, WebP VP8/VP8L/VP8X), from
 * its first n bytes. 0, or -1 when the header does not parse. No allocation. */
int fileprobe_image_size(enum file_type t, const unsigned char *head, size_t n, int *w, int *h);

/* The OOXML check alone, on a ZIP at path: 0 with *t FILE_DOCX or FILE_XLSX; 1 refused
 * (out->code not_ooxml or zip_bomb, out->why); ERR_IO. */
int fileprobe_ooxml(const char *path, enum file_type *t, struct fileprobe *out);

/* Writes a thumbnail of the image at path (type t, already probed) to out_path: JPEG for
 * JPEG and WebP, PNG for PNG (keeps transparency), the longer side at most
 * FILEPROBE_THUMB_MAX (never enlarged). 0; -1 when the image does not decode; ERR_IO. */
int fileprobe_thumbnail(const char *path, enum file_type t, const char *out_path);

#endif
