/*
 * main.c - argv -> the command table in src/cli; nothing else.
 */
#include "cli/cli.h"

#include <sodium.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "kexie: libsodium failed to initialise\n");
		return 1;
	}
	return cli_run(argc, argv);
}
