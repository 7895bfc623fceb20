/*
 * config.c - settings from flags > KEXIE_* environment > INI file (--config FILE), and the
 * secret key file. The table config_opts is the single list of settings: flags, variables,
 * INI keys and `kexie help config` all come from it (docs/operations.md is checked against
 * it by a test). An unknown INI key is an error naming the file and line, never silence.
 */
#include "cli/cli.h"
#include "base/err.h"

#include <ini.h>
#include <sodium.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const struct config_opt config_opts[] = {
	{"listen", "127.0.0.1:8080", "address to serve on, HOST:PORT or [IPv6]:PORT (port 0: any free port)"},
	{"db", "sqlite:var/kexie.db", "database: sqlite:PATH or a PostgreSQL URL / pg:CONNINFO"},
	{"db_read", "", "optional PostgreSQL connection string for read-only requests"},
	{"data_dir", "var", "directory for the key file and uploads"},
	{"web_dir", "web/dist", "built web app to serve"},
	{"threads", "0", "HTTP worker threads (0: one per core)"},
	{"pool", "0", "database connections per pool (0: 2 x threads + 8)"},
	{"body_limit", "1048576", "largest JSON request body in bytes"},
	{"timeout", "30", "idle connection timeout in seconds"},
	{"trusted_proxies", "",
	 "addresses or CIDRs of the proxies in front (127.0.0.1, 10.0.0.0/8, ::1): only from them is X-Forwarded-For believed"},
	{"connections_per_client", "100",
	 "connections one client address may hold open (an IPv6 /64 counts as one; trusted proxies are exempt; 0: no limit)"},
	{"header_timeout", "10",
	 "seconds a client has to send a whole request head, however slowly the bytes come"},
	{"metrics_token", "",
	 "secret of 16 to 128 characters: /metrics on the listen address needs 'Authorization: Bearer TOKEN' (unset: /metrics is not served there)"},
	{"metrics_listen", "",
	 "a second address (HOST:PORT) serving only /metrics and /healthz, for the monitoring network"},
	{"https", "0",
	 "1: kexie is reached over HTTPS (a TLS proxy in front): the session cookie becomes __Host-kexie_session with Secure"},
	{"password_min_length", "8", "shortest password accepted (characters)"},
	{"password_strict", "0",
	 "1: 等保 level 3 rules: three of four character classes, expiry, no reuse of the last 5"},
	{"password_expiry_days", "90",
	 "with password_strict: days before a password must be changed (0: never)"},
	{"login_max_failures", "5", "wrong passwords in a row that lock an account"},
	{"login_lock_minutes", "15", "how long such a lock lasts"},
	{"login_address_failures", "20",
	 "failed sign-ins a minute from one client address before it is turned away (429) without any password work"},
	{"session_idle_minutes", "30", "a session unused this long ends"},
	{"session_max_hours", "12", "a session ends this long after sign-in, used or not"},
	{"audit_retention_days", "3650",
	 "audit records older than this are pruned by `kexie audit prune` (at least 180)"},
	{"audit_checkpoint_seconds", "10",
	 "how often kexie serve writes a signed checkpoint of the audit trail while it grows (records newer than the last one could be removed unseen)"},
	{"token_max_days", "365", "the longest an API token lives, and its life when none is asked for"},
	/* background jobs (imports): see docs/jobs.md */
	{"job_workers", "1", "threads of the server that run background jobs (imports)"},
	{"job_pause_ms", "2",
	 "pause after each batch of a job, so other writers get the database in between"},
	{"import_batch_rows", "4000", "rows an import writes per transaction (its checkpoint)"},
	/* stored files: see docs/files.md */
	{"file_max_bytes", "52428800", "largest file upload in bytes (attachments, photos; 50 MiB)"},
	{"file_quota_bytes", "2147483648",
	 "bytes of stored files one organization may hold (each distinct content counted once; 2 GiB)"},
	{"file_max_pixels", "50000000", "images with more pixels are refused before they are decoded"},
	{"file_orphan_hours", "24", "an upload attached to nothing is removed after this many hours"},
	{"file_sweep_seconds", "600", "how often kexie serve removes such uploads"},
	/* notifications and the outbound hook: see docs/notifications.md */
	{"hook_urls", "",
	 "space-separated http(s) URLs the outbound hook POSTs notifications to (SMS/WeChat gateways; unset: none)"},
	{"hook_events", "*",
	 "notification kinds sent to the hook, space-separated (reminder notice ...; *: every kind)"},
	{"hook_secret_file", "",
	 "file holding the hook's HMAC secret (16 to 256 characters, mode 0600; unset: DATA_DIR/hook.secret, created when missing)"},
	{"hook_backoff", "60,300,1800,7200,43200",
	 "seconds to wait after each failed hook attempt; after the last one the delivery is a dead letter"},
	{"schedule_poll_ms", "1000",
	 "how often the server looks for due scheduled tasks and hook deliveries"},
	{0},
};

static int set_int(const char *v, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (errno || end == v || *end || x < lo || x > hi)
		return -1;
	*out = x;
	return 0;
}

/* Returns 0, or -1 with a reason in why. */
static int config_set(struct config *c, const char *key, const char *v, char *why, size_t cap)
{
	long x;
	size_t n = strlen(v);
#define STR(field)                                                          \
	if (!strcmp(key, #field)) {                                         \
		if (n >= sizeof(c->field)) {                                \
			snprintf(why, cap, "value of %s is too long", key); \
			return -1;                                          \
		}                                                           \
		memcpy(c->field, v, n + 1);                                 \
		return 0;                                                   \
	}
#define NUM(field, lo, hi)                                                                               \
	if (!strcmp(key, #field)) {                                                                      \
		if (set_int(v, lo, hi, &x)) {                                                            \
			snprintf(why, cap, "%s must be a whole number from %ld to %ld", key, (long)(lo), \
				 (long)(hi));                                                            \
			return -1;                                                                       \
		}                                                                                        \
		c->field = (__typeof__(c->field))x;                                                      \
		return 0;                                                                                \
	}
	STR(listen)
	STR(db)
	STR(db_read)
	STR(data_dir)
	STR(web_dir)
	NUM(threads, 0, 256)
	NUM(pool, 0, 256)
	NUM(body_limit, 1024, 64L << 20)
	NUM(timeout, 1, 3600)
	NUM(https, 0, 1)
	STR(trusted_proxies)
	NUM(connections_per_client, 0, 100000)
	NUM(header_timeout, 1, 300)
	if (!strcmp(key, "metrics_token") && n && (n < 16 || n > 128)) {
		snprintf(why, cap, "metrics_token must be 16 to 128 characters");
		return -1;
	}
	if (!strcmp(key, "metrics_token") &&
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=") != n) {
		snprintf(why, cap, "metrics_token may hold letters, digits and -._~+/= only");
		return -1;
	}
	STR(metrics_token)
	STR(metrics_listen)
	NUM(password_min_length, 8, 64)
	NUM(password_strict, 0, 1)
	NUM(password_expiry_days, 0, 3650)
	NUM(login_max_failures, 1, 100)
	NUM(login_lock_minutes, 1, 1440)
	NUM(login_address_failures, 1, 100000)
	NUM(session_idle_minutes, 1, 1440)
	NUM(session_max_hours, 1, 720)
	NUM(audit_retention_days, 180, 36500)
	NUM(audit_checkpoint_seconds, 1, 3600)
	NUM(token_max_days, 1, 3650)
	NUM(job_workers, 1, 16)
	NUM(job_pause_ms, 0, 10000)
	NUM(import_batch_rows, 1, 100000)
	NUM(file_max_bytes, 1, 1L << 30)
	NUM(file_quota_bytes, 1, 1L << 50)
	NUM(file_max_pixels, 1, 1000000000L)
	NUM(file_orphan_hours, 0, 8760)
	NUM(file_sweep_seconds, 1, 86400)
	STR(hook_urls)
	STR(hook_events)
	STR(hook_secret_file)
	STR(hook_backoff)
	NUM(schedule_poll_ms, 50, 60000)
#undef STR
#undef NUM
	snprintf(why, cap, "unknown setting '%s'", key);
	return -1;
}

struct ini_ctx {
	struct config *cfg;
	char why[256];
};

static int on_ini_line(void *user, const char *section, const char *name, const char *value)
{
	struct ini_ctx *x = user;
	if (section[0] && strcmp(section, "kexie")) {
		snprintf(x->why, sizeof(x->why), "unknown section [%s] (use [kexie] or none)", section);
		return 0;
	}
	if (config_set(x->cfg, name, value, x->why, sizeof(x->why)))
		return 0;
	return 1;
}

static void key_to_flag(const char *key, char *out, size_t cap)
{
	snprintf(out, cap, "--%s", key);
	for (char *p = out; *p; p++)
		if (*p == '_')
			*p = '-';
}

static void key_to_env(const char *key, char *out, size_t cap)
{
	snprintf(out, cap, "KEXIE_%s", key);
	for (char *p = out; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
}

static const struct config_opt *opt_by_flag(const char *flag, size_t len)
{
	for (const struct config_opt *o = config_opts; o->key; o++) {
		char f[64];
		key_to_flag(o->key, f, sizeof(f));
		if (strlen(f) == len && !strncmp(f, flag, len))
			return o;
	}
	return NULL;
}

/* extra flag lookup: "--demo" (switch) or "--regions=" (takes a value) */
static int extra_kind(const char *const *extra, const char *flag, size_t len)
{
	for (; extra && *extra; extra++) {
		size_t el = strlen(*extra);
		bool takes = (*extra)[el - 1] == '=';
		if ((takes ? el - 1 : el) == len && !strncmp(*extra, flag, len))
			return takes ? 2 : 1;
	}
	return 0;
}

int config_load(struct config *cfg, const char *cmd, int argc, char **argv, char **rest, int *nrest,
		const char *const *extra)
{
	char why[256];
	memset(cfg, 0, sizeof(*cfg));
	*nrest = 0;
	for (const struct config_opt *o = config_opts; o->key; o++)
		config_set(cfg, o->key, o->def, why, sizeof(why));

	/* 1. INI file */
	const char *file = getenv("KEXIE_CONFIG");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			file = argv[i + 1];
		else if (!strncmp(argv[i], "--config=", 9))
			file = argv[i] + 9;
	}
	if (file && *file) {
		struct ini_ctx x = {.cfg = cfg};
		int line = ini_parse(file, on_ini_line, &x);
		if (line < 0) {
			fprintf(stderr, "kexie: cannot read config file %s\n", file);
			return 1;
		}
		if (line > 0) {
			fprintf(stderr, "kexie: %s:%d: %s\n", file, line, x.why[0] ? x.why : "syntax error");
			return 1;
		}
	}
	/* 2. environment */
	for (const struct config_opt *o = config_opts; o->key; o++) {
		char env[64];
		key_to_env(o->key, env, sizeof(env));
		const char *v = getenv(env);
		if (v && config_set(cfg, o->key, v, why, sizeof(why))) {
			fprintf(stderr, "kexie: %s: %s\n", env, why);
			return 1;
		}
	}
	/* 3. flags */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2)) {
			fprintf(stderr, "kexie %s: unexpected argument '%s'\n", cmd, a);
			usage(cmd);
			return EXIT_USAGE;
		}
		const char *eq = strchr(a, '=');
		size_t flen = eq ? (size_t)(eq - a) : strlen(a);
		const char *val = eq ? eq + 1 : NULL;
		if (flen == 8 && !strncmp(a, "--config", 8)) {
			if (!val)
				i++;
			continue;
		}
		const struct config_opt *o = opt_by_flag(a, flen);
		int ek = o ? 0 : extra_kind(extra, a, flen);
		if (!o && !ek) {
			fprintf(stderr, "kexie %s: unknown flag '%.*s'\n", cmd, (int)flen, a);
			usage(cmd);
			return EXIT_USAGE;
		}
		if ((o || ek == 2) && !val) {
			if (i + 1 >= argc) {
				fprintf(stderr, "kexie %s: flag '%s' needs a value\n", cmd, a);
				usage(cmd);
				return EXIT_USAGE;
			}
			val = argv[++i];
		}
		if (ek == 1 && val) {
			fprintf(stderr, "kexie %s: flag '%.*s' takes no value\n", cmd, (int)flen, a);
			usage(cmd);
			return EXIT_USAGE;
		}
		if (o) {
			if (config_set(cfg, o->key, val, why, sizeof(why))) {
				fprintf(stderr, "kexie %s: %.*s: %s\n", cmd, (int)flen, a, why);
				return EXIT_USAGE;
			}
			continue;
		}
		rest[(*nrest)++] = argv[i - (val && !eq ? 1 : 0)];
		if (ek == 2)
			rest[(*nrest)++] = (char *)val;
	}
	return 0;
}

int keyfile_load(const char *data_dir, unsigned char key[32])
{
	char path[600];
	snprintf(path, sizeof(path), "%s/kexie.key", data_dir);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		unsigned char k[32];
		randombytes_buf(k, sizeof(k));
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			fprintf(stderr, "kexie: cannot create %s: %s\n", path, strerror(errno));
			return 1;
		}
		if (write(fd, k, sizeof(k)) != (ssize_t)sizeof(k) || fsync(fd)) {
			fprintf(stderr, "kexie: cannot write %s: %s\n", path, strerror(errno));
			close(fd);
			unlink(path);
			return 1;
		}
		close(fd);
		sodium_memzero(k, sizeof(k));
		fprintf(stderr, "kexie: created a new secret key at %s (mode 0600); back it up\n", path);
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		fprintf(stderr, "kexie: cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	struct stat sb;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		fprintf(stderr, "kexie: %s is not a regular file\n", path);
		close(fd);
		return 1;
	}
	if (sb.st_mode & 077) {
		fprintf(stderr, "kexie: %s is readable by other users (mode %03o); run: chmod 600 %s\n", path,
			(unsigned)(sb.st_mode & 0777), path);
		close(fd);
		return 1;
	}
	ssize_t n = read(fd, key, 32);
	close(fd);
	if (n != 32) {
		fprintf(stderr, "kexie: %s must hold exactly 32 bytes\n", path);
		return 1;
	}
	return 0;
}

/* Creates path with 64 random hex digits, mode 0600. */
static int hook_secret_create(const char *path)
{
	unsigned char r[32];
	char hex[65];
	randombytes_buf(r, sizeof(r));
	sodium_bin2hex(hex, sizeof(hex), r, sizeof(r));
	hex[64] = '\n';
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int rc = 0;
	if (fd < 0 || write(fd, hex, 65) != 65 || fsync(fd)) {
		fprintf(stderr, "kexie: cannot create %s: %s\n", path, strerror(errno));
		rc = 1;
	}
	if (fd >= 0)
		close(fd);
	sodium_memzero(r, sizeof(r));
	sodium_memzero(hex, sizeof(hex));
	if (!rc)
		fprintf(stderr, "kexie: created the hook secret at %s (mode 0600); give it to the gateway\n",
			path);
	return rc;
}

int hook_secret_load(const char *data_dir, const char *path, unsigned char *out, size_t cap, size_t *len)
{
	char def[600];
	if (!path || !*path) {
		snprintf(def, sizeof(def), "%s/hook.secret", data_dir);
		path = def;
	}
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (hook_secret_create(path))
			return 1;
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		fprintf(stderr, "kexie: cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	struct stat sb;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || (sb.st_mode & 077)) {
		fprintf(stderr,
			"kexie: %s must be a regular file readable by its owner only (chmod 600 %s)\n", path,
			path);
		close(fd);
		return 1;
	}
	unsigned char buf[1024];
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n < 16 || (size_t)n > cap) {
		fprintf(stderr, "kexie: the hook secret in %s must be 16 to %zu characters\n", path, cap);
		sodium_memzero(buf, sizeof(buf));
		return 1;
	}
	memcpy(out, buf, (size_t)n);
	*len = (size_t)n;
	sodium_memzero(buf, sizeof(buf));
	return 0;
}
