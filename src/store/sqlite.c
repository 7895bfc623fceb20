/*
 * sqlite.c - the SQLite backend of store.h.
 *
 * Every connection: WAL journal, foreign keys on, busy timeout, synchronous=NORMAL (in WAL
 * mode a power loss can lose the last transactions but never corrupts the database; a
 * crash of kexie alone loses nothing), and the zh_pinyin collation registered through
 * ICU's C API (Debian's SQLite has no ICU extension) so `ORDER BY name COLLATE zh_pinyin`
 * sorts Chinese names by pinyin exactly as PostgreSQL's ICU collation does.
 * Reader connections set query_only so a bug cannot write through them. Pages are read
 * through mmap (up to 1 GiB) rather than one pread(2) per page: on this machine kind a
 * syscall is expensive enough that this alone moves the row-by-id benchmark. But a read
 * transaction that finds the database changed since the connection's last one unmaps the
 * whole file (SQLite's pager does, to drop stale pages) and faults it in again: with
 * writes going on, that churn took most of the time (store.c turns mmap off on readers
 * while the writer is busy: sq_set_mmap).
 * SQL arrives with $1..$n parameters and is rewritten to ?1..?n before preparing.
 */
#include "store/driver.h"
#include "base/err.h"
#include "base/log.h"
#include "base/timeutil.h"

#include <sqlite3.h>
#include <unicode/ucol.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SQ_MMAP_BYTES 1073741824
#define TOSTR_(x)     #x
#define TOSTR(x)      TOSTR_(x)

struct sq_conn {
	sqlite3 *db;
	UCollator *coll;
	int wait_ms;            /* how long a statement waits for another writer (sq_busy) */
	uint64_t busy_since_ns; /* when the current wait began */
};

/* Waiting for another writer. SQLite's own busy handler sleeps ever longer between tries
 * (up to 100 ms each), so a writer that gives the lock back for a few milliseconds between
 * its batches (an import in another process) takes it straight back and the waiter starves
 * until its budget ends. Trying again every millisecond catches those gaps; the wait ends
 * after wait_ms, as sqlite3_busy_timeout's would. */
static int sq_busy(void *arg, int count)
{
	struct sq_conn *c = arg;
	uint64_t now = time_mono_ns();
	if (count == 0)
		c->busy_since_ns = now;
	if (now - c->busy_since_ns >= (uint64_t)(c->wait_ms > 0 ? c->wait_ms : 0) * 1000000u)
		return 0;
	struct timespec ts = {0, 1000000L};
	nanosleep(&ts, NULL);
	return 1;
}

static void sq_wait(struct sq_conn *c, int wait_ms)
{
	c->wait_ms = wait_ms;
	sqlite3_busy_handler(c->db, sq_busy, c);
}

static int sq_err(sqlite3 *db, int rc, const char *what)
{
	int prim = rc & 0xff;
	if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
		return ERR_BUSY;
	if (prim == SQLITE_CONSTRAINT)
		return ERR_CONFLICT;
	if (prim == SQLITE_NOMEM)
		return ERR_NOMEM;
	if (prim == SQLITE_FULL || prim == SQLITE_IOERR)
		log_error("sqlite: %s: %s (disk full or I/O error)", what, sqlite3_errmsg(db));
	else
		log_error("sqlite: %s: %s", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	return prim == SQLITE_FULL || prim == SQLITE_IOERR ? ERR_IO : ERR_DB;
}

static int collate_pinyin(void *arg, int na, const void *a, int nb, const void *b)
{
	UErrorCode st = U_ZERO_ERROR;
	UCollationResult r = ucol_strcollUTF8((UCollator *)arg, a, na, b, nb, &st);
	if (U_FAILURE(st)) { /* invalid UTF-8 cannot be stored, but stay total anyway */
		int m = memcmp(a, b, (size_t)(na < nb ? na : nb));
		return m ? m : na - nb;
	}
	return r == UCOL_LESS ? -1 : r == UCOL_GREATER ? 1 : 0;
}

static void sq_disconnect(void *h)
{
	struct sq_conn *c = h;
	if (!c)
		return;
	sqlite3_close_v2(c->db);
	if (c->coll)
		ucol_close(c->coll);
	free(c);
}

static int ensure_parent_dir(const char *path)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return ERR_INVALID;
	char *dir = dirname(tmp);
	struct stat sb;
	if (stat(dir, &sb) == 0)
		return 0;
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		return ERR_IO;
	return 0;
}

/* The database holds personal data: a new file is created 0600 before SQLite opens it, and
 * SQLite gives its -wal and -shm files the database file's mode. An existing file readable
 * by others is used but named in the log (the writer opens once per process). */
static int create_private(const char *path, char *err, size_t cap)
{
	if (!strcmp(path, ":memory:") || !strncmp(path, "file:", 5))
		return 0;
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	struct stat sb;
	if (errno != EEXIST || stat(path, &sb)) {
		snprintf(err, cap, "cannot create SQLite database %s: %s", path, strerror(errno));
		return ERR_IO;
	}
	if (S_ISREG(sb.st_mode) && (sb.st_mode & 077))
		log_warn("sqlite: %s is readable by other users (mode %03o); run: chmod 600 %s %s-wal %s-shm",
			 path, (unsigned)(sb.st_mode & 0777), path, path, path);
	return 0;
}

/* Process-wide SQLite settings, made once before the library initialises: no memory
 * statistics, which take SQLite's one global memory mutex in every sqlite3_malloc of
 * every thread (seen in the request path's stacks; the statistics are never read). */
static void sq_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int sq_connect(const char *path, bool ro, int busy_ms, void **out, char *err, size_t cap)
{
	static pthread_once_t configured = PTHREAD_ONCE_INIT;
	pthread_once(&configured, sq_configure);
	struct sq_conn *c = calloc(1, sizeof(*c));
	if (!c)
		return ERR_NOMEM;
	if (!ro && ensure_parent_dir(path)) {
		snprintf(err, cap, "cannot create the directory for %s", path);
		free(c);
		return ERR_IO;
	}
	if (!ro) {
		int prc = create_private(path, err, cap);
		if (prc) {
			free(c);
			return prc;
		}
	}
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (ro ? 0 : SQLITE_OPEN_CREATE);
	int rc = sqlite3_open_v2(path, &c->db, flags, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, cap, "cannot open SQLite database %s: %s", path,
			 c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		sq_disconnect(c);
		return ERR_UNAVAILABLE;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sq_wait(c, busy_ms);
	char pragmas[256];
	snprintf(pragmas, sizeof(pragmas),
		 "%sPRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
		 " PRAGMA mmap_size=" TOSTR(SQ_MMAP_BYTES) "; PRAGMA cache_size=-16384;"
							   "%s",
		 ro ? "" : "PRAGMA journal_mode=WAL; ", ro ? "PRAGMA query_only=ON;" : "");
	char *msg = NULL;
	rc = sqlite3_exec(c->db, pragmas, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		snprintf(err, cap, "cannot configure SQLite database %s: %s", path,
			 msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		sq_disconnect(c);
		return rc == SQLITE_BUSY ? ERR_BUSY : ERR_UNAVAILABLE;
	}
	UErrorCode st = U_ZERO_ERROR;
	c->coll = ucol_open("zh@collation=pinyin", &st);
	if (U_FAILURE(st)) {
		snprintf(err, cap, "ICU cannot open the zh pinyin collation: %s", u_errorName(st));
		sq_disconnect(c);
		return ERR_INTERNAL;
	}
	rc = sqlite3_create_collation_v2(c->db, "zh_pinyin", SQLITE_UTF8, c->coll, collate_pinyin, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, cap, "cannot register the zh_pinyin collation");
		sq_disconnect(c);
		return ERR_INTERNAL;
	}
	*out = c;
	return 0;
}

static bool sq_healthy(void *h)
{
	(void)h;
	return true;
}

/* $N -> ?N outside string literals and quoted identifiers; same length. */
static char *rewrite_params(const char *sql)
{
	char *out = strdup(sql);
	if (!out)
		return NULL;
	char quote = 0;
	for (char *p = out; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
			*p = '?';
		}
	}
	return out;
}

static int sq_prepare(void *h, const char *sql, void **st)
{
	struct sq_conn *c = h;
	char *q = rewrite_params(sql);
	if (!q)
		return ERR_NOMEM;
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v3(c->db, q, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
	free(q);
	if (rc != SQLITE_OK)
		return sq_err(c->db, rc, "prepare");
	*st = s;
	return 0;
}

static void sq_finalize(void *st)
{
	sqlite3_finalize(st);
}

static int sq_bind_int64(void *st, int idx, int64_t v)
{
	int rc = sqlite3_bind_int64(st, idx, v);
	return rc == SQLITE_OK ? 0 : sq_err(sqlite3_db_handle(st), rc, "bind");
}

static int sq_bind_text(void *st, int idx, const char *p, size_t n)
{
	if (n > 0x7fffffff)
		return ERR_TOOBIG;
	int rc = sqlite3_bind_text(st, idx, p, (int)n, SQLITE_TRANSIENT);
	return rc == SQLITE_OK ? 0 : sq_err(sqlite3_db_handle(st), rc, "bind");
}

static int sq_bind_null(void *st, int idx)
{
	int rc = sqlite3_bind_null(st, idx);
	return rc == SQLITE_OK ? 0 : sq_err(sqlite3_db_handle(st), rc, "bind");
}

static int sq_step(void *st)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return sq_err(sqlite3_db_handle(st), rc, "step");
}

static int64_t sq_changes(void *st)
{
	return sqlite3_changes64(sqlite3_db_handle(st));
}

static int sq_ncols(void *st)
{
	return sqlite3_column_count(st);
}

static bool sq_isnull(void *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL;
}

static int64_t sq_col_int64(void *st, int col)
{
	return sqlite3_column_int64(st, col);
}

static const char *sq_col_text(void *st, int col, size_t *len)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	int n = sqlite3_column_bytes(st, col);
	if (len)
		*len = t ? (size_t)n : 0;
	return t ? (const char *)t : "";
}

static void sq_reset(void *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static int sq_exec(void *h, const char *sql)
{
	struct sq_conn *c = h;
	int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : sq_err(c->db, rc, "exec");
}

static int sq_begin(void *h, int wait_ms)
{
	struct sq_conn *c = h;
	sq_wait(c, wait_ms > 0 ? wait_ms : 1);
	return sq_exec(h, "BEGIN IMMEDIATE");
}

static bool sq_in_tx(void *h)
{
	struct sq_conn *c = h;
	return !sqlite3_get_autocommit(c->db);
}

static int sq_checkpoint(void *h)
{
	struct sq_conn *c = h;
	int rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return rc == SQLITE_OK || rc == SQLITE_BUSY ? 0 : sq_err(c->db, rc, "checkpoint");
}

static int sq_set_mmap(void *h, bool on)
{
	return sq_exec(h, on ? "PRAGMA mmap_size=" TOSTR(SQ_MMAP_BYTES) : "PRAGMA mmap_size=0");
}

static void sq_set_wait(void *h, int wait_ms)
{
	struct sq_conn *c = h;
	sq_wait(c, wait_ms);
}

const struct store_driver store_sqlite_driver = {
	.name = "sqlite",
	.connect = sq_connect,
	.disconnect = sq_disconnect,
	.healthy = sq_healthy,
	.prepare = sq_prepare,
	.finalize = sq_finalize,
	.bind_int64 = sq_bind_int64,
	.bind_text = sq_bind_text,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.ncols = sq_ncols,
	.isnull = sq_isnull,
	.col_int64 = sq_col_int64,
	.col_text = sq_col_text,
	.reset = sq_reset,
	.changes = sq_changes,
	.exec = sq_exec,
	.begin = sq_begin,
	.set_wait = sq_set_wait,
	.set_mmap = sq_set_mmap,
	.checkpoint = sq_checkpoint,
	.in_tx = sq_in_tx,
	.read_begin_sql = "BEGIN",
	.read_end_sql = "COMMIT",
};
