/* err_str and the error record helpers. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const names[ERR__COUNT] = {
	[ERR_OK] = "ok",
	[ERR_NOMEM] = "out of memory",
	[ERR_INVALID] = "invalid input",
	[ERR_UNAUTHORIZED] = "unauthorized",
	[ERR_FORBIDDEN] = "forbidden",
	[ERR_NOT_FOUND] = "not found",
	[ERR_CONFLICT] = "conflict",
	[ERR_TOO_LARGE] = "too large",
	[ERR_UNSUPPORTED] = "unsupported",
	[ERR_LIMITED] = "limited",
	[ERR_UPSTREAM] = "upstream failure",
	[ERR_STORE] = "store failure",
	[ERR_IO] = "i/o failure",
	[ERR_INTERNAL] = "internal error",
};

const char *err_str(enum err e)
{
	if ((int)e < 0 || e >= ERR__COUNT || !names[e])
		return "unknown error";
	return names[e];
}

enum err err_set(struct err_detail *d, enum err e, const char *fmt, ...)
{
	if (!d)
		return e;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->detail, sizeof d->detail, fmt, ap);
	va_end(ap);
	return e;
}

enum err err_field_add(struct err_detail *d, const char *field, const char *fmt, ...)
{
	if (!d || d->nfields >= ERR_MAX_FIELDS)
		return ERR_INVALID;
	struct err_field *f = &d->fields[d->nfields++];
	snprintf(f->field, sizeof f->field, "%s", field);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof f->message, fmt, ap);
	va_end(ap);
	if (!d->detail[0]) {
		char first[sizeof d->detail];
		snprintf(first, sizeof first, "%s: %s", f->field, f->message);
		memcpy(d->detail, first, sizeof first);
	}
	return ERR_INVALID;
}
