/* Arena: bump allocation for request- or job-scoped memory, released once. */
#ifndef SB_CORE_ARENA_H
#define SB_CORE_ARENA_H

#include <stddef.h>

struct arena;

/* New arena; NULL when out of memory. */
struct arena *arena_new(void);
/* Releases everything allocated from a; NULL is fine. */
void arena_free(struct arena *a);
/* Zeroed memory owned by the arena, aligned for any type; NULL when out of memory. */
void *arena_alloc(struct arena *a, size_t n);
/* Copy of s (NULL stays NULL) owned by the arena. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* printf into arena memory; NULL on failure. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
