/* Bounded byte buffer. */
#include "core/buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
	if (max > SIZE_MAX / 4)
		max = SIZE_MAX / 4;
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

void buf_cleanup(struct buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

static enum err reserve(struct buf *b, size_t extra)
{
	if (extra > b->max || b->len > b->max - extra)
		return ERR_TOO_LARGE;
	size_t need = b->len + extra + 1; /* room for the NUL */
	if (need <= b->cap)
		return ERR_OK;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	char *p = realloc(b->data, cap);
	if (!p)
		return ERR_NOMEM;
	b->data = p;
	b->cap = cap;
	return ERR_OK;
}

enum err buf_append(struct buf *b, const void *p, size_t n)
{
	enum err rc = reserve(b, n);
	if (rc != ERR_OK)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
	return ERR_OK;
}

enum err buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

const char *buf_cstr(struct buf *b)
{
	return b->data ? b->data : "";
}
