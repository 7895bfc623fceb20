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
			fprintf(stderr, "checkpoint: record %" PRId64 " of %s matches\n", r->cp.seq, r->cp.at);
		else
			fprintf(stderr, "no checkpoint in %s: records removed from the end cannot be ruled out"
					" (kexie serve writes one every audit_checkpoint_seconds; or run"
					" `kexie audit checkpoint`)\n", app->data_dir);
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
		printf("checkpoint: record %" PRId64 " (%s)\n%s\n", cp.seq, wrote ? "written" : "unchanged", cp.line);
		return 0;
	}
	if (rc == ERR_CONFLICT)
		fprintf(stderr, "kexie audit checkpoint: refused: %s\n", why);
	else
		fprintf(stderr, "kexie audit checkpoint: failed (%s)%s%s\n", err_name(rc), why[0] ? ": " : "", why);
	return 1;
}

int cmd_audit(int argc, char **argv)
{
	const char *sub = argc >= 2 ? argv[1] : "";
	if (strcmp(sub, "verify") && strcmp(sub, "prune") && strcmp(sub, "checkpoint")) {
		usage("audit");
		return EXIT_USAGE;
	}
	struct config cfg;
	char *rest[8];
	int nrest;
	static const char *const extra[] = {"--checkpoint=", NULL};
	int rc = config_load(&cfg, "audit", argc - 1, argv + 1, rest, &nrest, strcmp(sub, "verify") ? NULL : extra);
	if (rc)
		return rc;
	struct app app;
	if (app_open_current(&app, &cfg, "audit"))
		return 1;
	if (!strcmp(sub, "verify")) {
		rc = verify(&app, nrest >= 2 ? rest[1] : NULL);
	} else if (!strcmp(sub, "checkpoint")) {
		rc = checkpoint(&app);
	} else {
		static const struct audit_entry cli = {.via = "cli", .role = "audit_admin"};
		int64_t removed = 0;
		char cutoff[16], why[320];
		rc = audit_prune(&app, &cli, &removed, cutoff, why, sizeof(why));
		if (rc == 0)
			printf("pruned %" PRId64 " records older than %s (retention %d days)\n", removed, cutoff,
			       cfg.audit_retention_days);
		else if (rc == ERR_CONFLICT)
			fprintf(stderr, "kexie audit prune: refused: %s\n", why);
		else
			fprintf(stderr, "kexie audit prune: failed (%s)\n", err_name(rc));
		rc = rc ? 1 : 0;
	}
	app_close(&app);
	return rc;
}
