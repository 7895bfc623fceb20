/*
 * err.h - error codes and field-error lists shared by every layer.
 *
 * Functions across kexie return int: 0 on success or one of the negative codes below.
 * Codes travel up unchanged; exactly one place (http/response.c) maps them to HTTP
 * statuses, and only the CLI prints and exits. Field-level detail (which field, which
 * row, what was wrong) travels in a struct errlist owned by the caller.
 */
#ifndef KEXIE_BASE_ERR_H
#define KEXIE_BASE_ERR_H

#include <stdbool.h>
#include <stddef.h>

enum {
	ERR_OK = 0,
	ERR_INVALID = -1,          /* malformed request or input: 400 */
	ERR_UNPROCESSABLE = -2,    /* well-formed but fails validation: 422 */
	ERR_NOTFOUND = -3,         /* 404 (also used to hide objects outside the caller's scope) */
	ERR_CONFLICT = -4,         /* 409 */
	ERR_PRECONDITION = -5,     /* stale version: 412 */
	ERR_PRECOND_REQUIRED = -6, /* If-Match missing: 428 */
	ERR_FORBIDDEN = -7,        /* 403 */
	ERR_UNAUTHORIZED = -8,     /* 401 */
	ERR_TOOBIG = -9,           /* 413, or a bounded buffer hit its maximum */
	ERR_MEDIATYPE = -10,       /* 415 */
	ERR_RATELIMIT = -11,       /* 429 */
	ERR_BUSY = -12,            /* database busy / serialization failure: retryable; 503 */
	ERR_UNAVAILABLE = -13,     /* dependency down (database unreachable): 503 */
	ERR_DB = -14,              /* unexpected database error: 500 */
	ERR_NOMEM = -15,           /* 500 */
	ERR_IO = -16,              /* file system error: 500 */
	ERR_INTERNAL = -17,        /* 500 */
	ERR_METHOD = -18,          /* 405 */
	ERR_URITOOLONG = -19,      /* 414 */
	ERR_HEADTOOBIG = -40,      /* request head too large: 431 */
	ERR_KEYVERSION = -41,      /* a sealed value's key version is unknown or retired (core/pii.h): 500 */
	ERR_FORGED = -42,          /* a sealed value failed authentication (core/pii.h): 500 */
};

/* Stable lower-case name of a code ("invalid", "not_found", ...); never NULL. */
const char *err_name(int code);

#define ERRLIST_MAX     32
#define FIELDERR_PARAMS 4

/* A value the UI fills into its own translated message ("max": 200, "other_field": "to"). */
struct fielderr_param {
	char key[16];
	char text[64]; /* when !is_num */
	long long num; /* when is_num */
	bool is_num;
};

struct fielderr {
	char field[64];    /* dotted path ("contact.phone"), or "" for the whole request */
	char code[32];     /* stable machine code the UI translates ("required", "id_checksum") */
	char message[192]; /* English, for people reading logs and API consumers */
	long row;          /* 1-based file row for imports, 0 when not about a file */
	struct fielderr_param params[FIELDERR_PARAMS];
	int nparams;
};

/* A bounded list of field errors. Adding past ERRLIST_MAX drops the extra entries
 * but counts them in `dropped`. Zero-initialise or call errlist_init. */
struct errlist {
	struct fielderr e[ERRLIST_MAX];
	int n;
	int dropped;
	bool tail_dropped; /* the last add was dropped: its params go nowhere */
};

void errlist_init(struct errlist *l);

/* Append an error; strings are copied and truncated at a character boundary
 * to fit. Returns ERR_UNPROCESSABLE so callers can write
 * `return errlist_add(l, "name", "required", "name is required");`. */
int errlist_add(struct errlist *l, const char *field, const char *code, const char *message);

/* Like errlist_add with a file row number. Returns ERR_UNPROCESSABLE. */
int errlist_add_row(struct errlist *l, long row, const char *field, const char *code, const char *message);

/* Attach a number or a text parameter to the error added last (min, max, row, column,
 * other_field ...): the UI words its message from code + params. A no-op when that error
 * was dropped, the list is empty or it has FIELDERR_PARAMS already; text is copied
 * (truncated at a character boundary). Both return ERR_UNPROCESSABLE, like errlist_add:
 * `return errlist_add(...), errlist_param_int(l, "max", 200);`. */
int errlist_param_int(struct errlist *l, const char *key, long long v);
int errlist_param_str(struct errlist *l, const char *key, const char *v);

/* True when the list holds an error for field. */
bool errlist_has(const struct errlist *l, const char *field);

/* Copy src into a fixed buffer of size cap (cap > 0), always NUL-terminating and never
 * splitting a UTF-8 sequence. Returns the number of bytes copied. */
size_t str_copy(char *dst, size_t cap, const char *src);

#endif
