/* Files compiled into the binary by tools/embed.c (migrations, openapi.yaml). */
#ifndef SB_CORE_EMBEDDED_H
#define SB_CORE_EMBEDDED_H
#include <stddef.h>

struct embedded_file {
	const char *path; /* as given at build time, e.g. "src/store/migrations/0001_init.sql" */
	const char *data; /* NUL-terminated, static */
	size_t len;
};

/* Terminated by an entry with path == NULL; sorted as listed on the command line. */
extern const struct embedded_file embedded_files[];

#endif
