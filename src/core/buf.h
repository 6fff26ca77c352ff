/* Bounded byte buffer: grows by doubling up to a maximum set at creation.
 * Anything sized by a client lands in one of these; overflow is ERR_TOO_LARGE. */
#ifndef SB_CORE_BUF_H
#define SB_CORE_BUF_H

#include <stddef.h>

#include "core/err.h"

struct buf {
	char *data;  /* NUL-terminated when len > 0 or after buf_cstr */
	size_t len, cap, max;
};

void buf_init(struct buf *b, size_t max);
void buf_cleanup(struct buf *b);           /* frees data; safe twice */
enum err buf_append(struct buf *b, const void *p, size_t n);
enum err buf_puts(struct buf *b, const char *s);
/* data as a C string (empty string when nothing was appended); borrowed until the next append. */
const char *buf_cstr(struct buf *b);

#endif
