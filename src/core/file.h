/*
 * file.h - stored files: the one mechanism every module that takes uploads uses (notices'
 * attachments, typical-case photos, activity photos, award nominations ...). docs/files.md.
 *
 * An upload arrives as a complete temporary file under DATA_DIR/files/tmp (the HTTP layer
 * spools the body there). file_store decides its type from the bytes (libmagic, then
 * libzip for OOXML and a header parse for images), never from the name or the client's
 * Content-Type; refuses what is not a PDF, DOCX, XLSX, JPEG, PNG or WebP with a field error
 * on "file" naming the reason; makes a thumbnail of an image; and keeps the bytes once per
 * content as DATA_DIR/files/<h[0..2]>/<h> (h: SHA-256 hex), linked into place from the
 * complete temp file, so there is never a half file under a hash name. Each upload is a
 * `stored_file` row (its sanitised name, type, size, uploader, the org whose quota it is
 * charged to); modules attach a file to their objects (file_attach, in their own
 * transaction) and detach it; the references are counted, and a file with none for longer
 * than the grace period is removed by the sweep (file_sweep, run by the server's sweeper
 * thread), its blob with the last row that uses it.
 *
 * Who may read a file: its uploader while it is attached to nothing; afterwards whoever
 * may see one of its owners. Which callers see which owner is the owning module's rule:
 * a module registers a struct file_owner_kind (a name and a may_see function) in the
 * table the server supplies (cli/serve.c, app->files.owners), so core never names a
 * feature.
 */
#ifndef KEXIE_CORE_FILE_H
#define KEXIE_CORE_FILE_H

#include "core/app.h"
#include "core/audit.h"
#include "base/err.h"
#include "doc/fileprobe.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conn;
struct caller;

#define FILE_NAME_MAX 200 /* bytes of a sanitised name (cut at a character boundary) */
#define FILE_KIND_MAX 32  /* owner kind name */

/* Who may see an owner: registered by the module that owns the kind. may_see answers 0
 * when caller c may see owner id, ERR_NOTFOUND when not (also for an id that does not
 * exist), or a store error. It runs on a read connection of a (the request's view). */
struct file_owner_kind {
	const char *name; /* "notice", "case" ...: what file_ref.owner_kind holds */
	int (*may_see)(struct app *a, const struct caller *c, int64_t owner_id);
};

/* A name for showing and for the download: the last path part (after '/' or '\'), valid
 * UTF-8 (invalid bytes dropped), no control, format or bidi characters, none of <>:"|?*
 * (each becomes '_'), no leading dots or spaces, no trailing dots or spaces, not a
 * Windows device name (CON, NUL, COM1 ...: prefixed with '_'), at most FILE_NAME_MAX
 * bytes keeping the extension, and ending in the type's extension (".png" appended when
 * it ends otherwise; t FILE_NONE: unchanged). "file" when nothing is left. in is (ptr,len)
 * and need not be NUL-terminated; out has cap >= FILE_NAME_MAX + 8 bytes. */
void file_sanitize_name(const char *in, size_t n, enum file_type t, char *out, size_t cap);

/* One stored file as read. */
struct file_info {
	int64_t id;
	char hash[65];
	int64_t size;
	enum file_type type;
	char name[FILE_NAME_MAX + 8];
	int64_t uploader_id; /* 0: none (the account is gone, or the command line) */
	int64_t org_id;
	int width, height;
	int refs;
	bool thumb;
	int64_t created_at;
};

/* An upload to store. path is a complete temporary file in DATA_DIR/files/tmp (borrowed:
 * the caller removes it afterwards; the blob is a hard link to it). name is the client's
 * (ptr, len), sanitised here. who is the uploader, recorded as file.upload. */
struct file_upload {
	const char *path;
	int64_t size;
	const char *name;
	size_t name_len;
	int64_t org_id; /* whose quota pays */
	const struct audit_entry *who;
};

/* Probes, thumbnails, then in one transaction: the org's usage row locked, the quota
 * checked (each distinct content once per org: uploading the same bytes twice to an org
 * costs nothing the second time), the blob linked into place (already there: kept), the
 * stored_file row and its audit record written. 0 with *out; ERR_UNPROCESSABLE with the
 * field error of file_probe, or quota_exceeded (params max, used) on "file"; ERR_IO when
 * the data dir cannot be written (disk full: nothing is kept); store errors. */
int file_store(struct app *a, const struct file_upload *u, struct errlist *errs, struct file_info *out);

/* fileprobe_run with a's limits, its refusal as a field error on "file" (the probe's code,
 * params max for file_too_large and image_too_large, type for type_not_allowed).
 * 0, ERR_UNPROCESSABLE, ERR_IO, ERR_NOMEM. */
int file_check(const struct app *a, const char *path, int64_t size, struct errlist *errs,
	       struct fileprobe *out);

/* One file by id. 0, ERR_NOTFOUND, a store error. */
int file_get(struct app *a, int64_t id, struct file_info *out);

/* May caller c read file id? 0 when c uploaded it and it is attached to nothing, or when
 * c may see one of its owners by the owner kind's may_see (app->files.owners; a reference
 * of a kind no module registers shows to nobody). ERR_NOTFOUND otherwise, the same answer
 * as for a file that does not exist; a store error. */
int file_may_see(struct app *a, const struct caller *c, int64_t id);

/* Where file hash's bytes (thumb: its thumbnail) live: DATA_DIR/files/ab/abcd...
 * 0 or ERR_INTERNAL when it does not fit in cap. */
int file_blob_path(const struct app *a, const char *hash, bool thumb, char *out, size_t cap);

/* Attaches / detaches file_id to the owner (kind, id) inside the caller's write
 * transaction (the owning module's, with its audit record); refs counts the references.
 * Attaching twice is a no-op (0). Returns 0, ERR_NOTFOUND (no such file; detach: no such
 * reference), ERR_INVALID (kind empty or over FILE_KIND_MAX), a store error. */
int file_attach(struct conn *c, int64_t file_id, const char *kind, int64_t owner_id);
int file_detach(struct conn *c, int64_t file_id, const char *kind, int64_t owner_id);

/* Calls fn for each file attached to (kind, owner_id), oldest reference first; fn returns
 * 0 to go on, non-zero to stop (a negative value is returned). */
int file_each_owned(struct app *a, const char *kind, int64_t owner_id,
		    int (*fn)(const struct file_info *f, void *arg), void *arg);

/* The uploader throws away an upload attached to nothing: the row at once (audited
 * file.delete), the blob with the last row using it. ERR_NOTFOUND when the file is not
 * theirs; ERR_CONFLICT when it is attached. */
int file_discard(struct app *a, int64_t id, const struct audit_entry *who);

/* Removes every file attached to nothing since before now - a->files.orphan_grace_s
 * (rows in batches of 100, each batch one transaction with one file.sweep audit record),
 * and the blobs and thumbnails no row uses any more. *removed counts the rows. */
int file_sweep(struct app *a, int64_t now, int *removed);

/* Bytes charged to org_id (each distinct content once). 0 or a store error. */
int file_usage(struct app *a, int64_t org_id, int64_t *bytes);

/* The server's sweeper: a thread running file_sweep every `seconds` (and once at start).
 * Returns 0 with *out, or ERR_NOMEM. Stop with file_sweeper_stop (NULL is fine). */
struct file_sweeper;
int file_sweeper_start(struct app *a, int seconds, struct file_sweeper **out);
void file_sweeper_stop(struct file_sweeper *s);

/* Creates DATA_DIR/files and DATA_DIR/files/tmp (0700) and empties tmp (what a stopped
 * server left there): call once before serving. 0 or ERR_IO. */
int file_dirs(const struct app *a);

/* The owner kind for files attached to an organization (its documents: a charter, a
 * logo), seen by whoever may read the org with file.read. Registered by cli/serve.c. */
extern const struct file_owner_kind file_owner_org;

#endif
