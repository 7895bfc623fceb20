/*
 * qr.h - QR codes as PNG images (libqrencode to encode, cairo to draw), for documents
 * (a certificate's verification link: document_image) and for screens (the check-in code).
 */
#ifndef KEXIE_DOC_QR_H
#define KEXIE_DOC_QR_H

#include <stddef.h>

/* Encodes text (UTF-8, 8-bit mode, error correction level M) as a PNG of black modules on
 * white, module_px pixels a module (1..64) with the 4-module quiet zone the standard asks for.
 * *png receives the bytes (caller frees). 0, ERR_INVALID (empty text, bad module_px),
 * ERR_TOOBIG (too long for a QR code: over ~2,300 bytes at level M, or the PNG over max
 * bytes), ERR_NOMEM. */
int qr_png(const char *text, int module_px, size_t max, char **png, size_t *len);

/* The module count of one side for text (21 for version 1 .. 177 for 40), or a negative
 * error as qr_png: lets a caller size the image before drawing it. */
int qr_modules(const char *text);

#endif
