/*
 * audit.c (cli) - the audit trail from the terminal:
 *   kexie audit verify [--checkpoint LINE]  walk the keyed chain and compare it with the
 *       data dir's checkpoint (and LINE, a checkpoint line taken from the log): print
 *       "ok N records" and exit 0, or name the first broken record and exit 1;
 *   kexie audit checkpoint  write a signed checkpoint of the current head now;
 *   kexie audit prune       remove records past the retention (audit_retention_days, at
 *       least 180), keeping the chain verifiable.
 */
#include "cli/cli.h"
#include "base/err.h"
#include "core/audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int verify(struct app *app, const char *line)
{
	struct audit_verify_result *r = calloc(1, sizeof(*r));
	if (!r)
		return 1;
	int rc = audit_verify_full(app, line, r), code = 1;
	if (rc == 0) {
		printf("ok %" PRId64 " records\n", r->count);
		if (r->pruned_seq)
			fprintf(stderr, "records 1 to %" PRId64 " were pruned (retention)\n", r->pruned_seq);
		if (r->has_checkpoint)
			fprintf(stderr, "checkpoint: record %" PRId64 " of %s matches\n", r->cp.seq,
				r->cp.at);
		else
			fprintf(stderr,
				"no checkpoint in %s: records removed from the end cannot be ruled out"
				" (kexie serve writes one every audit_checkpoint_seconds; or run"
				" `kexie audit checkpoint`)\n",
				app->data_dir);
		code = 0;
	} else if (rc == ERR_CONFLICT && r->bad_seq) {
		printf("broken at record %" PRId64 ": %s\n", r->bad_seq, r->why);
	} else if (rc == ERR_CONFLICT) { /* a checkpoint that cannot be trusted */
		printf("broken: %s\n", r->why);
	} else {
		fprintf(stderr, "kexie audit: cannot read the audit trail (%s)\n", err_name(rc));
	}
	free(r);
	return code;
}

static int checkpoint(struct app *app)
{
	struct audit_checkpoint cp;
	bool wrote = false;
	char why[256];
	int rc = audit_checkpoint(app, &cp, &wrote, why, sizeof(why));
	if (rc == 0) {
		printf("checkpoint: record %" PRId64 " (%s)\n%s\n", cp.seq, wrote ? "written" : "unchanged",
		       cp.line);
		return 0;
	}
	if (rc == ERR_CONFLICT)
		fprintf(stderr, "kexie audit checkpoint: refused: %s\n", why);
	else
		fprintf(stderr, "kexie audit checkpoint: failed (%s)%s%s\n", err_name(rc), why[0] ? ": " : "",
			why);
	return 1;
}

static int audit_verify_cmd(struct cmd_ctx *x)
{
	return verify(x->app, cli_opt(x, "--checkpoint"));
}

static int audit_checkpoint_cmd(struct cmd_ctx *x)
{
	return checkpoint(x->app);
}

static int audit_prune_cmd(struct cmd_ctx *x)
{
	static const struct audit_entry cli = {.via = "cli", .role = "audit_admin"};
	int64_t removed = 0;
	char cutoff[16], why[320];
	int rc = audit_prune(x->app, &cli, &removed, cutoff, why, sizeof(why));
	if (rc == 0)
		printf("pruned %" PRId64 " records older than %s (retention %d days)\n", removed, cutoff,
		       x->cfg->audit_retention_days);
	else if (rc == ERR_CONFLICT)
		fprintf(stderr, "kexie audit prune: refused: %s\n", why);
	else
		fprintf(stderr, "kexie audit prune: failed (%s)\n", err_name(rc));
	return rc ? 1 : 0;
}

static const char *const verify_flags[] = {"--checkpoint=", NULL};

/* one row per command, read as a table */
/* clang-format off */
const struct command audit_commands[] = {
	{.name = "verify",
	 .run = audit_verify_cmd,
	 .args = "[--checkpoint LINE]",
	 .summary =
		 "walk the keyed chain and compare it with the checkpoints: ok N records, or the first broken one",
	 .flags = RUN_APP,
	 .extra = verify_flags},
	{.name = "checkpoint",
	 .run = audit_checkpoint_cmd,
	 .args = "",
	 .summary = "write a signed checkpoint of the current head now",
	 .flags = RUN_APP},
	{.name = "prune",
	 .run = audit_prune_cmd,
	 .args = "",
	 .summary =
		 "remove records past the retention (audit_retention_days, at least 180), keeping the chain verifiable",
	 .flags = RUN_APP},
	{0},
};
/* clang-format on */
