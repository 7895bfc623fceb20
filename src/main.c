/*
 * main.c - argv -> the command table in src/cli; nothing else.
 */
#include "cli/cli.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "kexie: libsodium failed to initialise\n");
		return 1;
	}
	if (argc < 2) {
		usage(NULL);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(1, argv + 1);
	if (!strcmp(argv[1], "--version"))
		return cmd_version(1, argv + 1);
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(c->name, argv[1]))
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "kexie: unknown command '%s'\n", argv[1]);
	usage(NULL);
	return EXIT_USAGE;
}
