/*
 * arena.h - many small allocations freed at once (the cells of a spreadsheet, the rows of
 * an import's plan): chunks of 1 MiB (or larger for one big request), never moved, so
 * pointers into an arena stay valid until arena_free.
 */
#ifndef KEXIE_BASE_ARENA_H
#define KEXIE_BASE_ARENA_H

#include <stddef.h>

struct arena_chunk;
struct arena {
	struct arena_chunk *head; /* NULL: empty; zero-initialise to start */
};

/* n bytes aligned to 8, uninitialised; NULL when out of memory. */
void *arena_alloc(struct arena *a, size_t n);
/* A copy of the n bytes at s plus a NUL; NULL when out of memory. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Frees every chunk; the arena is empty again. */
void arena_free(struct arena *a);

#endif
