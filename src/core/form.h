/* application/x-www-form-urlencoded bodies (vendor webhooks): parsing with
 * percent- and '+'-decoding, lookup, and encoding for outgoing requests. */
#ifndef SB_CORE_FORM_H
#define SB_CORE_FORM_H

#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

struct form_param {
	const char *key, *value;
};

struct form {
	struct form_param *v; /* in body order; arena-owned */
	int n;
};

/* Parses body into f (strings in arena a). ERR_INVALID for a malformed escape,
 * invalid UTF-8 or more than 512 parameters. */
enum err form_parse(struct arena *a, const char *body, size_t len, struct form *f);
/* First value of key, or NULL. */
const char *form_get(const struct form *f, const char *key);
/* Appends key=value (percent-encoded, '&' between) to b. */
enum err form_append(struct buf *b, const char *key, const char *value);

#endif
