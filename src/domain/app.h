/*
 * app.h - the application context every domain function takes (no mutable globals).
 * Built by the CLI (cli/serve.c and friends), borrowed by api handlers.
 */
#ifndef KEXIE_DOMAIN_APP_H
#define KEXIE_DOMAIN_APP_H

#include <stdint.h>

struct store;

struct app {
	struct store *store;      /* owned by whoever built the app */
	unsigned char key[32];    /* secret from DATA_DIR/kexie.key (field encryption, tokens) */
	const char *version;      /* build version string */
	const char *data_dir;
	int64_t started_at;       /* unix seconds */
};

#endif
