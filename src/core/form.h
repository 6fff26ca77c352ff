/* application/x-www-form-urlencoded bodies (vendor webhooks): parsing with
 * percent- and '+'-decoding, lookup, and encoding for outgoing requests. */
#ifndef SB_CORE_FORM_H
#define SB_CORE_FORM_H

#include <stdbool.h>
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

#define FORM_MAX_PARAMS 512

/* Parses body into f (strings in arena a). ERR_INVALID for a malformed escape,
 * a NUL, invalid UTF-8 or more than FORM_MAX_PARAMS parameters. */
enum err form_parse(struct arena *a, const char *body, size_t len, struct form *f);
/* The parameters as a sender may have signed them, whatever the body holds
 * (for checking a signature before judging the body): a malformed escape or
 * one decoding to NUL is kept as written ("%zz" stays "%zz", as WHATWG
 * URLSearchParams keeps it), invalid UTF-8 is kept; *clean tells whether
 * form_parse would have accepted the body. ERR_INVALID only for more than
 * FORM_MAX_PARAMS parameters; ERR_NOMEM. */
enum err form_parse_raw(struct arena *a, const char *body, size_t len, struct form *f, bool *clean);
/* First value of key, or NULL. */
const char *form_get(const struct form *f, const char *key);
/* Appends key=value (percent-encoded, '&' between) to b. */
enum err form_append(struct buf *b, const char *key, const char *value);

#endif
