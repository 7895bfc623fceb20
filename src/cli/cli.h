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
	long file_max_bytes, file_quota_bytes, file_max_pixels;
	int file_orphan_hours, file_sweep_seconds;
	/* notifications, the outbound hook and the scheduler (docs/notifications.md) */
	char hook_urls[1024];
	char hook_events[256];
	char hook_secret_file[512];
	char hook_backoff[128];
	int schedule_poll_ms;
};

/* One row per setting: the flag (--db-read), the environment variable (KEXIE_DB_READ)
 * and the INI key (db_read) all derive from `key`. */
struct config_opt {
	const char *key;
	const char *def;
	const char *help;
};
extern const struct config_opt config_opts[];

/* Row flags: what the dispatcher (cli_run in commands.c) sets up before a command runs,
 * as git's run_builtin does with RUN_SETUP, so no command repeats it. */
#define RUN_CONFIG 0x1u /* takes the configuration flags: x->cfg is loaded (config_load) */
#define RUN_APP \
	0x2u             /* also opens the app (data dir, key, store) and refuses a schema that
			  * is behind, altered or newer than this binary: x->app (app_open_current) */
#define RUN_APP_ANY 0x4u /* opens the app whatever the schema's state: x->app (app_open; migrate) */

/* What a command gets from the dispatcher. */
struct cmd_ctx {
	const char *name; /* "org move": for messages */
	/* Rows without RUN_* flags: the raw arguments, argv[0] the command's name. Rows with
	 * them: the row's npos positional arguments, argv[0] the first. */
	int argc;
	char **argv;
	/* The row's extra flags as given (argv order), each followed by its value when it
	 * takes one ("--to", "CAST-GD"); borrowed from argv. */
	char **rest;
	int nrest;
	struct config *cfg; /* loaded for RUN_CONFIG / RUN_APP / RUN_APP_ANY, else NULL */
	struct app *app;    /* open for RUN_APP / RUN_APP_ANY (the dispatcher closes it), else NULL */
};

/* One row of a command table: a command, or a subcommand in its command's `subs`. */
struct command {
	const char *name;
	int (*run)(struct cmd_ctx *x); /* NULL when the row has subcommands */
	const char *args;              /* synopsis after the name */
	const char *summary;           /* one line */
	unsigned flags;                /* RUN_* */
	int npos;                      /* positional arguments before the flags (required) */
	const char *const *extra;      /* flags beyond the settings: "--dry-run" (a switch),
					* "--to=" (takes a value); NULL-terminated, or NULL */
	const struct command *subs;    /* subcommands ({0}-terminated), or NULL */
};
/* The command table (commands.c) and the subcommand tables of the commands that have them
 * (each beside its functions). */
extern const struct command commands[];
extern const struct command org_commands[], user_commands[], token_commands[], audit_commands[],
	member_commands[], doc_commands[];

/* Prints an import job's report on stdout as one JSON object (jobreport.c): rows,
 * inserted, updated, unchanged, rejected, with `encoding` the result's encoding, then
 * errors (every kept one, row order). cmd names the command in a failure message. */
struct job_info;
void cli_import_report(struct app *app, const struct job_info *ji, bool encoding, const char *cmd);

/* Runs argv[1] from the table (argv[0] is the program): the row's setup, then its run
 * function; `--help`/`-h` right after a command or subcommand prints its help. Returns
 * the exit code: 0, 1 failure, EXIT_USAGE (2) for a usage error. */
int cli_run(int argc, char **argv);
/* The value after flag in rest (NULL when absent); whether a switch is present. */
const char *cli_opt(const struct cmd_ctx *x, const char *flag);
bool cli_has(const struct cmd_ctx *x, const char *flag);

/* Fills cfg from defaults, then --config FILE / KEXIE_CONFIG, then KEXIE_* variables,
 * then flags (highest). Extra flags the command accepts are left in rest[] (argv order);
 * an unknown flag prints usage and returns EXIT_USAGE; a bad INI file returns 1. */
int config_load(struct config *cfg, const char *cmd, int argc, char **argv, char **rest, int *nrest,
		const char *const *extra_flags);

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

/* Loads the outbound hook's secret from path (NULL or "": DATA_DIR/hook.secret), creating
 * it with 64 random hex digits (mode 0600) when missing; refuses a file readable by group
 * or others, and a secret (the text without a final newline) shorter than 16 or longer
 * than out's cap. *len receives its length. Prints the reason on failure. */
int hook_secret_load(const char *data_dir, const char *path, unsigned char *out, size_t cap, size_t *len);

/* Prints the help of cmd ("org" or "org move"; NULL: the command list) to stderr. */
void usage(const char *cmd);
const char *kexie_version(void);

int cmd_serve(struct cmd_ctx *x);
int cmd_migrate(struct cmd_ctx *x);
int cmd_seed(struct cmd_ctx *x);
int cmd_version(struct cmd_ctx *x);
int cmd_help(struct cmd_ctx *x);
int cmd_routes(struct cmd_ctx *x);
int cmd_openapi(struct cmd_ctx *x);

#endif
