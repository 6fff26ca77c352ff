/* SMS templates (pure: no I/O): the built-in set every workspace has, the
 * {{variable}} syntax, and rendering. A variable is {{ name }} with name made
 * of letters, digits and underscores (spaces inside the braces are allowed);
 * anything else between braces is literal text. */
#ifndef SB_DOMAIN_TEMPLATES_H
#define SB_DOMAIN_TEMPLATES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

#define TPL_MAX_VARS 32
#define TPL_VAR_MAX 64        /* longest variable name */
#define TPL_NAME_MAX 80
#define TPL_BODY_MAX 1600

/* What a variable the sender did not give renders as: body, itself a
 * template (rendered without defaults). */
struct tpl_default {
	const char *name, *body;
};

struct sms_template {
	const char *id, *name, *body;
	const char *category;     /* transactional | marketing */
	bool builtin;
	const struct tpl_default *defaults; /* {NULL, NULL}-terminated, or NULL (built-ins only) */
};

/* The built-in templates (static, id order) and their count. */
const struct sms_template *tpl_builtins(size_t *n);
/* The built-in template id, or NULL. */
const struct sms_template *tpl_builtin(const char *id);

/* The distinct variable names of body, in first-use order, as pointers into
 * names (each TPL_VAR_MAX bytes); returns how many (at most max). */
int tpl_variables(const char *body, char names[][TPL_VAR_MAX], int max);

/* Renders body into out, each variable replaced by lookup(ctx, name), or
 * when that is NULL by its default in defaults (NULL: none). A variable
 * missing with no default, or whose default needs a missing variable, stops
 * rendering: ERR_NOT_FOUND with its name in missing (TPL_VAR_MAX bytes).
 * ERR_TOO_LARGE when out is full. */
enum err tpl_render(const char *body, const struct tpl_default *defaults,
		    const char *(*lookup)(void *ctx, const char *name), void *ctx, struct buf *out,
		    char missing[TPL_VAR_MAX]);

#endif
