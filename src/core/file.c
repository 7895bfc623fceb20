/*
 * file.c - stored files (see file.h, docs/files.md): names, the blob store under
 * DATA_DIR/files, the stored_file rows with their references and quota, who may read a
 * file, and the orphan sweep with its thread.
 *
 * Blob lifetime. A blob is on disk while its file_blob row exists. An upload locks that
 * row (inserting it, or touching it) before it links its bytes into place; the sweep locks
 * it before it checks that no stored_file uses the hash and moves the blob away. So the
 * two never interleave: a blob is never removed under an upload of the same bytes.
 */
#include "core/file.h"
#include "core/org.h"
#include "core/rbac.h"
#include "base/log.h"
#include "base/ticker.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "store/store.h"

#include <sodium.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SWEEP_BATCH 100
#define REFS_MAX    64 /* owners looked at when deciding who may read a file */

/* ---- names ---- */

/* The code point at p (valid UTF-8, len bytes). */
static uint32_t cp_at(const unsigned char *p, int len)
{
	if (len == 1)
		return p[0];
	uint32_t v = p[0] & (0x7f >> len);
	for (int i = 1; i < len; i++)
		v = v << 6 | (p[i] & 0x3f);
	return v;
}

/* Characters a name never keeps: controls, format and bidi controls, separators of lines. */
static bool dropped(uint32_t c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0xad ||
	       (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2060 && c <= 0x206f) ||
	       c == 0xfeff || c == 0x061c || (c >= 0xfff9 && c <= 0xfffb);
}

/* Is the name (up to its first dot) a Windows device name? */
static bool reserved(const char *s)
{
	static const char *const dev[] = {"CON", "PRN", "AUX", "NUL", "CLOCK$", NULL};
	size_t n = strcspn(s, ".");
	while (n > 0 && s[n - 1] == ' ')
		n--;
	for (int i = 0; dev[i]; i++)
		if (strlen(dev[i]) == n && !strncasecmp(s, dev[i], n))
			return true;
	return n == 4 && (!strncasecmp(s, "COM", 3) || !strncasecmp(s, "LPT", 3)) && s[3] >= '0' &&
	       s[3] <= '9';
}

/* The extension of s (after its last dot, not the first character), or NULL. */
static const char *ext_of(const char *s)
{
	const char *d = strrchr(s, '.');
	return d && d != s ? d + 1 : NULL;
}

static bool ext_fits(const char *ext, enum file_type t)
{
	if (!ext)
		return false;
	if (!strcasecmp(ext, file_type_ext(t)))
		return true;
	return t == FILE_JPEG && (!strcasecmp(ext, "jpeg") || !strcasecmp(ext, "jpe"));
}

/* Cuts s to at most max bytes at a character boundary. */
static void cut_utf8(char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	s[max] = '\0';
}

/* Trims leading dots and spaces, trailing dots and spaces, in place. */
static void trim_name(char *s)
{
	size_t lead = strspn(s, ". ");
	memmove(s, s + lead, strlen(s + lead) + 1);
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ' '))
		s[--n] = '\0';
}

void file_sanitize_name(const char *in, size_t n, enum file_type t, char *out, size_t cap)
{
	char tmp[4 * FILE_NAME_MAX + 64];
	size_t start = 0;
	for (size_t i = 0; i < n; i++) /* the last path part */
		if (in[i] == '/' || in[i] == '\\')
			start = i + 1;
	size_t k = 0;
	for (size_t i = start; i < n && k + 5 < sizeof(tmp);) {
		const unsigned char *p = (const unsigned char *)in + i;
		int len = utf8_seqlen(*p);
		if (len == 0 || i + (size_t)len > n || !utf8_valid((const char *)p, (size_t)len, NULL)) {
			i++; /* an invalid byte is dropped */
			continue;
		}
		uint32_t c = cp_at(p, len);
		i += (size_t)len;
		if (dropped(c))
			continue;
		if (c < 0x80 && strchr("<>:\"|?*", (int)c)) {
			tmp[k++] = '_';
			continue;
		}
		memcpy(tmp + k, p, (size_t)len);
		k += (size_t)len;
	}
	tmp[k] = '\0';
	trim_name(tmp);
	if (reserved(tmp)) {
		memmove(tmp + 1, tmp, strlen(tmp) + 1);
		tmp[0] = '_';
	}
	if (!tmp[0])
		snprintf(tmp, sizeof(tmp), "file");
	/* keep the extension when cutting: name part first */
	const char *want = t ? file_type_ext(t) : "";
	const char *ext = ext_of(tmp);
	char extbuf[24] = "";
	if (t && !ext_fits(ext, t)) {
		snprintf(extbuf, sizeof(extbuf), ".%s", want);
	} else if (ext && strlen(ext) < 16) {
		snprintf(extbuf, sizeof(extbuf), ".%s", ext);
		tmp[ext - tmp - 1] = '\0';
	}
	size_t room = FILE_NAME_MAX - strlen(extbuf);
	cut_utf8(tmp, room);
	trim_name(tmp);
	if (!tmp[0])
		snprintf(tmp, sizeof(tmp), "file");
	snprintf(out, cap, "%s%s", tmp, extbuf);
}

/* ---- the blob store ---- */

int file_blob_path(const struct app *a, const char *hash, bool thumb, char *out, size_t cap)
{
	int w = snprintf(out, cap, "%s/files/%.2s/%s%s", a->data_dir, hash, hash, thumb ? ".thumb" : "");
	return w < 0 || (size_t)w >= cap ? ERR_INTERNAL : 0;
}

static int mkdir_0700(const char *dir)
{
	if (mkdir(dir, 0700) && errno != EEXIST) {
		log_error("files: cannot create %s: %s", dir, strerror(errno));
		return ERR_IO;
	}
	return 0;
}

int file_dirs(const struct app *a)
{
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/files", a->data_dir);
	int rc = mkdir_0700(dir);
	snprintf(dir, sizeof(dir), "%s/files/tmp", a->data_dir);
	rc = rc ? rc : mkdir_0700(dir);
	if (rc)
		return rc;
	/* bodies and thumbnails a stopped server left half-way: nothing refers to them */
	DIR *d = opendir(dir);
	if (!d)
		return ERR_IO;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			(void)unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	return 0;
}

/* SHA-256 of the file at path as hex, and fsyncs it (it becomes a blob by a hard link). */
static int hash_file(const char *path, char hex[65])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ERR_IO;
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	unsigned char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			crypto_hash_sha256_update(&st, buf, (unsigned long long)n);
	bool ok = n == 0 && fsync(fd) == 0;
	close(fd);
	if (!ok)
		return ERR_IO;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(hex, 65, h, sizeof(h));
	return 0;
}

/* Links src to dst (dst's directory made first); dst there already is fine (same bytes:
 * the name is their hash). */
static int place(const char *src, const char *dst)
{
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s", dst);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	int rc = mkdir_0700(dir);
	if (rc)
		return rc;
	if (link(src, dst) && errno != EEXIST) {
		log_error("files: cannot link %s: %s", dst, strerror(errno));
		return ERR_IO;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* ---- checks ---- */

int file_check(const struct app *a, const char *path, int64_t size, struct errlist *errs,
	       struct fileprobe *out)
{
	int rc = fileprobe_run(path, size, a->files.max_bytes, a->files.max_pixels, out);
	if (rc <= 0)
		return rc;
	errlist_add(errs, "file", out->code, out->why);
	if (!strcmp(out->code, "file_too_large"))
		errlist_param_int(errs, "max", a->files.max_bytes);
	else if (!strcmp(out->code, "image_too_large"))
		errlist_param_int(errs, "max", a->files.max_pixels);
	else if (!strcmp(out->code, "type_not_allowed"))
		errlist_param_str(errs, "type", out->mime);
	return ERR_UNPROCESSABLE;
}

/* ---- storing ---- */

struct store_arg {
	struct app *a;
	const struct file_upload *u;
	const struct fileprobe *pr;
	const char *hash;
	const char *thumb_tmp; /* "" when no thumbnail */
	char name[FILE_NAME_MAX + 8];
	int64_t now;
	int64_t used; /* out: the org's usage when the quota refused */
	bool over;
	struct file_info *out;
};

/* The org's usage row, locked (PostgreSQL: row lock until commit). */
static int lock_usage(struct conn *c, int64_t org_id, int64_t *used)
{
	return conn_row(c,
			"INSERT INTO file_usage (org_id, bytes) VALUES ($1, 0) ON CONFLICT (org_id)"
			" DO UPDATE SET bytes = file_usage.bytes RETURNING bytes",
			"i", "i", org_id, used);
}

/* The blob's row, locked or made; *thumb whether it has a thumbnail already. */
static int lock_blob(struct conn *c, const char *hash, int64_t size, int64_t now, bool *thumb)
{
	return conn_row(c,
			"INSERT INTO file_blob (hash, size, thumb, created_at) VALUES ($1, $2, 0, $3)"
			" ON CONFLICT (hash) DO UPDATE SET size = file_blob.size RETURNING thumb",
			"tii", "b", hash, size, now, thumb);
}

static int place_blob(struct store_arg *x, struct conn *c)
{
	bool has_thumb = false;
	int rc = lock_blob(c, x->hash, x->u->size, x->now, &has_thumb);
	char path[1024];
	if (!rc)
		rc = file_blob_path(x->a, x->hash, false, path, sizeof(path));
	if (!rc)
		rc = place(x->u->path, path);
	if (!rc && x->thumb_tmp[0] && !has_thumb) {
		rc = file_blob_path(x->a, x->hash, true, path, sizeof(path));
		if (!rc)
			rc = place(x->thumb_tmp, path);
		if (!rc)
			rc = conn_run(c, "UPDATE file_blob SET thumb = 1 WHERE hash = $1", "t", x->hash);
		rc = rc < 0 ? rc : 0;
	}
	x->out->thumb = has_thumb || x->thumb_tmp[0];
	return rc;
}

static int store_tx_fn(struct conn *c, void *arg)
{
	struct store_arg *x = arg;
	const struct file_upload *u = x->u;
	x->over = false;
	int rc = lock_usage(c, u->org_id, &x->used);
	if (rc)
		return rc;
	int one = 0;
	rc = conn_row(c, "SELECT 1 FROM stored_file WHERE org_id = $1 AND hash = $2 LIMIT 1", "it", "d",
		      u->org_id, x->hash, &one);
	if (rc && rc != ERR_NOTFOUND)
		return rc;
	bool charged = rc == 0;
	if (!charged && x->used + u->size > x->a->files.quota_bytes) {
		x->over = true;
		return ERR_UNPROCESSABLE;
	}
	rc = place_blob(x, c);
	if (rc)
		return rc;
	rc = conn_row(
		c,
		"INSERT INTO stored_file (hash, size, type, name, uploader_id, org_id, width, height, refs,"
		" idle_since, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $9) RETURNING id",
		"titt iiddi", "i", x->hash, u->size, file_type_name(x->pr->type), x->name,
		u->who && u->who->user_id ? u->who->user_id : (int64_t)0, u->org_id, x->pr->width,
		x->pr->height, x->now, &x->out->id);
	if (rc)
		return rc;
	if (!charged) {
		rc = conn_run(c, "UPDATE file_usage SET bytes = bytes + $2 WHERE org_id = $1", "ii",
			      u->org_id, u->size);
		if (rc < 0)
			return rc;
	}
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_str(&d, "name", x->name);
	audit_diff_str(&d, "type", file_type_name(x->pr->type));
	audit_diff_int(&d, "size", u->size);
	audit_diff_str(&d, "hash", x->hash);
	struct audit_entry who = u->who ? *u->who : (struct audit_entry){.via = "system"};
	return audit_object(c, &who, "file.upload", "file", x->out->id, u->org_id, audit_diff_text(&d));
}

/* A temporary name beside the spool for the thumbnail. */
static int thumb_temp(const struct app *a, char *out, size_t cap)
{
	unsigned char rnd[12];
	char hex[25];
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	int w = snprintf(out, cap, "%s/files/tmp/thumb-%s", a->data_dir, hex);
	return w < 0 || (size_t)w >= cap ? ERR_INTERNAL : 0;
}

int file_store(struct app *a, const struct file_upload *u, struct errlist *errs, struct file_info *out)
{
	memset(out, 0, sizeof(*out));
	struct fileprobe pr;
	int rc = file_check(a, u->path, u->size, errs, &pr);
	if (rc)
		return rc;
	char hash[65], thumb[1024] = "";
	rc = hash_file(u->path, hash);
	if (rc)
		return rc;
	if (file_type_image(pr.type)) {
		rc = thumb_temp(a, thumb, sizeof(thumb));
		if (!rc)
			rc = fileprobe_thumbnail(u->path, pr.type, thumb);
		if (rc < 0 && rc != -1) {
			thumb[0] = '\0';
			return rc;
		}
		if (rc == -1) {
			unlink(thumb);
			return errlist_add(errs, "file", "image_unreadable", "the image cannot be decoded");
		}
	}
	struct store_arg x = {
		.a = a, .u = u, .pr = &pr, .hash = hash, .thumb_tmp = thumb, .now = time_unix(), .out = out};
	file_sanitize_name(u->name ? u->name : "", u->name ? u->name_len : 0, pr.type, x.name,
			   sizeof(x.name));
	rc = store_tx(a->store, store_tx_fn, &x);
	if (thumb[0])
		unlink(thumb);
	if (rc == ERR_UNPROCESSABLE && x.over) {
		errlist_add(errs, "file", "quota_exceeded", "the organization's storage quota is used up");
		errlist_param_int(errs, "max", a->files.quota_bytes);
		return errlist_param_int(errs, "used", x.used);
	}
	if (rc)
		return rc;
	out->size = u->size;
	out->type = pr.type;
	memcpy(out->hash, hash, sizeof(out->hash));
	snprintf(out->name, sizeof(out->name), "%s", x.name);
	out->uploader_id = u->who ? u->who->user_id : 0;
	out->org_id = u->org_id;
	out->width = pr.width;
	out->height = pr.height;
	out->created_at = x.now;
	return 0;
}

/* ---- reading ---- */

#define FILE_COLS                                                                                        \
	"f.id, f.hash, f.size, f.type, f.name, COALESCE(f.uploader_id, 0), f.org_id, f.width, f.height," \
	" f.refs, b.thumb, f.created_at"

static void read_info(struct stmt *st, struct file_info *f)
{
	memset(f, 0, sizeof(*f));
	f->id = stmt_int64(st, 0);
	snprintf(f->hash, sizeof(f->hash), "%s", stmt_text(st, 1, NULL));
	f->size = stmt_int64(st, 2);
	f->type = file_type_parse(stmt_text(st, 3, NULL));
	snprintf(f->name, sizeof(f->name), "%s", stmt_text(st, 4, NULL));
	f->uploader_id = stmt_int64(st, 5);
	f->org_id = stmt_int64(st, 6);
	f->width = (int)stmt_int64(st, 7);
	f->height = (int)stmt_int64(st, 8);
	f->refs = (int)stmt_int64(st, 9);
	f->thumb = stmt_int64(st, 10) != 0;
	f->created_at = stmt_int64(st, 11);
}

static int one_info(struct stmt *st, void *arg)
{
	read_info(st, arg);
	return 1;
}

struct get_arg {
	int64_t id;
	struct file_info *out;
};

static int get_fn(struct conn *c, void *arg)
{
	struct get_arg *g = arg;
	g->out->id = 0;
	int rc = conn_each(c,
			   "SELECT " FILE_COLS
			   " FROM stored_file f JOIN file_blob b ON b.hash = f.hash WHERE f.id = $1",
			   one_info, g->out, "i", g->id);
	if (rc)
		return rc;
	return g->out->id ? 0 : ERR_NOTFOUND;
}

int file_get(struct app *a, int64_t id, struct file_info *out)
{
	struct get_arg g = {.id = id, .out = out};
	return store_read(a->store, get_fn, &g);
}

struct owned_arg {
	const char *kind;
	int64_t owner_id;
	int (*fn)(const struct file_info *f, void *arg);
	void *arg;
	int stop;
};

static int owned_row(struct stmt *st, void *arg)
{
	struct owned_arg *o = arg;
	struct file_info f;
	read_info(st, &f);
	int rc = o->fn(&f, o->arg);
	if (rc)
		o->stop = rc;
	return rc < 0 ? rc : rc > 0 ? 1 : 0;
}

static int owned_fn(struct conn *c, void *arg)
{
	struct owned_arg *o = arg;
	return conn_each(c,
			 "SELECT " FILE_COLS " FROM file_ref r JOIN stored_file f ON f.id = r.file_id"
			 " JOIN file_blob b ON b.hash = f.hash WHERE r.owner_kind = $1 AND r.owner_id = $2"
			 " ORDER BY r.created_at, f.id",
			 owned_row, o, "ti", o->kind, o->owner_id);
}

int file_each_owned(struct app *a, const char *kind, int64_t owner_id,
		    int (*fn)(const struct file_info *f, void *arg), void *arg)
{
	struct owned_arg o = {.kind = kind, .owner_id = owner_id, .fn = fn, .arg = arg};
	return store_read(a->store, owned_fn, &o);
}

int file_usage(struct app *a, int64_t org_id, int64_t *bytes)
{
	struct conn *c = NULL;
	int rc = store_acquire(a->store, STORE_READ, &c);
	if (rc)
		return rc;
	*bytes = 0;
	rc = conn_row(c, "SELECT bytes FROM file_usage WHERE org_id = $1", "i", "i", org_id, bytes);
	store_release(c);
	return rc == ERR_NOTFOUND ? 0 : rc;
}

/* ---- who may read ---- */

struct ref {
	char kind[FILE_KIND_MAX + 1];
	int64_t owner_id;
};
struct refs_arg {
	int64_t id;
	struct ref r[REFS_MAX];
	int n;
};

static int ref_row(struct stmt *st, void *arg)
{
	struct refs_arg *x = arg;
	if (x->n >= REFS_MAX)
		return 1;
	snprintf(x->r[x->n].kind, sizeof(x->r[x->n].kind), "%s", stmt_text(st, 0, NULL));
	x->r[x->n].owner_id = stmt_int64(st, 1);
	x->n++;
	return 0;
}

static int refs_fn(struct conn *c, void *arg)
{
	struct refs_arg *x = arg;
	x->n = 0;
	return conn_each(
		c,
		"SELECT owner_kind, owner_id FROM file_ref WHERE file_id = $1 ORDER BY created_at LIMIT 64",
		ref_row, x, "i", x->id);
}

static const struct file_owner_kind *owner_kind(const struct app *a, const char *name)
{
	for (size_t i = 0; i < a->files.nowners; i++)
		if (!strcmp(a->files.owners[i]->name, name))
			return a->files.owners[i];
	return NULL;
}

int file_may_see(struct app *a, const struct caller *c, int64_t id)
{
	struct file_info f;
	int rc = file_get(a, id, &f);
	if (rc)
		return rc;
	if (f.refs == 0)
		return c && f.uploader_id && f.uploader_id == c->user_id ? 0 : ERR_NOTFOUND;
	struct refs_arg *x = malloc(sizeof(*x));
	if (!x)
		return ERR_NOMEM;
	x->id = id;
	rc = store_read(a->store, refs_fn, x);
	for (int i = 0; !rc && i < x->n; i++) {
		const struct file_owner_kind *k = owner_kind(a, x->r[i].kind);
		if (!k)
			continue; /* no module registers it: shown to nobody */
		int s = k->may_see(a, c, x->r[i].owner_id);
		if (s == 0) {
			free(x);
			return 0;
		}
		if (s != ERR_NOTFOUND && s != ERR_FORBIDDEN)
			rc = s;
	}
	free(x);
	return rc ? rc : ERR_NOTFOUND;
}

/* ---- references ---- */

static bool kind_ok(const char *kind)
{
	return kind && kind[0] && strlen(kind) <= FILE_KIND_MAX;
}

int file_attach(struct conn *c, int64_t file_id, const char *kind, int64_t owner_id)
{
	if (!kind_ok(kind))
		return ERR_INVALID;
	int rc = conn_run(c,
			  "INSERT INTO file_ref (file_id, owner_kind, owner_id, created_at)"
			  " SELECT id, $2, $3, $4 FROM stored_file WHERE id = $1 ON CONFLICT DO NOTHING",
			  "itii", file_id, kind, owner_id, time_unix());
	if (rc < 0)
		return rc;
	if (rc == 0) { /* attached already, or no such file */
		int one;
		return conn_row(c, "SELECT 1 FROM stored_file WHERE id = $1", "i", "d", file_id, &one);
	}
	rc = conn_run(c, "UPDATE stored_file SET refs = refs + 1, idle_since = NULL WHERE id = $1", "i",
		      file_id);
	return rc < 0 ? rc : 0;
}

int file_detach(struct conn *c, int64_t file_id, const char *kind, int64_t owner_id)
{
	if (!kind_ok(kind))
		return ERR_INVALID;
	int rc = conn_run(c, "DELETE FROM file_ref WHERE file_id = $1 AND owner_kind = $2 AND owner_id = $3",
			  "iti", file_id, kind, owner_id);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_NOTFOUND;
	rc = conn_run(c,
		      "UPDATE stored_file SET refs = refs - 1,"
		      " idle_since = CASE WHEN refs = 1 THEN $2 ELSE idle_since END WHERE id = $1",
		      "ii", file_id, time_unix());
	return rc < 0 ? rc : 0;
}

/* ---- removing ---- */

/* Deletes stored_file id (attached to nothing) and uncharges its bytes when it was the
 * org's last row of that content. *hash receives its hash. 0, ERR_NOTFOUND (gone, or
 * attached meanwhile). */
static int drop_row(struct conn *c, int64_t id, char hash[65], int64_t *org_id)
{
	int64_t size = 0;
	int rc = conn_row(c, "SELECT hash, size, org_id FROM stored_file WHERE id = $1 AND refs = 0", "i",
			  "tii", id, hash, (size_t)65, &size, org_id);
	if (rc)
		return rc;
	rc = conn_run(c, "DELETE FROM stored_file WHERE id = $1 AND refs = 0", "i", id);
	if (rc <= 0)
		return rc < 0 ? rc : ERR_NOTFOUND;
	int one;
	rc = conn_row(c, "SELECT 1 FROM stored_file WHERE org_id = $1 AND hash = $2 LIMIT 1", "it", "d",
		      *org_id, hash, &one);
	if (rc == ERR_NOTFOUND)
		rc = conn_run(c, "UPDATE file_usage SET bytes = bytes - $2 WHERE org_id = $1", "ii", *org_id,
			      size);
	return rc < 0 ? rc : 0;
}

struct gc_arg {
	struct app *a;
	const char *hash;
	char path[1024], thumb[1024], trash[1040], thumb_trash[1040];
	bool moved;
};

/* Under the blob row's lock: when no stored_file uses the hash, the row goes and the blob
 * and its thumbnail are moved aside (removed after the commit, put back on a rollback). */
static int gc_fn(struct conn *c, void *arg)
{
	struct gc_arg *g = arg;
	g->moved = false;
	int rc = conn_run(c, "UPDATE file_blob SET size = size WHERE hash = $1", "t", g->hash);
	if (rc <= 0)
		return rc;
	int one;
	rc = conn_row(c, "SELECT 1 FROM stored_file WHERE hash = $1 LIMIT 1", "t", "d", g->hash, &one);
	if (rc != ERR_NOTFOUND)
		return rc == 0 ? 0 : rc;
	rc = conn_run(c, "DELETE FROM file_blob WHERE hash = $1", "t", g->hash);
	if (rc < 0)
		return rc;
	if (rename(g->path, g->trash) && errno != ENOENT)
		return ERR_IO;
	if (rename(g->thumb, g->thumb_trash) && errno != ENOENT)
		return ERR_IO;
	g->moved = true;
	return 0;
}

static int blob_gc(struct app *a, const char *hash)
{
	struct gc_arg g = {.a = a, .hash = hash};
	if (file_blob_path(a, hash, false, g.path, sizeof(g.path)) ||
	    file_blob_path(a, hash, true, g.thumb, sizeof(g.thumb)))
		return ERR_INTERNAL;
	snprintf(g.trash, sizeof(g.trash), "%s.gone", g.path);
	snprintf(g.thumb_trash, sizeof(g.thumb_trash), "%s.gone", g.thumb);
	int rc = store_tx(a->store, gc_fn, &g);
	if (rc == 0 && g.moved) {
		unlink(g.trash);
		unlink(g.thumb_trash);
	} else if (rc) {
		/* rolled back: the row is still there, so are its bytes */
		(void)rename(g.trash, g.path);
		(void)rename(g.thumb_trash, g.thumb);
	}
	return rc;
}

struct discard_arg {
	int64_t id;
	const struct audit_entry *who;
	char hash[65];
};

static int discard_fn(struct conn *c, void *arg)
{
	struct discard_arg *d = arg;
	int64_t uploader = 0, org_id = 0;
	int refs = 0;
	int rc = conn_row(c, "SELECT COALESCE(uploader_id, 0), refs FROM stored_file WHERE id = $1", "i",
			  "id", d->id, &uploader, &refs);
	if (rc)
		return rc;
	if (!d->who || uploader != d->who->user_id)
		return ERR_NOTFOUND;
	if (refs > 0)
		return ERR_CONFLICT;
	rc = drop_row(c, d->id, d->hash, &org_id);
	if (rc)
		return rc;
	return audit_object(c, d->who, "file.delete", "file", d->id, org_id, NULL);
}

int file_discard(struct app *a, int64_t id, const struct audit_entry *who)
{
	struct discard_arg d = {.id = id, .who = who};
	int rc = store_tx(a->store, discard_fn, &d);
	if (rc)
		return rc;
	(void)blob_gc(a, d.hash);
	return 0;
}

struct sweep_arg {
	int64_t before;
	int64_t ids[SWEEP_BATCH];
	char hashes[SWEEP_BATCH][65];
	int n, removed;
};

static int sweep_id(struct stmt *st, void *arg)
{
	struct sweep_arg *s = arg;
	s->ids[s->n++] = stmt_int64(st, 0);
	return 0;
}

static int sweep_fn(struct conn *c, void *arg)
{
	struct sweep_arg *s = arg;
	s->n = 0;
	s->removed = 0;
	int rc = conn_each(
		c,
		"SELECT id FROM stored_file WHERE refs = 0 AND idle_since < $1 ORDER BY idle_since, id LIMIT 100",
		sweep_id, s, "i", s->before);
	for (int i = 0; !rc && i < s->n; i++) {
		int64_t org_id;
		rc = drop_row(c, s->ids[i], s->hashes[s->removed], &org_id);
		if (rc == 0)
			s->removed++;
		else if (rc == ERR_NOTFOUND)
			rc = 0;
	}
	if (rc || !s->removed)
		return rc;
	struct audit_diff d;
	audit_diff_init(&d);
	audit_diff_int(&d, "files", s->removed);
	struct audit_entry who = {.via = "system"};
	return audit_object(c, &who, "file.sweep", "file", s->ids[0], 0, audit_diff_text(&d));
}

int file_sweep(struct app *a, int64_t now, int *removed)
{
	*removed = 0;
	struct sweep_arg *s = malloc(sizeof(*s));
	if (!s)
		return ERR_NOMEM;
	s->before = now - a->files.orphan_grace_s;
	int rc;
	do {
		rc = store_tx(a->store, sweep_fn, s);
		if (rc)
			break;
		*removed += s->removed;
		for (int i = 0; i < s->removed && !rc; i++)
			rc = blob_gc(a, s->hashes[i]);
	} while (!rc && s->n == SWEEP_BATCH);
	free(s);
	return rc;
}

/* ---- the sweeper thread ---- */

struct file_sweeper {
	struct app *a;
	int seconds;
	struct ticker *t;
};

static void sweep_now(void *arg, struct ticker *t)
{
	(void)t;
	struct file_sweeper *k = arg;
	int removed = 0;
	int rc = file_sweep(k->a, time_unix(), &removed);
	if (rc)
		log_error("files: the orphan sweep failed (%s); it runs again in %d s", err_name(rc),
			  k->seconds);
	else if (removed)
		log_info("files: swept %d upload%s attached to nothing", removed, removed == 1 ? "" : "s");
}

int file_sweeper_start(struct app *a, int seconds, struct file_sweeper **out)
{
	struct file_sweeper *k = calloc(1, sizeof(*k));
	if (!k)
		return ERR_NOMEM;
	k->a = a;
	k->seconds = seconds > 0 ? seconds : 600;
	if (ticker_start(k->seconds * 1000, TICK_AT_START, sweep_now, k, &k->t)) {
		free(k);
		return ERR_NOMEM;
	}
	*out = k;
	return 0;
}

void file_sweeper_stop(struct file_sweeper *k)
{
	if (!k)
		return;
	ticker_stop(k->t);
	free(k);
}

/* ---- files of an organization ---- */

static int org_may_see(struct app *a, const struct caller *c, int64_t org_id)
{
	return c ? rbac_check(a, c, "file.read", org_id) : ERR_NOTFOUND;
}

const struct file_owner_kind file_owner_org = {.name = "org", .may_see = org_may_see};
