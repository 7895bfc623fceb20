/*
 * static.c - serves the built single-page app (web/dist) from memory.
 *
 * At start every file under the directory is read once (at most 2,000 files, 64 MiB in
 * all), given a strong ETag (BLAKE2b of its bytes) and, for text types worth it, a gzip
 * copy. Requests get 304 on a matching If-None-Match, gzip when Accept-Encoding allows,
 * long-lived caching for Vite's hashed /assets/ and `no-cache` for everything else.
 * Any GET for a path outside /api/ with no file extension falls back to index.html
 * (history-mode routing); paths with ".." never match anything.
 */
#include "http/internal.h"
#include "base/log.h"

#include <sodium.h>
#include <zlib.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define STATIC_MAX_FILES 2000
#define STATIC_MAX_BYTES (64u << 20)

struct sfile {
	char *path; /* "/index.html" */
	char *data;
	size_t len;
	char *gz;
	size_t gzlen;
	const char *ctype;
	char etag[40];
};

struct static_site {
	struct sfile *f;
	size_t n, cap;
	size_t total;
	struct sfile *index;
};

static const struct {
	const char *ext, *type;
	bool compress;
} types[] = {
	{".html", "text/html; charset=utf-8", true},
	{".js", "text/javascript; charset=utf-8", true},
	{".mjs", "text/javascript; charset=utf-8", true},
	{".css", "text/css; charset=utf-8", true},
	{".json", "application/json", true},
	{".svg", "image/svg+xml", true},
	{".txt", "text/plain; charset=utf-8", true},
	{".map", "application/json", true},
	{".png", "image/png", false},
	{".jpg", "image/jpeg", false},
	{".ico", "image/x-icon", false},
	{".woff", "font/woff", false},
	{".woff2", "font/woff2", false},
	{".ttf", "font/ttf", true},
};

static void type_of(const char *path, const char **ctype, bool *compress)
{
	const char *dot = strrchr(path, '.');
	*ctype = "application/octet-stream";
	*compress = false;
	if (!dot)
		return;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext)) {
			*ctype = types[i].type;
			*compress = types[i].compress;
		}
}

static int gzip(const char *in, size_t n, char **out, size_t *outlen)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return ERR_NOMEM;
	uLong bound = deflateBound(&z, (uLong)n);
	char *buf = malloc(bound);
	if (!buf) {
		deflateEnd(&z);
		return ERR_NOMEM;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)buf;
	z.avail_out = (uInt)bound;
	int zr = deflate(&z, Z_FINISH);
	deflateEnd(&z);
	if (zr != Z_STREAM_END) {
		free(buf);
		return ERR_INTERNAL;
	}
	*out = buf;
	*outlen = z.total_out;
	return 0;
}

static int add_file(struct static_site *s, const char *fs_path, const char *url_path)
{
	FILE *fp = fopen(fs_path, "rb");
	if (!fp)
		return ERR_IO;
	struct stat sb;
	if (fstat(fileno(fp), &sb) || sb.st_size < 0 || (size_t)sb.st_size > STATIC_MAX_BYTES - s->total ||
	    s->n >= STATIC_MAX_FILES) {
		fclose(fp);
		return ERR_TOOBIG;
	}
	size_t len = (size_t)sb.st_size;
	char *data = malloc(len ? len : 1);
	if (!data || fread(data, 1, len, fp) != len) {
		free(data);
		fclose(fp);
		return ERR_IO;
	}
	fclose(fp);
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		struct sfile *nf = realloc(s->f, nc * sizeof(*nf));
		if (!nf) {
			free(data);
			return ERR_NOMEM;
		}
		s->f = nf;
		s->cap = nc;
	}
	struct sfile *f = &s->f[s->n];
	memset(f, 0, sizeof(*f));
	f->path = strdup(url_path);
	f->data = data;
	f->len = len;
	bool compress;
	type_of(url_path, &f->ctype, &compress);
	unsigned char h[16];
	crypto_generichash(h, sizeof(h), (const unsigned char *)data, len, NULL, 0);
	f->etag[0] = '"';
	sodium_bin2hex(f->etag + 1, 33, h, sizeof(h));
	f->etag[33] = '"';
	f->etag[34] = '\0';
	if (compress && len > 256 && gzip(data, len, &f->gz, &f->gzlen) == 0 && f->gzlen >= len) {
		free(f->gz);
		f->gz = NULL;
	}
	s->total += len;
	s->n++;
	return f->path ? 0 : ERR_NOMEM;
}

static int walk(struct static_site *s, const char *dir, const char *prefix, int depth)
{
	if (depth > 8)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return ERR_IO;
	struct dirent *e;
	int rc = 0;
	while (!rc && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char fs[4096], url[4096];
		if (snprintf(fs, sizeof(fs), "%s/%s", dir, e->d_name) >= (int)sizeof(fs) ||
		    snprintf(url, sizeof(url), "%s/%s", prefix, e->d_name) >= (int)sizeof(url))
			continue;
		struct stat sb;
		if (stat(fs, &sb))
			continue;
		if (S_ISDIR(sb.st_mode))
			rc = walk(s, fs, url, depth + 1);
		else if (S_ISREG(sb.st_mode))
			rc = add_file(s, fs, url);
	}
	closedir(d);
	return rc;
}

void static_free(struct static_site *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->f[i].path);
		free(s->f[i].data);
		free(s->f[i].gz);
	}
	free(s->f);
	free(s);
}

int static_load(const char *dir, struct static_site **out, char *err, size_t cap)
{
	struct static_site *s = calloc(1, sizeof(*s));
	if (!s)
		return ERR_NOMEM;
	int rc = walk(s, dir, "", 0);
	if (rc) {
		snprintf(err, cap, "cannot load web files from %s (%s)", dir, err_name(rc));
		static_free(s);
		return rc;
	}
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->f[i].path, "/index.html"))
			s->index = &s->f[i];
	*out = s;
	return 0;
}

static bool accepts_gzip(struct req *r)
{
	const char *ae = req_header(r, "Accept-Encoding");
	return ae && strstr(ae, "gzip");
}

int static_serve(struct static_site *s, struct req *r, const char *path)
{
	if (!s || strstr(path, "..") || !strncmp(path, "/api/", 5) || !strcmp(path, "/api"))
		return ERR_NOTFOUND;
	struct sfile *f = NULL;
	const char *p = !strcmp(path, "/") ? "/index.html" : path;
	for (size_t i = 0; i < s->n && !f; i++)
		if (!strcmp(s->f[i].path, p))
			f = &s->f[i];
	if (!f) {
		const char *last = strrchr(path, '/');
		if (!s->index || (last && strchr(last, '.')))
			return ERR_NOTFOUND;
		f = s->index; /* history-mode fallback */
	}
	r->is_static = true;
	r->ctype = f->ctype;
	resp_header(r, "ETag", f->etag);
	resp_header(r, "Vary", "Accept-Encoding");
	resp_header(r, "Cache-Control",
		    !strncmp(f->path, "/assets/", 8) ? "public, max-age=31536000, immutable" : "no-cache");
	const char *inm = req_header(r, "If-None-Match");
	if (inm && strstr(inm, f->etag)) {
		r->status = 304;
		r->out_static = "";
		r->out_len = 0;
		return 0;
	}
	r->status = 200;
	if (f->gz && accepts_gzip(r)) {
		resp_header(r, "Content-Encoding", "gzip");
		r->out_static = f->gz;
		r->out_len = f->gzlen;
	} else {
		r->out_static = f->data;
		r->out_len = f->len;
	}
	return 0;
}
