/*
 * cli.h - the kexie command-line tool: one command table (commands.c) and one file per
 * command. Only this layer prints to the terminal and chooses exit codes:
 * 0 success, 1 failure, 2 usage error.
 */
#ifndef KEXIE_CLI_CLI_H
#define KEXIE_CLI_CLI_H

#include "core/app.h"

#include <stdbool.h>
#include <stddef.h>

#define EXIT_USAGE 2

struct config {
	char listen[128];
	char db[1024];
	char db_read[1024];
	char data_dir[512];
	char web_dir[512];
	int threads;
	int pool;
	long body_limit;
	int timeout;
	int https;
	char trusted_proxies[1024];
	int connections_per_client, header_timeout;
	char metrics_token[129];
	char metrics_listen[128];
	int password_min_length, password_strict, password_expiry_days;
	int login_max_failures, login_lock_minutes, login_address_failures;
	int session_idle_minutes, session_max_hours;
	int audit_retention_days;
	int audit_checkpoint_seconds;
	int token_max_days;
	int job_workers, job_pause_ms, import_batch_rows;
};

/* One row per setting: the flag (--db-read), the environment variable (KEXIE_DB_READ)
 * and the INI key (db_read) all derive from `key`. */
struct config_opt {
	const char *key;
	const char *def;
	const char *help;
};
extern const struct config_opt config_opts[];

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args;    /* synopsis after the name */
	const char *summary; /* one line */
	bool uses_config;    /* accepts the configuration flags */
};
extern const struct command commands[];

/* Fills cfg from defaults, then --config FILE / KEXIE_CONFIG, then KEXIE_* variables,
 * then flags (highest). Extra flags the command accepts are left in rest[] (argv order);
 * an unknown flag prints usage and returns EXIT_USAGE; a bad INI file returns 1. */
int config_load(struct config *cfg, const char *cmd, int argc, char **argv, char **rest,
		int *nrest, const char *const *extra_flags);

/* Opens the store and builds the app context (creates DATA_DIR and the key file).
 * Prints the reason and returns non-zero on failure. */
int app_open(struct app *a, const struct config *cfg);
void app_close(struct app *a);
/* app_open, then refuse a schema that is behind, altered or newer than this binary
 * (printing why, prefixed by cmd). Returns 0 with the app open, or 1 with it closed. */
int app_open_current(struct app *a, const struct config *cfg, const char *cmd);

/* Creates DATA_DIR/kexie.key (32 random bytes, mode 0600) when missing; refuses a key
 * file readable by group or others. Loads it into key. Prints the reason on failure. */
int keyfile_load(const char *data_dir, unsigned char key[32]);

void usage(const char *cmd); /* to stderr */
const char *kexie_version(void);

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_seed(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_org(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_openapi(int argc, char **argv);

#endif
