/*
 * app.h - the application context every domain function takes (no mutable globals).
 * Built by the CLI (cli/serve.c and friends), borrowed by api handlers.
 */
#ifndef KEXIE_CORE_APP_H
#define KEXIE_CORE_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct touch;

/* Account and audit policy, from the configuration (kexie help config). */
struct policy {
	int password_min;         /* characters */
	bool password_strict;     /* 等保 level 3: 3 of 4 classes, expiry, no reuse */
	int password_expiry_days; /* strict mode only; 0 = never */
	int password_history;     /* strict mode: the last N passwords are refused */
	int lock_failures;        /* wrong passwords in a row before a lock */
	int64_t lock_s;
	int64_t session_idle_s, session_max_s;
	int audit_retention_days; /* >= 180 */
	int token_max_days;       /* the longest an API token lives (and the default) */
	int audit_checkpoint_s;   /* kexie serve checkpoints the audit trail this often */
};

/* Stored files (core/file.h, docs/files.md): limits from the configuration; the owner kinds
 * (who may see a file's owners) supplied by the server (cli/serve.c), none elsewhere. */
struct file_owner_kind;
struct file_policy {
	int64_t max_bytes;      /* largest upload */
	int64_t quota_bytes;    /* bytes charged to one org, each distinct content once */
	int64_t max_pixels;     /* images larger are refused before decoding */
	int64_t orphan_grace_s; /* a file attached to nothing is swept after this long */
	const struct file_owner_kind *const *owners;
	size_t nowners;
};

struct app {
	struct store *store;   /* owned by whoever built the app */
	unsigned char key[32]; /* secret from DATA_DIR/kexie.key (field encryption, tokens) */
	const char *version;   /* build version string */
	const char *data_dir;
	int64_t started_at; /* unix seconds */
	struct policy policy;
	struct file_policy files;
	struct touch *touch; /* bookkeeping writes batched off the request path (core/touch.h);
				     started by `serve`; NULL elsewhere: last-used times are not noted */
	/* the outbound hook (core/notify.h): space-separated URLs ("" or NULL: no hook) and the
	 * notification kinds sent to it ("*": every kind); borrowed from the configuration */
	const char *hook_urls;
	const char *hook_events;
};

#endif
