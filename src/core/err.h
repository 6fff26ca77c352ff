/* One project-wide error type, and the error record a request or job owns.
 * Only src/http/ maps these to HTTP statuses. */
#ifndef SB_CORE_ERR_H
#define SB_CORE_ERR_H

#include <stddef.h>

enum err {
	ERR_OK = 0,
	ERR_NOMEM,
	ERR_INVALID,      /* bad input: a field, a parameter, a body */
	ERR_UNAUTHORIZED, /* no or bad credentials */
	ERR_FORBIDDEN,    /* the principal may not */
	ERR_NOT_FOUND,
	ERR_CONFLICT,
	ERR_TOO_LARGE,
	ERR_UNSUPPORTED,  /* e.g. a media type we do not take */
	ERR_LIMITED,      /* rate or concurrency limit */
	ERR_UPSTREAM,     /* a vendor failed */
	ERR_STORE,        /* the database failed */
	ERR_IO,
	ERR_INTERNAL,     /* a broken invariant */
	ERR__COUNT
};

/* Static, never NULL. */
const char *err_str(enum err e);

#define ERR_MAX_FIELDS 16

struct err_field {
	char field[64];
	char message[160];
};

/* Detail of a failure, owned by the request or job that hit it. Zero it before use. */
struct err_detail {
	char detail[256];              /* human sentence; empty = the status title alone */
	struct err_field fields[ERR_MAX_FIELDS];
	int nfields;
	int retry_after;               /* seconds, for ERR_LIMITED; 0 = none */
};

/* Set the human sentence (printf-style). d may be NULL. Returns e, so
 * `return err_set(d, ERR_INVALID, "...")` reads naturally. */
enum err err_set(struct err_detail *d, enum err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Add a field-level error (validation). d may be NULL. Returns ERR_INVALID. */
enum err err_field_add(struct err_detail *d, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
