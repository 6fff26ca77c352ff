/* SQL for tracking numbers (the business's own phone numbers that calls come
 * in on): insert, read one, look up the owner of a number across all
 * workspaces (a number belongs to one workspace system-wide), list, update,
 * delete, and the caller history an inbound call needs. Rows are filled into
 * the caller's arena; no rule about who may do what lives here. */
#ifndef SB_STORE_NUMBERS_H
#define SB_STORE_NUMBERS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/db.h"
#include "store/sla.h"

struct tracking_number {
	const char *id, *workspace_id, *e164, *label;
	const char *status;        /* active suspended */
	const char *routing_mode;  /* ai human overflow */
	const char *after_hours;   /* ai vm forward */
	struct bh_row hours;       /* its own business hours; hours.time_zone NULL: none (the workspace's apply) */
	const char *forward_to;    /* E.164 or NULL */
	bool recording_opt_in;
	int64_t created_at, updated_at;
};

/* Inserts n (id, workspace, times set by the caller). ERR_CONFLICT when the
 * number already belongs to a workspace (this one or another). */
enum err store_number_insert(struct db *db, const struct tracking_number *n);
/* One number of the workspace; ERR_NOT_FOUND otherwise. */
enum err store_number_get(struct db *db, const char *workspace_id, const char *id, struct arena *a,
			  struct tracking_number *out);
/* The number e164 in whichever workspace owns it; ERR_NOT_FOUND when nobody does. */
enum err store_number_by_e164(struct db *db, const char *e164, struct arena *a, struct tracking_number *out);
/* Every number of the workspace, by e164; *rows is an arena array of *n. */
enum err store_numbers_list(struct db *db, const char *workspace_id, struct arena *a, struct tracking_number **rows,
			    int *n);
/* Writes the mutable fields (label, status, routing, hours, forward_to, recording, updated_at). */
enum err store_number_update(struct db *db, const struct tracking_number *n);
/* ERR_NOT_FOUND when the workspace has no such number. */
enum err store_number_delete(struct db *db, const char *workspace_id, const char *id);

/* How many calls of the workspace came from e164 before (for first-time caller). */
enum err store_caller_prior_calls(struct db *db, const char *workspace_id, const char *e164, int64_t *count);

#endif
