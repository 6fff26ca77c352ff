/* Tracking numbers: the business's own numbers calls come in on. Validation
 * (E.164 normalization, routing that needs a forward target), the rule that a
 * number belongs to one workspace system-wide, and the audit trail of every
 * change. Admin+ is checked by the route. */
#ifndef SB_DOMAIN_NUMBERS_H
#define SB_DOMAIN_NUMBERS_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"
#include "domain/audit.h"
#include "domain/sla.h"
#include "store/numbers.h"

extern const char *const number_statuses[];      /* active suspended */
extern const char *const number_routing_modes[]; /* ai human overflow */
extern const char *const number_after_hours[];   /* ai vm forward */

#define NUMBER_LABEL_MAX 100

/* A create or a change. NULL / set_* false = not given (create: the default). */
struct number_input {
	const char *e164;          /* any human format; create only */
	const char *label;
	bool set_label;            /* label given (NULL clears) */
	const char *status, *routing_mode, *after_hours;
	const struct business_hours *hours; /* its own business hours (validated here like the workspace's) */
	bool set_hours;            /* hours given (NULL clears: the workspace's apply) */
	const char *forward_to;    /* any human format */
	bool set_forward_to;
	int recording_opt_in;      /* -1 not given, 0, 1 */
};

/* Every number of the actor's workspace (arena a). */
enum err numbers_list(struct db *db, const char *workspace_id, struct arena *a, struct tracking_number **rows,
		      int *n);
/* Creates a number in actor->workspace_id. ERR_INVALID with field errors
 * (hours: those of sla_hours_validate, named "hours.<field>");
 * ERR_CONFLICT when any workspace already has it. Audited (number.created). */
enum err numbers_create(struct db *db, const struct actor *actor, const struct number_input *in, struct arena *a,
			struct tracking_number *out, struct err_detail *d);
/* Changes a number (ERR_NOT_FOUND outside the workspace). Audited with the diff (number.updated). */
enum err numbers_update(struct db *db, const struct actor *actor, const char *id, const struct number_input *in,
			struct arena *a, struct tracking_number *out, struct err_detail *d);
/* Deletes a number; its calls keep their to_e164. Audited (number.deleted). */
enum err numbers_delete(struct db *db, const struct actor *actor, const char *id, struct arena *a,
			struct err_detail *d);

/* n's own business hours into bh (holidays in arena a): false when it has
 * none (or they are unreadable: logged), and then the workspace's apply. */
bool numbers_own_hours(struct arena *a, const struct tracking_number *n, struct business_hours *bh);
/* Whether the business is open at the instant for calls to n: by n's own
 * hours when it has them, else by workspace_hours, its workspace's
 * (sla_hours_load). After hours is !open. */
bool numbers_is_open(struct arena *a, const struct tracking_number *n, const struct business_hours *workspace_hours,
		     int64_t at);

#endif
