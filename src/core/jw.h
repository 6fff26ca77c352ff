/* Streaming JSON writer: appends one JSON document to a bounded, growable
 * buffer without building a tree and without allocating per value. Used for
 * hot responses (list pages, exports, event payloads). Errors are sticky: the
 * first failure is recorded in the writer and every later call is a no-op, so
 * callers write the whole document and check jw_error() once at the end. */
#ifndef SB_CORE_JW_H
#define SB_CORE_JW_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define JW_MAX_DEPTH 64

struct jw {
	char *buf;      /* owned; NULL until the first write */
	size_t len;     /* bytes written, excluding the NUL kept after them */
	size_t cap;     /* bytes allocated; while buf is NULL, the size of the first allocation */
	size_t max;     /* hard cap on len; past it every call fails with ERR_TOO_LARGE */
	enum err err;   /* sticky first error; all calls become no-ops after an error */
	int depth;      /* nesting depth, at most JW_MAX_DEPTH */
	uint64_t first; /* bit (depth - 1): next value is the first in its container (no comma) */
	uint64_t obj;   /* bit (depth - 1): the container is an object (keys required) */
	bool after_key; /* a key was just written: next value needs no comma */
};

/* Prepares w to write one document of at most max bytes. No allocation happens
 * until the first write; the first buffer is initial_cap bytes (a small default
 * if 0), then it doubles as needed, never beyond max (+1 for a NUL). */
void jw_init(struct jw *w, size_t initial_cap, size_t max);

/* Frees the buffer and zeroes w. Safe on a zeroed or already cleaned struct. */
void jw_cleanup(struct jw *w);

/* Forgets what was written and clears the error, keeping the buffer for reuse. */
void jw_reset(struct jw *w);

/* The text written so far, NUL-terminated, borrowed until the next write;
 * NULL after an error or before any write. */
const char *jw_cstr(struct jw *w);

/* Hands the finished document to the caller, who owns it and free()s it. The
 * text is NUL-terminated; its length goes to *len when len is not NULL. On
 * success w is left empty (no buffer) and may be written again. Returns NULL
 * and leaves w untouched if w has an error; an unfinished or empty document
 * sets ERR_INVALID and returns NULL. */
char *jw_steal(struct jw *w, size_t *len);

/* Open and close containers. Nesting past JW_MAX_DEPTH, an end that does not
 * match its begin, or closing an object right after a key sets ERR_INVALID. */
void jw_obj_begin(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w);
void jw_arr_end(struct jw *w);

/* Writes an object key (NUL-terminated, escaped like a string). Outside an
 * object, twice in a row, or with a NULL key: ERR_INVALID. */
void jw_key(struct jw *w, const char *key);

/* Values. Inside an object each value must follow a key; at the top level only
 * one value may be written (ERR_INVALID otherwise). Strings are escaped: '"',
 * '\\', control characters, U+2028 and U+2029; invalid UTF-8 becomes U+FFFD, so
 * the output is always valid JSON in valid UTF-8. jw_str(w, NULL) and
 * jw_strn(w, NULL, n) write null. */
void jw_str(struct jw *w, const char *s);
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, int64_t v);
void jw_uint(struct jw *w, uint64_t v);

/* Shortest decimal that reads back as exactly v; integral values keep a ".0"
 * so they parse back as reals. NaN and infinities write null. */
void jw_double(struct jw *w, double v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);

/* Inserts n bytes of pre-serialized JSON as one value. The bytes are trusted:
 * the caller guarantees they are one valid JSON value. n == 0 or a NULL json
 * sets ERR_INVALID. */
void jw_raw(struct jw *w, const char *json, size_t n);

/* Key followed by a value. */
void jw_kstr(struct jw *w, const char *k, const char *s);
void jw_kint(struct jw *w, const char *k, int64_t v);
void jw_kbool(struct jw *w, const char *k, bool v);
void jw_knull(struct jw *w, const char *k);

/* RFC 3339 UTC timestamp with milliseconds ("2026-11-27T17:13:33.123Z") from
 * milliseconds since the epoch, without gmtime. Negative values and instants
 * after 9999-12-31T23:59:59.999Z write null. */
void jw_time_ms(struct jw *w, int64_t epoch_ms);
void jw_ktime_ms(struct jw *w, const char *k, int64_t epoch_ms);

/* The first error recorded, or ERR_OK. */
enum err jw_error(const struct jw *w);

#endif
