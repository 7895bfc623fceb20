/*
 * qr.c - QR codes as PNG images (see qr.h): libqrencode makes the module matrix, cairo paints
 * it into an RGB image surface and writes the PNG into a bounded buffer.
 */
#include "doc/qr.h"
#include "base/buf.h"
#include "base/err.h"

#include <cairo.h>
#include <errno.h>
#include <qrencode.h>

#include <stdlib.h>
#include <string.h>

#define QUIET 4 /* modules of white around the code */

static int encode(const char *text, QRcode **out)
{
	if (!text || !*text)
		return ERR_INVALID;
	errno = 0;
	QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	if (!q)
		return errno == ENOMEM ? ERR_NOMEM : ERR_TOOBIG; /* ERANGE: too long */
	*out = q;
	return 0;
}

int qr_modules(const char *text)
{
	QRcode *q = NULL;
	int rc = encode(text, &q);
	if (rc)
		return rc;
	int n = q->width;
	QRcode_free(q);
	return n;
}

static cairo_status_t write_png(void *closure, const unsigned char *data, unsigned int length)
{
	return buf_append(closure, data, length) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

int qr_png(const char *text, int module_px, size_t max, char **png, size_t *len)
{
	*png = NULL;
	*len = 0;
	if (module_px < 1 || module_px > 64)
		return ERR_INVALID;
	QRcode *q = NULL;
	int rc = encode(text, &q);
	if (rc)
		return rc;
	int side = (q->width + 2 * QUIET) * module_px;
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, side, side);
	cairo_t *cr = cairo_create(s);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (int y = 0; y < q->width; y++)
		for (int x = 0; x < q->width; x++)
			if (q->data[y * q->width + x] & 1) /* bit 0: a dark module */
				cairo_rectangle(cr, (x + QUIET) * module_px, (y + QUIET) * module_px,
						module_px, module_px);
	cairo_fill(cr);
	QRcode_free(q);
	rc = cairo_status(cr) == CAIRO_STATUS_SUCCESS ? 0 : ERR_NOMEM;
	cairo_destroy(cr);
	struct buf b;
	buf_init(&b, max ? max : (size_t)4 << 20);
	if (!rc) {
		cairo_status_t st = cairo_surface_write_to_png_stream(s, write_png, &b);
		rc = st == CAIRO_STATUS_SUCCESS ? 0 : st == CAIRO_STATUS_WRITE_ERROR ? ERR_TOOBIG : ERR_NOMEM;
	}
	cairo_surface_destroy(s);
	if (rc) {
		buf_release(&b);
		return rc;
	}
	*png = buf_detach(&b, len);
	return 0;
}
