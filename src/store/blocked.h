/* SQL for the two per-workspace number lists every contact decision reads:
 * blocked numbers (no inbound call accepted, nothing sent or dialed) and the
 * SMS opt-in state of a number. Numbers are E.164 and normalised by the
 * caller. No rule about who may change them lives here. */
#ifndef SB_STORE_BLOCKED_H
#define SB_STORE_BLOCKED_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/db.h"

struct blocked_number {
	const char *workspace_id, *e164;
	const char *reason;      /* free text or NULL */
	const char *source;      /* manual spam import system */
	const char *created_by;  /* user id or NULL */
	int64_t created_at;
};

/* Blocks b->e164 for b->workspace_id. Idempotent: an already blocked number
 * keeps its first row and *created (when not NULL) is false. */
enum err store_blocked_add(struct db *db, const struct blocked_number *b, bool *created);
/* ERR_NOT_FOUND when the number was not blocked. */
enum err store_blocked_remove(struct db *db, const char *workspace_id, const char *e164);
/* *out is the row (in a), or ERR_NOT_FOUND when the number is not blocked. */
enum err store_blocked_get(struct db *db, const char *workspace_id, const char *e164, struct arena *a,
			   struct blocked_number *out);
/* Whether e164 is blocked in the workspace: one indexed lookup. */
enum err store_blocked_is(struct db *db, const char *workspace_id, const char *e164, bool *blocked);
/* Every blocked number of the workspace, newest first; *rows is an arena array of *n. */
enum err store_blocked_list(struct db *db, const char *workspace_id, struct arena *a, struct blocked_number **rows,
			    int *n);
/* How many numbers the workspace blocks. */
enum err store_blocked_count(struct db *db, const char *workspace_id, int64_t *count);

struct sms_opt_status {
	const char *workspace_id, *e164;
	bool opted_out;
	const char *source;      /* STOP, START, vendor_21610, api, import... */
	const char *changed_by;  /* user id or NULL */
	int64_t changed_at;
};

/* Records the number's state (insert or replace). *changed (when not NULL) is
 * false when the number was already in that state, so callers can stay
 * idempotent (no second audit event, no second confirmation). */
enum err store_sms_opt_set(struct db *db, const struct sms_opt_status *s, bool *changed);
/* The number's state, or ERR_NOT_FOUND when it was never recorded. */
enum err store_sms_opt_get(struct db *db, const char *workspace_id, const char *e164, struct arena *a,
			   struct sms_opt_status *out);

#endif
